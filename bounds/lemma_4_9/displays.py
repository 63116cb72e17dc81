"""Lemma 4.9's proof (Appendix C), eqs. (48)-(50), (56), (59)-(60): the stepsize estimate's batches, the
variance of X and the first moment of beta~(w).

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

X = 2 rho alpha sum_{j in B'} ||grad~ f_j(w, D_beta^j)|| / B' has mean mu_b and variance sigma_b^2 (50);
beta~(w) = 1/(4L + X) (16)-(17).  The displays, under Lemma 4.9's hypotheses (alpha in [0, 1/L] and (18)):

    sigma_b^2 = (2 rho alpha)^2 / B' Var(||grad~ f_j(w, D_beta)||)
              <= (2 rho alpha)^2 / B' (sigma^2 + sigma~^2 / |D_beta| + ||E grad~ f_j(w, D_beta)||^2
                                       - (E ||grad~ f_j(w, D_beta)||)^2)                                 (56)
    E[beta~(w)] = E[1/L~(w)] >= 1/E[L~(w)] = 1/(4L + mu_b)                                                (59)
    E[beta~(w)] >= 1/(5L + 2 rho alpha E_{i~p}||grad f_i(w)||)                                            (60)

(61) is the arithmetic after (60), a step of bounds/lemma_4_9/arithmetic.py (c61_first_moment).

Reading of (56): the draw is a task j ~ p with its batch D_beta^j; Var of the vector grad~ f_j is
E||grad~ f_j - E grad~ f_j||^2, the mean over the task and the batch; the printed "(E_{i~p}||grad~ f_j(w,
D_beta^j)||)^2" (index i against j) is the square of the mean of the same norm.  Its steps: the variance of
a mean of B' i.i.d. draws, Var||Y|| = E||Y||^2 - (E||Y||)^2, E||Y||^2 = Var(Y) + ||E Y||^2, and the law of
total variance (57) with Assumptions 4.5-4.6: Var(Y) = E_j E||Y - grad f_j||^2 + E_j||grad f_j - grad f||^2
<= sigma~^2/D_beta + sigma^2.
"""
import sympy as sp
from sympy import sqrt

from .._core import Bound, Kind, Relation, Sharpness
from .._hypotheses import ALPHA_AT_MOST_ONE_OVER_L
from .._symbols import (GRADIENT, B_prime, D_beta, L, alpha, declare_quantity, grad_fi_norm_w, rho, sigma,
    sigma_tilde)
from .._taskmean import TaskMean
from .arithmetic import MU_B_POSITIVE, mu_b, sigma_b_sq
from .statement import B_PRIME_CONDITION, D_BETA_CONDITION, E_beta_tilde, E_beta_tilde_sq

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


batch_grad_mean_norm = declare_quantity(
    "batch_grad_mean_norm", "||E grad~ f_j(w, D_beta^j)||, the norm of the mean over the task j ~ p and its batch",
    r"\|\mathbb{E}\tilde\nabla f_j(w,\mathcal{D}_\beta^j)\|", GRADIENT, text="‖𝔼∇̃f_j(w, D_β)‖")
batch_grad_norm_mean = declare_quantity(
    "batch_grad_norm_mean", "E||grad~ f_j(w, D_beta^j)||, the mean over the task j ~ p and its batch of the norm",
    r"\mathbb{E}\|\tilde\nabla f_j(w,\mathcal{D}_\beta^j)\|", GRADIENT, text="𝔼‖∇̃f_j(w, D_β)‖")

_EXACT = ("verify.checks.expectation, family kinked-extremal: every outcome of the task batch B' and of the "
          "two-point noise of each D_beta enumerated, so mu_b, sigma_b^2 and E[beta~] are exact")

eq_56_sigma_b_variance = Bound(
    id="eq_56_sigma_b_variance", reference="Lemma 4.9 proof, eq. (56)", kind=Kind.EXPECTATION,
    statement="sigma_b^2 <= (2 rho alpha)^2/B' (sigma^2 + sigma~^2/D_beta + ||E grad~ f_j||^2 - (E||grad~ f_j||)^2).",
    lhs=sigma_b_sq, relation=Relation.LE,
    rhs=(2 * rho * alpha) ** 2 / B_prime
        * (sigma ** 2 + sigma_tilde ** 2 / D_beta + batch_grad_mean_norm ** 2 - batch_grad_norm_mean ** 2),
    lhs_words="sigma_b^2, the variance of X = 2 rho alpha sum_{j in B'} ||grad~ f_j(w, D_beta^j)||/B' over the task "
              "batch B' and the data batches D_beta^j (of (50)), against the mean and the mean norm of one draw "
              "grad~ f_j(w, D_beta^j)",
    preconditions=HYPOTHESES,
    reading="Var(grad~ f_j) is the variance of the vector over the task and its batch, and the printed "
            "(E_{i~p}||grad~ f_j||)^2 the squared mean norm of the same draw (the index i is j); sigma and sigma~ "
            "are the bounds of Assumptions 4.5-4.6 (the family's certified constants).",
    sharpness=Sharpness(
        "derived",
        """Supremum 1, attained.  The first line of (56) is an identity (X is the mean of B' i.i.d. norms, so
        Var X = (2 rho alpha)^2 Var||Y||/B'), and Var||Y|| = E||Y||^2 - (E||Y||)^2 = Var(Y) + ||E Y||^2 - (E||Y||)^2
        are identities too; the only inequality is Var(Y) = E_j E||Y - grad f_j(w)||^2 + E_j||grad f_j(w) -
        grad f(w)||^2 <= sigma~^2/D_beta + sigma^2 (the law of total variance (57) with (12)-(13)), an equality
        when every task's per-sample noise has variance sigma~^2 and the tasks' gradients spread with variance
        sigma^2 at w.  One task (sigma = 0) with gradient g > sigma~ and two-point noise of norm sigma~, D_beta = 1
        (the edge of (18)): ||Y|| takes the values g +- sigma~, Var||Y|| = sigma~^2 and the right side is
        sigma~^2 + g^2 - g^2: lhs = rhs.""",
        supremum=1, attained=1,
        extremal="""one KinkedGradientFamily task (L = 1, rho = 4L) with f'(0) = 2 sigma~, two-point noise sigma~ with
        2 rho alpha sigma~ = L, alpha L = 1, D_beta = 1, B' at the edge of (18), w = 0 (""" + _EXACT + """, extremal
        'sigma_b'): ratio 1 to rounding"""))

eq_59_first_moment_jensen = Bound(
    id="eq_59_first_moment_jensen", reference="Lemma 4.9 proof, eq. (59)", kind=Kind.EXPECTATION,
    statement="E[beta~(w)] = E[1/L~(w)] >= 1/E[L~(w)] = 1/(4L + mu_b) (Jensen).",
    lhs=E_beta_tilde, relation=Relation.GE, rhs=1 / (4 * L + mu_b),
    lhs_words="E[beta~(w)] of (16)-(17) over the task batch B' and the data batches D_beta^j, against mu_b, the "
              "mean of X = L~(w) - 4L over the same batches",
    preconditions=HYPOTHESES,
    sharpness=Sharpness(
        "derived",
        """Supremum of rhs/lhs 1, attained: Jensen's inequality E[1/Z] >= 1/E[Z] for Z = L~(w) > 0 is an equality
        exactly when Z is deterministic, e.g. every task stationary at w with two-point noise of constant norm
        and D_beta = 1 (L~(w) = 4L + 2 rho alpha sigma~ surely), the equality case of (19)'s first inequality.""",
        supremum=1, attained=1,
        extremal="""every task stationary at w (KinkedGradientFamily at its kink, rho = 4L, alpha L = 1), two-point
        noise with 2 rho alpha sigma~ = L, D_beta = 1 (""" + _EXACT + """, the first moment's instance): L~(w) = 5L
        surely, ratio 1"""))

eq_60_first_moment_by_mean_gradient = Bound(
    id="eq_60_first_moment_by_mean_gradient", reference="Lemma 4.9 proof, eq. (60)", kind=Kind.EXPECTATION,
    statement="Under (18), E[beta~(w)] >= 1/(5L + 2 rho alpha E_{i~p}||grad f_i(w)||).",
    lhs=E_beta_tilde, relation=Relation.GE, rhs=1 / (5 * L + 2 * rho * alpha * TaskMean(grad_fi_norm_w)),
    lhs_words="E[beta~(w)] of (16)-(17) over the task batch B' and the data batches D_beta^j",
    preconditions=HYPOTHESES,
    sharpness=Sharpness(
        "derived",
        """Supremum of rhs/lhs 1, attained.  (60) is (59) with the upper end of (52), mu_b <= 2 rho alpha
        E_i||grad f_i(w)|| + L, from (49) (E||grad~ f_j|| <= ||grad f_j|| + sigma~/sqrt(D_beta)) and D_beta >=
        (2 rho alpha sigma~/L)^2 (18).  All three are equalities at once when L~(w) is deterministic, the noise has
        constant norm on zero gradients and 2 rho alpha sigma~/sqrt(D_beta) = L: every task stationary at w,
        two-point noise with 2 rho alpha sigma~ = L, D_beta = 1; then E[beta~] = 1/(5L) = rhs (the same instance
        as (19)'s first inequality, whose 0.8/L(w) is 1/(5L) there too).""",
        supremum=1, attained=1,
        extremal="""every task stationary at w (KinkedGradientFamily at its kink, rho = 4L, alpha L = 1), two-point
        noise with 2 rho alpha sigma~ = L, D_beta = 1 (""" + _EXACT + """): ratio 1"""))
