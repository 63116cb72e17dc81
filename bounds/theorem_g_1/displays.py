"""Theorem G.1's proof, eqs. (112)-(122): moments of FO-MAML's direction G_i(w_k).

G_i(w_k) := grad~ f_i(w_k - alpha grad~ f_i(w_k, D_in^i), D_o^i), and (111)-(112)

    E[G_i(w_k)] = grad F(w_k) + r_k,
    r_k = E_i[((I - alpha grad^2 f_i(w_k))^{-1} - I) grad F_i(w_k) + e_{i,k}].       (111)-(112)

The displays, under alpha L <= 1/10:

    ||sum_{j>=1} alpha^j E_i[(grad^2 f_i(w_k))^j grad F_i(w_k)]||
        <= 0.22 ||grad F(w_k)|| + 2 alpha L sigma                                     (115)
    ||E_i[e_{i,k}]|| <= alpha L sigma~ / sqrt(D_in)                                   (116)
    ||r_k|| <= 0.22 ||grad F(w_k)|| + 2 alpha L sigma + 0.1 sigma~ / sqrt(D_in)          (117)
    ||r_k||^2 <= 0.15 ||grad F(w_k)||^2 + 12 alpha^2 L^2 sigma^2 + 0.03 sigma~^2 / D_in   (118)
    ||E[G_i(w_k)]||^2 <= 2.3 ||grad F(w_k)||^2 + 24 alpha^2 L^2 sigma^2 + 0.06 sigma~^2 / D_in   (119)
    E||G_i(w_k)||^2 <= 20 ||grad F(w_k)||^2 + 7 sigma^2 + sigma~^2 (1/D_o + 0.02/D_in)   (122)

The identities before them, each checked exactly (verify/checks/bias.py), with
u_i := w_k - alpha grad f_i(w_k):

    E[G_i(w_k)] = E_i[grad f_i(u_i) + e_{i,k}]                                         (108)
                = E_i[(I - alpha grad^2 f_i(w_k))^{-1} grad F_i(w_k) + e_{i,k}]           (109)
                = grad F(w_k) + E_i[((I - alpha grad^2 f_i(w_k))^{-1} - I) grad F_i(w_k) + e_{i,k}]   (110)
    (I - alpha grad^2 f_i(w_k))^{-1} = I + sum_{j>=1} alpha^j (grad^2 f_i(w_k))^j       (113)
    r_k = sum_{j>=1} alpha^j E_i[(grad^2 f_i(w_k))^j grad F_i(w_k)] + E_i[e_{i,k}]           (114)

(109) is (108) with (35b); (110) adds and subtracts grad F_i and uses E_i grad F_i = grad F; (111)
names the bracket r_k and (112) restates (110) with it (both listed in bounds/NOT_CHECKED.md), so
(110) is the Bound eq_112_fo_maml_bias_identity.  (113) is the Neumann series, convergent as
||alpha grad^2 f_i|| <= alpha L <= 1/10; (114) is (111) with it.  (120) is the tower rule applied to the
definition of G_i (listed in bounds/NOT_CHECKED.md); (121) is (88), registered once in theorem_f_1_proof.

Reading of (108)-(114): the proof defines e_{i,k} := grad f_i(u_i) - E_{D_in,D_o}[grad~ f_i(w_k - alpha
grad~ f_i(w_k, D_in), D_o)] just before (108), the opposite sign to Lemma 4.10's (20) (and to Appendix
F's definition after (78)).  (108) is encoded as printed, with that definition, and misses E[G_i] by
2 ||E_i e_{i,k}|| (finding g1-eq-108-sign-of-e-against-its-definition, kind inconsistency: the pair
(126)-(127) of Appendix H repeats it); with (20)'s e_{i,k} it holds.  (109)-(114) are derived from (108)
and follow its sign, (20)'s: they are encoded with Lemma 4.10's e_{i,k}.

Sharpness of (116)-(118) (full derivations in the ``Sharpness`` records).  (116) and (117) are
tight, supremum 1: a kink of grad f_i at the inner point with two-point noise, D_in = 1, makes
Lemma 4.10's (62) an equality up to the smoothing (e_{i,k} = L (alpha sigma~ - eps/2)); for (117) at
a stationary point of F with sigma = 0 (w on the kink) and alpha L = 1/10, while (115)'s chain with
Lemma A.3 (34) never exceeds 0.22 ||grad F|| + 2 alpha L sigma.  (118) is LOOSE: (117)'s chain and
Cauchy-Schwarz bound its ratio by 4819967/6066252 = 0.7946 (alpha L = 1/10); one task with
f''(w) = +L (FO-MAML's dropped term alpha grad^2 f_i grad f_i(u) aligned with e_{i,k}) approaches
101/243 = 0.4156; the supremum lies between.

Sharpness of (119) and (122) (full derivations in the ``Sharpness`` records; extremal instances in
verify/checks/moments.py, judged exactly).  (119) is LOOSE: (115)-(117)'s chain and Cauchy-Schwarz bound its
ratio by 193464281/279047592 + 2200 sqrt(2)/16353 = 0.8836; one kinked task with f''(w) = +L approaches
2621/3726 = 0.7034; the supremum lies between.  (122) is sharp: supremum 1, approached by the
sigma~^2/D_o term alone (a critical point, D_in -> infinity); the rest, through Lemma A.3 (33)-(34),
stays below 0.697.

Sharpness of (115) (a proven upper bound 55/79 = 0.696 on the supremum; 1/2 approached; LOOSE).
With x = alpha L: ((I - alpha H_i)^{-1} - I) grad F_i = alpha H_i grad f_i(w - alpha grad f_i(w)) by (35b),
so by (30a), (46) and (41) the left side is at most x (1 + x) E_i||grad f_i|| <= x (1 + x)(||grad f|| + sigma),
and by (33) ||grad F|| >= (||grad f|| - C2 sigma)_+ / C1.  The ratio is then linear-fractional in
t = ||grad f|| / sigma, at most max((1 + x)(1 + C2)/2, x (1 + x) C1 / 0.22), increasing in x, which at
x = 1/10 (C1 = 100/79, C2 = 21/79) is max(55/79, 50/79) = 55/79.  One task of curvature +L
(sigma = 0, alpha L = 1/10) gives exactly x/(0.22 (1 - x)) = 50/99 = 0.505: the left side is
||alpha H (I - alpha H)^{-1} grad F|| = x/(1 - x) ||grad F||.  Two tasks of curvature +L and -L at a
stationary point of F reach (1 - x^2) / (2 (1 + x^2)) -> 1/2 as x -> 0.  The supremum in
[50/99, 55/79] is not derived; either way (115) is LOOSE.
"""
from sympy import Rational, sqrt

from .._core import Bound, Kind, Relation
from .._core import Sharpness  # (116)-(118)
from .._hypotheses import ALPHA_AT_MOST_ONE_TENTH_OVER_L, ALPHA_POSITIVE
from .._proof_quantities import direction_bias_norm, direction_second_moment, mean_direction_norm
from .._symbols import DIMENSIONLESS, GRADIENT, D_in, D_o, L, alpha, declare_quantity, grad_F_norm, sigma, sigma_tilde

HYPOTHESES = (ALPHA_POSITIVE, ALPHA_AT_MOST_ONE_TENTH_OVER_L)
_FO = dict(preconditions=HYPOTHESES, algorithm="fo_maml")

r_k_identity_residual = declare_quantity(
    "r_k_identity_residual",
    "||E[G_i(w_k)] - grad F(w_k) - E_i[((I - alpha grad^2 f_i(w_k))^{-1} - I) grad F_i(w_k) + e_{i,k}]||",
    r"\|\mathbb{E}[G_i]-\nabla F-\mathbb{E}_i[((I-\alpha\nabla^2 f_i)^{-1}-I)\nabla F_i+e_{i,k}]\|", GRADIENT,
    text="‖𝔼[Gᵢ] − ∇F − 𝔼ᵢ[((I − α∇²fᵢ)⁻¹ − I)∇Fᵢ + e_{i,k}]‖")
neumann_term_norm = declare_quantity(
    "neumann_term_norm", "||E_i[((I - alpha grad^2 f_i(w))^{-1} - I) grad F_i(w)]||",
    r"\left\|\sum_{j\ge1}\alpha^j\mathbb{E}_i[(\nabla^2 f_i(w))^j\nabla F_i(w)]\right\|", GRADIENT,
    text="‖Σ_{j≥1} αʲ 𝔼ᵢ[(∇²fᵢ(w))ʲ ∇Fᵢ(w)]‖")
mean_bias_norm = declare_quantity(
    "mean_bias_norm", "||E_i[e_{i,k}]||, the task average of Lemma 4.10's bias", r"\|\mathbb{E}_i[e_{i,k}]\|",
    GRADIENT, text="‖𝔼ᵢ[e_{i,k}]‖")

mean_direction_split_residual = declare_quantity(
    "mean_direction_split_residual", "||E[G_i(w_k)] - E_i[grad f_i(w_k - alpha grad f_i(w_k)) + e_{i,k}]||",
    r"\|\mathbb{E}[G_i]-\mathbb{E}_i[\nabla f_i(w_k-\alpha\nabla f_i(w_k))+e_{i,k}]\|", GRADIENT,
    text="‖𝔼[Gᵢ] − 𝔼ᵢ[∇fᵢ(w_k − α∇fᵢ(w_k)) + e_{i,k}]‖")
mean_direction_inverse_residual = declare_quantity(
    "mean_direction_inverse_residual",
    "||E[G_i(w_k)] - E_i[(I - alpha grad^2 f_i(w_k))^{-1} grad F_i(w_k) + e_{i,k}]||",
    r"\|\mathbb{E}[G_i]-\mathbb{E}_i[(I-\alpha\nabla^2 f_i)^{-1}\nabla F_i+e_{i,k}]\|", GRADIENT,
    text="‖𝔼[Gᵢ] − 𝔼ᵢ[(I − α∇²fᵢ)⁻¹∇Fᵢ + e_{i,k}]‖")
neumann_series_residual = declare_quantity(
    "neumann_series_residual",
    "max_i ||(I - alpha grad^2 f_i(w)) (I + sum_{j>=1} alpha^j (grad^2 f_i(w))^j) - I||, the series summed to "
    "its rounding floor",
    r"\max_i\|(I-\alpha\nabla^2 f_i)(I+\sum_{j\ge1}\alpha^j(\nabla^2 f_i)^j)-I\|", DIMENSIONLESS,
    text="maxᵢ ‖(I − α∇²fᵢ)(I + Σ_{j≥1} αʲ(∇²fᵢ)ʲ) − I‖")
r_k_series_residual = declare_quantity(
    "r_k_series_residual",
    "||E[G_i(w_k)] - grad F(w_k) - sum_{j>=1} alpha^j E_i[(grad^2 f_i(w_k))^j grad F_i(w_k)] - E_i[e_{i,k}]||",
    r"\|\mathbb{E}[G_i]-\nabla F-\sum_{j\ge1}\alpha^j\mathbb{E}_i[(\nabla^2 f_i)^j\nabla F_i]-\mathbb{E}_i[e_{i,k}]\|",
    GRADIENT, text="‖𝔼[Gᵢ] − ∇F − Σ_{j≥1} αʲ 𝔼ᵢ[(∇²fᵢ)ʲ∇Fᵢ] − 𝔼ᵢ[e_{i,k}]‖")

# e_{i,k}'s two signs (finding g1-eq-108-sign-of-e-against-its-definition): (108) as printed, (109)-(114) as derived.
_E_BEFORE_108 = ("e_{i,k} as the proof defines it just before (108), grad f_i(w_k - alpha grad f_i(w_k)) - "
                 "E_{D_in,D_o}[grad~ f_i(w_k - alpha grad~ f_i(w_k, D_in), D_o)]; Lemma 4.10's (20) and Appendix F "
                 "define e_{i,k} := E_{D_in,D_o}[...] - grad f_i(...), the sign (108) needs, so with the printed "
                 "definition (108) leaves 2 ||E_i e_{i,k}||.")
_E_OF_20 = ("e_{i,k} is read as Lemma 4.10's (20) defines it, E_{D_in,D_o}[grad~ f_i(w_k - alpha grad~ f_i(w_k, "
            "D_in), D_o)] - grad f_i(w_k - alpha grad f_i(w_k)): the sign of (108), from which the display is derived "
            "(the definition printed before (108) has the opposite one: finding "
            "g1-eq-108-sign-of-e-against-its-definition).")

eq_108_fo_maml_mean_direction = Bound(
    id="eq_108_fo_maml_mean_direction", reference="Theorem G.1 proof, eq. (108)", kind=Kind.CLOSED_FORM,
    statement="E[G_i(w_k)] = E_i[grad f_i(w_k - alpha grad f_i(w_k)) + e_{i,k}], e_{i,k} as defined before (108).",
    lhs=mean_direction_split_residual, relation=Relation.EQ, rhs=0,
    lhs_words="the norm of E[G_i(w_k)] - E_i[grad f_i(u_i) + e_{i,k}] for FO-MAML's direction, the expectation over "
              "the task and both batches, u_i = w_k - alpha grad f_i(w_k), e_{i,k} as defined before (108)",
    reading="(108) is read with " + _E_BEFORE_108,
    **_FO)

eq_109_fo_maml_mean_direction_inverse = Bound(
    id="eq_109_fo_maml_mean_direction_inverse", reference="Theorem G.1 proof, eq. (109)", kind=Kind.CLOSED_FORM,
    statement="E[G_i(w_k)] = E_i[(I - alpha grad^2 f_i(w_k))^{-1} grad F_i(w_k) + e_{i,k}].",
    lhs=mean_direction_inverse_residual, relation=Relation.EQ, rhs=0,
    lhs_words="the norm of E[G_i(w_k)] - E_i[(I - alpha grad^2 f_i(w_k))^{-1} grad F_i(w_k) + e_{i,k}], the inverse "
              "applied by a linear solve to grad F_i(w_k) of (35b)",
    reading=_E_OF_20,
    **_FO)

eq_113_neumann_series = Bound(
    id="eq_113_neumann_series", reference="Theorem G.1 proof, eq. (113)", kind=Kind.CLOSED_FORM,
    statement="(I - alpha grad^2 f_i(w_k))^{-1} = I + sum_{j>=1} alpha^j (grad^2 f_i(w_k))^j for every task.",
    lhs=neumann_series_residual, relation=Relation.EQ, rhs=0,
    lhs_words="the largest over tasks of ||(I - alpha grad^2 f_i(w_k)) S_J - I||, S_J the series summed to J terms, "
              "J the first power with (alpha L)^(J+1) below the rounding floor (the tail's norm is at most "
              "(alpha L)^(J+1)/(1 - alpha L), part of the allowance)",
    reading="The series converges because ||alpha grad^2 f_i(w_k)|| <= alpha L <= 1/10 (the paper: 'using the "
            "expansion').",
    **_FO)

eq_114_r_k_series = Bound(
    id="eq_114_r_k_series", reference="Theorem G.1 proof, eq. (114)", kind=Kind.CLOSED_FORM,
    statement="r_k = sum_{j>=1} alpha^j E_i[(grad^2 f_i(w_k))^j grad F_i(w_k)] + E_i[e_{i,k}], r_k = E[G_i(w_k)] - "
              "grad F(w_k) by (112).",
    lhs=r_k_series_residual, relation=Relation.EQ, rhs=0,
    lhs_words="the norm of E[G_i(w_k)] - grad F(w_k) minus the series of (114) (summed as for (113), the tail bounded "
              "by (alpha L)^(J+1)/(1 - alpha L) ||grad F_i||) minus E_i[e_{i,k}]",
    reading=_E_OF_20 + " r_k is (111)'s, equal to E[G_i(w_k)] - grad F(w_k) by (112).",
    **_FO)

eq_112_fo_maml_bias_identity = Bound(
    id="eq_112_fo_maml_bias_identity", reference="Theorem G.1 proof, eq. (110), with (111)-(112)",
    kind=Kind.CLOSED_FORM,
    statement="E[G_i(w_k)] = grad F(w_k) + r_k with r_k = E_i[((I - alpha grad^2 f_i)^{-1} - I) grad F_i + e_{i,k}].",
    lhs=r_k_identity_residual, relation=Relation.EQ, rhs=0,
    lhs_words="the norm of E[G_i(w_k)] - grad F(w_k) - r_k, with r_k of (111) computed from exact Hessians, "
              "grad F_i of (35b) and e_{i,k} of Lemma 4.10",
    reading="(110)'s last line, the bracket named r_k by (111) and the identity restated as (112); grad F(w_k) is "
            "computed by itself, so the residual includes (110)'s step E_i grad F_i(w_k) = grad F(w_k). " + _E_OF_20,
    **_FO)

eq_115_neumann_term = Bound(
    id="eq_115_neumann_term", reference="Theorem G.1 proof, eq. (115)", kind=Kind.POINTWISE,
    statement="||E_i[((I - alpha grad^2 f_i)^{-1} - I) grad F_i(w)]|| <= 0.22 ||grad F(w)|| + 2 alpha L sigma.",
    lhs=neumann_term_norm, relation=Relation.LE,
    rhs=Rational(22, 100) * grad_F_norm + 2 * alpha * L * sigma,
    lhs_words="the norm of the exact task average of ((I - alpha grad^2 f_i(w))^{-1} - I) grad F_i(w)",
    sharpness=Sharpness(
        status="upper_bound",
        derivation="With x = alpha L <= 1/10: ((I - alpha H_i)^{-1} - I) grad F_i = alpha H_i grad f_i(w - alpha "
                   "grad f_i(w)) by (35b), so the left side is at most x (1 + x) E_i||grad f_i|| by (30a) and (46), "
                   "<= x (1 + x)(||grad f|| + sigma) by (41); by (33) ||grad F|| >= (||grad f|| - C2 sigma)_+ / C1. "
                   "The ratio is linear-fractional in t = ||grad f|| / sigma, so at most max((1 + x)(1 + C2)/2, "
                   "x (1 + x) C1 / 0.22), increasing in x: at x = 1/10 (C1 = 100/79, C2 = 21/79) that is 55/79 = "
                   "0.696. (115) is LOOSE (its supremum is below 1). One task of curvature +L (sigma = 0) at "
                   "alpha L = 1/10 attains x/(0.22 (1 - x)) = 50/99, the left side being ||alpha H (I - alpha H)^{-1} "
                   "grad F|| = x/(1 - x) ||grad F||; two tasks of curvature +L and -L at a stationary point of F "
                   "reach (1 - x^2)/(2 (1 + x^2)) -> 1/2 as x -> 0. The supremum in [50/99, 55/79] is not derived "
                   "(the proof's steps (46) and (41) are tight at different curvatures).",
        supremum=Rational(55, 79), attained=Rational(50, 99),
        extremal="one quadratic task with Hessian diag(L, L/2) (L = 1), gradient along e_1, alpha L = 1/10, "
                 "sigma = 0 (verify.checks.pointwise.EXTREMAL, extremal='quadratic', sign=+1, n=1)",
    ),
    **_FO)

eq_116_mean_bias = Bound(
    id="eq_116_mean_bias", reference="Theorem G.1 proof, eq. (116)", kind=Kind.EXPECTATION,
    statement="||E_i[e_{i,k}]|| <= alpha L sigma~ / sqrt(D_in).",
    lhs=mean_bias_norm, relation=Relation.LE, rhs=alpha * L * sigma_tilde / sqrt(D_in),
    lhs_words="the norm of the task average of e_{i,k} of Lemma 4.10 (20)",
    sharpness=Sharpness(
        "derived",
        """Supremum 1, approached, not attained.  Upper bound: ||E_i e_{i,k}|| <= E_i ||e_{i,k}|| and Lemma 4.10
        (20), valid by (62).  Equality case: the e_{i,k} aligned (one task suffices) and (62) tight: grad f_i has a
        kink at the inner point u (affine gradients give e = 0), two-point noise, D_in = 1.  In d = 1,
        f_i'(x) = c + L h_eps(x - x0) (|.| smoothed on the scale eps, rho = L/eps) with u = x0 gives
        e_{i,k} = L (alpha sigma~ - eps/2) exactly: lhs/rhs = 1 - eps/(2 alpha sigma~) -> 1 as eps -> 0, at any
        admitted alpha.""",
        supremum=1, attained=Rational(1999, 2000),
        extremal="""verify/model/families/kinked.py KinkedGradientFamily.at_inner_kink (any side; side=0: w = x0,
        f'(w) = 0), L = 1, alpha L = 1/10, two-point noise sigma~ = 10^-0.5, D_in = D_o = 1,
        eps = 1e-3 alpha sigma~ (verify.checks.bias kinked-two-point)"""),
    **_FO)

eq_117_fo_maml_bias = Bound(
    id="eq_117_fo_maml_bias", reference="Theorem G.1 proof, eq. (117)", kind=Kind.EXPECTATION,
    statement="||r_k|| <= 0.22 ||grad F(w_k)|| + 2 alpha L sigma + 0.1 sigma~ / sqrt(D_in) for FO-MAML.",
    lhs=direction_bias_norm, relation=Relation.LE,
    rhs=Rational(22, 100) * grad_F_norm + 2 * alpha * L * sigma + Rational(1, 10) * sigma_tilde / sqrt(D_in),
    lhs_words="||E[G_i(w_k)] - grad F(w_k)|| for FO-MAML's G_i over the task and all batches",
    sharpness=Sharpness(
        "derived",
        """Supremum 1, approached, not attained.  Upper bound: by (114) r_k = E_i[alpha grad^2 f_i(w)
        grad f_i(w - alpha grad f_i(w))] + E_i[e_{i,k}]; (115)'s chain (Neumann series, then Jensen and Lemma A.3
        (34)) gives ||first|| <= A ||grad F|| + B sigma with A = alpha L/(1 - alpha L) sqrt(2) (1 + alpha L) C_1
        and B = alpha L/(1 - alpha L) (1 + alpha L) sqrt(2 C_2^2 + 1), increasing in alpha L, so on
        alpha L <= 1/10: A <= 0.2188 <= 0.22 and B <= 0.653 (2 alpha L) <= 2 alpha L; (116) gives
        ||E_i e_{i,k}|| <= alpha L sigma~/sqrt(D_in) <= 0.1 sigma~/sqrt(D_in).  So lhs/rhs <= 1.  Equality case:
        the sigma~ term alone, at a stationary point of F with sigma = 0: one task, d = 1,
        f'(x) = L h_eps(x - x0) (|.| smoothed on the scale eps), w = x0 (f'(w) = 0, grad F = 0, u = w, the first
        term of (114) 0), two-point noise, D_in = 1, alpha L = 1/10: r_k = e_{i,k} = L (alpha sigma~ - eps/2),
        lhs/rhs = 1 - eps/(2 alpha sigma~) -> 1.""",
        supremum=1, attained=Rational(1999, 2000),
        extremal="""verify/model/families/kinked.py KinkedGradientFamily.at_inner_kink(side=0): one task, w at the
        kink, L = 1, alpha L = 1/10, two-point noise sigma~ = 10^-0.5, D_in = D_o = 1, eps = 1e-3 alpha sigma~
        (verify.checks.bias kinked-two-point, extremal 'stationary')"""),
    **_FO)

eq_118_fo_maml_bias_squared = Bound(
    id="eq_118_fo_maml_bias_squared", reference="Theorem G.1 proof, eq. (118)", kind=Kind.EXPECTATION,
    statement="||r_k||^2 <= 0.15 ||grad F(w_k)||^2 + 12 alpha^2 L^2 sigma^2 + 0.03 sigma~^2 / D_in for FO-MAML.",
    lhs=direction_bias_norm ** 2, relation=Relation.LE,
    rhs=Rational(15, 100) * grad_F_norm ** 2 + 12 * alpha ** 2 * L ** 2 * sigma ** 2
        + Rational(3, 100) * sigma_tilde ** 2 / D_in,
    lhs_words="||E[G_i(w_k)] - grad F(w_k)||^2 for FO-MAML",
    sharpness=Sharpness(
        "upper_bound",
        """Supremum between 101/243 = 0.4156 (approached) and 4819967/6066252 = 0.7946 (proven): LOOSE by a factor
        of at least 1/0.7946 (the sharp constants are at most 0.7946 times the printed ones).  Upper bound: (117)'s
        chain (its derivation) gives ||r_k|| <= A ||grad F|| + B sigma + alpha L sigma~/sqrt(D_in) with A, B of
        (115); by Cauchy-Schwarz (x + y + z)^2 <= (A^2/0.15 + B^2/(12 alpha^2 L^2) + alpha^2 L^2/0.03)
        (0.15 ||grad F||^2 + 12 alpha^2 L^2 sigma^2 + 0.03 sigma~^2/D_in), the factor increasing in alpha L, at
        alpha L = 1/10 equal to 4819967/6066252 (sympy; given Lemma A.3 (34)).  The proof's (a + b + c)^2 <=
        3 (a^2 + b^2 + c^2) step is tight only when the three terms of (117) are equal, which (115)'s
        Lemma A.3 step (E_i||grad F_i|| against ||grad F||, sigma) does not allow.  Approached: one task (sigma = 0),
        d = 1, f'(x) = c + L h_eps(x - x0), the kink at the inner point u (e_{i,k} at its bound), f''(w) = +L so
        that FO-MAML's dropped term alpha grad^2 f_i grad f_i(u) = alpha L c adds to e_{i,k} while
        grad F = (1 - alpha L) c: lhs/rhs = (alpha L)^2 (c + sigma~)^2 / (0.15 (1 - alpha L)^2 c^2 + 0.03 sigma~^2),
        largest at c = 0.03 sigma~/(0.15 (1 - alpha L)^2), where it is (alpha L)^2 (1/(0.15 (1 - alpha L)^2) +
        1/0.03) = 101/243 at alpha L = 1/10 (eps -> 0, D_in = 1, two-point noise).  Several tasks (sigma > 0) may
        reach more; not derived.""",
        supremum=Rational(4819967, 6066252), attained=Rational(101, 243),
        extremal="""verify/model/families/kinked.py KinkedGradientFamily.at_inner_kink(side=+1,
        inner_gradient = (20/81) sigma~): one task, L = 1, alpha L = 1/10, two-point noise sigma~ = 10^-0.5,
        D_in = D_o = 1, eps = 1e-3 alpha sigma~ -> 0 (verify.checks.bias kinked-two-point, extremal 'aligned')"""),
    **_FO)

eq_119_fo_maml_mean_direction = Bound(
    id="eq_119_fo_maml_mean_direction", reference="Theorem G.1 proof, eq. (119)", kind=Kind.EXPECTATION,
    statement="||E[G_i(w_k)]||^2 <= 2.3 ||grad F(w_k)||^2 + 24 alpha^2 L^2 sigma^2 + 0.06 sigma~^2 / D_in.",
    lhs=mean_direction_norm ** 2, relation=Relation.LE,
    rhs=Rational(23, 10) * grad_F_norm ** 2 + 24 * alpha ** 2 * L ** 2 * sigma ** 2
        + Rational(6, 100) * sigma_tilde ** 2 / D_in,
    lhs_words="the squared norm of the mean of FO-MAML's G_i(w_k) over the task and all batches",
    sharpness=Sharpness(
        "upper_bound",
        """Supremum between 2621/3726 = 0.7034 (approached) and 193464281/279047592 + 2200 sqrt(2)/16353 = 0.8836
        (proven): (119) is LOOSE by a factor of at least 1/0.8836.  Upper bound: (112) E[G_i] = grad F + r_k; (115)'s
        chain gives ||E_i[((I - alpha grad^2 f_i)^{-1} - I) grad F_i]|| <= (alpha L/(1 - alpha L)) E_i||grad F_i||
        <= (alpha L/(1 - alpha L)) (sqrt(P) a + sqrt(Q) sigma) by Lemma A.3 (34) (P = 2(1 + alpha L)^2 C_1^2,
        Q = (1 + alpha L)^2 (2 C_2^2 + 1), a = ||grad F||) and (116) ||E_i e_{i,k}|| <= alpha L s
        (s = sigma~/sqrt(D_in)),
        so ||E[G_i]|| <= (1 + A) a + B sigma + alpha L s and, by Cauchy-Schwarz against 2.3 a^2 + 24 alpha^2 L^2
        sigma^2 + 0.06 s^2, lhs/rhs <= (1 + A)^2/2.3 + B^2/(24 alpha^2 L^2) + alpha^2 L^2/0.06, increasing in alpha L,
        at alpha L = 1/10 the value above (sympy).  The proof's (a + b)^2 <= 2a^2 + 2b^2 is tight only at
        ||grad F|| = ||r_k||, and (118)'s slack carries over.  Approached: one task (sigma = 0), d = 1, a smoothed
        kink of grad f at the inner point u with f''(w) = +L (so grad f(u) = grad F/(1 - alpha L) and the bias
        e = alpha L sigma~ aligned with it), two-point noise, D_in = 1: ratio (k1 a + k2 s)^2/(2.3 a^2 + 0.06 s^2)
        with k1 = 1/(1 - alpha L), k2 = alpha L, largest at a = k1 0.06 s/(k2 2.3), where it is k1^2/2.3 + k2^2/0.06
        = 2621/3726 at alpha L = 1/10.  Several tasks (sigma > 0, the Neumann term of (113)) may reach more; not
        derived.""",
        supremum=Rational(193464281, 279047592) + 2200 * sqrt(2) / 16353, attained=Rational(2621, 3726),
        extremal="""verify/model/families/kinked_moments.py kinked_task('rise', g = a/(1 - alpha L)) with a at the
        optimum above (read from the Bound), one task, w = 0, L = 1, alpha L = 1/10, two-point noise sigma~ = 1,
        D_in = D_o = 1, eps = 1e-4 alpha sigma~ (verify.checks.moments extremal 'kinked-rise', exact: 0.70342)"""),
    **_FO)

eq_122_fo_maml_second_moment = Bound(
    id="eq_122_fo_maml_second_moment", reference="Theorem G.1 proof, eq. (122)", kind=Kind.EXPECTATION,
    statement="E||G_i(w_k)||^2 <= 20 ||grad F(w_k)||^2 + 7 sigma^2 + sigma~^2 (1/D_o + 0.02/D_in) for FO-MAML.",
    lhs=direction_second_moment, relation=Relation.LE,
    rhs=20 * grad_F_norm ** 2 + 7 * sigma ** 2 + sigma_tilde ** 2 * (1 / D_o + Rational(2, 100) / D_in),
    lhs_words="E||G_i(w_k)||^2 for FO-MAML over the task and all batches",
    sharpness=Sharpness(
        "derived",
        """Supremum 1, approached: (122) is sharp in its sigma~^2/D_o term.  Upper bound: (120) E||G_i||^2 =
        E_i E||v_i||^2 with E||v_i||^2 <= (||grad f_i(u_i)|| + alpha L s_in)^2 + s_o^2 (s_in^2 = sigma~^2/D_in, s_o^2 =
        sigma~^2/D_o; Lipschitz gradient and Jensen, as in (21)).  The s_o part has ratio 1 against sigma~^2/D_o;
        the rest, with phi > 0, is (1 + phi) X + (1 + 1/phi) alpha^2 L^2 s_in^2 against 20 a^2 + 7 sigma^2 + 0.02
        s_in^2, where X = E_i||grad f_i(u_i)||^2 <= (1 + alpha L)^2 (||grad f||^2 + sigma^2) and ||grad f|| <= C_1 a +
        C_2 sigma (Lemma A.3 (33)); the largest X/(20 a^2 + 7 sigma^2) is K = 0.1969 at alpha L = 1/10, and phi =
        (alpha L)^2/(0.02 K) gives 1/2 + K = 0.697 < 1.  A ratio of sums is at most the larger part's ratio, so
        lhs/rhs <= 1.  Approached: grad F = 0, sigma = 0 (one task at its critical point), D_o = 1, D_in -> infinity:
        ratio (1 + alpha^2 f''^2/D_in)/(1 + 0.02/D_in) -> 1 (0.99984 at D_in = 64, f'' = -L, alpha L = 1/10).""",
        supremum=1, attained=1,
        extremal="""one quadratic task f(w) = -L w^2/2 in d = 1 at w = 0, two-point noise sigma~ = 1, alpha L = 1/10,
        D_in = 64 -> infinity, D_o = 1 (verify.checks.moments extremal 'concave-quadratic', exact: 0.99984)"""),
    **_FO)
