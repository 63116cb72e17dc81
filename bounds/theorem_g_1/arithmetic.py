"""Numeric steps of the proof of Theorem G.1 (FO-MAML, Appendix G), checked by exact arithmetic.

Under alpha in (0, 1/(10L)], B >= 20, beta_k = beta~(w_k)/18:

  (115) sum_j alpha^j L^j E||grad F_i|| <= alpha L/(1 - alpha L) E||grad F_i|| <= 0.22 ||grad F|| + 2 alpha L sigma
        "where the last inequality follows from Lemma A.3 and the fact that alpha L <= 1/10"
  (117) ||r_k|| <= 0.22 ||grad F|| + 2 alpha L sigma + 0.1 sigma~/sqrt(D_in)
  (118) ||r_k||^2 <= 0.15 ||grad F||^2 + 12 alpha^2 L^2 sigma^2 + 0.03 sigma~^2/D_in, by (a+b+c)^2 <= 3a^2+3b^2+3c^2
  (119) ||E[G_i]||^2 <= 2.3 ||grad F||^2 + 24 alpha^2 L^2 sigma^2 + 0.06 sigma~^2/D_in
  (122) E||G_i||^2 <= 20 ||grad F||^2 + 7 sigma^2 + sigma~^2 (1/D_o + 0.02/D_in), from (121) and (34)
  (123) and after it: ||grad F|| ||r_k|| <= 1/2 (||grad F||^2/2 + 2 ||r_k||^2)
        <= 0.4 ||grad F||^2 + 0.03 sigma~^2/D_in + 12 alpha^2 L^2 sigma^2, the coefficient 0.6, and
        "Using beta_k = beta~(w_k)/18, and with similar analysis as Theorem F.1, we obtain
        E[F(w_{k+1})|F_k] <= F(w_k) - 1/(100 L_k) ||grad F||^2 + sigma^2 (7/(828 L B) + alpha^2 L/6)
                             + sigma~^2/D_o/(828 L B) + sigma~^2/D_in/(600 L)"
  (106) the constant 14 (with the factor 20 alpha^2 L^2), via the analogue of (94)-(105).

Reading of (115): E||grad F_i|| <= sqrt(E||grad F_i||^2) and (34), with
sqrt(a + b) <= sqrt(a) + sqrt(b): the coefficient of ||grad F|| is
alpha L/(1 - alpha L) sqrt(2) (1 + alpha L) C1, and of alpha L sigma it is
(1 + alpha L) sqrt(2 C2^2 + 1)/(1 - alpha L) (0.2188 and 1.306 at alpha L = 1/10).
Reading of the display after (123): "similar analysis as Theorem F.1" is read with
the analogues of F.1's bounds, E[beta_k] <= 1/(72 L), E[beta_k] >= 0.8/(18 L_k) = 2/(45 L_k)
and L_k/2 E[beta_k^2] <= 1/(207 L_k) <= 1/(828 L) (828 = 4 * 207, as 368 = 4 * 92).
"""
from sympy import Rational, sqrt

from .._core import Definition, Precondition, Relation
from .._hypotheses import ALPHA_AT_MOST_ONE_TENTH_OVER_L, ALPHA_POSITIVE, TASK_BATCH_AT_LEAST_20
from .._proof_quantities import direction_bias_norm
from .._proof_steps import constant_step, descent_tail, kappa, split_step
from .._symbols import B, L, alpha, c, grad_F_norm
from ..lemma_a_3.statement import C_1, C_1_DEFINITION, C_2, C_2_DEFINITION
from ..lemma_4_9.arithmetic import c19_second_moment, c61_first_moment
from ..lemma_a_3.arithmetic import a3_eq_34_power_of_one_plus_alpha_L as a3_34
from ..theorem_f_1.arithmetic import f1_eq_88_inner, f1_eq_88_outer

x = alpha * L
G1 = (ALPHA_POSITIVE, ALPHA_AT_MOST_ONE_TENTH_OVER_L)
C12 = (C_1_DEFINITION, C_2_DEFINITION)
STEPSIZE_FO_MAML = Definition(c, Rational(1, 18), "Theorem G.1: beta_k = beta~(w_k)/18")
AFTER_123 = ("The display after (123) is unnumbered; cited by (123). 'with similar analysis as Theorem F.1': "
             "the constant is implied by the printed 828 = 4 * 207 and not displayed.")
BIAS_POSITIVE = Precondition("||r_k|| > 0", direction_bias_norm > 0, "the inequality after (123) divides by it")
_115 = "Via Jensen, (34) (power kappa_34 of (1 + alpha L), 2 as printed) and sqrt(a + b) <= sqrt(a) + sqrt(b)."

g1_eq_115_grad = constant_step(
    "g1_eq_115_grad_0_22", "Theorem G.1 proof, eq. (115)",
    "alpha L/(1 - alpha L) sqrt(2) (1 + alpha L) C1 <= 0.22 for alpha L <= 1/10.",
    x / (1 - x) * sqrt(2) * (1 + x) ** (kappa(a3_34) / 2) * C_1, Relation.LE, Rational(22, 100),
    uses=(a3_34,), fixed=C12, preconditions=G1, produces=("kappa_115g", "the 0.22 of (115)"), reading=_115)

g1_eq_115_sigma = constant_step(
    "g1_eq_115_sigma_2", "Theorem G.1 proof, eq. (115)",
    "(1 + alpha L) sqrt(2 C2^2 + 1)/(1 - alpha L) <= 2 for alpha L <= 1/10: the 2 of 2 alpha L sigma.",
    (1 + x) ** (kappa(a3_34) / 2) * sqrt(2 * C_2 ** 2 + 1) / (1 - x), Relation.LE, 2,
    uses=(a3_34,), fixed=C12, preconditions=G1, produces=("kappa_115s", "the 2 of 2 alpha L sigma in (115)"),
    reading=_115)

g1_eq_117 = constant_step(
    "g1_eq_117_d_in_0_1", "Theorem G.1 proof, eq. (117)",
    "alpha L sigma~/sqrt(D_in) <= 0.1 sigma~/sqrt(D_in) for alpha L <= 1/10.",
    x, Relation.LE, Rational(1, 10), preconditions=G1, produces=("kappa_117", "the 0.1 of (117)"))

g1_eq_118_grad = constant_step(
    "g1_eq_118_grad_0_15", "Theorem G.1 proof, eq. (118)", "3 (0.22)^2 <= 0.15.",
    3 * kappa(g1_eq_115_grad) ** 2, Relation.LE, Rational(15, 100), uses=(g1_eq_115_grad,),
    produces=("kappa_118g", "the 0.15 of (118)"))
g1_eq_118_sigma = constant_step(
    "g1_eq_118_sigma_12", "Theorem G.1 proof, eq. (118)", "3 * 2^2 <= 12.",
    3 * kappa(g1_eq_115_sigma) ** 2, Relation.LE, 12, uses=(g1_eq_115_sigma,),
    produces=("kappa_118s", "the 12 of (118)"))
g1_eq_118_in = constant_step(
    "g1_eq_118_d_in_0_03", "Theorem G.1 proof, eq. (118)", "3 (0.1)^2 <= 0.03.",
    3 * kappa(g1_eq_117) ** 2, Relation.LE, Rational(3, 100), uses=(g1_eq_117,),
    produces=("kappa_118i", "the 0.03 of (118)"))

g1_eq_119_grad = constant_step(
    "g1_eq_119_grad_2_3", "Theorem G.1 proof, eq. (119)", "2 + 2 * 0.15 <= 2.3.",
    2 + 2 * kappa(g1_eq_118_grad), Relation.LE, Rational(23, 10), uses=(g1_eq_118_grad,),
    produces=("kappa_119g", "the 2.3 of (119)"))
g1_eq_119_sigma = constant_step(
    "g1_eq_119_sigma_24", "Theorem G.1 proof, eq. (119)", "2 * 12 <= 24.",
    2 * kappa(g1_eq_118_sigma), Relation.LE, 24, uses=(g1_eq_118_sigma,),
    produces=("kappa_119s", "the 24 of (119)"))
g1_eq_119_in = constant_step(
    "g1_eq_119_d_in_0_06", "Theorem G.1 proof, eq. (119)", "2 * 0.03 <= 0.06.",
    2 * kappa(g1_eq_118_in), Relation.LE, Rational(6, 100), uses=(g1_eq_118_in,),
    produces=("kappa_119i", "the 0.06 of (119)"))

_122_READING = ("(121) with E_i||grad F_i||^2 from (34), power kappa_34 of (1 + alpha L) (2 as printed); "
                "FO-MAML has no Hessian factor, so E||G_i||^2 is (121) averaged over tasks.")
g1_eq_122_grad = constant_step(
    "g1_eq_122_grad_20", "Theorem G.1 proof, eq. (122)",
    "2 * 2 (1 + alpha L)^2 C1^2/(1 - alpha L)^2 <= 20 for alpha L <= 1/10.",
    kappa(f1_eq_88_outer) * 2 * (1 + x) ** kappa(a3_34) * C_1 ** 2 / (1 - x) ** 2, Relation.LE, 20,
    uses=(f1_eq_88_outer, a3_34), fixed=C12, preconditions=G1, produces=("kappa_122g", "the 20 of (122)"),
    reading=_122_READING)
g1_eq_122_sigma = constant_step(
    "g1_eq_122_sigma_7", "Theorem G.1 proof, eq. (122)",
    "2 (1 + alpha L)^2 (2 C2^2 + 1)/(1 - alpha L)^2 <= 7 for alpha L <= 1/10.",
    kappa(f1_eq_88_outer) * (1 + x) ** kappa(a3_34) * (2 * C_2 ** 2 + 1) / (1 - x) ** 2, Relation.LE, 7,
    uses=(f1_eq_88_outer, a3_34), fixed=C12, preconditions=G1, produces=("kappa_122s", "the 7 of (122)"),
    reading=_122_READING)
g1_eq_122_in = constant_step(
    "g1_eq_122_d_in_0_02", "Theorem G.1 proof, eq. (122)", "2 alpha^2 L^2 <= 0.02 for alpha L <= 1/10.",
    kappa(f1_eq_88_inner) * x ** 2, Relation.LE, Rational(2, 100), uses=(f1_eq_88_inner,), preconditions=G1,
    produces=("kappa_122i", "the 0.02 of (122)"))

g1_young = constant_step(
    "g1_eq_123_young", "Theorem G.1 proof, eq. (123)",
    "||grad F|| ||r_k|| <= 1/2 (||grad F||^2/2 + 2 ||r_k||^2) = ||grad F||^2/4 + ||r_k||^2: the 1 multiplying ||r_k||^2.",
    (grad_F_norm * direction_bias_norm - grad_F_norm ** 2 / 4) / direction_bias_norm ** 2, Relation.LE, 1,
    preconditions=(BIAS_POSITIVE,), produces=("kappa_young4", "the 1 of ||grad F||^2/4 + 1 ||r_k||^2"),
    reading="The display after (123) is unnumbered; cited by (123).")
g1_eq_123_grad = constant_step(
    "g1_eq_123_grad_0_4", "Theorem G.1 proof, eq. (123)", "1/4 + 0.15 <= 0.4.",
    Rational(1, 4) + kappa(g1_young) * kappa(g1_eq_118_grad), Relation.LE, Rational(2, 5),
    uses=(g1_young, g1_eq_118_grad), produces=("kappa_g1_0_4", "the 0.4 after (123)"),
    reading="The display after (123) is unnumbered; cited by (123).")
g1_eq_123_in = constant_step(
    "g1_eq_123_d_in_0_03", "Theorem G.1 proof, eq. (123)", "1 * 0.03 <= 0.03.",
    kappa(g1_young) * kappa(g1_eq_118_in), Relation.LE, Rational(3, 100), uses=(g1_young, g1_eq_118_in),
    produces=("kappa_g1_0_03", "the 0.03 after (123)"), reading="Cited by (123).")
g1_eq_123_sigma = constant_step(
    "g1_eq_123_sigma_12", "Theorem G.1 proof, eq. (123)", "1 * 12 <= 12.",
    kappa(g1_young) * kappa(g1_eq_118_sigma), Relation.LE, 12, uses=(g1_young, g1_eq_118_sigma),
    produces=("kappa_g1_12", "the 12 after (123)"), reading="Cited by (123).")
g1_eq_123_rate = constant_step(
    "g1_eq_123_coefficient_0_6", "Theorem G.1 proof, eq. (123)", "1 - 0.4 >= 0.6.",
    1 - kappa(g1_eq_123_grad), Relation.GE, Rational(3, 5), uses=(g1_eq_123_grad,),
    produces=("kappa_g1_0_6", "the 0.6 after (123)"), reading="Cited by (123).")

g1_beta_upper = constant_step(
    "g1_eq_123_beta_upper_1_72", "Theorem G.1 proof, eq. (123)", "E[beta_k] <= 1/(4L * 18) = 1/(72 L).",
    c / 4, Relation.LE, Rational(1, 72), fixed=(STEPSIZE_FO_MAML,),
    produces=("kappa_g1_72", "E[beta_k] L <= 1/72"), reading=AFTER_123)
g1_beta_lower = constant_step(
    "g1_eq_123_beta_lower_2_45", "Theorem G.1 proof, eq. (123)", "E[beta_k] >= 0.8/(18 L_k) = 2/(45 L_k).",
    kappa(c61_first_moment) * c, Relation.GE, Rational(2, 45), uses=(c61_first_moment,),
    fixed=(STEPSIZE_FO_MAML,), produces=("kappa_g1_45", "E[beta_k] L_k >= 2/45"), reading=AFTER_123)
g1_beta_second = constant_step(
    "g1_eq_123_beta_second_1_207", "Theorem G.1 proof, eq. (123)",
    "L_k/2 E[beta_k^2] <= 3.125/(2 * 18^2 L_k) <= 1/(207 L_k).",
    kappa(c19_second_moment) * c ** 2 / 2, Relation.LE, Rational(1, 207), uses=(c19_second_moment,),
    fixed=(STEPSIZE_FO_MAML,), produces=("kappa_g1_207", "L_k^2/2 E[beta_k^2] <= 1/207"), reading=AFTER_123)
g1_beta_828 = constant_step(
    "g1_eq_123_beta_second_1_828", "Theorem G.1 proof, eq. (123)", "1/(207 L_k) <= 1/(828 L) as L_k >= 4L.",
    kappa(g1_beta_second) / 4, Relation.LE, Rational(1, 828), uses=(g1_beta_second,),
    produces=("kappa_g1_828", "the 1/828 after (123)"), reading=AFTER_123)

g1_decrease = constant_step(
    "g1_eq_123_decrease_1_100", "Theorem G.1 proof, eq. (123)",
    "0.6 * 2/45 - 1/207 (2.3 + 20/B) >= 1/100 for B >= 20: the coefficient of -||grad F||^2/L_k.",
    kappa(g1_eq_123_rate) * kappa(g1_beta_lower) - kappa(g1_beta_second) * (kappa(g1_eq_119_grad)
                                                                            + kappa(g1_eq_122_grad) / B),
    Relation.GE, Rational(1, 100), uses=(g1_eq_123_rate, g1_beta_lower, g1_beta_second, g1_eq_119_grad,
                                         g1_eq_122_grad),
    preconditions=(TASK_BATCH_AT_LEAST_20,), produces=("kappa_g1_100", "the 1/100 after (123)"), reading=AFTER_123)
g1_sigma_b = constant_step(
    "g1_eq_123_sigma_7_828", "Theorem G.1 proof, eq. (123)", "7 * 1/828 <= 7/828: the coefficient of sigma^2/(L B).",
    kappa(g1_eq_122_sigma) * kappa(g1_beta_828), Relation.LE, Rational(7, 828), uses=(g1_eq_122_sigma, g1_beta_828),
    produces=("kappa_g1_7_828", "the 7/828 after (123)"), reading=AFTER_123)
g1_sigma_alpha = constant_step(
    "g1_eq_123_sigma_alpha2_l_1_6", "Theorem G.1 proof, eq. (123)",
    "24/828 + 12/72 <= 1/6: the coefficient of alpha^2 L sigma^2, from L_k/2 E[beta_k^2] 24 alpha^2 L^2 sigma^2 "
    "and E[beta_k] 12 alpha^2 L^2 sigma^2.",
    kappa(g1_eq_119_sigma) * kappa(g1_beta_828) + kappa(g1_eq_123_sigma) * kappa(g1_beta_upper), Relation.LE,
    Rational(1, 6), uses=(g1_eq_119_sigma, g1_beta_828, g1_eq_123_sigma, g1_beta_upper),
    produces=("kappa_g1_1_6", "the 1/6 of alpha^2 L/6 after (123)"), reading=AFTER_123)
g1_d_o = constant_step(
    "g1_eq_123_d_o_1_828", "Theorem G.1 proof, eq. (123)", "1 * 1/828 <= 1/828: the coefficient of sigma~^2/(L B D_o).",
    kappa(g1_beta_828), Relation.LE, Rational(1, 828), uses=(g1_beta_828,),
    produces=("kappa_g1_d_o", "the 1/828 of sigma~^2/D_o after (123)"), reading=AFTER_123)
g1_d_in = constant_step(
    "g1_eq_123_d_in_1_600", "Theorem G.1 proof, eq. (123)",
    "0.02/(828 B) + 0.06/828 + 0.03/72 <= 1/600 for B >= 20: the coefficient of sigma~^2/(L D_in).",
    kappa(g1_eq_122_in) * kappa(g1_beta_828) / B + kappa(g1_eq_119_in) * kappa(g1_beta_828)
    + kappa(g1_eq_123_in) * kappa(g1_beta_upper),
    Relation.LE, Rational(1, 600), uses=(g1_eq_122_in, g1_beta_828, g1_eq_119_in, g1_eq_123_in, g1_beta_upper),
    preconditions=(TASK_BATCH_AT_LEAST_20,), produces=("kappa_g1_600", "the 1/600 after (123)"), reading=AFTER_123)

# The noise coefficients of the display after (123) that (101) must dominate (the alpha^2 L term over 20 alpha^2 L^2).
G1_NOISE = (kappa(g1_sigma_b), kappa(g1_sigma_alpha) / 20, kappa(g1_d_o), kappa(g1_d_in))
G1_NOISE_USES = (g1_sigma_b, g1_sigma_alpha, g1_d_o, g1_d_in)
(g1_eq_95_c1, g1_eq_95_c2, g1_eq_96_sigma, g1_eq_96_grad, g1_eq_99, g1_eq_100, g1_eq_102, g1_eq_105,
 g1_theorem_constant) = descent_tail(
    "g1", "Theorem G.1 proof, display after eq. (123), as eq. ({}) of F.1", G1, g1_decrease, Rational(1, 800),
    Rational(1, 1600),
    G1_NOISE, G1_NOISE_USES, 14, "Theorem G.1 proof, eq. (106) via the display after eq. (123)", __name__)
# Does the coefficient 9/46 after (123) (and (34)'s correction) reach the theorem?  Any split of (101).
g1_eq_101_split = split_step("g1", "Theorem G.1 proof, eq. (106) via the display after eq. (123), any split",
                             g1_eq_100, G1_NOISE, G1_NOISE_USES, 14, Rational(1, 1600), __name__)
