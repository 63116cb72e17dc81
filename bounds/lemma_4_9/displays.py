"""Lemma 4.9's proof (Appendix C), eqs. (56), (59)-(60): the variance of X and the first moment of beta~(w).

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
from .._core import Bound, Kind, Relation, Sharpness
from .._hypotheses import ALPHA_AT_MOST_ONE_OVER_L
from .._symbols import GRADIENT, B_prime, D_beta, L, alpha, declare_quantity, grad_fi_norm_w, rho, sigma, sigma_tilde
from .._taskmean import TaskMean
from .arithmetic import mu_b, sigma_b_sq
from .statement import B_PRIME_CONDITION, D_BETA_CONDITION, E_beta_tilde

LEMMA = (ALPHA_AT_MOST_ONE_OVER_L, B_PRIME_CONDITION, D_BETA_CONDITION)

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
    preconditions=LEMMA,
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
    preconditions=LEMMA,
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
    preconditions=LEMMA,
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
