"""Hypotheses shared by several results: the ranges of alpha and the batch-size conditions.

Each is declared once, with the place in the paper that states it, so that a
theorem and the lemmas of its proof cannot drift apart.
"""
from sympy import Rational, ceiling, sqrt

from ._core import Precondition
from ._symbols import B, D_h, L, alpha, rho, sigma_H, sigma_tilde

# alpha >= 0 itself is the symbol table's assumption on alpha.
ALPHA_POSITIVE = Precondition("alpha > 0", alpha > 0, "the lower end of the range of alpha in Theorems 4.11, F.1, G.1 and H.1")
ALPHA_AT_MOST_ONE_OVER_L = Precondition("alpha L <= 1", alpha * L <= 1,
                                        "alpha in [0, 1/L]: Lemmas 4.8-4.10, Corollary A.1, Theorem 4.11")
ALPHA_BELOW_ONE_OVER_L = Precondition("alpha L < 1", alpha * L < 1, "alpha < 1/L: Appendix I")
ALPHA_BELOW_SQRT2_MINUS_1 = Precondition("alpha L < sqrt(2) - 1", alpha * L < sqrt(2) - 1,
                                         "alpha in [0, (sqrt(2)-1)/L): Lemma A.3")
ALPHA_AT_MOST_ONE_SIXTH_OVER_L = Precondition("alpha L <= 1/6", alpha * L <= Rational(1, 6),
                                              "alpha in (0, 1/(6L)]: Theorems F.1 and H.1")
ALPHA_AT_MOST_ONE_TENTH_OVER_L = Precondition("alpha L <= 1/10", alpha * L <= Rational(1, 10),
                                              "alpha in (0, 1/(10L)]: Theorem G.1")
TASK_BATCH_AT_LEAST_20 = Precondition("B >= 20", B >= 20, "Theorems F.1, G.1, H.1")
HESSIAN_BATCH_MAML = Precondition("D_h >= ceil(2 alpha^2 sigma_H^2)", D_h >= ceiling(2 * alpha ** 2 * sigma_H ** 2),
                                  "Theorems F.1 and G.1")
HESSIAN_BATCH_HF_MAML = Precondition("D_h >= ceil(36 (alpha rho sigma~)^2)",
                                     D_h >= ceiling(36 * (alpha * rho * sigma_tilde) ** 2), "Theorem H.1")
# The erratum's Hessian batch for HF-MAML: the scale-free form of Theorem H.1's condition, under
# which (145)'s factor 4.3 follows (alpha^2 sigma~^2/(D_h delta^2) <= 1 with delta = 1/(6 rho alpha)).
HESSIAN_BATCH_HF_MAML_SCALE_FREE = Precondition(
    "D_h >= ceil(36 (alpha^2 rho sigma~)^2)", D_h >= ceiling(36 * (alpha ** 2 * rho * sigma_tilde) ** 2),
    "Theorem H.1 corrected (the printed D_h >= ceil(36 (alpha rho sigma~)^2) is not invariant under f_i -> c f_i)")
