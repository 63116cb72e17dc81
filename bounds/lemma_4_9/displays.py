"""Appendix C, eqs. (48)-(50): the batch gradient of the stepsize estimate, and Theorem A.2 applied to it.

Statements (paper, Appendix C): "as grad~ f_j(w, D_beta^j) = 1/D_beta sum_{theta in D_beta^j} grad~ f_j(w, theta) and
each grad~ f_j(w, theta) is an unbiased estimator of grad f_j(w) with a bounded variance of sigma~^2, then for each
task T_j we have

    E_{D_beta^j}[||grad~ f_j(w, D_beta^j) - grad f_j(w)||^2] <= sigma~^2 / D_beta,                        (48)

and, therefore, E_{D_beta^j}[||grad~ f_j(w, D_beta^j) - grad f_j(w)||] <= sigma~ / sqrt(D_beta) we can write

    ||grad f_j(w)|| - sigma~/sqrt(D_beta) <= E_{D_beta^j}[||grad~ f_j(w, D_beta^j)||]
                                          <= ||grad f_j(w)|| + sigma~/sqrt(D_beta)."                     (49)

Then, "we use the result of Theorem A.2 for X = 2 rho alpha sum_{j in B'} ||grad~ f_j(w, D_beta^j)||/B', c = 4L, and k = 2":

    E[beta~(w)^2] = E[(1/(4L + 2 rho alpha sum_{j in B'} ||grad~ f_j(w, D_beta^j)||/B'))^2]
                  <= (sigma_b^2/(4L)^2 + mu_b^2 (mu_b/(sigma_b^2 + mu_b (mu_b + 4L)))^2) / (sigma_b^2 + mu_b^2)    (50)

with mu_b, sigma_b^2 the mean and variance of X.

The hypotheses are Lemma 4.9's: alpha in [0, 1/L] and the batch conditions (18) (which (48)-(49) do not use).

Sharpness.  (48): the variance of a mean of D_beta i.i.d. samples is one sample's over D_beta, at most
sigma~^2/D_beta by (13): equality when one sample's variance is sigma~^2 (two-point noise of norm sigma~, for every
D_beta): supremum 1, attained.  (49), right: E||g + xi|| <= ||g|| + E||xi|| <= ||g|| + sigma~/sqrt(D_beta) (triangle
inequality, Jensen and (48)), equalities when g = grad f_j(w) = 0 and ||xi|| = sigma~ for every outcome (two-point
noise, D_beta = 1): supremum 1, attained.  (49), left (ratio rhs/lhs): E||g + xi|| >= ||g + E xi|| = ||g|| by
Jensen, so the ratio is at most (||g|| - sigma~/sqrt(D_beta))/||g|| < 1 where sigma~ > 0; its supremum 1 is attained
with exact oracles (sigma~ = 0) and approached as ||g|| sqrt(D_beta)/sigma~ grows.  The printed left side is
loose: ||grad f_j(w)|| itself is a lower bound.  (50): (32) with X >= 0, c = 4L > 0, k = 2, so lhs/rhs <= 1, with
equality for every two-point law of X on {0, a}: two equally likely tasks with exact oracles, one stationary at w,
B' = D_beta = 1, X in {0, 2 rho alpha ||grad f_2(w)||} (supremum 1, attained; rho is any valid Hessian-Lipschitz
constant, Assumption 4.4, so rho > 0 is admitted for quadratic tasks too); mu_b > 0 keeps its right side defined.
"""
import sympy as sp
from sympy import sqrt

from .._core import Bound, Kind, Relation, Sharpness
from .._hypotheses import ALPHA_AT_MOST_ONE_OVER_L
from .._symbols import GRADIENT, D_beta, declare_quantity, grad_fi_norm_w, sigma_tilde
from .arithmetic import MU_B_POSITIVE, mu_b, sigma_b_sq
from .statement import B_PRIME_CONDITION, D_BETA_CONDITION, E_beta_tilde_sq
from .._symbols import L

HYPOTHESES = (ALPHA_AT_MOST_ONE_OVER_L, B_PRIME_CONDITION, D_BETA_CONDITION)

stepsize_batch_noise_second_moment = declare_quantity(
    "stepsize_batch_noise_second_moment",
    "E_{D_beta}||grad~ f_j(w, D_beta) - grad f_j(w)||^2, the second moment of the stepsize batch's gradient noise",
    r"\mathbb{E}_{\mathcal{D}_\beta}\|\tilde\nabla f_j(w,\mathcal{D}_\beta)-\nabla f_j(w)\|^2", (2, -2),
    per_task=True, text="𝔼‖∇̃f_j(w, D_β) − ∇f_j(w)‖²")
stepsize_batch_gradient_mean_norm = declare_quantity(
    "stepsize_batch_gradient_mean_norm", "E_{D_beta}||grad~ f_j(w, D_beta)||, the mean norm of the stepsize batch's gradient",
    r"\mathbb{E}_{\mathcal{D}_\beta}\|\tilde\nabla f_j(w,\mathcal{D}_\beta)\|", GRADIENT, per_task=True,
    text="𝔼‖∇̃f_j(w, D_β)‖")

_TWO_POINT = ("quadratic tasks with two-point gradient noise sigma~ = 1 along e_1 (verify.checks.pointwise.EXTREMAL, "
              "extremal='noisy_quadratic'")

eq_48_stepsize_batch_variance = Bound(
    id="eq_48_stepsize_batch_variance",
    reference="Lemma 4.9 proof, eq. (48)",
    kind=Kind.EXPECTATION,
    statement="E_{D_beta}||grad~ f_j(w, D_beta) - grad f_j(w)||^2 <= sigma~^2 / D_beta.",
    lhs=stepsize_batch_noise_second_moment,
    relation=Relation.LE,
    rhs=sigma_tilde ** 2 / D_beta,
    lhs_words="for every task j: the mean over D_beta of the squared norm of the batch gradient's noise at w",
    preconditions=HYPOTHESES,
    sharpness=Sharpness(
        status="derived", supremum=sp.Integer(1), attained=sp.Integer(1),
        derivation="(48): for D_beta i.i.d. unbiased samples E||mean - grad f_j||^2 = (one sample's variance)/D_beta "
                   "<= sigma~^2/D_beta by (13): lhs/rhs <= 1, equality when one sample's variance is sigma~^2, as for "
                   "two-point noise of norm sigma~, at every D_beta.",
        extremal=_TWO_POINT + ", D_beta = 2)"),
)

eq_49_stepsize_batch_gradient_upper = Bound(
    id="eq_49_stepsize_batch_gradient_upper",
    reference="Lemma 4.9 proof, eq. (49), right inequality",
    kind=Kind.EXPECTATION,
    statement="E_{D_beta}||grad~ f_j(w, D_beta)|| <= ||grad f_j(w)|| + sigma~/sqrt(D_beta).",
    lhs=stepsize_batch_gradient_mean_norm,
    relation=Relation.LE,
    rhs=grad_fi_norm_w + sigma_tilde / sqrt(D_beta),
    lhs_words="for every task j: the mean over D_beta of ||grad~ f_j(w, D_beta)||, against ||grad f_j(w)||",
    preconditions=HYPOTHESES,
    sharpness=Sharpness(
        status="derived", supremum=sp.Integer(1), attained=sp.Integer(1),
        derivation="(49), right: the triangle inequality, Jensen and (48): lhs/rhs <= 1; equalities when grad f_j(w) = 0 "
                   "and the noise has norm sigma~ in every outcome (two-point noise, D_beta = 1).",
        extremal=_TWO_POINT + ", one task stationary at w = 0, D_beta = 1)"),
)

eq_49_stepsize_batch_gradient_lower = Bound(
    id="eq_49_stepsize_batch_gradient_lower",
    reference="Lemma 4.9 proof, eq. (49), left inequality",
    kind=Kind.EXPECTATION,
    statement="E_{D_beta}||grad~ f_j(w, D_beta)|| >= ||grad f_j(w)|| - sigma~/sqrt(D_beta).",
    lhs=stepsize_batch_gradient_mean_norm,
    relation=Relation.GE,
    rhs=grad_fi_norm_w - sigma_tilde / sqrt(D_beta),
    lhs_words="for every task j: the mean over D_beta of ||grad~ f_j(w, D_beta)||, against ||grad f_j(w)||",
    preconditions=HYPOTHESES,
    sharpness=Sharpness(
        status="derived", supremum=sp.Integer(1), attained=sp.Rational(99, 100),
        derivation="(49), left (ratio rhs/lhs): Jensen gives E||g + xi|| >= ||g + E xi|| = ||g||, so the ratio is at most "
                   "(||g|| - sigma~/sqrt(D_beta))/||g|| < 1 where sigma~ > 0 (the printed bound is loose: ||g|| is one); "
                   "supremum 1, attained with exact oracles and approached as ||g|| sqrt(D_beta)/sigma~ grows: 99/100 "
                   "at ||g|| = 100, sigma~ = 1, D_beta = 1.",
        extremal=_TWO_POINT + ", one task with grad f_j(w) = 100 e_1, D_beta = 1)"),
)

_GAMMA_50 = mu_b / (sigma_b_sq + mu_b * (mu_b + 4 * L))

eq_50_wooff_second_moment = Bound(
    id="eq_50_wooff_second_moment",
    reference="Lemma 4.9 proof, eq. (50)",
    kind=Kind.EXPECTATION,
    statement="E[beta~(w)^2] <= (sigma_b^2/(4L)^2 + mu_b^2 gamma^2)/(sigma_b^2 + mu_b^2), gamma = mu_b/(sigma_b^2 + "
              "mu_b (mu_b + 4L)): Theorem A.2 with X = 2 rho alpha sum_{j in B'} ||grad~ f_j(w, D_beta^j)||/B', c = 4L, k = 2.",
    lhs=E_beta_tilde_sq,
    relation=Relation.LE,
    rhs=(sigma_b_sq / (4 * L) ** 2 + mu_b ** 2 * _GAMMA_50 ** 2) / (sigma_b_sq + mu_b ** 2),
    lhs_words="E[beta~(w)^2] of (17) over the task batch B' and the data batches D_beta, against the mean mu_b and the "
              "variance sigma_b^2 of X = 2 rho alpha sum_j ||grad~ f_j(w, D_beta^j)||/B' over the same law",
    preconditions=HYPOTHESES + (MU_B_POSITIVE,),
    reading="sigma_b^2 is the variance of X (sigma_b_sq); mu_b > 0 keeps the right side defined.",
    sharpness=Sharpness(
        status="derived", supremum=sp.Integer(1), attained=sp.Integer(1),
        derivation="(50) is (32) with c = 4L, k = 2 (X >= 0): lhs/rhs <= 1, equality for every two-point law of X on "
                   "{0, a}, as for two equally likely tasks with exact oracles, one stationary at w, B' = D_beta = 1.",
        extremal="two equally likely quadratic tasks without gradient noise, gradients 2 e_1 and 0 at w = 0, rho = 1 "
                 "(a valid Hessian-Lipschitz constant), alpha L = 1 (verify.checks.pointwise.EXTREMAL, "
                 "extremal='noisy_quadratic', gradient_noise=0)"),
)
