"""Numeric steps of the proof of Lemma A.3 (Appendix A), checked by exact arithmetic.

"Finally, moving the term ||grad f(w)|| from the right hand side of (40) to the left
hand side and dividing both sides by 1/(1 - 2 alpha L - alpha^2 L^2) completes the
proof of (33)": this needs 1 - 2 alpha L - alpha^2 L^2 > 0 on the lemma's range
alpha in [0, (sqrt(2) - 1)/L).

"To show (34), note that, using (37), and the fact that ||A_i(w)|| <= (1 + alpha L)
and ||A_i(w~)|| <= (1 + alpha L) we can write

    E_{i~p}[||grad F_i(w)||^2] <= E_{i~p}[||A_i(w)||^2 ||A_i(w~_i)||^2 ||grad f_i(w)||^2]
                               <= (1 + alpha L)^2 E_{i~p}[||grad f_i(w)||^2]"          (34)

The second line needs ||A_i(w)||^2 ||A_i(w~_i)||^2 <= (1 + alpha L)^2 from the two
premises, each factor at most (1 + alpha L): the product is bounded by
(1 + alpha L)^4, attained when both Hessians equal -L I.  The step is encoded by
its exponent: the premises give exponent 4, the paper writes 2.  Later steps
((89), (115), (122), (149)) read the exponent as kappa_34 and are audited with 2
(as printed) and 4 (as found).
"""
from sympy import log

from .._core import Relation
from .._hypotheses import ALPHA_BELOW_SQRT2_MINUS_1, ALPHA_POSITIVE
from .._proof_steps import constant_step
from .._symbols import L, alpha

x = alpha * L

a3_c1_denominator_positive = constant_step(
    "a3_c1_denominator_positive", "Lemma A.3 proof, eq. (40)",
    "1 - 2 alpha L - alpha^2 L^2 > 0 on alpha L in [0, sqrt(2) - 1), so (40) can be solved for ||grad f(w)||.",
    1 - 2 * x - x ** 2, Relation.GE, 0,
    preconditions=(ALPHA_BELOW_SQRT2_MINUS_1,),
    reading="The paper needs the strict inequality > 0; the audit reports whether the infimum 0 is attained "
            "(it is not, on the half-open range). 'dividing both sides by 1/(1 - 2 alpha L - alpha^2 L^2)' "
            "is read as multiplying by it, i.e. dividing by 1 - 2 alpha L - alpha^2 L^2.")

a3_eq_34_power_of_one_plus_alpha_L = constant_step(
    "a3_eq_34_power_of_one_plus_alpha_l", "Lemma A.3 proof, eq. (34)",
    "||A_i(w)||^2 ||A_i(w~_i)||^2 <= (1 + alpha L)^2 given ||A_i(w)||, ||A_i(w~_i)|| <= 1 + alpha L: "
    "the exponent of (1 + alpha L) that the premises give is at most 2.",
    log((1 + x) ** 4) / log(1 + x), Relation.LE, 2,
    produces=("kappa_34", "the power of (1 + alpha L) in (34): 2 as printed"),
    preconditions=(ALPHA_POSITIVE, ALPHA_BELOW_SQRT2_MINUS_1),
    reading="Encoded by the exponent: both factors at their premise bound give (1 + alpha L)^2 (1 + alpha L)^2, "
            "exponent log((1 + alpha L)^4)/log(1 + alpha L) = 4 for alpha L > 0; the paper writes 2. "
            "alpha > 0 because at alpha = 0 every exponent is valid.")
