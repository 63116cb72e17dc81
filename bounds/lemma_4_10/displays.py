"""Lemma 4.10's proof (Appendix D), eqs. (62)-(65): the bias and the second moment of the outer gradient, step by step.

With u = w - alpha grad f_i(w) (the exact inner point), x = w - alpha grad~ f_i(w, D_in) (the
stochastic one), xi = grad~ f_i(w, D_in) - grad f_i(w) (the inner batch's noise: x = u - alpha xi)
and v = grad~ f_i(x, D_o), the proof argues, for every task i:

    ||e_{i,k}|| <= E_{D_in}||grad f_i(x) - grad f_i(u)||                             (62), first inequality
               <= alpha L E_{D_in}||xi||                                              (62)
               <= alpha L sigma~ / sqrt(D_in)                                         (63)

    E_{D_in,D_o}||v||^2 = E_{D_in}[||grad f_i(x)||^2 + sigma~^2 / D_o]                (64), first line
        <= (1 + 1/phi) ||grad f_i(u)||^2 + (1 + phi) E_{D_in}||grad f_i(x) - grad f_i(u)||^2 + sigma~^2/D_o   (64)
        <= (1 + 1/phi) ||grad f_i(u)||^2 + (1 + phi) alpha^2 L^2 sigma~^2 / D_in + sigma~^2 / D_o            (65)

"where (62) follows from the Lipschitz property of gradient (Assumption 4.3 and (30a)), and the
last line is obtained using Assumption 4.6"; "(64) follows from the inequality (a + b)^2 <= (1 + 1/phi) a^2
+ (1 + phi) b^2 and (65) is obtained similar to (62)".  Each relation is one Bound, whose left side is
the expression the line before it ends with (for (64), (65): for every phi > 0), under the lemma's
hypothesis alpha L <= 1.  The chains end in (20) and (21), registered as lemma_4_10_bias and
lemma_4_10_second_moment (bounds/lemma_4_10/statement.py).

The first line of (64) is printed as an identity.  Given x, E_{D_o}||grad~ f_i(x, D_o)||^2 is
||grad f_i(x)||^2 plus the variance of a mean of D_o samples, which (13) bounds by sigma~^2/D_o: it is
an equality only where one sample's variance at x is sigma~^2 itself, so "=" is a typo for "<="
(encoded as printed; finding eq64-outer-batch-variance-is-an-inequality).

Sharpness (the supremum of lhs/rhs over the hypotheses is 1 for each inequality, attained):

(62), first inequality: ||E Y|| <= E||Y|| for Y = grad f_i(x) - grad f_i(u), an equality when every
outcome of Y is a nonnegative multiple of one vector.  A 1-d task whose gradient has a (smoothed)
kink at u, f_i'(u + t) = c + L h_eps(t) with h_eps even (verify/model/families/kinked.py), gives
Y = L h_eps(alpha xi) >= 0 for every outcome of any noise: ratio 1 for every D_in.
(62): ||grad f_i(u - alpha xi) - grad f_i(u)|| <= L alpha ||xi|| outcome by outcome ((30a) on the
segment), an equality for a quadratic task of curvature +-L along the noise: ratio 1.
(63): E||xi|| <= (E||xi||^2)^(1/2) <= sigma~/sqrt(D_in) (Jensen, then (13) for a mean of D_in i.i.d.
samples), both equalities when ||xi|| is constant and one sample's variance is sigma~^2: two-point
noise (+-sigma~ along a direction) with D_in = 1, ratio 1; for D_in >= 2 E|mean of D_in signs| <
1/sqrt(D_in).
(64): (1 + 1/phi) a^2 + (1 + phi) b^2 - ||a + b||^2 = ||a/sqrt(phi) - sqrt(phi) b||^2 >= 0, so the step
holds outcome by outcome, with equality when b = grad f_i(x) - grad f_i(u) = grad f_i(u)/phi for every
outcome: the kink at u with f_i'(u) = c > 0 makes b = L h_eps(alpha sigma~) the same for both signs
(two-point noise, D_in = 1), and phi = c/b gives ratio 1 (the same sigma~^2/D_o on both sides).
(65): ||grad f_i(x) - grad f_i(u)||^2 <= alpha^2 L^2 ||xi||^2 outcome by outcome and E||xi||^2 <=
sigma~^2/D_in; both are equalities for a quadratic task of curvature +-L along two-point (or Gaussian)
noise on exact tasks, whose one-sample variance is sigma~^2: ratio 1 for every phi, D_in, D_o.
"""
from sympy import Integer, sqrt

from .._core import Bound, Kind, Relation, Sharpness
from .._hypotheses import ALPHA_AT_MOST_ONE_OVER_L
from .._symbols import (GRADIENT, D_in, D_o, L, alpha, declare_quantity, grad_fi_inner_norm,
    outer_grad_second_moment, phi, sigma_tilde)
from .statement import bias_norm

inner_step_gradient_change_mean = declare_quantity(
    "inner_step_gradient_change_mean",
    "E_{D_in}||grad f_i(w - alpha grad~ f_i(w, D_in)) - grad f_i(w - alpha grad f_i(w))||: how far the noisy "
    "inner step moves the gradient, on average",
    r"\mathbb{E}_{\mathcal{D}_{in}}\|\nabla f_i(w-\alpha\tilde\nabla f_i(w,\mathcal{D}_{in}))"
    r"-\nabla f_i(w-\alpha\nabla f_i(w))\|",
    GRADIENT, per_task=True, text="𝔼‖∇fᵢ(w − α∇̃fᵢ(w, D_in)) − ∇fᵢ(w − α∇fᵢ(w))‖")
inner_noise_mean_norm = declare_quantity(
    "inner_noise_mean_norm", "E_{D_in}||grad~ f_i(w, D_in) - grad f_i(w)||: the mean norm of the inner batch's noise",
    r"\mathbb{E}_{\mathcal{D}_{in}}\|\tilde\nabla f_i(w,\mathcal{D}_{in})-\nabla f_i(w)\|",
    GRADIENT, per_task=True, text="𝔼‖∇̃fᵢ(w, D_in) − ∇fᵢ(w)‖")
inner_point_grad_second_moment = declare_quantity(
    "inner_point_grad_second_moment",
    "E_{D_in}||grad f_i(w - alpha grad~ f_i(w, D_in))||^2: the exact gradient's second moment at the noisy inner point",
    r"\mathbb{E}_{\mathcal{D}_{in}}\|\nabla f_i(w-\alpha\tilde\nabla f_i(w,\mathcal{D}_{in}))\|^2",
    (2, -2), per_task=True, text="𝔼‖∇fᵢ(w − α∇̃fᵢ(w, D_in))‖²")
inner_step_gradient_change_second_moment = declare_quantity(
    "inner_step_gradient_change_second_moment",
    "E_{D_in}||grad f_i(w - alpha grad~ f_i(w, D_in)) - grad f_i(w - alpha grad f_i(w))||^2",
    r"\mathbb{E}_{\mathcal{D}_{in}}\|\nabla f_i(w-\alpha\tilde\nabla f_i(w,\mathcal{D}_{in}))"
    r"-\nabla f_i(w-\alpha\nabla f_i(w))\|^2",
    (2, -2), per_task=True, text="𝔼‖∇fᵢ(w − α∇̃fᵢ(w, D_in)) − ∇fᵢ(w − α∇fᵢ(w))‖²")

HYPOTHESES = (ALPHA_AT_MOST_ONE_OVER_L,)

# The two sides of (64)'s inequality and (65), as printed; each line is the next one's left side.
_EQ_64_FIRST_LINE = inner_point_grad_second_moment + sigma_tilde ** 2 / D_o
_EQ_64_SECOND_LINE = ((1 + 1 / phi) * grad_fi_inner_norm ** 2 + (1 + phi) * inner_step_gradient_change_second_moment
                      + sigma_tilde ** 2 / D_o)
_EQ_65 = (1 + 1 / phi) * grad_fi_inner_norm ** 2 + (1 + phi) * alpha ** 2 * L ** 2 * sigma_tilde ** 2 / D_in \
    + sigma_tilde ** 2 / D_o

eq_62_bias_by_mean_gradient_change = Bound(
    id="eq_62_bias_by_mean_gradient_change",
    reference="Lemma 4.10 proof, eq. (62), first inequality",
    kind=Kind.EXPECTATION,
    statement="||e_{i,k}|| <= E_{D_in}||grad f_i(w - alpha grad~ f_i(w, D_in)) - grad f_i(w - alpha grad f_i(w))||.",
    lhs=bias_norm, relation=Relation.LE, rhs=inner_step_gradient_change_mean,
    lhs_words="for every task i: ||e_{i,k}||, the norm of the mean over D_in of grad f_i(x) - grad f_i(u) (the outer "
              "batch D_o integrated out by the unbiased oracle), against the mean of its norm",
    preconditions=HYPOTHESES,
    sharpness=Sharpness(
        status="derived", supremum=Integer(1), attained=Integer(1),
        derivation="(62)'s first inequality is ||E Y|| <= E||Y|| for Y = grad f_i(x) - grad f_i(u), an equality when "
                   "every outcome of Y is a nonnegative multiple of one vector. A 1-d task with a smoothed gradient "
                   "kink at the inner point u (f_i'(u + t) = c + L h_eps(t), h_eps even, rho = L/eps) gives "
                   "Y = L h_eps(alpha xi) >= 0 for every outcome of the noise: lhs = rhs, for every D_in and eps.",
        extremal="KinkedGradientFamily.at_inner_kink (L = 1, eps = alpha sigma~/4, f''(w) = +L) with two-point noise "
                 "sigma~ = 1, alpha L = 1/2, D_in = 1 (verify.checks.pointwise.EXTREMAL, extremal='noisy_kink')"),
)

eq_62_inner_step_lipschitz = Bound(
    id="eq_62_inner_step_lipschitz",
    reference="Lemma 4.10 proof, eq. (62)",
    kind=Kind.EXPECTATION,
    statement="E_{D_in}||grad f_i(w - alpha grad~ f_i(w, D_in)) - grad f_i(w - alpha grad f_i(w))|| "
              "<= alpha L E_{D_in}||grad~ f_i(w, D_in) - grad f_i(w)||.",
    lhs=inner_step_gradient_change_mean, relation=Relation.LE, rhs=alpha * L * inner_noise_mean_norm,
    lhs_words="for every task i: the mean over D_in of ||grad f_i(x) - grad f_i(u)||, x the noisy and u the exact "
              "inner point, against alpha L times the mean norm of the inner batch's noise",
    preconditions=HYPOTHESES,
    sharpness=Sharpness(
        status="derived", supremum=Integer(1), attained=Integer(1),
        derivation="(62): ||grad f_i(u - alpha xi) - grad f_i(u)|| <= L alpha ||xi|| for every outcome, by (30a) on "
                   "the segment [u, u - alpha xi] (Assumption 4.3), so lhs/rhs <= 1. Equality for a quadratic task "
                   "of curvature -L (or +L) along the noise: grad f_i(x) - grad f_i(u) = -alpha A xi has norm "
                   "alpha L ||xi|| for every outcome, any D_in.",
        extremal="quadratic tasks sharing the Hessian diag(-L, -L/2) (L = 1) with two-point noise along e_1, "
                 "sigma~ = 1, alpha L = 1, D_in = 2 (verify.checks.pointwise.EXTREMAL, extremal='noisy_quadratic')"),
)

eq_63_inner_noise_mean_norm = Bound(
    id="eq_63_inner_noise_mean_norm",
    reference="Lemma 4.10 proof, eq. (63)",
    kind=Kind.EXPECTATION,
    statement="alpha L E_{D_in}||grad~ f_i(w, D_in) - grad f_i(w)|| <= alpha L sigma~ / sqrt(D_in).",
    lhs=alpha * L * inner_noise_mean_norm, relation=Relation.LE, rhs=alpha * L * sigma_tilde / sqrt(D_in),
    lhs_words="for every task i: alpha L times the mean over D_in of the norm of the inner batch's gradient noise "
              "at w",
    preconditions=HYPOTHESES,
    sharpness=Sharpness(
        status="derived", supremum=Integer(1), attained=Integer(1),
        derivation="(63): E||xi|| <= (E||xi||^2)^(1/2) (Jensen) <= sigma~/sqrt(D_in) ((13) for the mean of D_in i.i.d. "
                   "samples, Assumption 4.6). Both are equalities when ||xi|| is constant and one sample's variance "
                   "is sigma~^2: two-point noise +-sigma~ along a direction with D_in = 1 (ratio 1); for D_in >= 2 "
                   "the mean of D_in signs has E|m| < 1/sqrt(D_in).",
        extremal="quadratic tasks with two-point noise sigma~ = 1, D_in = 1, alpha L = 1 (verify.checks.pointwise."
                 "EXTREMAL, extremal='noisy_quadratic')"),
)

eq_64_outer_batch_identity = Bound(
    id="eq_64_outer_batch_identity",
    reference="Lemma 4.10 proof, eq. (64), first line",
    kind=Kind.CLOSED_FORM,
    statement="E_{D_in,D_o}||grad~ f_i(w - alpha grad~ f_i(w, D_in), D_o)||^2 "
              "= E_{D_in}[||grad f_i(w - alpha grad~ f_i(w, D_in))||^2 + sigma~^2 / D_o].",
    lhs=outer_grad_second_moment, relation=Relation.EQ, rhs=_EQ_64_FIRST_LINE,
    lhs_words="for every task i: E||grad~ f_i(x, D_o)||^2 over independent batches D_in and D_o, against the mean over "
              "D_in of ||grad f_i(x)||^2 plus sigma~^2/D_o",
    preconditions=HYPOTHESES,
    reading="Encoded as printed, with '='. Given x, E_{D_o}||grad~ f_i(x, D_o)||^2 = ||grad f_i(x)||^2 + (the variance of "
            "one sample at x)/D_o, and (13) bounds that variance by sigma~^2: the relation holds as '<=', with "
            "equality only where the variance at x is sigma~^2 itself (a typo; finding "
            "eq64-outer-batch-variance-is-an-inequality). lemma_4_10_second_moment records the same reading.",
)

eq_64_young_inequality = Bound(
    id="eq_64_young_inequality",
    reference="Lemma 4.10 proof, eq. (64)",
    kind=Kind.EXPECTATION,
    statement="E_{D_in}||grad f_i(x)||^2 + sigma~^2/D_o <= (1 + 1/phi) ||grad f_i(u)||^2 "
              "+ (1 + phi) E_{D_in}||grad f_i(x) - grad f_i(u)||^2 + sigma~^2/D_o, for every phi > 0.",
    lhs=_EQ_64_FIRST_LINE, relation=Relation.LE, rhs=_EQ_64_SECOND_LINE,
    lhs_words="for every task i: the mean over D_in of ||grad f_i(x)||^2 (x the noisy inner point) plus sigma~^2/D_o, "
              "against the split of (a + b)^2 with a = grad f_i(u), b = grad f_i(x) - grad f_i(u), at the instance's phi",
    preconditions=HYPOTHESES,
    sharpness=Sharpness(
        status="derived", supremum=Integer(1), attained=Integer(1),
        derivation="(64): (1 + 1/phi) ||a||^2 + (1 + phi) ||b||^2 - ||a + b||^2 = ||a/sqrt(phi) - sqrt(phi) b||^2 >= 0 "
                   "for every outcome (the same sigma~^2/D_o on both sides), so lhs/rhs <= 1, with equality iff "
                   "b = a/phi for every outcome. A smoothed gradient kink at the inner point u with f_i'(u) = c > 0 "
                   "makes b = L h_eps(alpha sigma~) the same for both outcomes of two-point noise with D_in = 1; "
                   "phi = c/b gives lhs = rhs (c = b: phi = 1).",
        extremal="KinkedGradientFamily.at_inner_kink (L = 1, eps = alpha sigma~/4, f''(w) = +L, f_i'(u) = L h_eps(alpha "
                 "sigma~)) with two-point noise sigma~ = 1, alpha L = 1/2, D_in = 1, phi = 1 (verify.checks.pointwise."
                 "EXTREMAL, extremal='noisy_kink')"),
)

eq_65_second_moment_by_lipschitz = Bound(
    id="eq_65_second_moment_by_lipschitz",
    reference="Lemma 4.10 proof, eq. (65)",
    kind=Kind.EXPECTATION,
    statement="(1 + 1/phi) ||grad f_i(u)||^2 + (1 + phi) E_{D_in}||grad f_i(x) - grad f_i(u)||^2 + sigma~^2/D_o "
              "<= (1 + 1/phi) ||grad f_i(u)||^2 + (1 + phi) alpha^2 L^2 sigma~^2/D_in + sigma~^2/D_o.",
    lhs=_EQ_64_SECOND_LINE, relation=Relation.LE, rhs=_EQ_65,
    lhs_words="for every task i: the right side of (64) at the instance's phi, with the mean over D_in of "
              "||grad f_i(x) - grad f_i(u)||^2 computed exactly",
    preconditions=HYPOTHESES,
    sharpness=Sharpness(
        status="derived", supremum=Integer(1), attained=Integer(1),
        derivation="(65), 'obtained similar to (62)': ||grad f_i(x) - grad f_i(u)||^2 <= alpha^2 L^2 ||xi||^2 for every "
                   "outcome ((30a)) and E||xi||^2 <= sigma~^2/D_in ((13), i.i.d. samples), the other terms equal: "
                   "lhs/rhs <= 1. Both steps are equalities for a quadratic task of curvature -L (or +L) along "
                   "two-point or Gaussian noise on exact tasks (one sample's variance is sigma~^2): ratio 1 for "
                   "every phi, D_in and D_o.",
        extremal="quadratic tasks sharing the Hessian diag(-L, -L/2) (L = 1) with two-point noise along e_1, "
                 "sigma~ = 1, alpha L = 1, D_in = 2, phi = 1 (verify.checks.pointwise.EXTREMAL, "
                 "extremal='noisy_quadratic')"),
)
