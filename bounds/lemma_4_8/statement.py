"""Lemma 4.8, eq. (15): the meta-objective F is smooth with a point-dependent constant L(w).

Statement (paper, Section 4.1): "Consider the objective function F defined in (2)
for the case that alpha in [0, 1/L]. Suppose that the conditions in Assumptions
4.3-4.4 are satisfied. Then, for any w, u in R^d we have

    ||grad F(w) - grad F(u)|| <= min{L(w), L(u)} ||w - u||,            (15)

where L(w) := 4L + 2 rho alpha E_{i~p} ||grad f_i(w)||."

L(w) is declared here once (``L_OF_W``); Lemma 4.9, Corollary A.1 and the proofs
of Theorems F.1, G.1 and H.1 reuse it.

Sharpness (supremum of lhs/rhs: 1, attained).  The proof (Appendix B) splits
grad F_i(w) - grad F_i(u) = A_i(w)(grad f_i(w') - grad f_i(u')) + (A_i(w) - A_i(u)) grad f_i(u'),
A_i(w) = I - alpha grad^2 f_i(w), and bounds it by (1 + alpha L) L (1 + alpha L) ||w - u|| (44) plus
alpha rho ||w - u|| (1 + alpha L) ||grad f_i(u)|| (46); with alpha L <= 1 that is at most
(4L + 2 rho alpha ||grad f_i(u)||) ||w - u||, and symmetrically with w: lhs/rhs <= 1.
Equality: rho = 0, alpha L = 1 and every task Hessian -L along w - u (quadratic tasks
sharing the Hessian), where grad F(w) - grad F(u) = (1 + alpha L)^2 (-L)(w - u) = -4L (w - u).
"""
import sympy as sp
from sympy import Min

from .._core import Bound, Definition, Kind, Relation, Sharpness
from .._hypotheses import ALPHA_AT_MOST_ONE_OVER_L
from .._symbols import (GRADIENT, HESSIAN, L, _mi, _row, _text, alpha, declare_defined, declare_quantity,
    grad_fi_norm_u, grad_fi_norm_w, norm_w_minus_u, rho)
from .._taskmean import TaskMean

L_w = declare_defined("L_w", "L(w) := 4L + 2 rho alpha E_i ||grad f_i(w)||, Lemma 4.8",
                      "L(w)", _row(_mi("L"), _text("(w)")), HESSIAN, positive=True)
L_u = declare_defined("L_u", "L(u), the same as L(w) at the second point u", "L(u)",
                      _row(_mi("L"), _text("(u)")), HESSIAN, positive=True)

L_OF_W = Definition(L_w, 4 * L + 2 * rho * alpha * TaskMean(grad_fi_norm_w), "Lemma 4.8")
L_OF_U = Definition(L_u, 4 * L + 2 * rho * alpha * TaskMean(grad_fi_norm_u), "Lemma 4.8")


grad_F_diff_norm = declare_quantity(
    "grad_F_diff_norm", "||grad F(w) - grad F(u)||", r"\|\nabla F(w)-\nabla F(u)\|", GRADIENT,
    text="‖∇F(w) − ∇F(u)‖")

lemma_4_8 = Bound(
    id="lemma_4_8",
    reference="Lemma 4.8, eq. (15)",
    kind=Kind.POINTWISE,
    statement="grad F is Lipschitz between w and u with constant min{L(w), L(u)}, "
              "L(w) = 4L + 2 rho alpha E_i||grad f_i(w)||.",
    lhs=grad_F_diff_norm,
    relation=Relation.LE,
    rhs=Min(L_w, L_u) * norm_w_minus_u,
    lhs_words="||grad F(w) - grad F(u)|| with grad F the exact meta-gradient (6) over the task "
              "distribution, at two points w, u",
    preconditions=(ALPHA_AT_MOST_ONE_OVER_L,),
    definitions=(L_OF_W, L_OF_U),
    sharpness=Sharpness(
        status="derived",
        derivation="Appendix B: grad F_i(w) - grad F_i(u) = A_i(w)(grad f_i(w') - grad f_i(u')) + "
                   "(A_i(w) - A_i(u)) grad f_i(u'), at most (1 + alpha L)^2 L ||w - u|| by (44) plus "
                   "alpha rho (1 + alpha L) ||grad f_i(u)|| ||w - u|| by (46); alpha L <= 1 gives L(u) ||w - u||, "
                   "and symmetrically L(w) ||w - u||: lhs/rhs <= 1. Every step is tight at rho = 0, alpha L = 1, "
                   "all tasks of Hessian -L along w - u: grad F(w) - grad F(u) = -(1 + alpha L)^2 L (w - u) = "
                   "-4L (w - u) and L(w) = L(u) = 4L.",
        supremum=sp.Integer(1), attained=sp.Integer(1),
        extremal="quadratic tasks sharing the Hessian diag(-L, -L/2) (L = 1), alpha = 1/L, w - u along e_1 "
                 "(verify.checks.pointwise.EXTREMAL, extremal='quadratic', sign=-1)",
    ),
)
