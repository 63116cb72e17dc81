"""Theorem F.1's proof, eqs. (78), (80)-(89): moments of MAML's direction G_i(w_k); (90), (94), (97), (98): the descent.

G_i(w_k) := (I - alpha grad~^2 f_i(w_k, D_h^i)) grad~ f_i(w_k - alpha grad~ f_i(w_k, D_in^i), D_o^i),
and r_k := E[G_i(w_k)] - grad F(w_k) (79).  The displays, under Theorem F.1's
hypotheses (alpha L <= 1/6, D_h >= 2 alpha^2 sigma_H^2):

    ||r_k|| <= (1 + alpha L) alpha L sigma~ / sqrt(D_in)                         (80)
            <= 0.2 sigma~ / sqrt(D_in)                                            (81)
    ||E[G_i(w_k)]||^2 <= 2 ||grad F(w_k)||^2 + 0.08 sigma~^2 / D_in               (82)
    E_{D_h}||I - alpha grad~^2 f_i(w_k, D_h)||^2 <= alpha^2 sigma_H^2 / D_h + ||I - alpha grad^2 f_i(w_k)||^2   (84)
    E||G_i(w_k)||^2 <= E_i[(||I - alpha grad^2 f_i(w_k)||^2 + alpha^2 sigma_H^2 / D_h)
                           E_{D_o,D_in}||grad~ f_i(w_k - alpha grad~ f_i(w_k, D_in), D_o)||^2]          (85)
    ||I - alpha grad^2 f_i(w_k)||^2 + alpha^2 sigma_H^2 / D_h <= 2                                     (86)
    E||G_i(w_k)||^2 <= 2 E_i E_{D_o,D_in}||grad~ f_i(w_k - alpha grad~ f_i(w_k, D_in), D_o)||^2          (87)
    E_{D_o,D_in}||grad~ f_i(...)||^2 <= 2 ||grad F_i(w_k)||^2 / (1 - alpha L)^2
                                        + 2 alpha^2 L^2 sigma~^2 / D_in + sigma~^2 / D_o               (88)
    E||G_i(w_k)||^2 <= 40 ||grad F(w_k)||^2 + 14 sigma^2 + sigma~^2 (2 / D_o + 1 / (6 D_in))           (89)

    E[G_i(w_k)] = E_i[(I - alpha grad^2 f_i(w_k)) (grad f_i(w_k - alpha grad f_i(w_k)) + e_{i,k})]   (78)
    E||G_i(w_k)||^2 = E_i[E_{D_h}||I - alpha grad~^2 f_i(w_k, D_h)||^2
                          E_{D_o,D_in}||grad~ f_i(w_k - alpha grad~ f_i(w_k, D_in), D_o)||^2]   (83)

(78) uses that D_h is drawn independently of D_in, D_o and that E grad~^2 f_i(w, D_h) = grad^2 f_i(w); e_{i,k}
is Lemma 4.10's, E_{D_in,D_o}[grad~ f_i(...)] - grad f_i(w_k - alpha grad f_i(w_k)) (defined after (78)).
(83) is printed with '=': for independent M = I - alpha grad~^2 f_i(w_k, D_h) and v = grad~ f_i(...), E||M v||^2
<= E||M||^2 E||v||^2, with equality in d = 1 but not in general (a typo: the next step uses (83) as an upper
bound; finding eq83-factorisation-is-an-inequality).  Read with '<=' it has supremum 1, attained in d = 1.
(88) appears again, word for word, as (121) in the proof of Theorem G.1.

Reading of (84): the proof writes E||M||^2 = Var[M] + ||E M||^2 for the random
matrix M = I - alpha grad~^2 f_i(w_k, D_h), which holds for the Frobenius norm; with
the spectral norm of (30a) and (86) it is not an identity.  Matrix norms are read as
spectral norms throughout, as in (30a).

The descent steps (the ``Sharpness`` records hold their derivations):

    F(w_{k+1}) <= F(w_k) + grad F(w_k)'(w_{k+1} - w_k) + L_k/2 ||w_{k+1} - w_k||^2                       (90)
    ||grad F(w_k)||^2 / L_k >= ||grad F(w_k)||^2 / (4L + 2 rho alpha sigma + 2 rho alpha ||grad f(w_k)||)  (94)
    E[F(w_{k+1})] <= E[F(w_k)] - E[||grad F||^2/(4L + 4 rho alpha sigma + 4 rho alpha ||grad F||)]/100
                     + (14 sigma^2 + 2 sigma~^2/D_o)/(368 L B) + sigma~^2/(96 L D_in)                      (97)
    E[||grad F||^2/(4L + 4 rho alpha sigma + 4 rho alpha ||grad F||)]
        >= E[||grad F||]^2 / E[4L + 4 rho alpha sigma + 4 rho alpha ||grad F||]                            (98)

(90) is Corollary A.1's (31) at u = w_{k+1} (supremum at most 1; 25/144 attained on one quadratic task at
alpha L = 1/6); (94) follows from (41) and is tight (supremum 1, attained where rho = 0 or grad f(w) = 0 with
every ||grad f_i(w)|| = sigma); (97) is (93) weakened through (96), a signed statement with no supremum
derived, like (93); (98) is Cauchy-Schwarz, an equality when ||grad F(w_k)|| is deterministic (k = 0).  (95),
(96), (99)-(102) and (105) are the exact arithmetic of bounds/theorem_f_1/arithmetic.py.

Sharpness of (80)-(81) (the ``Sharpness`` records hold the full derivations).  (80) is tight:
supremum 1, approached where every step of (80) and Lemma 4.10's (62) is an equality at once:
grad^2 f_i(w_k) = -L along e_{i,k} (||I - alpha grad^2 f_i|| = 1 + alpha L), a kink of grad f_i at
the inner point w - alpha grad f_i(w) (affine gradients have no bias), two-point inner noise with
D_in = 1 (||xi|| constant, Jensen tight); smoothing the kink on the scale eps costs the factor
1 - eps/(2 alpha sigma~) (verify/model/families/kinked.py).  (81) is LOOSE: its supremum is
(7/36)/(1/5) = 35/36 (alpha L = 1/6), the sharp constant 7/36 = 0.1944 instead of 0.2.

Sharpness of (82), (84)-(85), (87)-(89) (full derivations in the ``Sharpness`` records; the
extremal instances are in verify/checks/moments.py, judged exactly by enumerating the two-point noise).
(82) is LOOSE: by (80) and Cauchy-Schwarz lhs/rhs <= 1/2 + c^2/0.08 = 2521/2592 with c = (1 + alpha L)
alpha L = 7/36, approached by a mixture of two kinked tasks with f''(w) = -L, D_in = 1.  (84) is false
in the spectral norm (a recorded finding), under F.1's own hypotheses: for each D_h the supremum of
lhs/rhs is (5 + 3 sqrt(2 D_h))^2/43 (1.9867 at D_h = 1), attained, so over all D_h it is unbounded; the
corrected (84), (||I - alpha grad^2 f_i|| + alpha sigma_H)^2, is in corrected.py.  What the proof needs
from (84) is (85), for a fixed vector, which holds: (86)-(87) and F.1 are unaffected.  (85) holds (for a fixed vector the spectral variance
step is valid) with supremum 1, an equality in d = 1.  (87) is LOOSE: (86)'s factor is at most
(1 + alpha L)^2 + 1/2 = 67/36, supremum 67/72, attained with grad^2 f = -L, alpha L = 1/6 and D_h at
its edge.  (88) is sharp: supremum 1, approached at a critical point as D_in -> infinity (or with
a kink at D_in = 1).  (89) is LOOSE: supremum 67/72, the sigma~^2/D_o term with (86)'s sharp factor;
the other terms (Lemma A.3 (33)-(34)) stay below 0.611.

Sharpness of (86) (supremum 67/72, attained; LOOSE).  ||I - alpha grad^2 f_i(w)|| <= 1 + alpha L by
(30a) and alpha^2 sigma_H^2 / D_h <= 1/2 by D_h >= ceil(2 alpha^2 sigma_H^2), so under alpha L <= 1/6 the
left side is at most (7/6)^2 + 1/2 = 67/36, attained with an eigenvalue -L of grad^2 f_i(w), alpha L = 1/6
and D_h = 2 alpha^2 sigma_H^2 (an integer): the sharp constant of (86) is 67/36 instead of 2.
"""
import sympy as sp
from sympy import Rational, sqrt

from .._core import Bound, Kind, Relation
from .._core import Sharpness  # (80)-(81)
from .._hypotheses import (ALPHA_AT_MOST_ONE_OVER_L, ALPHA_AT_MOST_ONE_SIXTH_OVER_L, ALPHA_POSITIVE,
    HESSIAN_BATCH_MAML)
from .._proof_quantities import direction_bias_norm, direction_second_moment, mean_direction_norm
from .._symbols import (DIMENSIONLESS, GRADIENT, D_h, D_in, D_o, L, I_minus_alpha_hess_norm, alpha, declare_quantity,
    grad_F_norm, grad_Fi_norm, grad_f_norm, outer_grad_second_moment, rho, sigma, sigma_H, sigma_tilde)
from ..lemma_4_8.statement import L_OF_W, L_w
from .._taskmean import TaskMean

HYPOTHESES = (ALPHA_POSITIVE, ALPHA_AT_MOST_ONE_SIXTH_OVER_L, HESSIAN_BATCH_MAML)
_MAML = dict(preconditions=HYPOTHESES, algorithm="maml")

hessian_factor_second_moment = declare_quantity(
    "hessian_factor_second_moment", "E_{D_h}||I - alpha grad~^2 f_i(w, D_h)||^2",
    r"\mathbb{E}_{\mathcal{D}_h}\|I-\alpha\tilde\nabla^2 f_i(w,\mathcal{D}_h)\|^2", DIMENSIONLESS,
    per_task=True, text="𝔼‖I − α∇̃²fᵢ(w, D_h)‖²")

maml_mean_direction_split_residual = declare_quantity(
    "maml_mean_direction_split_residual",
    "||E[G_i(w_k)] - E_i[(I - alpha grad^2 f_i(w_k)) (grad f_i(w_k - alpha grad f_i(w_k)) + e_{i,k})]|| (78)",
    r"\|\mathbb{E}[G_i]-\mathbb{E}_i[(I-\alpha\nabla^2 f_i)(\nabla f_i(u_i)+e_{i,k})]\|", GRADIENT,
    text="‖𝔼[Gᵢ] − 𝔼ᵢ[(I − α∇²fᵢ)(∇fᵢ(uᵢ) + e_{i,k})]‖")
maml_mean_direction_split_residual_without_factor = declare_quantity(
    "maml_mean_direction_split_residual_without_factor",
    "||E[G_i(w_k)] - E_i[grad f_i(w_k - alpha grad f_i(w_k)) + e_{i,k}]||: (78) without its factor "
    "I - alpha grad^2 f_i(w_k) (FO-MAML's mean direction), the negative control of its check",
    r"\|\mathbb{E}[G_i]-\mathbb{E}_i[\nabla f_i(u_i)+e_{i,k}]\|", GRADIENT,
    text="‖𝔼[Gᵢ] − 𝔼ᵢ[∇fᵢ(uᵢ) + e_{i,k}]‖")

eq_78_maml_mean_direction = Bound(
    id="eq_78_maml_mean_direction", reference="Theorem F.1 proof, eq. (78)", kind=Kind.CLOSED_FORM,
    statement="E[G_i(w_k)] = E_i[(I - alpha grad^2 f_i(w_k)) (grad f_i(w_k - alpha grad f_i(w_k)) + e_{i,k})] for MAML.",
    lhs=maml_mean_direction_split_residual, relation=Relation.EQ, rhs=0,
    lhs_words="the norm of E[G_i(w_k)] (the mean over the task and the independent batches D_in, D_o, D_h of MAML's "
              "direction) minus E_i[(I - alpha grad^2 f_i(w_k))(grad f_i(u_i) + e_{i,k})], u_i = w_k - alpha "
              "grad f_i(w_k), e_{i,k} of Lemma 4.10 (the mean over D_in, D_o of grad~ f_i(...) minus grad f_i(u_i))",
    reading="e_{i,k} as the text after (78) defines it (Lemma 4.10's sign); the display is the task mean.",
    **_MAML)

eq_83_maml_second_moment_by_batches = Bound(
    id="eq_83_maml_second_moment_by_batches", reference="Theorem F.1 proof, eq. (83)", kind=Kind.EXPECTATION,
    statement="E||G_i(w_k)||^2 = E_i[E_{D_h}||I - alpha grad~^2 f_i(w_k, D_h)||^2 "
              "E_{D_o,D_in}||grad~ f_i(w_k - alpha grad~ f_i(w_k, D_in), D_o)||^2] for MAML.",
    lhs=direction_second_moment, relation=Relation.EQ,
    rhs=TaskMean(hessian_factor_second_moment * outer_grad_second_moment),
    lhs_words="E||G_i(w_k)||^2 for MAML over the task and all batches, against the task mean of the product of the "
              "Hessian factor's mean squared spectral norm and the outer gradient's second moment",
    reading="Encoded as printed, with '='. For independent M = I - alpha grad~^2 f_i(w_k, D_h) and v = grad~ f_i(...) "
            "E||M v||^2 <= E||M||^2 E||v||^2 (||M v|| <= ||M|| ||v||), an equality in d = 1 and not in general: the "
            "relation holds as '<=', which is how (85) uses it (a typo; finding eq83-factorisation-is-an-inequality). "
            "Read with '<=', its supremum is 1, attained in d = 1 (verify.checks.moments extremal 'concave-quadratic').",
    **_MAML)

eq_80_maml_bias = Bound(
    id="eq_80_maml_bias", reference="Theorem F.1 proof, eq. (80)", kind=Kind.EXPECTATION,
    statement="MAML's direction is biased by at most (1 + alpha L) alpha L sigma~ / sqrt(D_in).",
    lhs=direction_bias_norm, relation=Relation.LE,
    rhs=(1 + alpha * L) * alpha * L * sigma_tilde / sqrt(D_in),
    lhs_words="||r_k|| = ||E[G_i(w_k)] - grad F(w_k)|| for MAML's G_i, the expectation over the task and all batches",
    sharpness=Sharpness(
        "derived",
        """Supremum 1, approached, not attained.  Upper bound: (79) r_k = E_i[(I - alpha grad^2 f_i(w_k)) e_{i,k}],
        and (80) is ||r_k|| <= E_i ||I - alpha grad^2 f_i|| ||e_{i,k}|| with ||I - alpha grad^2 f_i|| <= 1 + alpha L
        (Assumption 4.3, (30a)) and ||e_{i,k}|| <= alpha L sigma~/sqrt(D_in) (Lemma 4.10 (20), by (62): norm of a
        mean, the Lipschitz step, Jensen E||xi|| <= sigma~/sqrt(D_in)); every step is valid, so lhs/rhs <= 1.
        Equality case: every step tight at once.  grad^2 f_i(w_k) = -L along e_{i,k}; (62) tight when the
        differences grad f_i(u - alpha xi) - grad f_i(u) are aligned and of length L alpha ||xi|| for every xi,
        i.e. grad f_i has a kink at the inner point u = w - alpha grad f_i(w) (affine gradients give e = 0), and
        ||xi|| is constant (two-point noise, D_in = 1).  In d = 1: f_i'(x) = c + L h_eps(x - x0), h_eps |.|
        smoothed on the scale eps (rho = L/eps), u = x0, w < x0 - eps (f''(w) = -L), two-point noise, D_in = 1:
        e_{i,k} = L (alpha sigma~ - eps/2) exactly, so lhs/rhs = 1 - eps/(2 alpha sigma~) -> 1 as eps -> 0
        (rho -> infinity, which (80)'s hypotheses leave free).  The outer and Hessian batches' noise averages out
        exactly (independent of D_in).""",
        supremum=1, attained=Rational(1999, 2000),
        extremal="""verify/model/families/kinked.py KinkedGradientFamily.at_inner_kink(side=-1): one task, L = 1,
        alpha L = 1/6, two-point noise sigma~ = 10^-0.5, D_in = D_o = 1, eps = 1e-3 alpha sigma~
        (verify.checks.bias kinked-two-point, extremal 'maml'); ratio 1 - eps/(2 alpha sigma~)"""),
    **_MAML)

eq_81_maml_bias_numeric = Bound(
    id="eq_81_maml_bias_numeric", reference="Theorem F.1 proof, eq. (81)", kind=Kind.EXPECTATION,
    statement="With alpha L <= 1/6, MAML's direction is biased by at most 0.2 sigma~ / sqrt(D_in).",
    lhs=direction_bias_norm, relation=Relation.LE, rhs=Rational(1, 5) * sigma_tilde / sqrt(D_in),
    lhs_words="||r_k|| for MAML, as in (80)",
    sharpness=Sharpness(
        "derived",
        """Supremum 35/36 < 1: LOOSE, the sharp constant is (7/36) sigma~/sqrt(D_in) = 0.19444 sigma~/sqrt(D_in)
        instead of 0.2.  (81) follows from (80) with (1 + alpha L) alpha L <= (7/6)(1/6) = 7/36 at the end point
        alpha L = 1/6 of Theorem F.1's hypothesis; (80)'s supremum is 1 (its derivation), approached at any
        alpha, so the supremum of (81) is (7/36)/(1/5) = 35/36, approached at alpha L = 1/6 by (80)'s equality
        case (a kink of grad f_i at the inner point, f''(w) = -L, two-point noise, D_in = 1, eps -> 0).""",
        supremum=Rational(35, 36), attained=Rational(35, 36) * Rational(1999, 2000),
        extremal="""(80)'s extremal instance at alpha L = 1/6: KinkedGradientFamily.at_inner_kink(side=-1), two-point
        noise, D_in = 1, eps = 1e-3 alpha sigma~ (verify.checks.bias kinked-two-point, extremal 'maml')"""),
    **_MAML)

eq_82_maml_mean_direction = Bound(
    id="eq_82_maml_mean_direction", reference="Theorem F.1 proof, eq. (82)", kind=Kind.EXPECTATION,
    statement="||E[G_i(w_k)]||^2 <= 2 ||grad F(w_k)||^2 + 0.08 sigma~^2 / D_in for MAML.",
    lhs=mean_direction_norm ** 2, relation=Relation.LE,
    rhs=2 * grad_F_norm ** 2 + Rational(8, 100) * sigma_tilde ** 2 / D_in,
    lhs_words="the squared norm of the mean of MAML's G_i(w_k) over the task and all batches",
    sharpness=Sharpness(
        "derived",
        """Supremum 2521/2592 = 0.9726 = 1/2 + c^2/0.08 with c = (1 + alpha L) alpha L = 7/36 at alpha L = 1/6,
        approached: (82) is LOOSE, its sharp form is the right side times 2521/2592.  Upper bound: by (79)
        E[G_i] = grad F + r_k and by (80) ||r_k|| <= c sigma~/sqrt(D_in) (c increasing in alpha L <= 1/6), so with
        a = ||grad F||, s = sigma~/sqrt(D_in): lhs <= (a + c s)^2 <= (2 a^2 + 0.08 s^2)(1/2 + c^2/0.08) (Cauchy-Schwarz,
        equality iff a = 0.04 s/c).  The proof's (a + b)^2 <= 2a^2 + 2b^2 is tight only at a = b and (81) rounds
        c = 7/36 up to 0.2, which is the slack.  Equality case: (80) tight (see (80): a smoothed kink of grad f_i at
        the inner point u_i = w - alpha grad f_i(w), f_i''(w) = -L, two-point noise, D_in = 1), r_k aligned with
        grad F, and ||grad F|| = 0.04 s/c.  One task cannot have f''(w) = -L and grad f(u) aligned with its bias
        unless grad f(u) >= (1 - alpha L) sigma~ (the inner step must cross the +L stretch right of the kink),
        so a 'flat' task (grad f(w) = 0, bias only) is mixed with a 'climb' task (grad f(u) aligned with its
        bias), the weight setting ||grad F|| = 0.04 s/c exactly.  With ramp width eps the ratio is
        (1 - O(eps/(alpha sigma~))) of the supremum.""",
        supremum=Rational(2521, 2592), attained=Rational(2521, 2592),
        extremal="""verify/model/families/kinked_moments.py: tasks kinked_task('flat') and kinked_task('climb',
        g = ((1 - alpha L)(h + eps) + 2 eps)/alpha) with h = alpha sigma~, eps = 1e-4 h, weights (1 - p, p),
        p = 0.04 sigma~ / (c (1 + alpha L) g), w = 0, L = 1, alpha L = 1/6, two-point noise sigma~ = 1, sigma_H = 0,
        D_in = D_o = D_h = 1 (verify.checks.moments extremal 'kinked-mixture', exact: 0.97256)"""),
    **_MAML)

# The supremum of lhs/rhs of (84) over F.1's hypotheses for a given D_h, attained (the Sharpness record below
# derives it; tests/test_sharpness_moments_f1_g1.py enumerates the attaining construction for D_h = 1, 2, 3).
EQ_84_SUPREMUM_AT = (5 + 3 * sqrt(2 * D_h)) ** 2 / 43

eq_84_hessian_factor = Bound(
    id="eq_84_hessian_factor", reference="Theorem F.1 proof, eq. (84)", kind=Kind.EXPECTATION,
    statement="E||I - alpha grad~^2 f_i(w, D_h)||^2 <= alpha^2 sigma_H^2 / D_h + ||I - alpha grad^2 f_i(w)||^2.",
    lhs=hessian_factor_second_moment, relation=Relation.LE,
    rhs=alpha ** 2 * sigma_H ** 2 / D_h + I_minus_alpha_hess_norm ** 2,
    lhs_words="for every task i: the mean over Hessian batches D_h (size D_h) of the squared spectral norm "
              "of I - alpha grad~^2 f_i(w, D_h)",
    reading="Under Theorem F.1's hypotheses (alpha L <= 1/6, D_h >= ceil(2 alpha^2 sigma_H^2)), in whose proof it "
            "stands; sigma_H is Assumption 4.6's (14), which (84) cites.",
    sharpness=Sharpness(
        "not_derived",
        """False as printed, and unbounded over F.1's hypotheses (finding in verify/judge/known_findings.toml):
        E||M||^2 = Var[M] + ||E M||^2 for M = I - alpha grad~^2 f_i(w, D_h) holds in the Frobenius norm only.
        With A = I - alpha grad^2 f_i and Z the batch's noise times alpha, E||A + Z||^2 <= (||A|| + alpha
        sigma_H)^2 for every D_h (the corrected (84)); over alpha L <= 1/6 (||A|| >= 5/6) and alpha^2 sigma_H^2
        <= D_h/2 the ratio of that to the printed right side is largest at ||A|| = 5/6, alpha^2 sigma_H^2 = D_h/2:
        R(D_h) = (5 + 3 sqrt(2 D_h))^2/43 (1.9867 at D_h = 1, 121/43 at D_h = 2), attained for every D_h by
        Hessians L I with noise built on the hyperplanes of PG(D_h, 2) in d = 2^(D_h + 1) - 1 (any D_h of them
        meet, so every batch has ||A + Z|| = ||A|| + alpha sigma_H); R(D_h) grows like 18 D_h/43, so the supremum
        is infinite (EQ_84_SUPREMUM_AT; tests/test_sharpness_moments_f1_g1.py enumerates the construction for D_h = 1, 2,
        3 and finds it exactly).  The check's extremal instance is D_h = 1: d = 2, Hessian L I, two-point noise sigma_H
        diag(1, -1) at the edge alpha^2 sigma_H^2 = 1/2, alpha L = 1/6, ratio (5 + 3 sqrt 2)^2/43.""",
        attained=sp.Rational(19866, 10000),
        extremal="""QuadraticFamily A = L I (d = 2, L = 1), two-point Hessian noise sigma_H diag(1, -1) with
        alpha^2 sigma_H^2 = 1/2 (the edge of D_h >= 2 alpha^2 sigma_H^2 at D_h = 1), alpha L = 1/6, w = 0
        (verify.checks.moments extremal 'two-point-plane', exact: (5/6 + 1/sqrt 2)^2 against 43/36)"""),
    **_MAML)

eq_85_maml_second_moment_factorised = Bound(
    id="eq_85_maml_second_moment_factorised", reference="Theorem F.1 proof, eq. (85)", kind=Kind.EXPECTATION,
    statement="E||G_i||^2 <= E_i[(||I - alpha grad^2 f_i||^2 + alpha^2 sigma_H^2/D_h) E||grad~ f_i(...)||^2].",
    lhs=direction_second_moment, relation=Relation.LE,
    rhs=TaskMean((I_minus_alpha_hess_norm ** 2 + alpha ** 2 * sigma_H ** 2 / D_h) * outer_grad_second_moment),
    lhs_words="E||G_i(w_k)||^2 for MAML over the task and all batches",
    sharpness=Sharpness(
        "derived",
        """Supremum 1, attained: (85) holds and is an equality in d = 1.  Upper bound: given v = grad~ f_i(...,
        D_o) (independent of D_h), E||M v||^2 = ||(E M) v||^2 + E||(M - E M) v||^2 for M = I - alpha
        grad~^2 f_i(w, D_h) (the cross term has mean 0), ||(E M) v|| <= ||I - alpha grad^2 f_i|| ||v||, and
        E||(M - E M) v||^2 = (alpha^2/D_h^2) sum_theta E||(grad^2 f_i(w, theta) - grad^2 f_i(w)) v||^2 <= alpha^2
        sigma_H^2 ||v||^2 / D_h by (14), for a fixed vector v (so the spectral-norm failure of (84) does not
        carry over).  Equality: d = 1 (every matrix a scalar) with E|N_theta|^2 = sigma_H^2 exactly (two-point
        noise): lhs = rhs for every alpha, w and batch sizes.""",
        supremum=1, attained=1,
        extremal="""one quadratic task f(w) = -L w^2/2 in d = 1 at w = 0, two-point gradient noise sigma~ = 1 and
        Hessian noise sigma_H = (1 - 1e-12)/(sqrt(2) alpha), alpha L = 1/6, D_in = D_o = D_h = 1
        (verify.checks.moments extremal 'concave-quadratic', exact: ratio 1 to rounding)"""),
    **_MAML)

eq_86_hessian_factor_at_most_2 = Bound(
    id="eq_86_hessian_factor_at_most_2", reference="Theorem F.1 proof, eq. (86)", kind=Kind.POINTWISE,
    statement="||I - alpha grad^2 f_i(w)||^2 + alpha^2 sigma_H^2 / D_h <= 2 under alpha L <= 1/6, D_h >= 2 alpha^2 sigma_H^2.",
    lhs=I_minus_alpha_hess_norm ** 2 + alpha ** 2 * sigma_H ** 2 / D_h, relation=Relation.LE, rhs=2,
    lhs_words="for every task i: the squared spectral norm of I - alpha grad^2 f_i(w) plus alpha^2 sigma_H^2 / D_h",
    sharpness=Sharpness(
        status="derived",
        derivation="||I - alpha grad^2 f_i(w)|| <= 1 + alpha L by (30a) and alpha^2 sigma_H^2 / D_h <= 1/2 by "
                   "D_h >= ceil(2 alpha^2 sigma_H^2), so with alpha L <= 1/6 the left side of (86) is at most "
                   "(7/6)^2 + 1/2 = 67/36: lhs/rhs <= 67/72. Both steps are equalities at once for a task Hessian "
                   "with eigenvalue -L, alpha L = 1/6 and D_h = 2 alpha^2 sigma_H^2 an integer (e.g. D_h = 1). "
                   "(86) is LOOSE: its sharp constant is 67/36 = 1.861 instead of 2.",
        supremum=Rational(67, 72), attained=Rational(67, 72),
        extremal="two quadratic tasks of Hessian -L I (L = 1) with two-point Hessian noise of sigma_H = "
                 "1/(alpha sqrt 2) (exact), alpha L = 1/6, D_h = 1 (verify.checks.pointwise.EXTREMAL, "
                 "extremal='hessian_noise')",
    ),
    **_MAML)

eq_87_maml_second_moment_by_outer = Bound(
    id="eq_87_maml_second_moment_by_outer", reference="Theorem F.1 proof, eq. (87)", kind=Kind.EXPECTATION,
    statement="E||G_i(w_k)||^2 <= 2 E_i E||grad~ f_i(w_k - alpha grad~ f_i(w_k, D_in), D_o)||^2 for MAML.",
    lhs=direction_second_moment, relation=Relation.LE, rhs=2 * TaskMean(outer_grad_second_moment),
    lhs_words="E||G_i(w_k)||^2 for MAML over the task and all batches",
    sharpness=Sharpness(
        "derived",
        """Supremum 67/72 = 0.9306, attained: (87) is LOOSE, its sharp form has 67/36 in place of 2.  By (85)
        (which holds, see its derivation) E||G_i||^2 <= E_i[(||I - alpha grad^2 f_i||^2 + alpha^2 sigma_H^2/D_h)
        E||v_i||^2], and the factor is at most (1 + alpha L)^2 + 1/2 = 49/36 + 1/2 = 67/36 under alpha L <= 1/6 and
        D_h >= 2 alpha^2 sigma_H^2 ((86) rounds it up to 2).  Equality: (85) an equality (d = 1, two-point Hessian
        noise), grad^2 f_i(w) = -L, alpha L = 1/6, alpha^2 sigma_H^2/D_h = 1/2 (D_h at the edge of the
        hypothesis).""",
        supremum=Rational(67, 72), attained=Rational(67, 72),
        extremal="""one quadratic task f(w) = -L w^2/2 in d = 1 at w = 0, two-point noise sigma~ = 1, sigma_H =
        (1 - 1e-12)/(sqrt(2) alpha), alpha L = 1/6, D_in = D_o = D_h = 1 (verify.checks.moments extremal
        'concave-quadratic', exact: 67/72 (1 - 1e-12))"""),
    **_MAML)

eq_88_outer_gradient_second_moment = Bound(
    id="eq_88_outer_gradient_second_moment",
    reference="Theorem F.1 proof, eq. (88); again as eq. (121) in the proof of Theorem G.1",
    kind=Kind.EXPECTATION,
    statement="E||grad~ f_i(w - alpha grad~ f_i(w, D_in), D_o)||^2 <= 2||grad F_i(w)||^2/(1 - alpha L)^2 "
              "+ 2 alpha^2 L^2 sigma~^2/D_in + sigma~^2/D_o.",
    lhs=outer_grad_second_moment, relation=Relation.LE,
    rhs=2 * grad_Fi_norm ** 2 / (1 - alpha * L) ** 2 + 2 * alpha ** 2 * L ** 2 * sigma_tilde ** 2 / D_in
        + sigma_tilde ** 2 / D_o,
    lhs_words="for every task i: E||grad~ f_i(w - alpha grad~ f_i(w, D_in), D_o)||^2 over independent "
              "batches D_in and D_o, against ||grad F_i(w)|| of (35b)",
    preconditions=(ALPHA_POSITIVE, ALPHA_AT_MOST_ONE_SIXTH_OVER_L),
    reading="Stated under alpha L <= 1/6 in F.1's proof and alpha L <= 1/10 in G.1's; encoded under the "
            "weaker alpha L <= 1/6.",
    sharpness=Sharpness(
        "derived",
        """Supremum 1, approached: (88) is sharp.  Upper bound: (88) itself, Lemma 4.10 (21) with phi = 1 and
        ||grad f_i(w - alpha grad f_i(w))|| <= ||grad F_i(w)||/(1 - alpha L) from (35b), both valid.  Approached
        with the D_o term dominant: w a critical point of a quadratic task (grad f_i(w) = 0, so grad F_i = 0 and
        the inner point is w), for which lhs = alpha^2 f''^2 sigma~^2/D_in + sigma~^2/D_o against 2 alpha^2 L^2
        sigma~^2/D_in + sigma~^2/D_o: the ratio tends to 1 as D_in -> infinity (0.99957 at D_in = 64, D_o = 1,
        alpha L = 1/6).  (Both steps are also tight at D_in = 1 with a smoothed kink of grad f_i at the inner
        point, f''(w) = +L and ||grad f_i(u)|| = alpha L sigma~: the limit eps -> 0 gives 1 as well.)""",
        supremum=1, attained=1,
        extremal="""one quadratic task f(w) = -L w^2/2 in d = 1 at w = 0, two-point noise sigma~ = 1, alpha L = 1/6,
        D_in = 64 -> infinity, D_o = 1 (verify.checks.moments extremal 'concave-quadratic', exact: 0.99957)"""))

eq_89_maml_second_moment = Bound(
    id="eq_89_maml_second_moment", reference="Theorem F.1 proof, eq. (89)", kind=Kind.EXPECTATION,
    statement="E||G_i(w_k)||^2 <= 40||grad F(w_k)||^2 + 14 sigma^2 + sigma~^2 (2/D_o + 1/(6 D_in)) for MAML.",
    lhs=direction_second_moment, relation=Relation.LE,
    rhs=40 * grad_F_norm ** 2 + 14 * sigma ** 2 + sigma_tilde ** 2 * (2 / D_o + 1 / (6 * D_in)),
    lhs_words="E||G_i(w_k)||^2 for MAML over the task and all batches",
    sharpness=Sharpness(
        "derived",
        """Supremum 67/72 = 0.9306, approached: (89) is LOOSE, its sharp constant on sigma~^2/D_o is 67/36 (the other
        terms are looser still).  Upper bound: E||G_i||^2 <= (67/36) E_i E||v_i||^2 ((85) and the sharp (86), see
        (87)); E||v_i||^2 <= (||grad f_i(u_i)|| + alpha L s_in)^2 + s_o^2 with s_in^2 = sigma~^2/D_in, s_o^2 =
        sigma~^2/D_o (Lipschitz gradient and Jensen, as in (21)).  Split lhs and rhs into the s_o part, ratio
        (67/36)/2 = 67/72, and the rest: with phi > 0, (67/36)[(1 + phi) X + (1 + 1/phi) alpha^2 L^2 s_in^2] against
        40 a^2 + 14 sigma^2 + s_in^2/6, where X = E_i||grad f_i(u_i)||^2 <= (1 + alpha L)^2 (||grad f||^2 + sigma^2)
        and ||grad f|| <= C_1 a + C_2 sigma (Lemma A.3 (33)); the largest X/(40 a^2 + 14 sigma^2) is K = 0.1614 (a
        2 x 2 generalised eigenvalue, at alpha L = 1/6 where it is largest), and phi = (1/6)/K gives (67/36)(1/6 +
        K) = 0.611 < 67/72.  A ratio of sums is at most the larger part's ratio, so lhs/rhs <= 67/72.  Approached:
        grad F = 0, sigma = 0 (one task at its critical point), the factor at 67/36 (grad^2 f = -L, alpha L = 1/6,
        alpha^2 sigma_H^2/D_h = 1/2), D_o = 1 and D_in -> infinity: ratio (67/36)(1/(36 D_in) + 1)/(2 + 1/(6 D_in))
        -> 67/72 (0.99913 of it at D_in = 64).""",
        supremum=Rational(67, 72), attained=Rational(67, 72),
        extremal="""one quadratic task f(w) = -L w^2/2 in d = 1 at w = 0, two-point noise sigma~ = 1, sigma_H =
        (1 - 1e-12)/(sqrt(2) alpha), alpha L = 1/6, D_in = 64 -> infinity, D_o = D_h = 1 (verify.checks.moments extremal
        'concave-quadratic', exact: 0.92975)"""),
    **_MAML)

# (94): the first step after (93).  L_k := L(w_k) of Lemma 4.8 (the proof's notation).
eq_94_decrease_by_grad_f = Bound(
    id="eq_94_decrease_by_grad_f", reference="Theorem F.1 proof, eq. (94)", kind=Kind.POINTWISE,
    statement="||grad F(w_k)||^2 / L_k >= ||grad F(w_k)||^2 / (4L + 2 rho alpha sigma + 2 rho alpha ||grad f(w_k)||).",
    lhs=grad_F_norm ** 2 / L_w, relation=Relation.GE,
    rhs=grad_F_norm ** 2 / (4 * L + 2 * rho * alpha * sigma + 2 * rho * alpha * grad_f_norm),
    lhs_words="||grad F(w)||^2 / L(w) with L(w) = 4L + 2 rho alpha E_i||grad f_i(w)|| (Lemma 4.8), against "
              "||grad f(w)|| of the expected loss (1), at a point w",
    preconditions=(ALPHA_POSITIVE, ALPHA_AT_MOST_ONE_SIXTH_OVER_L), definitions=(L_OF_W,),
    reading="L_k := L(w_k) of Lemma 4.8; sigma is Assumption 4.5's bound (the family's certified constant). Of F.1's "
            "hypotheses only alpha in (0, 1/(6L)] bears on it (D_h and B do not enter), as for (88).",
    sharpness=Sharpness(
        "derived",
        """Supremum of rhs/lhs 1, attained.  The ratio is (4L + 2 rho alpha E_i||grad f_i(w)||)/(4L + 2 rho alpha
        sigma + 2 rho alpha ||grad f(w)||) (||grad F||^2 cancels), at most 1 by (41): E_i||grad f_i(w)|| <=
        ||grad f(w)|| + E_i||grad f_i(w) - grad f(w)|| <= ||grad f(w)|| + sigma.  Equality when rho = 0
        (quadratic tasks: both sides are ||grad F||^2/(4L)), and for rho > 0 when grad f(w) = 0 and every task's
        gradient has norm sigma (the triangle and Jensen steps of (41) both tight).""",
        supremum=1, attained=1,
        extremal="""two quadratic tasks (rho = 0) at a point with grad F(w) != 0 (verify.checks.pointwise.EXTREMAL,
        extremal='quadratic'): ratio 1 to rounding"""),
    algorithm="maml")

# (90): Corollary A.1's (31) at u = w_{k+1}, the MAML step (5) from w_k; (97): (93) with (96); (98): Cauchy-Schwarz.
# Imported here, below the displays above, because statement.py's (93) is what (97) restates with (96).
from ..corollary_a_1.statement import F_descent_gap  # noqa: E402
from .._symbols import B, norm_w_minus_u  # noqa: E402
from .statement import HYPOTHESES as THEOREM_HYPOTHESES, theorem_f_1_descent  # noqa: E402

eq_90_descent_step = Bound(
    id="eq_90_descent_step", reference="Theorem F.1 proof, eq. (90)", kind=Kind.POINTWISE,
    statement="F(w_{k+1}) <= F(w_k) + grad F(w_k)'(w_{k+1} - w_k) + L_k/2 ||w_{k+1} - w_k||^2 for the MAML step "
              "w_{k+1} = w_k - beta_k (1/B) sum_{i in B_k} G_i(w_k).",
    lhs=F_descent_gap, relation=Relation.LE, rhs=L_w / 2 * norm_w_minus_u ** 2,
    lhs_words="for every draw of one MAML iteration from w_k (task batch B_k, batches D_in, D_o, D_h, stepsize "
              "beta_k = beta~(w_k)/12 from its batches B', D_beta): F(w_{k+1}) - F(w_k) - grad F(w_k)'(w_{k+1} - w_k) "
              "with the exact F of (2), against ||w_{k+1} - w_k||",
    preconditions=THEOREM_HYPOTHESES, definitions=(L_OF_W,), settings={"stepsize_factor": Rational(1, 12)},
    algorithm="maml",
    reading="Encoded in the gap form of (31): the display's second line substitutes w_{k+1} - w_k = -beta_k (1/B) "
            "sum_i G_i(w_k), which the check does by evaluating at the algorithm's own w_{k+1}. L_k := L(w_k).",
    sharpness=Sharpness(
        "upper_bound",
        """Supremum at most 1: (90) is Corollary A.1's (31) at u = w_{k+1}, whose supremum 1 is approached on a ridge
        with curvature rising and falling at slope rho (bounds/corollary_a_1/statement.py); whether MAML's own step
        reaches that configuration under F.1's alpha L <= 1/6 is not derived.  On quadratic tasks (rho = 0, L(w) =
        4L) the gap is s' grad^2 F s / 2 with grad^2 F = E_i (I - alpha A_i)^2 A_i, so the ratio is at most
        max_lambda lambda (1 - alpha lambda)^2/(4L) = (1 - alpha L)^2/4; one task f = L w^2/2 in d = 1 attains it for
        every step: 25/144 at alpha L = 1/6 (1/4 as alpha -> 0).""",
        supremum=1, attained=Rational(25, 144),
        extremal="""one quadratic task f(w) = L w^2/2 in d = 1, alpha L = 1/6, any step (ratio (1 - alpha L)^2/4 exactly;
        the check's random instances, verify.checks.descent STEP_LAW_CASES, stay below it)"""))

expected_grad_F_norm = declare_quantity(
    "expected_grad_F_norm", "E[||grad F(w_k)||] over the law of the iterate w_k",
    r"\mathbb{E}[\|\nabla F(w_k)\|]", GRADIENT, text="𝔼[‖∇F(w_k)‖]")
expected_grad_F_ratio = declare_quantity(
    "expected_grad_F_ratio",
    "E[||grad F(w_k)||^2 / (4L + 4 rho alpha sigma + 4 rho alpha ||grad F(w_k)||)] over the law of the iterate w_k",
    r"\mathbb{E}\left[\frac{\|\nabla F(w_k)\|^2}{4L+4\rho\alpha\sigma+4\rho\alpha\|\nabla F(w_k)\|}\right]", (1, 0),
    text="𝔼[‖∇F(w_k)‖²/(4L + 4ρασ + 4ρα‖∇F(w_k)‖)]")

eq_97_expected_descent = Bound(
    id="eq_97_expected_descent", reference="Theorem F.1 proof, eq. (97)", kind=Kind.EXPECTATION,
    statement="E[F(w_{k+1})] <= E[F(w_k)] - (1/100) E[||grad F(w_k)||^2/(4L + 4 rho alpha sigma + 4 rho alpha "
              "||grad F(w_k)||)] + (14 sigma^2 + 2 sigma~^2/D_o)/(368 L B) + sigma~^2/(96 L D_in).",
    lhs=theorem_f_1_descent.lhs, relation=Relation.LE,
    rhs=-grad_F_norm ** 2 / (100 * (4 * L + 4 * rho * alpha * sigma + 4 * rho * alpha * grad_F_norm))
        + (14 * sigma ** 2 + 2 * sigma_tilde ** 2 / D_o) / (368 * L * B) + sigma_tilde ** 2 / (96 * L * D_in),
    lhs_words="E[F(w_{k+1})] - F(w_k) for one MAML step (5) from a deterministic w_k with beta_k = beta~(w_k)/12, over "
              "the task batch, the data batches and the stepsize batches B', D_beta",
    preconditions=THEOREM_HYPOTHESES, settings=dict(theorem_f_1_descent.settings), algorithm="maml",
    reading="Judged at a deterministic w_k (the law of w_k a point mass, as at k = 0), where the total expectation "
            "of (97) is the conditional one of (93); the tower rule over a random w_k averages such instances.",
    sharpness=Sharpness(
        "not_derived",
        """(97) is a signed statement, like (93) which it weakens through (96) (||grad f|| <= 2||grad F|| + sigma, (95),
        in L_k): its right side is a guaranteed decrease plus positive batch-noise terms, so a single factor on it is
        no strengthening and the check's ratio 1 + (lhs - rhs)/|rhs| has no supremum one derivation gives; the steps
        (94)-(96) are checked and their constants re-derived on their own (eq_94_decrease_by_grad_f, the audit's
        f1_eq_95/f1_eq_96 steps). Not derived."""))

eq_98_cauchy_schwarz = Bound(
    id="eq_98_cauchy_schwarz", reference="Theorem F.1 proof, eq. (98)", kind=Kind.EXPECTATION,
    statement="E[||grad F||^2/(4L + 4 rho alpha sigma + 4 rho alpha ||grad F||)] >= E[||grad F||]^2 / "
              "(4L + 4 rho alpha sigma + 4 rho alpha E[||grad F||]) over the law of w_k.",
    lhs=expected_grad_F_ratio, relation=Relation.GE,
    rhs=expected_grad_F_norm ** 2 / (4 * L + 4 * rho * alpha * sigma + 4 * rho * alpha * expected_grad_F_norm),
    lhs_words="the mean over the law of the iterate w_k (a draw of one MAML iteration from w_0, or the point mass at "
              "w_0) of ||grad F(w_k)||^2/(4L + 4 rho alpha sigma + 4 rho alpha ||grad F(w_k)||), against the mean "
              "E||grad F(w_k)||",
    preconditions=(ALPHA_POSITIVE, ALPHA_AT_MOST_ONE_SIXTH_OVER_L), algorithm="maml",
    reading="The display's denominator E[4L + 4 rho alpha sigma + 4 rho alpha ||grad F(w_k)||] is written out (it is "
            "linear); of F.1's hypotheses only alpha in (0, 1/(6L)] enters the expression.",
    sharpness=Sharpness(
        "derived",
        """Supremum of rhs/lhs 1, attained.  Cauchy-Schwarz E[X] E[Y] >= E[sqrt(XY)]^2 with X = Z^2/Y, Y = 4L + 4 rho
        alpha sigma + 4 rho alpha Z, Z = ||grad F(w_k)|| (the proof's choice before (98)): equality iff X/Y is
        constant, i.e. Z/Y constant, i.e. Z deterministic when rho alpha > 0 (any law when rho = 0, where Y is
        constant).  The point mass of w_0 (k = 0) attains it.""",
        supremum=1, attained=1,
        extremal="""the law of w_0, a point mass (verify.checks.descent STEP_LAW_EDGE, iterate = 0), on noisy
        trigonometric tasks: ratio 1 to rounding"""))
