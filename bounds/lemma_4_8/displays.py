"""Appendix B, eqs. (42)-(46): the split of the proof of Lemma 4.8 and its inner-step bounds.

The split (42)-(43), one display whose second line is numbered (43):

    ||grad F(w) - grad F(u)|| <= sum_i p_i ||grad F_i(w) - grad F_i(u)||
        <= sum_i p_i ( ||grad f_i(w - alpha grad f_i(w)) - grad f_i(u - alpha grad f_i(u))||            (42)
                       + alpha ||grad^2 f_i(w) grad f_i(w - alpha grad f_i(w))
                                - grad^2 f_i(u) grad f_i(u - alpha grad f_i(u))|| ),                      (43)

and the bound of (43)'s term:

    ||grad^2 f_i(w) grad f_i(w') - grad^2 f_i(u) grad f_i(u')||
        <= (L^2 (1 + alpha L) + rho ||grad f_i(u - alpha grad f_i(u))||) ||w - u||,                       (45)

w' = w - alpha grad f_i(w), u' = u - alpha grad f_i(u), "from (44), (30a), and Assumption 4.4".
(42)-(43) is Jensen's inequality and the triangle inequality on grad F_i = grad f_i(w') - alpha grad^2 f_i(w)
grad f_i(w') ((35b)); (45) adds and subtracts grad^2 f_i(w) grad f_i(u').

Sharpness of (42)-(43) and (45) (supremum of lhs/rhs: 1, attained).  Quadratic tasks (rho = 0) sharing the
Hessian A with w - u along an eigenvector of eigenvalue -L: grad f_i(w') - grad f_i(u') = -L (1 + alpha L)(w - u)
and -alpha A times it is -alpha L^2 (1 + alpha L)(w - u), the same direction, so the triangle inequality of (43)
is an equality, and every task's difference is the same vector (Jensen's step too); the term of (45) is
A^2 (I - alpha A)(w - u) = L^2 (1 + alpha L)(w - u), with rho = 0: equality, at every alpha in [0, 1/L].

Statements (paper, Appendix B, with alpha in [0, 1/L] as in Lemma 4.8):

    ||grad f_i(w - alpha grad f_i(w)) - grad f_i(u - alpha grad f_i(u))||
        <= L (1 + alpha L) ||w - u||,                                          (44)

    ||grad f_i(u - alpha grad f_i(u))|| <= (1 + alpha L) ||grad f_i(u)||.        (46)

(46) is derived with the mean value theorem for the vector field grad f_i at one
intermediate point u~_i; for d >= 2 that form of the theorem does not hold in
general, but the bound follows from the integral form with the same constant.
The suite checks the bounds themselves, for every task.

Sharpness (supremum of lhs/rhs: 1 for both, attained).  With H_bar the Hessian averaged
over a segment, grad f_i(w - alpha grad f_i(w)) - grad f_i(u - alpha grad f_i(u)) =
H_bar_1 (I - alpha H_bar_2) (w - u), whose norm is at most L (1 + alpha L) ||w - u|| by (30a):
(44), with equality for a quadratic task of curvature -L along w - u (A (I - alpha A) = -L (1 + alpha L)).
grad f_i(u - alpha grad f_i(u)) = (I - alpha H_bar) grad f_i(u), of norm at most (1 + alpha L) ||grad f_i(u)||:
(46), with equality for a quadratic task of curvature -L along grad f_i(u).  Both for every alpha in [0, 1/L].
"""
import sympy as sp

from .._core import Bound, Kind, Relation, Sharpness
from .._hypotheses import ALPHA_AT_MOST_ONE_OVER_L
from .._symbols import (GRADIENT, HESSIAN, L, alpha, declare_quantity, grad_fi_inner_norm, grad_fi_norm_w,
    norm_w_minus_u, rho)
from .._taskmean import TaskMean
from .statement import grad_F_diff_norm

inner_step_grad_diff_norm = declare_quantity(
    "inner_step_grad_diff_norm", "||grad f_i(w - alpha grad f_i(w)) - grad f_i(u - alpha grad f_i(u))||",
    r"\|\nabla f_i(w-\alpha\nabla f_i(w))-\nabla f_i(u-\alpha\nabla f_i(u))\|", GRADIENT,
    per_task=True, text="‖∇fᵢ(w − α∇fᵢ(w)) − ∇fᵢ(u − α∇fᵢ(u))‖")

eq_44_inner_step_lipschitz = Bound(
    id="eq_44_inner_step_lipschitz",
    reference="Appendix B (proof of Lemma 4.8), eq. (44)",
    kind=Kind.POINTWISE,
    statement="The map w -> grad f_i(w - alpha grad f_i(w)) is L(1 + alpha L)-Lipschitz.",
    lhs=inner_step_grad_diff_norm,
    relation=Relation.LE,
    rhs=L * (1 + alpha * L) * norm_w_minus_u,
    lhs_words="for every task i: ||grad f_i(w - alpha grad f_i(w)) - grad f_i(u - alpha grad f_i(u))|| "
              "with exact gradients, at two points w, u",
    preconditions=(ALPHA_AT_MOST_ONE_OVER_L,),
    sharpness=Sharpness(
        status="derived",
        derivation="(44): the difference is H_bar_1 (I - alpha H_bar_2)(w - u) with Hessians averaged over "
                   "segments, each of norm <= L by (30a), so lhs/rhs <= 1 (the proof's two Lipschitz steps). "
                   "Equality, for every alpha in [0, 1/L], for a quadratic task of Hessian -L along w - u: "
                   "A (I - alpha A)(w - u) = -L (1 + alpha L)(w - u).",
        supremum=sp.Integer(1), attained=sp.Integer(1),
        extremal="quadratic tasks sharing the Hessian diag(-L, -L/2) (L = 1), w - u along e_1, alpha L = 1 "
                 "(verify.checks.pointwise.EXTREMAL, extremal='quadratic', sign=-1)",
    ),
)

eq_46_inner_step_gradient_growth = Bound(
    id="eq_46_inner_step_gradient_growth",
    reference="Appendix B (proof of Lemma 4.8), eq. (46)",
    kind=Kind.POINTWISE,
    statement="One inner gradient step grows the task gradient by at most the factor 1 + alpha L.",
    lhs=grad_fi_inner_norm,
    relation=Relation.LE,
    rhs=(1 + alpha * L) * grad_fi_norm_w,
    lhs_words="for every task i: ||grad f_i(w - alpha grad f_i(w))|| with exact gradients, against "
              "||grad f_i(w)|| at the same point (the paper writes it at u)",
    preconditions=(ALPHA_AT_MOST_ONE_OVER_L,),
    sharpness=Sharpness(
        status="derived",
        derivation="(46): grad f_i(w - alpha grad f_i(w)) = (I - alpha H_bar) grad f_i(w) with H_bar the Hessian "
                   "averaged over [w, w - alpha grad f_i(w)] (the integral form of the proof's mean value step), "
                   "||I - alpha H_bar|| <= 1 + alpha L by (30a): lhs/rhs <= 1. Equality, for every alpha, for a "
                   "quadratic task of Hessian -L along grad f_i(w): (I - alpha A) g = (1 + alpha L) g.",
        supremum=sp.Integer(1), attained=sp.Integer(1),
        extremal="quadratic tasks sharing the Hessian diag(-L, -L/2) (L = 1), every gradient along e_1 "
                 "(verify.checks.pointwise.EXTREMAL, extremal='quadratic', sign=-1)",
    ),
)

hessian_inner_gradient_diff_norm = declare_quantity(
    "hessian_inner_gradient_diff_norm",
    "||grad^2 f_i(w) grad f_i(w - alpha grad f_i(w)) - grad^2 f_i(u) grad f_i(u - alpha grad f_i(u))||, (43)'s term",
    r"\|\nabla^2 f_i(w)\nabla f_i(w-\alpha\nabla f_i(w))-\nabla^2 f_i(u)\nabla f_i(u-\alpha\nabla f_i(u))\|",
    (GRADIENT[0] + HESSIAN[0], GRADIENT[1] + HESSIAN[1]), per_task=True,
    text="‖∇²fᵢ(w)∇fᵢ(w − α∇fᵢ(w)) − ∇²fᵢ(u)∇fᵢ(u − α∇fᵢ(u))‖")
grad_fi_inner_norm_u = declare_quantity(
    "grad_fi_inner_norm_u", "||grad f_i(u - alpha grad f_i(u))||, the exact gradient after the inner step from u",
    r"\|\nabla f_i(u-\alpha\nabla f_i(u))\|", GRADIENT, per_task=True, text="‖∇fᵢ(u − α∇fᵢ(u))‖")

_QUADRATIC_EQUALITY = ("quadratic tasks sharing the Hessian diag(-L, -L/2) (L = 1), w - u along e_1, alpha L = 1 "
                       "(verify.checks.pointwise.EXTREMAL, extremal='quadratic', sign=-1)")

eq_42_43_meta_gradient_split = Bound(
    id="eq_42_43_meta_gradient_split",
    reference="Appendix B (proof of Lemma 4.8), eq. (42) with its second line (43)",
    kind=Kind.POINTWISE,
    statement="||grad F(w) - grad F(u)|| <= sum_i p_i (||grad f_i(w') - grad f_i(u')|| + alpha ||grad^2 f_i(w) "
              "grad f_i(w') - grad^2 f_i(u) grad f_i(u')||), w' = w - alpha grad f_i(w), u' = u - alpha grad f_i(u).",
    lhs=grad_F_diff_norm,
    relation=Relation.LE,
    rhs=TaskMean(inner_step_grad_diff_norm + alpha * hessian_inner_gradient_diff_norm),
    lhs_words="||grad F(w) - grad F(u)|| with grad F the exact meta-gradient (6), against the task-weighted sum of the "
              "two terms (42) and (43) computed with exact gradients and Hessians",
    preconditions=(ALPHA_AT_MOST_ONE_OVER_L,),
    reading="The display runs over two numbered lines; its right side is their sum, weighted by p_i.",
    sharpness=Sharpness(
        status="derived",
        derivation="(42)-(43): Jensen's inequality over the tasks and the triangle inequality on grad F_i = "
                   "grad f_i(w') - alpha grad^2 f_i(w) grad f_i(w') ((35b)): lhs/rhs <= 1. Equality for quadratic tasks "
                   "sharing the Hessian, w - u along its eigenvalue -L: both terms are multiples of w - u of the same "
                   "sign (-L (1 + alpha L) and -alpha L^2 (1 + alpha L)), the same for every task.",
        supremum=sp.Integer(1), attained=sp.Integer(1), extremal=_QUADRATIC_EQUALITY,
    ),
)

eq_45_hessian_gradient_product_lipschitz = Bound(
    id="eq_45_hessian_gradient_product_lipschitz",
    reference="Appendix B (proof of Lemma 4.8), eq. (45)",
    kind=Kind.POINTWISE,
    statement="||grad^2 f_i(w) grad f_i(w') - grad^2 f_i(u) grad f_i(u')|| <= (L^2 (1 + alpha L) + rho "
              "||grad f_i(u')||) ||w - u||.",
    lhs=hessian_inner_gradient_diff_norm,
    relation=Relation.LE,
    rhs=(L ** 2 * (1 + alpha * L) + rho * grad_fi_inner_norm_u) * norm_w_minus_u,
    lhs_words="for every task i: ||grad^2 f_i(w) grad f_i(w - alpha grad f_i(w)) - grad^2 f_i(u) grad f_i(u - alpha "
              "grad f_i(u))|| with exact gradients and Hessians, against ||grad f_i(u - alpha grad f_i(u))||",
    preconditions=(ALPHA_AT_MOST_ONE_OVER_L,),
    sharpness=Sharpness(
        status="derived",
        derivation="(45): grad^2 f_i(w)(grad f_i(w') - grad f_i(u')) + (grad^2 f_i(w) - grad^2 f_i(u)) grad f_i(u'), "
                   "bounded by L * L (1 + alpha L) ||w - u|| ((30a), (44)) plus rho ||w - u|| ||grad f_i(u')|| "
                   "(Assumption 4.4): lhs/rhs <= 1. Equality for quadratic tasks (rho = 0) with w - u along the "
                   "eigenvalue -L: A^2 (I - alpha A)(w - u) = L^2 (1 + alpha L)(w - u).",
        supremum=sp.Integer(1), attained=sp.Integer(1), extremal=_QUADRATIC_EQUALITY,
    ),
)
