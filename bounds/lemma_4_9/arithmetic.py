"""Numeric steps of the proof of Lemma 4.9 (Appendix C), checked by exact arithmetic.

X = 2 rho alpha sum_{j in B'} ||grad~ f_j(w, D_beta^j)|| / B' has mean mu_b and
variance sigma_b^2; Theorem A.2 with c = 4L and k = 2 gives (50).  The steps:

  (51)  "replace sigma_b^2 + mu_b (mu_b + 4L) by its lower bound mu_b (mu_b + 4L)":
        gamma = mu_b / (sigma_b^2 + mu_b (mu_b + 4L)) <= 1 / (mu_b + 4L).
  (52)  with D_beta >= ceil((2 rho alpha sigma~ / L)^2), (49) gives
        2 rho alpha E||grad f_i(w)|| - L <= mu_b <= 2 rho alpha E||grad f_i(w)|| + L:
        the slack 2 rho alpha sigma~ / sqrt(D_beta) is at most L.
  (53)  mu_b + 5L >= L(w), from the first inequality of (52).
  (54)  "we used the fact that (mu_b + 5L)^2 <= 2 mu_b^2 + 2 (5L)^2", and
        mu_b^2 (mu_b + 5L)^2 / (mu_b + 4L)^2 <= (5/4)^2 mu_b^2.
  (55)  "we only need to show that 2 sigma_b^2 / (4L)^2 <= (5/4)^2", from
  (58)  sigma_b^2 <= (2 rho alpha)^2 / B' (sigma^2 + sigma~^2 / |D_beta|) and (18).
  (19)  then L(w)^2 E[beta~(w)^2] <= 3.125, and by (59)-(61)
  (61)  E[beta~(w)] >= 1 / (L + L(w)) >= 1 / (L(w)/4 + L(w)) = (4/5) / L(w).

Reading of (55)/(19): with (55), the right side of (54) is at most
max{(5/4)^2 + (5/4)^2, 2 (5/4)^2} = 3.125; the step is encoded as that maximum
over mu_b and sigma_b^2.
"""
from sympy import Rational

from .._core import Precondition, Relation
from .._hypotheses import ALPHA_AT_MOST_ONE_OVER_L
from .._proof_steps import constant_step, kappa
from .._symbols import HESSIAN, B_prime, D_beta, L, alpha, declare_quantity, rho, sigma, sigma_tilde
from ..lemma_4_8.statement import L_OF_W, L_w
from .statement import B_PRIME_CONDITION, D_BETA_CONDITION

mu_b = declare_quantity(
    "mu_b", "mu_b, the mean of X = 2 rho alpha sum_{j in B'} ||grad~ f_j(w, D_beta^j)|| / B' (50)",
    r"\mu_b", HESSIAN, text="μ_b")
sigma_b_sq = declare_quantity(
    "sigma_b_sq", "sigma_b^2, the variance of X of (50)", r"\sigma_b^2", (2, -4), text="σ_b²")

LEMMA = (ALPHA_AT_MOST_ONE_OVER_L,)
# X >= 0 has left extremity zero (Theorem A.2); at mu_b = 0 the ratios of (50)-(54) are 0/0.
MU_B_POSITIVE = Precondition("mu_b > 0", mu_b > 0, "Theorem A.2 applied in (50)")

c51_gamma = constant_step(
    "c51_gamma_times_mu_b_plus_4l", "Lemma 4.9 proof, eq. (51)",
    "gamma (mu_b + 4L) <= 1 with gamma = mu_b/(sigma_b^2 + mu_b (mu_b + 4L)) of (50).",
    mu_b * (mu_b + 4 * L) / (sigma_b_sq + mu_b * (mu_b + 4 * L)), Relation.LE, 1,
    preconditions=LEMMA + (MU_B_POSITIVE,))

c52_slack = constant_step(
    "c52_slack_at_most_l", "Lemma 4.9 proof, eq. (52)",
    "2 rho alpha sigma~ / sqrt(D_beta) <= L under D_beta >= ceil((2 rho alpha sigma~/L)^2): the slack L of (52).",
    2 * rho * alpha * sigma_tilde / (L * D_beta ** Rational(1, 2)), Relation.LE, 1,
    produces=("kappa_52", "the slack of (52) in units of L: 1 as printed"),
    preconditions=LEMMA + (D_BETA_CONDITION,),
    reading="(49) bounds |E||grad~ f_j(w, D_beta)|| - ||grad f_j(w)||| by sigma~/sqrt(D_beta); the step is "
            "encoded in units of L.")

c53_five_l = constant_step(
    "c53_five_l", "Lemma 4.9 proof, eq. (53)",
    "mu_b + 5L >= L(w) = 4L + 2 rho alpha E||grad f_i(w)|| from mu_b >= 2 rho alpha E||grad f_i(w)|| - L: 4 + 1 <= 5.",
    4 + kappa(c52_slack), Relation.LE, 5, uses=(c52_slack,),
    produces=("kappa_53", "the 5 of mu_b + 5L >= L(w), (53)"))

c54_square_split = constant_step(
    "c54_square_split", "Lemma 4.9 proof, eq. (54)",
    "(mu_b + 5L)^2 <= 2 mu_b^2 + 2 (5L)^2.",
    (mu_b + kappa(c53_five_l) * L) ** 2 / (2 * mu_b ** 2 + 2 * (kappa(c53_five_l) * L) ** 2), Relation.LE, 1,
    uses=(c53_five_l,))

c54_ratio = constant_step(
    "c54_ratio_five_over_four", "Lemma 4.9 proof, eq. (54)",
    "mu_b^2 (mu_b + 5L)^2 / (mu_b + 4L)^2 <= (5/4)^2 mu_b^2 for mu_b >= 0.",
    (mu_b + kappa(c53_five_l) * L) ** 2 / (mu_b + 4 * L) ** 2, Relation.LE, Rational(25, 16),
    uses=(c53_five_l,), produces=("kappa_54", "the (5/4)^2 multiplying mu_b^2 in (54)"))

c55_variance = constant_step(
    "c55_sigma_b_bound", "Lemma 4.9 proof, eq. (55) with (58) and (18)",
    "2 sigma_b^2/(4L)^2 <= (5/4)^2 with sigma_b^2 at its bound (58) (2 rho alpha)^2/B' (sigma^2 + sigma~^2/D_beta) "
    "under the batch conditions (18).",
    2 * (2 * rho * alpha) ** 2 * (sigma ** 2 + sigma_tilde ** 2 / D_beta) / (B_prime * (4 * L) ** 2),
    Relation.LE, Rational(25, 16),
    produces=("kappa_55", "the bound (5/4)^2 of 2 sigma_b^2/(4L)^2, (55)"),
    preconditions=LEMMA + (B_PRIME_CONDITION, D_BETA_CONDITION),
    reading="(58) is used at equality: the left side grows with sigma_b^2.")

c19_second_moment = constant_step(
    "c19_second_moment_3_125", "Lemma 4.9 proof, eqs. (54)-(55) giving (19)",
    "[mu_b^2 ((5/4)^2 + 2 sigma_b^2/(4L)^2) + 2 (5/4)^2 sigma_b^2]/(sigma_b^2 + mu_b^2) <= 3.125 "
    "once 2 sigma_b^2/(4L)^2 <= (5/4)^2.",
    (mu_b ** 2 * (kappa(c54_ratio) + kappa(c55_variance)) + 2 * kappa(c53_five_l) ** 2 / 16 * sigma_b_sq)
    / (sigma_b_sq + mu_b ** 2),
    Relation.LE, Rational(25, 8), uses=(c53_five_l, c54_ratio, c55_variance),
    produces=("kappa_19b", "the 3.125 of E[beta~(w)^2] <= 3.125 / L(w)^2, (19)"),
    preconditions=LEMMA + (MU_B_POSITIVE,),
    reading="mu_b and sigma_b (with sigma_b_sq = sigma_b^2) range over all values; mu_b > 0 keeps the ratio "
            "defined.")

c61_first_moment = constant_step(
    "c61_first_moment_0_8", "Lemma 4.9 proof, eq. (61) (after (59)-(60))",
    "E[beta~(w)] >= 1/(4L + mu_b) >= 1/(L(w) + L) >= (4/5)/L(w), as L(w) >= 4L: L(w)/(L(w) + L) >= 0.8.",
    L_w / (L_w + kappa(c52_slack) * L), Relation.GE, Rational(4, 5),
    uses=(c52_slack,), fixed=(L_OF_W,),
    produces=("kappa_19a", "the 0.8 of E[beta~(w)] >= 0.8 / L(w), (19)"),
    preconditions=LEMMA)
