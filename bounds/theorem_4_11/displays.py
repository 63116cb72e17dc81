"""Theorem 4.11's proof (Appendix E), eqs. (66), (68), (70)-(71), (73)-(74): grad F-hat and its two error terms.

With one test batch D = D_test^i of size D_test for task i, x = w - alpha grad~ f_i(w, D) and
u = w - alpha grad f_i(w), the proof writes

    grad F-hat(w) = E_i E_D[(I - alpha grad~^2 f_i(w, D)) grad f_i(w - alpha grad~ f_i(w, D))]     (66)
    I - alpha grad~^2 f_i(w, D) = I - alpha grad^2 f_i(w) + e_{H,i}                                 (67)
    E_D[e_{H,i}] = 0,   E_D[||e_{H,i}||^2] <= alpha^2 sigma_H^2 / D_test                          (68)
    grad f_i(x) = grad f_i(u) + e_{G,i}                                                             (69)
    E_D||e_{G,i}||^2 <= alpha^2 L^2 E_D||grad~ f_i(w, D) - grad f_i(w)||^2                         (70)
                     <= alpha^2 L^2 sigma~^2 / D_test                                              (71)
    grad F-hat(w) = E_i E_D[(I - alpha grad^2 f_i(w) + e_{H,i})(grad f_i(u) + e_{G,i})]            (72)
      = E_i[(I - alpha grad^2 f_i(w)) grad f_i(u)]
        + E_i[(I - alpha grad^2 f_i(w)) E_D[e_{G,i}] + grad f_i(u) E_D[e_{H,i}]] + E_i[E_D[e_{G,i} e_{H,i}]]   (73)
    grad F-hat(w) = grad F(w) + E_i[(I - alpha grad^2 f_i(w)) E_D[e_{G,i}]] + E_i[E_D[e_{G,i} e_{H,i}]]      (74)

(66) is the gradient of F-hat (3): with per-sample losses f_i(w, theta) the stochastic Hessian is the
derivative of the stochastic gradient of the same batch (Section 2), and the chain rule gives (66).
(67) and (69) define e_{H,i} = alpha (grad^2 f_i(w) - grad~^2 f_i(w, D)) and e_{G,i} = grad f_i(x) -
grad f_i(u), and (72) is (66) with them substituted (bounds/NOT_CHECKED.md).  (73) multiplies (72) out;
(74) uses E_D[e_{H,i}] = 0 (the unbiased sample Hessians of (68)) and grad F(w) = E_i[(I - alpha grad^2
f_i(w)) grad f_i(u)] ((6), registered as eq_35_meta_gradient).  The hypotheses are the theorem's,
alpha in (0, 1/L].

Readings.  (69) prints e_{G,i} with grad f_i(w - alpha grad f_i(w_k)); w_k is read as w.  (73) and (74)
print the products grad f_i(u) E[e_{H,i}] and e_{G,i} e_{H,i} of a vector by a matrix on the right, not
defined for d >= 2; they are read as E[e_{H,i}] grad f_i(u) and e_{H,i} e_{G,i}, as (72) multiplies out.
Matrix norms are spectral, as in (30a): then the second half of (68), a variance of a mean of D_test
matrices, does not follow from (14) (finding eq68-hessian-error-variance-fails-in-the-spectral-norm);
its first half, E_D[e_{H,i}] = 0, is the unbiasedness of the sample Hessians (f_i(w) = E_theta
f_i(w, theta)), which tests/test_families.py checks for every family.

Sharpness.  (70): ||grad f_i(u - alpha xi) - grad f_i(u)|| <= alpha L ||xi|| outcome by outcome ((30a)),
an equality for a quadratic task of curvature +-L along the noise: supremum 1, attained.  (71):
E||xi||^2 <= sigma~^2/D_test ((13) for a mean of D_test i.i.d. samples), an equality when one sample's
variance is sigma~^2 (two-point or Gaussian noise on exact tasks): supremum 1, attained.  (68): false in
the spectral norm for D_test >= 2; for a given D_test the ratio is at most D_test (||mean of the N_k|| <=
mean of ||N_k||, then Jensen), which sample Hessian noise diag(s_1, ..., s_d) with independent fair
signs approaches as d grows (some coordinate's D_test signs agree), so over the hypotheses the supremum
is infinite; least squares tasks reach 7/6 at D_test = 2 (samples 2 e_1, sqrt(2) e_2, sqrt(5) e_2,
sqrt(5) e_2: E||N||^2 = 9/2 and E||mean of 2||^2 = 21/8 against 9/4).
"""
from sympy import Rational, Integer

from .._core import Bound, Kind, Relation, Sharpness
from .._hypotheses import ALPHA_AT_MOST_ONE_OVER_L, ALPHA_POSITIVE
from .._symbols import DIMENSIONLESS, GRADIENT, D_test, L, alpha, declare_quantity, sigma_H, sigma_tilde

HYPOTHESES = (ALPHA_POSITIVE, ALPHA_AT_MOST_ONE_OVER_L)

grad_F_hat_formula_residual = declare_quantity(
    "grad_F_hat_formula_residual",
    "||grad F-hat(w) - E_i E_D[(I - alpha grad~^2 f_i(w, D)) grad f_i(w - alpha grad~ f_i(w, D))]|| with grad F-hat "
    "the gradient of F-hat (3) computed from F-hat itself",
    r"\|\nabla\hat F(w)-\mathbb{E}_i\mathbb{E}_{\mathcal{D}}[(I-\alpha\tilde\nabla^2 f_i(w,\mathcal{D}))"
    r"\nabla f_i(w-\alpha\tilde\nabla f_i(w,\mathcal{D}))]\|",
    GRADIENT, text="‖∇F̂(w) − 𝔼ᵢ𝔼_D[(I − α∇̃²fᵢ(w, D))∇fᵢ(w − α∇̃fᵢ(w, D))]‖")
hessian_error_second_moment = declare_quantity(
    "hessian_error_second_moment",
    "E_{D_test}||e_{H,i}||^2, e_{H,i} = alpha (grad^2 f_i(w) - grad~^2 f_i(w, D_test)) of (67), spectral norm",
    r"\mathbb{E}_{\mathcal{D}_{test}}\|e_{H,i}\|^2", DIMENSIONLESS, per_task=True, text="𝔼‖e_{H,i}‖²")
gradient_error_second_moment = declare_quantity(
    "gradient_error_second_moment",
    "E_{D_test}||e_{G,i}||^2, e_{G,i} = grad f_i(w - alpha grad~ f_i(w, D_test)) - grad f_i(w - alpha grad f_i(w)) "
    "of (69)",
    r"\mathbb{E}_{\mathcal{D}_{test}}\|e_{G,i}\|^2", (2, -2), per_task=True, text="𝔼‖e_{G,i}‖²")
test_noise_second_moment = declare_quantity(
    "test_noise_second_moment", "E_{D_test}||grad~ f_i(w, D_test) - grad f_i(w)||^2: the test batch's gradient noise",
    r"\mathbb{E}_{\mathcal{D}_{test}}\|\tilde\nabla f_i(w,\mathcal{D}_{test})-\nabla f_i(w)\|^2",
    (2, -2), per_task=True, text="𝔼‖∇̃fᵢ(w, D_test) − ∇fᵢ(w)‖²")
grad_F_hat_expansion_residual = declare_quantity(
    "grad_F_hat_expansion_residual",
    "||grad F-hat(w) - (73)||: grad F-hat of (66) against the three terms of (73)",
    r"\|\nabla\hat F(w)-(73)\|", GRADIENT, text="‖∇F̂(w) − (73)‖")
grad_F_hat_decomposition_residual = declare_quantity(
    "grad_F_hat_decomposition_residual",
    "||grad F-hat(w) - grad F(w) - E_i[(I - alpha grad^2 f_i(w)) E[e_{G,i}]] - E_i E[e_{H,i} e_{G,i}]||: "
    "(74)'s residual",
    r"\|\nabla\hat F(w)-\nabla F(w)-\mathbb{E}_i[(I-\alpha\nabla^2 f_i(w))\mathbb{E}[e_{G,i}]]"
    r"-\mathbb{E}_i\mathbb{E}[e_{H,i}e_{G,i}]\|",
    GRADIENT, text="‖∇F̂(w) − ∇F(w) − 𝔼ᵢ[(I − α∇²fᵢ(w))𝔼[e_{G,i}]] − 𝔼ᵢ𝔼[e_{H,i}e_{G,i}]‖")

_PRODUCT_ORDER = ("The products grad f_i(u) E[e_{H,i}] and e_{G,i} e_{H,i} (a vector times a matrix on the right) "
                  "are read as E[e_{H,i}] grad f_i(u) and e_{H,i} e_{G,i}, the terms (72) multiplies out to.")

eq_66_grad_f_hat = Bound(
    id="eq_66_grad_f_hat",
    reference="Theorem 4.11 proof, eq. (66)",
    kind=Kind.CLOSED_FORM,
    statement="grad F-hat(w) = E_i E_{D_test}[(I - alpha grad~^2 f_i(w, D_test)) "
              "grad f_i(w - alpha grad~ f_i(w, D_test))].",
    lhs=grad_F_hat_formula_residual, relation=Relation.EQ, rhs=0,
    lhs_words="the norm of the difference between the gradient of F-hat (3), computed from F-hat itself (central "
              "differences of its exact value), and the expression (66), both with every test batch enumerated",
    preconditions=HYPOTHESES,
    reading="grad~^2 f_i(w, D) is the Hessian of the same batch's per-sample losses whose gradient makes the inner "
            "step (Section 2), which is what makes (66) the gradient of (3); checked on least-squares tasks, whose "
            "per-sample losses are given.",
)

eq_68_hessian_error_second_moment = Bound(
    id="eq_68_hessian_error_second_moment",
    reference="Theorem 4.11 proof, eq. (68)",
    kind=Kind.EXPECTATION,
    statement="E_{D_test}||e_{H,i}||^2 <= alpha^2 sigma_H^2 / D_test, "
              "e_{H,i} = alpha (grad^2 f_i(w) - grad~^2 f_i(w, D_test)).",
    lhs=hessian_error_second_moment, relation=Relation.LE, rhs=alpha ** 2 * sigma_H ** 2 / D_test,
    lhs_words="for every task i: the mean over test batches of the squared spectral norm of alpha (grad^2 f_i(w) - "
              "grad~^2 f_i(w, D_test))",
    preconditions=HYPOTHESES,
    reading="The second half of (68). Its first half, E_D[e_{H,i}] = 0, is the unbiasedness of the sample Hessians "
            "(tests/test_families.py). With the spectral norm of (30a) a mean of D_test zero-mean matrices need not "
            "have 1/D_test of one sample's E||N||^2 (finding eq68-hessian-error-variance-fails-in-the-spectral-norm); "
            "in the Frobenius norm it has.",
    sharpness=Sharpness(
        status="not_derived",
        derivation="The supremum of lhs/rhs over the hypotheses is infinite (the step is false in the spectral norm for "
                   "D_test >= 2, a recorded gap finding), so no finite supremum exists to derive. For a given D_test "
                   "the ratio is at most D_test: ||mean of N_1..N_D|| <= mean of ||N_k||, then Jensen and (14). It is "
                   "approached by sample Hessian noise diag(s_1, ..., s_d) with independent fair signs as d grows "
                   "(the mean's norm is 1 once some coordinate's D_test signs agree), and it is 1 for D_test = 1 "
                   "and for noise along one fixed matrix (the two-point noise s sigma_H e e'). Least squares tasks "
                   "reach 7/6 at D_test = 2: samples 2 e_1, sqrt(2) e_2, sqrt(5) e_2, sqrt(5) e_2 give per-sample "
                   "Hessian noise diag(3, -3), diag(-1, -1), diag(-1, 2) twice, E||N||^2 = 9/2, and the mean of two "
                   "has E||.||^2 = 21/8 > (9/2)/2.",
        attained=Rational(7, 6),
        extremal="one least-squares task with samples 2 e_1, sqrt(2) e_2, sqrt(5) e_2, sqrt(5) e_2 (y = 0), D_test = 2, "
                 "alpha L = 1/2 (verify.checks.pointwise.EXTREMAL, extremal='diagonal_regression'), exact: 7/6"),
)

eq_70_gradient_error_lipschitz = Bound(
    id="eq_70_gradient_error_lipschitz",
    reference="Theorem 4.11 proof, eq. (70)",
    kind=Kind.EXPECTATION,
    statement="E_{D_test}||e_{G,i}||^2 <= alpha^2 L^2 E_{D_test}||grad~ f_i(w, D_test) - grad f_i(w)||^2.",
    lhs=gradient_error_second_moment, relation=Relation.LE, rhs=alpha ** 2 * L ** 2 * test_noise_second_moment,
    lhs_words="for every task i: the mean over test batches of ||grad f_i(w - alpha grad~ f_i(w, D)) - grad f_i(w - "
              "alpha grad f_i(w))||^2, against alpha^2 L^2 times the test batch's noise second moment at w",
    preconditions=HYPOTHESES,
    reading="e_{G,i} of (69) is printed with grad f_i(w - alpha grad f_i(w_k)); w_k is read as w. (70)'s first "
            "'<=' is an equality (the definition of e_{G,i}).",
    sharpness=Sharpness(
        status="derived", supremum=Integer(1), attained=Integer(1),
        derivation="(70): ||grad f_i(u - alpha xi) - grad f_i(u)|| <= alpha L ||xi|| for every outcome of the test batch "
                   "((30a) on the segment, Assumption 4.3), so lhs/rhs <= 1; an equality for a quadratic task of "
                   "curvature -L (or +L) along the noise, any D_test.",
        extremal="quadratic tasks sharing the Hessian diag(-L, -L/2) (L = 1) with two-point noise along e_1, "
                 "sigma~ = 1, alpha L = 1, D_test = 2 (verify.checks.pointwise.EXTREMAL, extremal='noisy_quadratic')"),
)

eq_71_test_noise_second_moment = Bound(
    id="eq_71_test_noise_second_moment",
    reference="Theorem 4.11 proof, eq. (71)",
    kind=Kind.EXPECTATION,
    statement="alpha^2 L^2 E_{D_test}||grad~ f_i(w, D_test) - grad f_i(w)||^2 <= alpha^2 L^2 sigma~^2 / D_test.",
    lhs=alpha ** 2 * L ** 2 * test_noise_second_moment, relation=Relation.LE,
    rhs=alpha ** 2 * L ** 2 * sigma_tilde ** 2 / D_test,
    lhs_words="for every task i: alpha^2 L^2 times the mean over test batches of ||grad~ f_i(w, D) - grad f_i(w)||^2",
    preconditions=HYPOTHESES,
    sharpness=Sharpness(
        status="derived", supremum=Integer(1), attained=Integer(1),
        derivation="(71), 'using Assumption 4.6': the test batch's noise is the mean of D_test i.i.d. zero-mean samples, "
                   "so E||xi||^2 = (one sample's variance)/D_test <= sigma~^2/D_test by (13): lhs/rhs <= 1, an "
                   "equality when one sample's variance at w is sigma~^2 (two-point or Gaussian noise on exact "
                   "tasks), for every D_test.",
        extremal="quadratic tasks with two-point noise sigma~ = 1 along e_1, alpha L = 1, D_test = 2 "
                 "(verify.checks.pointwise.EXTREMAL, extremal='noisy_quadratic')"),
)

eq_73_grad_f_hat_expansion = Bound(
    id="eq_73_grad_f_hat_expansion",
    reference="Theorem 4.11 proof, eq. (73)",
    kind=Kind.CLOSED_FORM,
    statement="grad F-hat(w) = E_i[(I - alpha grad^2 f_i(w)) grad f_i(u)] + E_i[(I - alpha grad^2 f_i(w)) E[e_{G,i}] "
              "+ E[e_{H,i}] grad f_i(u)] + E_i[E[e_{H,i} e_{G,i}]].",
    lhs=grad_F_hat_expansion_residual, relation=Relation.EQ, rhs=0,
    lhs_words="the norm of grad F-hat(w) of (66) minus the three terms of (73), every expectation over the test batch "
              "a sum over its enumerated outcomes",
    preconditions=HYPOTHESES, reading=_PRODUCT_ORDER,
)

eq_74_grad_f_hat_decomposition = Bound(
    id="eq_74_grad_f_hat_decomposition",
    reference="Theorem 4.11 proof, eq. (74)",
    kind=Kind.CLOSED_FORM,
    statement="grad F-hat(w) = grad F(w) + E_i[(I - alpha grad^2 f_i(w)) E[e_{G,i}]] + E_i[E[e_{H,i} e_{G,i}]].",
    lhs=grad_F_hat_decomposition_residual, relation=Relation.EQ, rhs=0,
    lhs_words="the norm of grad F-hat(w) of (66) minus grad F(w) of (6) and the two error terms of (74), every "
              "expectation over the test batch a sum over its enumerated outcomes",
    preconditions=HYPOTHESES, reading=_PRODUCT_ORDER,
)
