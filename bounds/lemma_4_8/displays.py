"""Appendix B, eqs. (44) and (46): the two inner-step bounds of the proof of Lemma 4.8.

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
from .._symbols import (GRADIENT, L, alpha, declare_quantity, grad_fi_inner_norm, grad_fi_norm_w,
    norm_w_minus_u)

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
