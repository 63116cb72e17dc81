"""Numeric steps of the proof of Lemma 4.8 (Appendix B), checked by exact arithmetic.

After (44) and (47): "Using bounds (44) and (47) in (42) and (43), respectively,
along with the fact that alpha L <= 1, yields

    ||grad F(w) - grad F(u)|| <= (4L + 2 rho alpha E_{i~p}||grad f_i(u)||) ||w - u||."

(44) contributes L(1 + alpha L) and alpha times (47) contributes
alpha (L^2 + rho ||grad f_i(u)||)(1 + alpha L), so the constant 4 needs
L (1 + alpha L) + alpha L^2 (1 + alpha L) = L (1 + alpha L)^2 <= 4 L and the
constant 2 needs (1 + alpha L) <= 2, both for alpha L <= 1.
"""
from .._core import Relation
from .._hypotheses import ALPHA_AT_MOST_ONE_OVER_L
from .._proof_steps import constant_step
from .._symbols import L, alpha

x = alpha * L
_NOTE = "The display after (47) is unnumbered; the step is cited by (47)."

b47_constant_4 = constant_step(
    "b47_constant_4", "Lemma 4.8 proof, eq. (47)",
    "(1 + alpha L)^2 <= 4 for alpha L <= 1: the 4L of L(w).",
    (1 + x) ** 2, Relation.LE, 4, preconditions=(ALPHA_AT_MOST_ONE_OVER_L,), reading=_NOTE)

b47_constant_2 = constant_step(
    "b47_constant_2", "Lemma 4.8 proof, eq. (47)",
    "1 + alpha L <= 2 for alpha L <= 1: the 2 rho alpha of L(w).",
    1 + x, Relation.LE, 2, preconditions=(ALPHA_AT_MOST_ONE_OVER_L,), reading=_NOTE)
