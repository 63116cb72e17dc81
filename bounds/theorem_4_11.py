"""Theorem 4.11, eq. (22): how far grad F-hat (3) is from grad F (2).

Statement (paper, Section 4.2): "Consider the functions F and F-hat defined in
(2) and (3), respectively, for the case that alpha in (0, 1/L]. Suppose
Assumptions 4.3-4.6 hold. Then, for any w in R^d, we have

    ||grad F-hat(w) - grad F(w)|| <= 2 alpha L sigma~ / sqrt(D_test)
                                      + alpha^2 L sigma_H sigma~ / D_test."      (22)

grad F-hat is (66): E_i E_{D_test}[(I - alpha grad~^2 f_i(w, D_test)) grad f_i(w - alpha grad~ f_i(w, D_test))],
with the same batch D_test in the stochastic gradient and the stochastic Hessian.
"""
from sympy import sqrt

from ._core import Bound, Kind, Relation
from ._hypotheses import ALPHA_AT_MOST_ONE_OVER_L, ALPHA_POSITIVE
from ._symbols import GRADIENT, D_test, L, alpha, declare_quantity, sigma_H, sigma_tilde

grad_F_hat_error = declare_quantity(
    "grad_F_hat_error", "||grad F-hat(w) - grad F(w)||", r"\|\nabla\hat F(w)-\nabla F(w)\|", GRADIENT,
    text="‖∇F̂(w) − ∇F(w)‖")

theorem_4_11 = Bound(
    id="theorem_4_11",
    reference="Theorem 4.11, eq. (22)",
    kind=Kind.EXPECTATION,
    statement="||grad F-hat(w) - grad F(w)|| <= 2 alpha L sigma~/sqrt(D_test) + alpha^2 L sigma_H sigma~/D_test.",
    lhs=grad_F_hat_error,
    relation=Relation.LE,
    rhs=2 * alpha * L * sigma_tilde / sqrt(D_test) + alpha ** 2 * L * sigma_H * sigma_tilde / D_test,
    lhs_words="the norm of grad F-hat(w) of (66) (an expectation over tasks and over the test batch D_test "
              "of size D_test) minus grad F(w) of (6)",
    preconditions=(ALPHA_POSITIVE, ALPHA_AT_MOST_ONE_OVER_L),
    reading="The matrix norm in (14) and (68) is read as the spectral norm, as in (30a). The proof's step "
            "E||e_H||^2 <= alpha^2 sigma_H^2 / D_test averages D_test samples, which is exact for a Hilbert "
            "(Frobenius) norm but not for the spectral norm; the statement (22) is checked as written.",
)
