"""Numeric step of the proof of Theorem 4.11 (Appendix E), checked by exact arithmetic.

    ||grad F^(w) - grad F(w)|| <= (1 + alpha L) alpha L sigma~/sqrt(D_test) + alpha^2 L sigma_H sigma~/D_test
                               <= 2 alpha L sigma~/sqrt(D_test) + alpha^2 L sigma_H sigma~/D_test     (75)

"where the last inequality follows from alpha <= 1/L".
"""
from .._core import Relation
from .._hypotheses import ALPHA_AT_MOST_ONE_OVER_L, ALPHA_POSITIVE
from .._proof_steps import constant_step
from .._symbols import L, alpha

e75_factor_2 = constant_step(
    "e75_factor_2", "Theorem 4.11 proof, eq. (75)",
    "(1 + alpha L) alpha L <= 2 alpha L for alpha L <= 1, i.e. 1 + alpha L <= 2.",
    1 + alpha * L, Relation.LE, 2, preconditions=(ALPHA_POSITIVE, ALPHA_AT_MOST_ONE_OVER_L))
