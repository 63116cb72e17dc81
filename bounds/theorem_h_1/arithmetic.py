"""Numeric steps of the proof of Theorem H.1 (HF-MAML, Appendix H), checked by exact arithmetic.

Under alpha in (0, 1/(6L)], D_h >= ceil(36 (alpha rho sigma~)^2), B >= 20, beta_k = beta~(w_k)/25 and
delta := 1/(6 rho alpha) of (135), so that rho delta alpha = 1/6:

  (140) ||s_k|| <= rho delta alpha/(1 - alpha L) ||grad F|| + (1 + alpha L + rho delta alpha) alpha L sigma~/sqrt(D_in)
                <= 0.2 ||grad F|| + 0.3 sigma~/sqrt(D_in)   "using alpha L, rho delta alpha <= 1/6"
  (141) ||E[G_i]||^2 <= 2 ||grad F||^2 + 2 ||s_k||^2 <= 2.2 ||grad F||^2 + 0.4 sigma~^2/D_in
  (145) E||G_i||^2 <= (2 + 2 alpha^2 (sigma~^2/(D_h delta^2) + 2 L^2 + 2 rho^2 delta^2)) E||grad~ f_i(...)||^2
                   <= 4.3 E||grad~ f_i(...)||^2
        "where the last inequality is derived using alpha L <= 1/6 along with rho delta alpha = 1/6 and
        D_h >= 36 (rho alpha sigma~)^2"
  (146) Lemma 4.10 with phi = 10: 4.3 (1 + 1/10) and 47.3 alpha^2 L^2 sigma~^2/D_in
  (147) <= 5 E||grad f_i(w_k - alpha grad f_i(w_k))||^2 + 5 sigma~^2 (1/D_in + 1/D_o), using alpha L <= 1/6
  (149) E||G_i||^2 <= 50 ||grad F||^2 + 18 sigma^2 + 5 sigma~^2 (1/D_in + 1/D_o), from (148) and (34)
  (150) and after it: ||grad F|| ||s_k|| <= 1/2 (||grad F||^2/2 + 2 ||s_k||^2) <= 0.4 ||grad F||^2 + 0.18 sigma~^2/D_in,
        the coefficient 0.6, and "Using beta_k = beta~(w_k)/25, and with similar analysis as Theorem F.1,
        E[F(w_{k+1})|F_k] <= F(w_k) - 1/(200 L_k) ||grad F||^2 + (18 sigma^2 + 5 sigma~^2/D_o)/(1600 L B)
                             + sigma~^2/D_in/(100 L)"
  (124) the constants 36 and 6 = sqrt(36), via the analogue of (94)-(105) with the decrease 1/200.

Reading of (145): sigma~^2/(D_h delta^2) = 36 rho^2 alpha^2 sigma~^2 / D_h with delta = 1/(6 rho alpha),
and 2 alpha^2 * 2 rho^2 delta^2 = 1/9; the premises are the theorem's, in absolute units.
Reading of the display after (150): "similar analysis" is read with E[beta_k] <= 1/(100 L),
E[beta_k] >= 0.8/(25 L_k) = 4/(125 L_k) and L_k/2 E[beta_k^2] <= 3.125/(2 * 25^2 L_k) = 1/(400 L_k)
<= 1/(1600 L); the decrease 1/200 gives 1/1600 in (100), half of it 1/3200 is kept in (102), and
the iteration budget is 3200 (as the registry's Theorem H.1 reads it).
"""
from sympy import Rational, sqrt

from .._core import Definition, Precondition, Relation
from .._hypotheses import (ALPHA_AT_MOST_ONE_SIXTH_OVER_L, ALPHA_POSITIVE, HESSIAN_BATCH_HF_MAML,
    TASK_BATCH_AT_LEAST_20)
from .._proof_steps import constant_step, descent_tail, kappa
from .._symbols import B, D_h, L, alpha, c, phi, rho, sigma_tilde
from ..lemma_a_3.statement import C_1, C_1_DEFINITION, C_2, C_2_DEFINITION
from ..lemma_4_9.arithmetic import c19_second_moment, c61_first_moment
from ..lemma_a_3.arithmetic import a3_eq_34_power_of_one_plus_alpha_L as a3_34
from ..theorem_g_1.arithmetic import g1_young

x = alpha * L
H1 = (ALPHA_POSITIVE, ALPHA_AT_MOST_ONE_SIXTH_OVER_L)
C12 = (C_1_DEFINITION, C_2_DEFINITION)
RHO_DELTA_ALPHA = Rational(1, 6)  # rho delta alpha with delta := 1/(6 rho alpha), (135)
RHO_POSITIVE = Precondition("rho > 0", rho > 0, "delta := 1/(6 rho alpha) of (135) needs rho > 0")
STEPSIZE_HF_MAML = Definition(c, Rational(1, 25), "Theorem H.1: beta_k = beta~(w_k)/25")
AFTER_150 = ("The display after (150) is unnumbered; cited by (150). 'with similar analysis as Theorem F.1': "
             "the constant is implied and not displayed.")
_140 = "rho delta alpha = 1/6 exactly, by delta := 1/(6 rho alpha) of (135)."

h1_eq_140_grad = constant_step(
    "h1_eq_140_grad_0_2", "Theorem H.1 proof, eq. (140)",
    "rho delta alpha/(1 - alpha L) <= 0.2 with rho delta alpha = 1/6 and alpha L <= 1/6.",
    RHO_DELTA_ALPHA / (1 - x), Relation.LE, Rational(1, 5), preconditions=H1,
    produces=("kappa_140g", "the 0.2 of (140)"), reading=_140)
h1_eq_140_in = constant_step(
    "h1_eq_140_d_in_0_3", "Theorem H.1 proof, eq. (140)",
    "(1 + alpha L + rho delta alpha) alpha L <= 0.3 with rho delta alpha = 1/6 and alpha L <= 1/6.",
    (1 + x + RHO_DELTA_ALPHA) * x, Relation.LE, Rational(3, 10), preconditions=H1,
    produces=("kappa_140i", "the 0.3 of (140)"), reading=_140 + " The factor (1 + alpha L) is (133)'s.")
h1_eq_141_grad = constant_step(
    "h1_eq_141_grad_2_2", "Theorem H.1 proof, eq. (141)", "2 + 2 * 2 (0.2)^2 <= 2.2.",
    2 + 4 * kappa(h1_eq_140_grad) ** 2, Relation.LE, Rational(11, 5), uses=(h1_eq_140_grad,),
    produces=("kappa_141g", "the 2.2 of (141)"),
    reading="||s_k||^2 <= 2 (0.2)^2 ||grad F||^2 + 2 (0.3)^2 sigma~^2/D_in by (a + b)^2 <= 2a^2 + 2b^2.")
h1_eq_141_in = constant_step(
    "h1_eq_141_d_in_0_4", "Theorem H.1 proof, eq. (141)", "2 * 2 (0.3)^2 <= 0.4.",
    4 * kappa(h1_eq_140_in) ** 2, Relation.LE, Rational(2, 5), uses=(h1_eq_140_in,),
    produces=("kappa_141i", "the 0.4 of (141)"))

h1_eq_145 = constant_step(
    "h1_eq_145_factor_4_3", "Theorem H.1 proof, eq. (145)",
    "2 + 2 alpha^2 (sigma~^2/(D_h delta^2) + 2 L^2 + 2 rho^2 delta^2) <= 4.3 with delta = 1/(6 rho alpha), "
    "alpha L <= 1/6 and D_h >= ceil(36 (alpha rho sigma~)^2).",
    2 + 2 * alpha ** 2 * (36 * rho ** 2 * alpha ** 2 * sigma_tilde ** 2 / D_h + 2 * L ** 2
                          + 2 * rho ** 2 * (1 / (6 * rho * alpha)) ** 2),
    Relation.LE, Rational(43, 10), preconditions=H1 + (HESSIAN_BATCH_HF_MAML, RHO_POSITIVE),
    produces=("kappa_145", "the 4.3 of (145)"),
    reading="delta = 1/(6 rho alpha) substituted: sigma~^2/(D_h delta^2) = 36 rho^2 alpha^2 sigma~^2/D_h. "
            "The premises are the theorem's hypotheses as printed (absolute units).")

_PHI_10 = (Definition(phi, 10, "phi = 10 in (146)"),)
h1_eq_146_grad = constant_step(
    "h1_eq_146_grad_4_73", "Theorem H.1 proof, eq. (146)", "4.3 (1 + 1/phi) <= 4.73 with phi = 10.",
    kappa(h1_eq_145) * (1 + 1 / phi), Relation.LE, Rational(473, 100), uses=(h1_eq_145,), fixed=_PHI_10,
    produces=("kappa_146g", "the 4.3 (1 + 1/10) of (146)"))
h1_eq_146_in = constant_step(
    "h1_eq_146_d_in_47_3", "Theorem H.1 proof, eq. (146)", "4.3 (1 + phi) <= 47.3 with phi = 10.",
    kappa(h1_eq_145) * (1 + phi), Relation.LE, Rational(473, 10), uses=(h1_eq_145,), fixed=_PHI_10,
    produces=("kappa_146i", "the 47.3 of (146)"))
h1_eq_147_grad = constant_step(
    "h1_eq_147_grad_5", "Theorem H.1 proof, eq. (147)", "4.3 (1 + 1/10) <= 5.",
    kappa(h1_eq_146_grad), Relation.LE, 5, uses=(h1_eq_146_grad,), produces=("kappa_147g", "the first 5 of (147)"))
h1_eq_147_in = constant_step(
    "h1_eq_147_d_in_5", "Theorem H.1 proof, eq. (147)", "47.3 alpha^2 L^2 <= 5 for alpha L <= 1/6.",
    kappa(h1_eq_146_in) * x ** 2, Relation.LE, 5, uses=(h1_eq_146_in,), preconditions=H1,
    produces=("kappa_147i", "the 5 of 5 sigma~^2/D_in in (147)"))
h1_eq_147_o = constant_step(
    "h1_eq_147_d_o_5", "Theorem H.1 proof, eq. (147)", "4.3 <= 5: the coefficient of sigma~^2/D_o.",
    kappa(h1_eq_145), Relation.LE, 5, uses=(h1_eq_145,), produces=("kappa_147o", "the 5 of 5 sigma~^2/D_o in (147)"))

_149_READING = "(148) with E_i||grad F_i||^2 from (34), power kappa_34 of (1 + alpha L) (2 as printed)."
h1_eq_149_grad = constant_step(
    "h1_eq_149_grad_50", "Theorem H.1 proof, eq. (149)",
    "5 * 2 (1 + alpha L)^2 C1^2/(1 - alpha L)^2 <= 50 for alpha L <= 1/6.",
    kappa(h1_eq_147_grad) * 2 * (1 + x) ** kappa(a3_34) * C_1 ** 2 / (1 - x) ** 2, Relation.LE, 50,
    uses=(h1_eq_147_grad, a3_34), fixed=C12, preconditions=H1, produces=("kappa_149g", "the 50 of (149)"),
    reading=_149_READING)
h1_eq_149_sigma = constant_step(
    "h1_eq_149_sigma_18", "Theorem H.1 proof, eq. (149)",
    "5 (1 + alpha L)^2 (2 C2^2 + 1)/(1 - alpha L)^2 <= 18 for alpha L <= 1/6.",
    kappa(h1_eq_147_grad) * (1 + x) ** kappa(a3_34) * (2 * C_2 ** 2 + 1) / (1 - x) ** 2, Relation.LE, 18,
    uses=(h1_eq_147_grad, a3_34), fixed=C12, preconditions=H1, produces=("kappa_149s", "the 18 of (149)"),
    reading=_149_READING)

h1_eq_150_grad = constant_step(
    "h1_eq_150_grad_0_4", "Theorem H.1 proof, eq. (150)",
    "1/4 + 2 (0.2)^2 <= 0.4: ||grad F|| ||s_k|| <= ||grad F||^2/4 + ||s_k||^2 with (140).",
    Rational(1, 4) + kappa(g1_young) * 2 * kappa(h1_eq_140_grad) ** 2, Relation.LE, Rational(2, 5),
    uses=(g1_young, h1_eq_140_grad), produces=("kappa_h1_0_4", "the 0.4 after (150)"),
    reading="The display after (150) is unnumbered; cited by (150).")
h1_eq_150_in = constant_step(
    "h1_eq_150_d_in_0_18", "Theorem H.1 proof, eq. (150)", "2 (0.3)^2 <= 0.18.",
    kappa(g1_young) * 2 * kappa(h1_eq_140_in) ** 2, Relation.LE, Rational(18, 100), uses=(g1_young, h1_eq_140_in),
    produces=("kappa_h1_0_18", "the 0.18 after (150)"), reading="Cited by (150).")
h1_eq_150_rate = constant_step(
    "h1_eq_150_coefficient_0_6", "Theorem H.1 proof, eq. (150)", "1 - 0.4 >= 0.6.",
    1 - kappa(h1_eq_150_grad), Relation.GE, Rational(3, 5), uses=(h1_eq_150_grad,),
    produces=("kappa_h1_0_6", "the 0.6 after (150)"), reading="Cited by (150).")

h1_beta_upper = constant_step(
    "h1_eq_150_beta_upper_1_100", "Theorem H.1 proof, eq. (150)", "E[beta_k] <= 1/(4L * 25) = 1/(100 L).",
    c / 4, Relation.LE, Rational(1, 100), fixed=(STEPSIZE_HF_MAML,),
    produces=("kappa_h1_beta_100", "E[beta_k] L <= 1/100"), reading=AFTER_150)
h1_beta_lower = constant_step(
    "h1_eq_150_beta_lower_4_125", "Theorem H.1 proof, eq. (150)", "E[beta_k] >= 0.8/(25 L_k) = 4/(125 L_k).",
    kappa(c61_first_moment) * c, Relation.GE, Rational(4, 125), uses=(c61_first_moment,),
    fixed=(STEPSIZE_HF_MAML,), produces=("kappa_h1_125", "E[beta_k] L_k >= 4/125"), reading=AFTER_150)
h1_beta_second = constant_step(
    "h1_eq_150_beta_second_1_400", "Theorem H.1 proof, eq. (150)", "L_k/2 E[beta_k^2] <= 3.125/(2 * 25^2 L_k) = 1/(400 L_k).",
    kappa(c19_second_moment) * c ** 2 / 2, Relation.LE, Rational(1, 400), uses=(c19_second_moment,),
    fixed=(STEPSIZE_HF_MAML,), produces=("kappa_h1_400", "L_k^2/2 E[beta_k^2] <= 1/400"), reading=AFTER_150)
h1_beta_1600 = constant_step(
    "h1_eq_150_beta_second_1_1600", "Theorem H.1 proof, eq. (150)", "1/(400 L_k) <= 1/(1600 L) as L_k >= 4L.",
    kappa(h1_beta_second) / 4, Relation.LE, Rational(1, 1600), uses=(h1_beta_second,),
    produces=("kappa_h1_1600", "the 1/1600 after (150)"), reading=AFTER_150)

h1_decrease = constant_step(
    "h1_eq_150_decrease_1_200", "Theorem H.1 proof, eq. (150)",
    "0.6 * 4/125 - 1/400 (2.2 + 50/B) >= 1/200 for B >= 20: the coefficient of -||grad F||^2/L_k.",
    kappa(h1_eq_150_rate) * kappa(h1_beta_lower) - kappa(h1_beta_second) * (kappa(h1_eq_141_grad)
                                                                            + kappa(h1_eq_149_grad) / B),
    Relation.GE, Rational(1, 200), uses=(h1_eq_150_rate, h1_beta_lower, h1_beta_second, h1_eq_141_grad,
                                         h1_eq_149_grad),
    preconditions=(TASK_BATCH_AT_LEAST_20,), produces=("kappa_h1_200", "the 1/200 after (150)"), reading=AFTER_150)
h1_sigma_b = constant_step(
    "h1_eq_150_sigma_18_1600", "Theorem H.1 proof, eq. (150)", "18 * 1/1600 <= 18/1600: the coefficient of sigma^2/(L B).",
    kappa(h1_eq_149_sigma) * kappa(h1_beta_1600), Relation.LE, Rational(18, 1600), uses=(h1_eq_149_sigma, h1_beta_1600),
    produces=("kappa_h1_18", "the 18/1600 after (150)"), reading=AFTER_150)
h1_d_o = constant_step(
    "h1_eq_150_d_o_5_1600", "Theorem H.1 proof, eq. (150)", "5 * 1/1600 <= 5/1600: the coefficient of sigma~^2/(L B D_o).",
    kappa(h1_eq_147_o) * kappa(h1_beta_1600), Relation.LE, Rational(5, 1600), uses=(h1_eq_147_o, h1_beta_1600),
    produces=("kappa_h1_5", "the 5/1600 after (150)"), reading=AFTER_150)
h1_d_in = constant_step(
    "h1_eq_150_d_in_1_100", "Theorem H.1 proof, eq. (150)",
    "5/(1600 B) + 0.4/1600 + 0.18/100 <= 1/100 for B >= 20: the coefficient of sigma~^2/(L D_in).",
    kappa(h1_eq_147_in) * kappa(h1_beta_1600) / B + kappa(h1_eq_141_in) * kappa(h1_beta_1600)
    + kappa(h1_eq_150_in) * kappa(h1_beta_upper),
    Relation.LE, Rational(1, 100), uses=(h1_eq_147_in, h1_beta_1600, h1_eq_141_in, h1_eq_150_in, h1_beta_upper),
    preconditions=(TASK_BATCH_AT_LEAST_20,), produces=("kappa_h1_d_in", "the 1/100 of sigma~^2/D_in after (150)"),
    reading=AFTER_150)

(h1_eq_95_c1, h1_eq_95_c2, h1_eq_96_sigma, h1_eq_96_grad, h1_eq_99, h1_eq_100, h1_eq_102, h1_eq_105,
 h1_theorem_constant) = descent_tail(
    "h1", "Theorem H.1 proof, display after eq. (150), as eq. ({}) of F.1", H1, h1_decrease, Rational(1, 1600),
    Rational(1, 3200), (kappa(h1_sigma_b), kappa(h1_d_o), kappa(h1_d_in)), (h1_sigma_b, h1_d_o, h1_d_in), 36,
    "Theorem H.1 proof, eq. (124) via the display after eq. (150)", __name__)

h1_theorem_constant_6 = constant_step(
    "h1_theorem_constant_6", "Theorem H.1, eq. (124)", "the 6 of (124) is the square root of its 36: sqrt(36) <= 6.",
    sqrt(kappa(h1_theorem_constant)), Relation.LE, 6, uses=(h1_theorem_constant,))
