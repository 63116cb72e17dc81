"""Theorem 4.11, eq. (22): how far grad F-hat (3) is from grad F (2).

Statement (paper, Section 4.2): "Consider the functions F and F-hat defined in
(2) and (3), respectively, for the case that alpha in (0, 1/L]. Suppose
Assumptions 4.3-4.6 hold. Then, for any w in R^d, we have

    ||grad F-hat(w) - grad F(w)|| <= 2 alpha L sigma~ / sqrt(D_test)
                                      + alpha^2 L sigma_H sigma~ / D_test."      (22)

grad F-hat is (66): E_i E_{D_test}[(I - alpha grad~^2 f_i(w, D_test)) grad f_i(w - alpha grad~ f_i(w, D_test))],
with the same batch D_test in the stochastic gradient and the stochastic Hessian.

Sharpness (supremum of lhs/rhs: 1, approached).  By (74), grad F-hat - grad F =
E_i[(I - alpha grad^2 f_i(w)) E e_G,i] + E_i E[e_G,i e_H,i].  The proof bounds the first
term by ||I - alpha grad^2 f_i(w)|| <= 1 + alpha L (tight when grad^2 f_i(w) = -L I along
E e_G, and 1 + alpha L <= 2 is tight at alpha L = 1), then ||E e_G|| <= E||e_G|| <= alpha L
E||grad~ f_i - grad f_i|| <= alpha L sigma~/sqrt(D_test) ((70)-(71), tight exactly as in
Lemma 4.10 (20): a kink of the gradient at the inner point u, two-point noise, D_test = 1),
and the second by Cauchy-Schwarz with (68) and (71) (tight when e_H = -alpha N, N = s sigma_H
e e', is perfectly correlated with e_G = -alpha sigma~ s L e on an affine branch of slope L:
the Hessian sign of a sample equal to its gradient sign, ``coupling="same"``).
The two terms cannot be tight at once with rank-one two-point noise: with D_test = 1 the
two inner outcomes give e_+ and e_- with |e_+-| <= alpha L sigma~, the first term sees
(e_+ + e_-)/2 and the second (e_+ - e_-)/2, so in one dimension the ratio is at most
max(1 + alpha L, alpha sigma_H)/(2 + alpha sigma_H).  Hence the supremum 1 is approached in
two limits: sigma_H -> 0 (f''(w) = -L, alpha L = 1, the kink at u, eps -> 0: ratio
1 - eps/(2 alpha sigma~)) and alpha sigma_H -> infinity (the cross term alone: ratio
alpha sigma_H/(2 + alpha sigma_H)).  The constant of (22) is sharp; it is not attained.
"""
from sympy import sqrt

from sympy import Integer

from .._core import Bound, Kind, Relation, Sharpness
from .._hypotheses import ALPHA_AT_MOST_ONE_OVER_L, ALPHA_POSITIVE
from .._symbols import GRADIENT, D_test, L, alpha, declare_quantity, sigma_H, sigma_tilde

grad_F_hat_error = declare_quantity(
    "grad_F_hat_error", "||grad F-hat(w) - grad F(w)||", r"\|\nabla\hat F(w)-\nabla F(w)\|", GRADIENT,
    text="‖∇F̂(w) − ∇F(w)‖")

theorem_4_11 = Bound(
    id="theorem_4_11",
    reference="Theorem 4.11, eq. (22)",
    kind=Kind.EXPECTATION,
    statement="||grad F-hat(w) - grad F(w)|| <= 2 alpha L sigma~/sqrt(D_test) + alpha^2 L sigma_H sigma~/D_test.",
    lhs=grad_F_hat_error,
    relation=Relation.LE,
    rhs=2 * alpha * L * sigma_tilde / sqrt(D_test) + alpha ** 2 * L * sigma_H * sigma_tilde / D_test,
    lhs_words="the norm of grad F-hat(w) of (66) (an expectation over tasks and over the test batch D_test "
              "of size D_test) minus grad F(w) of (6)",
    preconditions=(ALPHA_POSITIVE, ALPHA_AT_MOST_ONE_OVER_L),
    sharpness=Sharpness(
        status="derived",
        supremum=Integer(1),
        attained=Integer(1),
        extremal="d = 1, alpha L = 1, f''(w) = -L, the gradient kink c + L h_eps(x - u) at the inner point u, "
                 "two-point gradient noise +-sigma~, sigma_H = 0, D_test = 1 (verify/model/families/kinked.py): "
                 "ratio 1 - eps/(2 alpha sigma~) -> 1 as eps -> 0; also the cross term alone (inner points on an "
                 "affine branch of slope L, Hessian noise sign = gradient noise sign): alpha sigma_H/(2 + alpha "
                 "sigma_H) -> 1",
        derivation="(74): the first term is tight when ||I - alpha grad^2 f_i(w)|| = 1 + alpha L = 2 (Hessian -L at "
                    "w, alpha L = 1) and ||E e_G|| = alpha L sigma~/sqrt(D_test) ((70)-(71) with Jensen: the kink at "
                    "the inner point, two-point noise, D_test = 1, as in Lemma 4.10 (20)); the second (Cauchy-Schwarz "
                    "with (68), (71)) when e_H and e_G are perfectly correlated (coupled signs, affine branch of "
                    "slope L). With D_test = 1 the first term sees the even part (e_+ + e_-)/2 and the second the "
                    "odd part (e_+ - e_-)/2 of the inner outcomes, so in 1-d the ratio is at most "
                    "max(1 + alpha L, alpha sigma_H)/(2 + alpha sigma_H): supremum 1, approached as sigma_H -> 0 "
                    "(ratio 1 - eps/(2 alpha sigma~), eps -> 0) or as alpha sigma_H -> infinity; not attained.",
    ),
    reading="The matrix norm in (14) and (68) is read as the spectral norm, as in (30a). The proof's step "
            "E||e_H||^2 <= alpha^2 sigma_H^2 / D_test averages D_test samples, which is exact for a Hilbert "
            "(Frobenius) norm but not for the spectral norm (eq_68_hessian_error_second_moment, a recorded gap); "
            "the statement (22) is checked as written.",
)
