"""Appendix A, eqs. (30a) and (30b): what L_i-smoothness of a twice differentiable f_i implies.

Statement (paper, Appendix A): "since we also assume that the functions f_i are
twice differentiable, the L_i-smoothness assumption also implies that for every
w, u in R^d we have

    -L_i I_d <= grad^2 f_i(w) <= L_i I_d   for all w in R^d,                  (30a)

    f_i(w) - f_i(u) - grad f_i(u)'(w - u) <= L_i / 2 ||w - u||^2."           (30b)

(30a) is the same as ||grad^2 f_i(w)|| <= L_i in the spectral norm, because the
Hessian is symmetric; it is encoded in that form with L := max_i L_i.

Sharpness (supremum of lhs/rhs: 1 for both, attained).  (30a): L is the supremum of
||grad^2 f_i(w)|| (Assumption 4.3 for a C^2 function), so the ratio reaches 1 wherever a
task Hessian has an eigenvalue +-L, e.g. every quadratic task with A_i of norm L.  (30b):
f_i(w) - f_i(u) - grad f_i(u)'(w - u) = int_0^1 (1 - t) (w - u)' grad^2 f_i(u + t(w - u)) (w - u) dt
<= L/2 ||w - u||^2 by (30a), with equality when w - u is an eigenvector of eigenvalue +L of a
constant Hessian (a quadratic task).
"""
import sympy as sp

from .._core import Bound, Kind, Relation, Sharpness
from .._symbols import HESSIAN, LOSS, L, declare_quantity, norm_w_minus_u

hessian_norm = declare_quantity(
    "hessian_norm", "||grad^2 f_i(w)||, the spectral norm of a task Hessian",
    r"\|\nabla^2 f_i(w)\|", HESSIAN, text="‖∇²fᵢ(w)‖")
descent_gap_fi = declare_quantity(
    "descent_gap_fi", "f_i(w) - f_i(u) - grad f_i(u)'(w - u)",
    r"f_i(w)-f_i(u)-\nabla f_i(u)^\top(w-u)", LOSS, nonnegative=False,
    text="fᵢ(w) − fᵢ(u) − ∇fᵢ(u)ᵀ(w − u)")

eq_30a_hessian_bounded = Bound(
    id="eq_30a_hessian_bounded",
    reference="Appendix A, eq. (30a)",
    kind=Kind.POINTWISE,
    statement="Every task Hessian lies between -L I and L I, i.e. ||grad^2 f_i(w)|| <= L.",
    lhs=hessian_norm,
    relation=Relation.LE,
    rhs=L,
    lhs_words="the spectral norm (largest absolute eigenvalue) of the exact Hessian of a task f_i at w",
    reading="-L I <= H <= L I for symmetric H is encoded as ||H||_2 <= L with L := max_i L_i.",
    sharpness=Sharpness(
        status="derived",
        derivation="L is the supremum of ||grad^2 f_i(w)|| over tasks and points (Assumption 4.3 for C^2 "
                   "tasks), so lhs/rhs <= 1, with equality at any point where a task Hessian has an eigenvalue "
                   "+-L: for a quadratic task with ||A_i|| = L, at every w.",
        supremum=sp.Integer(1), attained=sp.Integer(1),
        extremal="quadratic tasks sharing the Hessian diag(-L, -L/2) (L = 1), any w "
                 "(verify.checks.pointwise.EXTREMAL, extremal='quadratic', sign=-1)",
    ),
)

eq_30b_descent_lemma = Bound(
    id="eq_30b_descent_lemma",
    reference="Appendix A, eq. (30b)",
    kind=Kind.POINTWISE,
    statement="f_i(w) - f_i(u) - grad f_i(u)'(w - u) <= L/2 ||w - u||^2 for every task.",
    lhs=descent_gap_fi,
    relation=Relation.LE,
    rhs=L / 2 * norm_w_minus_u ** 2,
    lhs_words="the exact value f_i(w) - f_i(u) - grad f_i(u)'(w - u) for a task f_i and points w, u",
    sharpness=Sharpness(
        status="derived",
        derivation="f_i(w) - f_i(u) - grad f_i(u)'(w - u) = int_0^1 (1 - t) (w - u)' grad^2 f_i(u + t(w - u)) "
                   "(w - u) dt <= (L/2) ||w - u||^2 by (30a): lhs/rhs <= 1. Equality when the Hessian is constant "
                   "along [u, w] with w - u an eigenvector of eigenvalue +L: a quadratic task.",
        supremum=sp.Integer(1), attained=sp.Integer(1),
        extremal="quadratic tasks sharing the Hessian diag(L, L/2) (L = 1), w - u along e_1 "
                 "(verify.checks.pointwise.EXTREMAL, extremal='quadratic', sign=+1)",
    ),
)
