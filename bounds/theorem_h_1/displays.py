"""Theorem H.1's proof, eqs. (127)-(149): the mean and the moments of HF-MAML's direction G_i(w_k).

G_i(w_k) := grad~ f_i(w_k - alpha grad~ f_i(w_k, D_in^i), D_o^i) - alpha d_k^i with d_k^i of (11),
v := grad~ f_i(w_k - alpha grad~ f_i(w_k, D_in^i), D_o^i), delta_k^i = delta / ||v|| (135),
delta := 1/(6 rho alpha), u_i := w_k - alpha grad f_i(w_k).  The mean of G_i, (126)-(138):

    e_{i,k} := grad f_i(u_i) - E_{D_in,D_o}[v]                                          (126)
    E[G_i(w)] = E_i[grad f_i(u_i)] + E_i[e_{i,k}] - alpha E[d_k^i]                       (127)
    E_{D_o,D_in,D_h}[d_k^i] = E_{D_o,D_in}[(grad f_i(w_k + delta_k^i v) - grad f_i(w_k - delta_k^i v)) / (2 delta_k^i)]
                            = E_{D_o,D_in}[grad^2 f_i(w_k) v + e~_k^i]                  (128)
    e~_k^i := grad^2 f_i(w_k) v - (grad f_i(w_k + delta_k^i v) - grad f_i(w_k - delta_k^i v)) / (2 delta_k^i)   (129)
    E[d_k^i] = grad^2 f_i(w_k) (grad f_i(u_i) + e_{i,k}) + E_{D_o,D_in}[e~_k^i]          (130)
    E[G_i(w)] = grad F(w_k) + E_i[(I - alpha grad^2 f_i(w_k)) e_{i,k}] - alpha E[e~_k^i]  (131)
    ||e_{i,k}|| <= alpha L sigma~ / sqrt(D_in)                                           (132)
    E_i[(I - alpha grad^2 f_i(w_k)) e_{i,k}] <= E_i[||I - alpha grad^2 f_i|| ||e_{i,k}||] <= (1 + alpha L) alpha L sigma~ / sqrt(D_in)   (133)
    ||e~_k^i|| <= rho delta_k^i ||v||^2                                                   (134)
    delta_k^i = delta / ||v||, delta := 1/(6 rho alpha)                                  (135)
    ||e~_k^i|| <= rho delta ||v||                                                         (136)
    ||E[e~_k^i]|| <= E[E_{D_o,D_in}||e~_k^i||] <= rho delta E_i E_{D_o,D_in}||v||
                  <= rho delta E_i[grad f_i(u_i)] + rho delta alpha L sigma~ / sqrt(D_in)  (137)
                  <= rho delta E_i[(I - alpha grad^2 f_i(w_k))^{-1} grad F_i(w_k)] + rho delta alpha L sigma~ / sqrt(D_in)
                  <= rho delta / (1 - alpha L) grad F(w_k) + rho delta alpha L sigma~ / sqrt(D_in)           (138)

(126), (129) and (135) define, (132) restates Lemma 4.10's (20) (bounds/NOT_CHECKED.md); (131) is
registered with (139) as eq_139_hf_maml_bias_identity.  Readings of (126)-(138).  The signs are
encoded as printed: e_{i,k} as (126) defines it in (127) and (130) (Lemma 4.10's (20) and Appendix
F define it with the opposite sign, which (127) and (130) follow: they are inconsistent with (126));
e~ as (129) defines it in (128) and (130) ((128) writes the central difference as grad^2 f_i v + e~,
(129) makes it grad^2 f_i v - e~: the two are inconsistent, and (130), (131), (139) carry (128)'s
sign).  (131)/(139) read e_{i,k} as Lemma 4.10 does.  (128) and (130) are claims for every task;
their check judges sqrt(sum_i p_i ||residual_i||^2), which is 0 exactly when every task's is.
(133), (137), (138) print vectors where norms are meant (E_i[(I - alpha grad^2 f_i) e_{i,k}],
E_i[grad f_i(u_i)], grad F(w_k)); encoded with the norms, (137)'s E_i of the norms as its own
chain requires.  (137) is a chain of three inequalities, encoded as two Bounds: its first two
(Jensen, then (136)) and its last ("follows from Lemma 4.10"); (138)'s first inequality is an
equality by (35b) (grad f_i(u_i) = (I - alpha grad^2 f_i(w_k))^{-1} grad F_i(w_k)) and (138) is
encoded from (137)'s right end to its own.  (134) is (9) at the algorithm's v, for any step
delta_k^i; (136) is it with the step of (135).

Sharpness of (127)-(138) (each Bound's ``sharpness`` has the derivation): (133) supremum 1,
approached ((80)'s equality case: it is MAML's bias r_k of (79)); (134), (136) supremum 1/2,
attained ((9)'s: a kink of the Hessian at w_k); (137) first part supremum 1/2, attained (a tent of
the curvature at w_k, v of one sign); (137) last part and (138) false (recorded findings: the first
misses the outer batch's noise sigma~/sqrt(D_o), the second bounds E_i||grad f_i(u_i)|| by
||grad F(w_k)||, Jensen's inequality the wrong way round).

The moments of G_i, (139)-(149), under Theorem H.1's hypotheses:

    E[G_i(w_k)] = grad F(w_k) + s_k,
    s_k = E_i[(I - alpha grad^2 f_i(w_k)) e_{i,k}] - alpha E[e~_k^i]                    (131), (139)
    ||s_k|| <= rho delta alpha / (1 - alpha L) grad F(w_k) + (1 + alpha L + rho delta alpha) alpha L sigma~ / sqrt(D_in)
            <= 0.2 grad F(w_k) + 0.3 sigma~ / sqrt(D_in)                                 (140)
    ||E[G_i(w)]||^2 <= 2.2 ||grad F(w_k)||^2 + 0.4 sigma~^2 / D_in                        (141)
    E||G_i(w_k)||^2 <= 2 E||grad~ f_i(...)||^2 + 2 alpha^2 E_i E||d_k^i||^2                 (142)
    E||d_k^i||^2 <= E[||(grad f_i(w_k + delta_k^i v) - grad f_i(w_k - delta_k^i v)) / (2 delta_k^i)||^2
                      + sigma~^2 / (D_h (delta_k^i)^2)]                                 (143)
    E||d_k^i||^2 <= (sigma~^2 / (D_h delta^2) + 2 L^2 + 2 rho^2 delta^2) E||grad~ f_i(...)||^2      (144)
    E||G_i(w_k)||^2 <= (2 + 2 alpha^2 (sigma~^2 / (D_h delta^2) + 2 L^2 + 2 rho^2 delta^2)) E||grad~ f_i(...)||^2
                    <= 4.3 E||grad~ f_i(...)||^2                                          (145)
    E||G_i(w_k)||^2 <= 4.3 (1 + 1/10) E||grad f_i(w_k - alpha grad f_i(w_k))||^2
                       + 47.3 alpha^2 L^2 sigma~^2 / D_in + 4.3 sigma~^2 / D_o            (146)
                    <= 5 E||grad f_i(w_k - alpha grad f_i(w_k))||^2 + 5 sigma~^2 (1/D_in + 1/D_o)   (147)
                    <= 5 / (1 - alpha L)^2 E||grad F_i(w_k)||^2 + 5 sigma~^2 (1/D_in + 1/D_o)     (148)
    E||G_i(w_k)||^2 <= 50 ||grad F(x)||^2 + 18 sigma^2 + 5 sigma~^2 (1/D_in + 1/D_o)     (149)

Readings.  (140) writes "grad F(w_k)" where a norm is meant; encoded with the norm.
(149)'s "grad F(x)" is grad F(w_k).  In (143) the batch D_h is shared by both gradient
evaluations of (11), which the variance term sigma~^2/(D_h (delta_k^i)^2) accounts for
through Var(X - Y) <= 2 (Var X + Var Y).  In (140), (144) and (145) delta is the
constant 1/(6 rho alpha) of (135), named delta_H here to keep it apart from the
finite-difference step delta of (9), which multiplies a gradient.

Sharpness of (140): none, the ratio is unbounded (recorded findings
h1-eq-140-bias-bound-misses-task-variance and its numeric twin): at a stationary point of F the
right side is proportional to sigma~/sqrt(D_in), while HF-MAML's bias tends to alpha ||E_i e~_i|| > 0
as sigma~ -> 0 (the step delta_k^i ||v|| = 1/(6 rho alpha) of (135) is of fixed length).

Sharpness of (141)-(149) (each Bound's ``sharpness`` has the full derivation).  Write HF-MAML's d of
(11) as A v + n: A is the mean of grad^2 f_i over the segment [w - delta_k v, w + delta_k v] (||A|| <= L),
n the D_h batch's noise difference over 2 delta_k (E[n | v] = 0, E||n||^2 <= N ||v||^2 with
N := sigma~^2/(D_h delta^2), delta_k = delta/||v||).  Then, with x = alpha L <= 1/6:
  (141)  false (recorded finding): it rests on (140); a curvature tent at a stationary point of F
         gives ||E G||^2 / rhs = 498 at sigma~ = 0.01, growing like 1/sigma~^2.
  (142)  supremum 49/74 = (1 + x)^2/(2 + 2x^2) at x = 1/6, attained (curvature -L along v): LOOSE.
  (143)  supremum 1, attained by noise opposite at w +- delta_k v (Var(X - Y) <= 2(Var X + Var Y) tight).
  (144)  supremum 1, approached: (L^2 + N)/(N + 2L^2 + 1/(18 alpha^2)) with N = 1 allowed by the printed
         D_h hypothesis and alpha -> infinity; 1/4 for noise independent of w.
  (145a) supremum 49/80 = (1 + x)^2/(2 + 4x^2 + 1/9), approached as alpha^2 N -> 0: LOOSE.
  (145b)-(149)  false over the printed class (recorded findings): noise opposite at the two points
         of (11) makes lhs = ((1 + x)^2 + alpha^2 N) E||v||^2 with N = 1 at any alpha (the face of the recorded
         finding h1-eq-145-constant-unbounded-under-printed-hessian-batch).  For noise independent of w:
         (145b) and (146) have supremum (1 + x)^2/4.3 = 245/774, (147) at most (1 + x)^2 (1 + x^2)/5 = 1813/6480
         and at least 49/180, (148) between 49/180 and 1813/6480, (149) at least 49/180 (the rest needs a
         correct Lemma A.3 (34)).
"""
from sympy import Rational, sqrt

from .._core import Bound, Definition, Kind, Relation
from .._core import Sharpness  # (140)
from .._hypotheses import ALPHA_AT_MOST_ONE_SIXTH_OVER_L, ALPHA_POSITIVE, HESSIAN_BATCH_HF_MAML
from .._proof_quantities import direction_bias_norm, direction_second_moment, mean_direction_norm
from .._symbols import (DISPLACEMENT, GRADIENT, D_h, D_in, D_o, L, alpha, declare_defined, declare_quantity, delta,
    grad_F_norm, grad_fi_inner_norm, grad_Fi_norm, outer_grad_mean_norm, outer_grad_sample_norm,
    outer_grad_second_moment, rho, sigma, sigma_tilde)
from .._taskmean import TaskMean

HYPOTHESES = (ALPHA_POSITIVE, ALPHA_AT_MOST_ONE_SIXTH_OVER_L, HESSIAN_BATCH_HF_MAML)

delta_H = declare_defined("delta_H", "delta := 1/(6 rho alpha) of (135), a length", r"\delta",
                          "<mi>&#948;</mi>", DISPLACEMENT, positive=True)
DELTA_H = Definition(delta_H, 1 / (6 * rho * alpha), "eq. (135)")

# The extremal instances of (142)-(149) (verify.checks.moments HF_PLATEAU, HF_SWITCH), described once.
_PLATEAU_INSTANCE = """HessianProfileFamily.concave_plateau (verify/model/families/hessian_profile.py): one ridge task,
        curvature -L on [-1.5 delta, 1.5 delta] (delta = 1/(6 rho alpha)), ramps of slope rho to +L beyond, w = 0 (a
        critical point); L = rho = 1, alpha L = 1/6; two-point noise sigma~ = 0.1 along the ridge (NoisyFamily,
        independent of w); D_in = 64, D_o = 1, D_h = 1 (the edge of H.1's hypothesis); exact enumeration
        (verify.checks.moments HF_PLATEAU)"""
_SWITCH_INSTANCE = """SwitchingNoiseFamily over HessianProfileFamily.concave_plateau (verify/model/families/hessian_profile.py):
        per-sample gradient noise s sigma~ sin(pi (u'w - t0)/(2 delta)) u with t0 = u'w, so the batch noise is opposite
        at the two points w +- delta_k v of (11); L = 0.01, rho = 1, sigma~ = 0.01, alpha L = 1/6 (alpha = 16.7,
        alpha rho sigma~ = 1/6), w = u, D_in = D_o = D_h = 1; exact enumeration (verify.checks.moments HF_SWITCH)"""

_HF = dict(preconditions=HYPOTHESES, algorithm="hf_maml", definitions=(DELTA_H,))

s_k_identity_residual = declare_quantity(
    "s_k_identity_residual",
    "||E[G_i(w_k)] - grad F(w_k) - (E_i[(I - alpha grad^2 f_i(w_k)) e_{i,k}] - alpha E[e~_k^i])||",
    r"\|\mathbb{E}[G_i]-\nabla F-(\mathbb{E}_i[(I-\alpha\nabla^2 f_i)e_{i,k}]-\alpha\mathbb{E}[\tilde e^i_k])\|",
    GRADIENT, text="‖𝔼[Gᵢ] − ∇F − (𝔼ᵢ[(I − α∇²fᵢ)e_{i,k}] − α𝔼[ẽᵢ_k])‖")
fd_direction_second_moment = declare_quantity(
    "fd_direction_second_moment", "E||d_k^i||^2 over D_in, D_o, D_h for one task",
    r"\mathbb{E}\|d^i_k\|^2", (4, -6), per_task=True, text="𝔼‖dᵢ_k‖²")
fd_direction_exact_second_moment = declare_quantity(
    "fd_direction_exact_second_moment",
    "E_{D_in,D_o}||(grad f_i(w + delta_k v) - grad f_i(w - delta_k v)) / (2 delta_k)||^2 with exact gradients",
    r"\mathbb{E}\left\|\frac{\nabla f_i(w_k+\delta^i_k v)-\nabla f_i(w_k-\delta^i_k v)}{2\delta^i_k}\right\|^2",
    (4, -6), per_task=True, text="𝔼‖(∇fᵢ(w_k + δᵢ_k v) − ∇fᵢ(w_k − δᵢ_k v))/(2δᵢ_k)‖²")
outer_grad_second_moment_over_delta_sq = declare_quantity(
    "inverse_delta_sq_mean", "E_{D_in,D_o}[1/(delta_k^i)^2] for one task, delta_k^i of the H.1 rule",
    r"\mathbb{E}[(\delta^i_k)^{-2}]", (2, -4), per_task=True, text="𝔼[(δᵢ_k)⁻²]")

# ---------------------------------------------------------------------- (126)-(138): the mean of G_i
direction_mean_split_residual = declare_quantity(
    "direction_mean_split_residual",
    "||E[G_i(w_k)] - E_i[grad f_i(w_k - alpha grad f_i(w_k))] - E_i[e_{i,k}] + alpha E[d_k^i]||, e_{i,k} of (126)",
    r"\|\mathbb{E}[G_i]-\mathbb{E}_i[\nabla f_i(w_k-\alpha\nabla f_i(w_k))]-\mathbb{E}_i[e_{i,k}]"
    r"+\alpha\mathbb{E}[d^i_k]\|",
    GRADIENT, text="‖𝔼[Gᵢ] − 𝔼ᵢ[∇fᵢ(w_k − α∇fᵢ(w_k))] − 𝔼ᵢ[e_{i,k}] + α𝔼[dᵢ_k]‖")
fd_direction_mean_residual = declare_quantity(
    "fd_direction_mean_residual",
    "(sum_i p_i ||E[d_k^i] - E_{D_o,D_in}[grad^2 f_i(w_k) v + e~_k^i]||^2)^(1/2): (128)'s residual over the tasks",
    r"\big(\mathbb{E}_i\|\mathbb{E}[d^i_k]-\mathbb{E}[\nabla^2 f_i(w_k)v+\tilde e^i_k]\|^2\big)^{1/2}",
    (2, -3), text="(𝔼ᵢ‖𝔼[dᵢ_k] − 𝔼[∇²fᵢ(w_k)v + ẽᵢ_k]‖²)^½")
fd_direction_mean_simplified_residual = declare_quantity(
    "fd_direction_mean_simplified_residual",
    "(sum_i p_i ||E[d_k^i] - grad^2 f_i(w_k)(grad f_i(w_k - alpha grad f_i(w_k)) + e_{i,k}) - E[e~_k^i]||^2)^(1/2): "
    "(130)'s residual over the tasks",
    r"\big(\mathbb{E}_i\|\mathbb{E}[d^i_k]-\nabla^2 f_i(w_k)(\nabla f_i(w_k-\alpha\nabla f_i(w_k))+e_{i,k})"
    r"-\mathbb{E}[\tilde e^i_k]\|^2\big)^{1/2}",
    (2, -3), text="(𝔼ᵢ‖𝔼[dᵢ_k] − ∇²fᵢ(w_k)(∇fᵢ(w_k − α∇fᵢ(w_k)) + e_{i,k}) − 𝔼[ẽᵢ_k]‖²)^½")
e_term_norm = declare_quantity(
    "e_term_norm", "||E_i[(I - alpha grad^2 f_i(w_k)) e_{i,k}]||, the e-term of (131)",
    r"\|\mathbb{E}_i[(I-\alpha\nabla^2 f_i(w_k))e_{i,k}]\|", GRADIENT, text="‖𝔼ᵢ[(I − α∇²fᵢ(w_k))e_{i,k}]‖")
fd_remainder_norm = declare_quantity(
    "fd_remainder_norm", "||e~_k^i|| of (129) for one draw of v, per task",
    r"\|\tilde e^i_k\|", (2, -3), per_task=True, text="‖ẽᵢ_k‖")
fd_remainder_mean_norm = declare_quantity(
    "fd_remainder_mean_norm", "||E[e~_k^i]|| = ||E_i E_{D_o,D_in}[e~_k^i]||, e~ of (129)",
    r"\|\mathbb{E}[\tilde e^i_k]\|", (2, -3), text="‖𝔼[ẽᵢ_k]‖")

# The two signs the proof mixes (recorded findings h1-eq-127-sign-of-e-against-126, h1-eq-131-sign-of-the-finite-
# difference-remainder): the readings of (127), (128), (130), shared by their Bounds.
_E_OF_126 = ("e_{i,k} as (126) defines it, grad f_i(u_i) - E_{D_in,D_o}[v] ('Using the definition (126) we can "
             "write'); Lemma 4.10's (20) and Appendix F define e_{i,k} := E_{D_in,D_o}[v] - grad f_i(u_i), the sign "
             "(127) and (130) follow, so with (126)'s e_{i,k} they leave 2 ||E_i e_{i,k}||.")
_E_TILDE_OF_129 = ("e~_k^i as (129) defines it, grad^2 f_i(w_k) v minus the central difference, so that the central "
                   "difference is grad^2 f_i(w_k) v - e~_k^i, while (128) writes + e~_k^i.")

eq_127_hf_maml_mean_direction_split = Bound(
    id="eq_127_hf_maml_mean_direction_split", reference="Theorem H.1 proof, eq. (127)", kind=Kind.CLOSED_FORM,
    statement="E[G_i(w)] = E_i[grad f_i(w_k - alpha grad f_i(w_k))] + E_i[e_{i,k}] - alpha E[d_k^i], e_{i,k} of (126).",
    lhs=direction_mean_split_residual, relation=Relation.EQ, rhs=0,
    lhs_words="the norm of E[G_i(w_k)] - E_i[grad f_i(u_i)] - E_i[e_{i,k}] + alpha E[d_k^i] for HF-MAML with the "
              "delta rule of H.1, the expectation over the task and all batches, e_{i,k} of (126)",
    reading="(127) is read with " + _E_OF_126,
    **_HF)

eq_128_fd_direction_mean = Bound(
    id="eq_128_fd_direction_mean", reference="Theorem H.1 proof, eq. (128)", kind=Kind.CLOSED_FORM,
    statement="E_{D_o,D_in,D_h}[d_k^i] = E_{D_o,D_in}[grad^2 f_i(w_k) v + e~_k^i] for every task, e~ of (129).",
    lhs=fd_direction_mean_residual, relation=Relation.EQ, rhs=0,
    lhs_words="(sum_i p_i ||r_i||^2)^(1/2), r_i the mean over D_in, D_o, D_h of d_k^i (11) (one batch D_h at both "
              "points, the delta rule of H.1) minus the mean over D_in, D_o of grad^2 f_i(w_k) v + e~_k^i, e~ of (129)",
    reading="(128) is read with " + _E_TILDE_OF_129 + " Its first equality (the mean over D_h of the two sample "
            "gradients of one batch is the difference of the exact ones) is part of what the residual measures.",
    **_HF)

eq_130_fd_direction_mean_simplified = Bound(
    id="eq_130_fd_direction_mean_simplified", reference="Theorem H.1 proof, eq. (130)", kind=Kind.CLOSED_FORM,
    statement="E[d_k^i] = grad^2 f_i(w_k)(grad f_i(w_k - alpha grad f_i(w_k)) + e_{i,k}) + E[e~_k^i] for every task.",
    lhs=fd_direction_mean_simplified_residual, relation=Relation.EQ, rhs=0,
    lhs_words="(sum_i p_i ||r_i||^2)^(1/2), r_i the mean of d_k^i (11) minus grad^2 f_i(w_k)(grad f_i(u_i) + "
              "e_{i,k}) minus the mean of e~_k^i, e_{i,k} of (126), e~ of (129)",
    reading="(130) is read with " + _E_OF_126 + " And with " + _E_TILDE_OF_129,
    **_HF)

eq_133_hf_maml_bias_e_term = Bound(
    id="eq_133_hf_maml_bias_e_term", reference="Theorem H.1 proof, eq. (133)", kind=Kind.EXPECTATION,
    statement="||E_i[(I - alpha grad^2 f_i(w_k)) e_{i,k}]|| <= (1 + alpha L) alpha L sigma~ / sqrt(D_in).",
    lhs=e_term_norm, relation=Relation.LE, rhs=(1 + alpha * L) * alpha * L * sigma_tilde / sqrt(D_in),
    lhs_words="the norm of the task mean of (I - alpha grad^2 f_i(w_k)) e_{i,k}, e_{i,k} the bias of the stochastic "
              "outer gradient (Lemma 4.10, (20); the norm makes (126)'s sign immaterial)",
    reading="(133)'s left side has no norm; read with it. Its middle member E_i[||I - alpha grad^2 f_i|| "
            "||e_{i,k}||] (the triangle inequality) is not encoded on its own: the claim is from end to end.",
    sharpness=Sharpness(
        "derived",
        """Supremum 1, approached, not attained.  E_i[(I - alpha grad^2 f_i(w_k)) e_{i,k}] is MAML's bias r_k of (79),
        and (133) is (80) under H.1's hypotheses: ||I - alpha grad^2 f_i|| <= 1 + alpha L ((30a)) and ||e_{i,k}|| <=
        alpha L sigma~/sqrt(D_in) (Lemma 4.10 (20), i.e. (132), by (62): the norm of a mean, the Lipschitz step,
        Jensen), so lhs/rhs <= 1.  Every step is tight at once when grad^2 f_i(w_k) = -L along e_{i,k} and grad f_i
        has a kink at the inner point u_i (affine gradients give e = 0) with two-point noise and D_in = 1: in d = 1,
        f_i'(x) = c + L h_eps(x - u), |.| smoothed on the scale eps (rho = L/eps, which H.1's hypotheses leave free,
        D_h following it), gives e_{i,k} = L(alpha sigma~ - eps/2), so lhs/rhs = 1 - eps/(2 alpha sigma~) -> 1.""",
        supremum=1, attained=Rational(1999, 2000),
        extremal="""(80)'s extremal instance: verify/model/families/kinked.py KinkedGradientFamily.at_inner_kink(side=-1),
        one task, L = 1, alpha L = 1/6, two-point noise sigma~ = 10^-0.5, D_in = D_o = 1, eps = 1e-3 alpha sigma~
        (verify.checks.bias kinked-two-point); ratio 1 - eps/(2 alpha sigma~) = 1999/2000"""),
    **_HF)

# (134), (136): (9) at the algorithm's v; the extremal instance is (9)'s, with a gradient along the ridge so that v
# is not 0 (verify.checks.pointwise EXTREMAL, extremal 'kink' with 'offset').
_FD_REMAINDER_SHARPNESS = dict(
    supremum=Rational(1, 2), attained=Rational(1, 2),
    extremal="""ridge family (verify/model/families/ridge.py), one task with the curvature profile min(rho |t|, L) along
    e_1 (rho = L = 1, a kink of the Hessian at t = 0) and the linear term e_1 (so v = grad f(w_k - alpha grad f(w_k))
    = (1 - rho alpha^2/2) e_1 is not 0), w_k at the kink, alpha L = 1/6, so that delta_k^i ||v|| <= L/rho
    (verify.checks.pointwise.EXTREMAL, extremal='kink', offset=1): ratio 1/2""")

eq_134_fd_remainder = Bound(
    id="eq_134_fd_remainder", reference="Theorem H.1 proof, eq. (134)", kind=Kind.POINTWISE,
    statement="||e~_k^i|| <= rho delta_k^i ||grad~ f_i(w_k - alpha grad~ f_i(w_k, D_in), D_o)||^2 for every task.",
    lhs=fd_remainder_norm, relation=Relation.LE, rhs=rho * delta * outer_grad_sample_norm ** 2,
    lhs_words="for every task: ||e~_k^i|| of (129), the exact Hessian-vector product at w_k minus the central "
              "difference of exact gradients with the step delta_k^i, at v = the task's outer gradient",
    reading="(134) is (9) at v = grad~ f_i(w_k - alpha grad~ f_i(w_k, D_in^i), D_o^i) and delta = delta_k^i, "
            "for any step delta_k^i (the rule (135) comes after it); one step for every task.",
    sharpness=Sharpness(
        "derived",
        """Supremum 1/2, attained: (134) is LOOSE by a factor 2, as (9) is.  The difference of gradients is
        int_{-1}^{1} grad^2 f_i(w_k + t delta v) delta v dt, so ||e~_k^i|| = ||(1/2) int_{-1}^{1} (grad^2 f_i(w_k +
        t delta v) - grad^2 f_i(w_k)) v dt|| <= rho delta ||v||^2 / 2 (Assumption 4.4).  Equality when the
        curvature along v rises by rho |t| delta ||v|| on both sides of w_k (a kink of the Hessian at w_k, v
        across it), whatever v, as long as the segment stays where the profile is rho |t|.""",
        **_FD_REMAINDER_SHARPNESS),
    preconditions=HYPOTHESES, algorithm="hf_maml")

eq_136_fd_remainder_delta_rule = Bound(
    id="eq_136_fd_remainder_delta_rule", reference="Theorem H.1 proof, eq. (136)", kind=Kind.POINTWISE,
    statement="||e~_k^i|| <= rho delta ||grad~ f_i(w_k - alpha grad~ f_i(w_k, D_in), D_o)|| with delta_k^i of (135).",
    lhs=fd_remainder_norm, relation=Relation.LE, rhs=rho * delta_H * outer_grad_sample_norm,
    lhs_words="for every task: ||e~_k^i|| of (129) with delta_k^i = delta / ||v|| of (135) (the registry's delta "
              "rule of Theorem H.1), v the task's outer gradient",
    reading="(136) is (134) with delta_k^i = delta/||v||: rho delta_k^i ||v||^2 = rho delta ||v||.",
    sharpness=Sharpness(
        "derived",
        """Supremum 1/2, attained: (136) is LOOSE by a factor 2.  It is (134) (the bound (9), whose sharp form is
        rho delta_k^i ||v||^2 / 2) with delta_k^i ||v|| = delta = 1/(6 rho alpha) of (135), so ||e~_k^i|| <= rho
        delta ||v|| / 2.  Equality at a kink of the Hessian at w_k with v across it (the equality case of (9))
        when the segment of length delta = 1/(6 rho alpha) on each side stays on the kink's slopes, i.e.
        delta <= L/rho: alpha L >= 1/6, the end of H.1's range.""",
        **_FD_REMAINDER_SHARPNESS),
    **_HF)

eq_137_fd_remainder_mean = Bound(
    id="eq_137_fd_remainder_mean", reference="Theorem H.1 proof, eq. (137), first two inequalities",
    kind=Kind.EXPECTATION,
    statement="||E[e~_k^i]|| <= E[E_{D_o,D_in}||e~_k^i||] <= rho delta E_i E_{D_o,D_in}||grad~ f_i(...)||.",
    lhs=fd_remainder_mean_norm, relation=Relation.LE, rhs=rho * delta_H * TaskMean(outer_grad_mean_norm),
    lhs_words="||E_i E_{D_o,D_in}[e~_k^i]|| for HF-MAML's v and the delta rule of H.1, e~ of (129)",
    reading="The first member to the third of (137)'s chain: Jensen's inequality, then (136).",
    sharpness=Sharpness(
        "derived",
        """Supremum 1/2, attained: LOOSE by a factor 2.  ||E[e~]|| <= E||e~|| (Jensen) and ||e~_k^i|| <= rho delta ||v||
        / 2 (the sharp form of (136), i.e. of (9)), so lhs/rhs <= 1/2.  Both are equalities when e~_k^i = (rho delta / 2)
        v for every draw and v keeps one direction: one task whose curvature along v is a tent at w_k, h(t) = L -
        rho |t| (clipped at 0), with delta = L/rho (alpha L = 1/6, delta := 1/(6 rho alpha) of (135)), so the central
        difference is the mean L/2 of the tent times v and e~ = (L/2) v = (rho delta/2) v, and a gradient at the
        inner points large against the noise (v > 0 along the ridge in every draw).""",
        supremum=Rational(1, 2), attained=Rational(1, 2),
        extremal="""HessianProfileFamily (verify/model/families/hessian_profile.py), one ridge task with the curvature
        tent h(t) = max(0, L - rho |t|) (L = rho = 1) and phi'(0) = 1, w = 0, alpha L = 1/6 (delta = L/rho), two-point
        noise sigma~ = 0.1 along the ridge, D_in = D_o = 1, D_h at the edge of H.1's hypothesis; exact enumeration
        (verify.checks.moments HF_TENT_SINGLE): ratio 1/2"""),
    **_HF)

eq_137_outer_gradient_mean_norm = Bound(
    id="eq_137_outer_gradient_mean_norm", reference="Theorem H.1 proof, eq. (137), last inequality",
    kind=Kind.EXPECTATION,
    statement="rho delta E_i E||grad~ f_i(w_k - alpha grad~ f_i(w_k, D_in), D_o)|| <= rho delta E_i||grad f_i(w_k - "
              "alpha grad f_i(w_k))|| + rho delta alpha L sigma~ / sqrt(D_in).",
    lhs=rho * delta_H * TaskMean(outer_grad_mean_norm), relation=Relation.LE,
    rhs=rho * delta_H * TaskMean(grad_fi_inner_norm) + rho * delta_H * alpha * L * sigma_tilde / sqrt(D_in),
    lhs_words="rho delta times the task mean of E_{D_o,D_in}||v||, v the task's stochastic outer gradient",
    reading="(137) writes E_i[grad f_i(w_k - alpha grad f_i(w_k))] where the chain needs the mean of the norms; read "
            "with the norms. 'where (137) follows from Lemma 4.10'.",
    sharpness=Sharpness(
        "not_derived",
        """No finite supremum: the statement is FALSE (recorded finding h1-eq-137-outer-gradient-norm-misses-the-outer-
        batch-noise).  E_{D_o}||grad~ f_i(x, D_o)|| is not bounded by ||grad f_i(x)||: the outer batch's noise adds up
        to sigma~/sqrt(D_o), which the right side lacks (Lemma 4.10's (20) bounds the norm of the mean E[v] - grad
        f_i(u_i), not the mean of the norm; its (21) gives E||v|| <= sqrt(E||v||^2), with sigma~^2/D_o).  Where
        grad f_i(u_i) = 0 and sigma~ > 0, lhs/rhs >= (1 - alpha L) sqrt(D_in)/(alpha L) for two-point noise with
        D_o = 1 (|v| >= sigma~ (1 - alpha L)), unbounded as D_in grows.  Exact instance: one concave ridge task
        at its critical point, alpha L = 1/6, sigma~ = 0.1, D_in = 64, D_o = 1: |v| = sigma~ |s_o + s_in/6| = sigma~ in every draw (s_o, s_in the batches' sign means), so lhs/rhs = 6 sqrt(D_in) = 48.""",
        extremal="""HessianProfileFamily.concave_plateau (verify/model/families/hessian_profile.py), one task, w = 0 a
        critical point (grad f_i(u_i) = 0), L = rho = 1, alpha L = 1/6, two-point noise sigma~ = 0.1, D_in = 64,
        D_o = 1, D_h at the edge of H.1's hypothesis; exact enumeration (verify.checks.moments HF_PLATEAU)"""),
    **_HF)

eq_138_task_gradients_by_grad_f = Bound(
    id="eq_138_task_gradients_by_grad_f", reference="Theorem H.1 proof, eq. (138)", kind=Kind.POINTWISE,
    statement="rho delta E_i||grad f_i(w_k - alpha grad f_i(w_k))|| + rho delta alpha L sigma~/sqrt(D_in) <= "
              "rho delta / (1 - alpha L) ||grad F(w_k)|| + rho delta alpha L sigma~/sqrt(D_in).",
    lhs=rho * delta_H * TaskMean(grad_fi_inner_norm) + rho * delta_H * alpha * L * sigma_tilde / sqrt(D_in),
    relation=Relation.LE,
    rhs=rho * delta_H / (1 - alpha * L) * grad_F_norm + rho * delta_H * alpha * L * sigma_tilde / sqrt(D_in),
    lhs_words="(137)'s right end: rho delta times the task mean of ||grad f_i(w_k - alpha grad f_i(w_k))||, exact "
              "gradients, plus rho delta alpha L sigma~/sqrt(D_in)",
    reading="(137)-(138) write E_i[grad f_i(...)], E_i[(I - alpha grad^2 f_i)^{-1} grad F_i] and grad F(w_k) where "
            "norms are meant; read with them. (138)'s first inequality is an equality by (35b); encoded from "
            "(137)'s right end to (138)'s.",
    sharpness=Sharpness(
        "not_derived",
        """No finite supremum: the statement is FALSE (recorded finding h1-eq-138-task-gradients-bounded-by-grad-F).
        With the norms, (138)'s middle member is rho delta E_i||(I - alpha grad^2 f_i)^{-1} grad F_i(w_k)|| (by (35b)),
        at most rho delta/(1 - alpha L) E_i||grad F_i(w_k)||, and the last step bounds E_i||grad F_i|| by ||grad
        F|| = ||E_i grad F_i||: Jensen's inequality the wrong way round.  At a stationary point of F where the tasks'
        own gradients do not vanish (task variance sigma > 0) the right side is rho delta alpha L sigma~/sqrt(D_in)
        (0 with exact oracles) and the left side is not: lhs/rhs is unbounded.  The failing step of recorded finding
        h1-eq-140-bias-bound-misses-task-variance.""",
        extremal="""a stationary point of F on trigonometric tasks with exact oracles (sigma~ = 0): the pointwise check's
        instances with 'stationary' = 1 (verify.checks.pointwise, eq_138_task_gradients_by_grad_f@trigonometric)"""),
    **_HF)

eq_139_hf_maml_bias_identity = Bound(
    id="eq_139_hf_maml_bias_identity", reference="Theorem H.1 proof, eqs. (131) and (139)",
    kind=Kind.CLOSED_FORM,
    statement="E[G_i(w_k)] = grad F(w_k) + s_k with s_k = E_i[(I - alpha grad^2 f_i) e_{i,k}] - alpha E[e~_k^i].",
    lhs=s_k_identity_residual, relation=Relation.EQ, rhs=0,
    lhs_words="the norm of E[G_i(w_k)] - grad F(w_k) - s_k for HF-MAML, s_k from exact Hessians, e_{i,k} of "
              "Lemma 4.10 and e~_k^i of (129)",
    **_HF)

eq_140_hf_maml_bias = Bound(
    id="eq_140_hf_maml_bias", reference="Theorem H.1 proof, eq. (140), first inequality", kind=Kind.EXPECTATION,
    statement="||s_k|| <= rho delta alpha/(1 - alpha L) ||grad F|| + (1 + alpha L + rho delta alpha) alpha L sigma~/sqrt(D_in).",
    lhs=direction_bias_norm, relation=Relation.LE,
    rhs=rho * delta_H * alpha / (1 - alpha * L) * grad_F_norm
        + (1 + alpha * L + rho * delta_H * alpha) * alpha * L * sigma_tilde / sqrt(D_in),
    lhs_words="||s_k|| = ||E[G_i(w_k)] - grad F(w_k)|| for HF-MAML's G_i with the delta rule of H.1",
    sharpness=Sharpness(
        "not_derived",
        """The supremum of lhs/rhs over the hypothesis class is infinite (the statement is false: recorded finding
        h1-eq-140-bias-bound-misses-task-variance), so no finite supremum exists to derive.  At a stationary point of F (||grad F|| = 0) the right side
        is (1 + alpha L + 1/6) alpha L sigma~/sqrt(D_in) (rho delta alpha = 1/6), which tends to 0 as sigma~ -> 0 (or D_in -> infinity), while the left side tends to
        alpha ||E_i e~_i|| > 0 with e~_i of (129) at v_i = grad f_i(w - alpha grad f_i(w)): with
        delta_k^i ||v_i|| = delta = 1/(6 rho alpha) of (135) the central difference (11) has a step of fixed length,
        and alpha ||e~_i|| is of the order of alpha rho delta ||v_i|| = ||v_i||/6, which stays away from 0 where the tasks' own gradients do not vanish although their mean does ((137)-(138) bound
        E_i||grad F_i|| by ||grad F||, Jensen the wrong way round).  Measured: the recorded instance (exact
        oracles in the limit sigma~ -> 0 give the same left side 6.215e-3) reaches lhs/rhs >= 11.1 at
        sigma~ = 0.01; as sigma~ -> 0 the ratio grows like 1/sigma~.""",
        attained=Rational(111, 10),
        extremal="""the recorded instance of h1-eq-140-bias-bound-misses-task-variance: noisy trigonometric tasks
        (Gaussian noise sigma~ = 0.01, one shared basis), d = 2, n = 4, alpha L = 1/6, D_in = 16, D_o = 1, at a
        stationary point of F; lhs 6.215e-3 against rhs 5.56e-4 (Monte Carlo lower bound: ratio 11.19)"""),
    **_HF)

eq_140_hf_maml_bias_numeric = Bound(
    id="eq_140_hf_maml_bias_numeric", reference="Theorem H.1 proof, eq. (140), second inequality",
    kind=Kind.EXPECTATION,
    statement="||s_k|| <= 0.2 ||grad F(w_k)|| + 0.3 sigma~ / sqrt(D_in) for HF-MAML.",
    lhs=direction_bias_norm, relation=Relation.LE,
    rhs=Rational(1, 5) * grad_F_norm + Rational(3, 10) * sigma_tilde / sqrt(D_in),
    lhs_words="||s_k|| for HF-MAML, as in (140)",
    sharpness=Sharpness(
        "not_derived",
        """The supremum of lhs/rhs over the hypothesis class is infinite (the statement is false: recorded finding
        h1-eq-140-numeric-bias-bound-misses-task-variance), so no finite supremum exists to derive.  At a stationary point of F (||grad F|| = 0) the right side
        is 0.3 sigma~/sqrt(D_in), which tends to 0 as sigma~ -> 0 (or D_in -> infinity), while the left side tends to
        alpha ||E_i e~_i|| > 0 with e~_i of (129) at v_i = grad f_i(w - alpha grad f_i(w)): with
        delta_k^i ||v_i|| = delta = 1/(6 rho alpha) of (135) the central difference (11) has a step of fixed length,
        and alpha ||e~_i|| is of the order of alpha rho delta ||v_i|| = ||v_i||/6, which stays away from 0 where the tasks' own gradients do not vanish although their mean does ((137)-(138) bound
        E_i||grad F_i|| by ||grad F||, Jensen the wrong way round).  Measured: the recorded instance (exact
        oracles in the limit sigma~ -> 0 give the same left side 6.215e-3) reaches lhs/rhs >= 8.2 at
        sigma~ = 0.01; as sigma~ -> 0 the ratio grows like 1/sigma~.""",
        attained=Rational(41, 5),
        extremal="""the recorded instance of h1-eq-140-numeric-bias-bound-misses-task-variance (that of (140)'s
        first inequality): lhs 6.215e-3 against 0.3 sigma~/sqrt(D_in) = 7.5e-4 (Monte Carlo lower bound: ratio
        8.29)"""),
    **_HF)

eq_141_hf_maml_mean_direction = Bound(
    id="eq_141_hf_maml_mean_direction", reference="Theorem H.1 proof, eq. (141)", kind=Kind.EXPECTATION,
    statement="||E[G_i(w_k)]||^2 <= 2.2 ||grad F(w_k)||^2 + 0.4 sigma~^2 / D_in for HF-MAML.",
    lhs=mean_direction_norm ** 2, relation=Relation.LE,
    rhs=Rational(22, 10) * grad_F_norm ** 2 + Rational(4, 10) * sigma_tilde ** 2 / D_in,
    lhs_words="the squared norm of the mean of HF-MAML's G_i(w_k) over the task and all batches",
    sharpness=Sharpness(
        'not_derived',
        """No finite supremum: the statement is FALSE (recorded finding h1-eq-141-mean-direction-bound-misses-the-finite-difference-bias). (141) is (139) with (a +
        b)^2 <= 2a^2 + 2b^2 and (140), and (140) is false (recorded finding h1-eq-140-bias-bound-misses-task-
        variance). At a stationary point of F the right side is 0.4 sigma~^2/D_in -> 0 as sigma~ -> 0, while ||E
        G_i||^2 -> alpha^2 ||E_i e~_i||^2 > 0 (e~ of (129): the central difference (11) has the fixed step
        delta_k^i ||v|| = 1/(6 rho alpha) of (135)), so lhs/rhs grows like 1/sigma~^2. Exact instance: two ridge
        tasks (HessianProfileFamily.tent_pair, L = rho = 1, p = (1/2, 1/2)): task 1 with the curvature tent h_1(t)
        = max(0, L - rho |t|), task 2 linear, w = 0 a stationary point of F at alpha L = 1/6. There h_1(w) = L
        while its mean over [w - delta, w + delta] (delta = L/rho) is L/2, so E[G] = p_1 alpha (L/2) E[v_1] != 0 =
        grad F; with two-point noise sigma~ = 0.01, D_in = 16, D_o = D_h = 1: ||E G||^2 = 1.246e-3 against 2.5e-6,
        ratio 498.""",
        extremal="""HessianProfileFamily.tent_pair (L = rho = 1, alpha L = 1/6, w = 0), two-point noise sigma~ =
        0.01, D_in =
        16, D_o = 1, D_h = 1: ratio 498 (verify.checks.moments HF_TENT; its runner reports the violation)"""),
    **_HF)

eq_142_hf_maml_second_moment_split = Bound(
    id="eq_142_hf_maml_second_moment_split", reference="Theorem H.1 proof, eq. (142)", kind=Kind.EXPECTATION,
    statement="E||G_i||^2 <= 2 E||grad~ f_i(...)||^2 + 2 alpha^2 E_i E||d_k^i||^2 for HF-MAML.",
    lhs=direction_second_moment, relation=Relation.LE,
    rhs=2 * TaskMean(outer_grad_second_moment) + 2 * alpha ** 2 * TaskMean(fd_direction_second_moment),
    lhs_words="E||G_i(w_k)||^2 for HF-MAML over the task and all batches",
    sharpness=Sharpness(
        'derived',
        """Supremum 49/74 = 0.662, attained: (142) is LOOSE, its sharp form is the right side times 49/74. Write
        d_k^i of (11) as A v + n: A is the mean of grad^2 f_i over the segment [w - delta_k v, w + delta_k v]
        (||A|| <= L by Assumption 4.3: the central difference is that mean applied to v) and n is the D_h batch's
        noise difference over 2 delta_k, with E[n | v] = 0 and E||n||^2 <= sigma~^2/(D_h delta_k^2) = N ||v||^2, N
        := sigma~^2/(D_h delta^2), delta_k = delta/||v|| (135) (the step Var(X - Y) <= 2(Var X + Var Y) of (143)).
        So lhs = E||(I - alpha A) v||^2 + alpha^2 E||n||^2 and the right side is 2 E||v||^2 + 2 alpha^2 E||A v||^2
        + 2 alpha^2 E||n||^2. In A's eigenbasis (eigenvalues lambda in [-L, L]) the v parts have ratio at most max
        (1 - alpha lambda)^2/(2 + 2 alpha^2 lambda^2) = (1 + x)^2/(2 + 2 x^2), x = alpha L (lambda = -L;
        increasing in x), which is (49/36)/(74/36) = 49/74 at x = 1/6; the n parts have ratio 1/2. The step (a +
        b)^2 <= 2a^2 + 2b^2 of (142) would be tight only at alpha A v = -v, which alpha L <= 1/6 excludes.
        Attained, whatever the noise, by curvature -L along v on the whole finite-difference segment at alpha L =
        1/6.""",
        supremum=Rational(49, 74),
        attained=Rational(49, 74),
        extremal=f"""{_PLATEAU_INSTANCE}: ratio 49/74 exactly"""),
    **_HF)

eq_143_fd_direction_variance = Bound(
    id="eq_143_fd_direction_variance", reference="Theorem H.1 proof, eq. (143)", kind=Kind.EXPECTATION,
    statement="E||d_k^i||^2 <= E||exact central difference||^2 + sigma~^2 E[1/(D_h (delta_k^i)^2)].",
    lhs=fd_direction_second_moment, relation=Relation.LE,
    rhs=fd_direction_exact_second_moment + sigma_tilde ** 2 / D_h * outer_grad_second_moment_over_delta_sq,
    lhs_words="for every task i: E||d_k^i||^2 over D_in, D_o, D_h with the delta rule of H.1",
    sharpness=Sharpness(
        'derived',
        """Supremum 1, attained. Write d_k^i of (11) as A v + n: A is the mean of grad^2 f_i over the segment [w -
        delta_k v, w + delta_k v] (||A|| <= L by Assumption 4.3: the central difference is that mean applied to v)
        and n is the D_h batch's noise difference over 2 delta_k, with E[n | v] = 0 and E||n||^2 <= sigma~^2/(D_h
        delta_k^2) = N ||v||^2, N := sigma~^2/(D_h delta^2), delta_k = delta/||v|| (135) (the step Var(X - Y) <=
        2(Var X + Var Y) of (143)). With CD the exact central difference, E||d||^2 = E||CD||^2 + E||n||^2 <=
        E||CD||^2 + sigma~^2 E[1/(D_h delta_k^2)], the right side of (143). Equality iff the D_h batch's noise at
        w + delta_k v is the negative of that at w - delta_k v with norm sigma~/sqrt(D_h): noise that depends on
        w, which Assumptions 4.4-4.6 allow (they bound only its variance). With noise independent of w (Appendix
        J's model) n = 0 and the ratio 1/(1 + N E||v||^2/E||CD||^2) tends to 1 as sigma~ -> 0.""",
        supremum=Rational(1),
        attained=Rational(1),
        extremal="""SwitchingNoiseFamily over HessianProfileFamily.concave_plateau
        (verify/model/families/hessian_profile.py): per-
        sample gradient noise s sigma~ sin(pi (u'w - t0)/(2 delta)) u with t0 = u'w, so the batch noise is
        opposite at the two points w +- delta_k v of (11); L = 0.01, rho = 1, sigma~ = 0.01, alpha L = 1/6 (alpha
        = 16.7, alpha rho sigma~ = 1/6), w = u, D_in = D_o = D_h = 1; exact enumeration (verify.checks.moments
        HF_SWITCH): ratio 1 up to rounding"""),
    **_HF)

eq_144_fd_direction_second_moment = Bound(
    id="eq_144_fd_direction_second_moment", reference="Theorem H.1 proof, eq. (144)", kind=Kind.EXPECTATION,
    statement="E||d_k^i||^2 <= (sigma~^2/(D_h delta^2) + 2L^2 + 2 rho^2 delta^2) E||grad~ f_i(...)||^2.",
    lhs=fd_direction_second_moment, relation=Relation.LE,
    rhs=(sigma_tilde ** 2 / (D_h * delta_H ** 2) + 2 * L ** 2 + 2 * rho ** 2 * delta_H ** 2) * outer_grad_second_moment,
    lhs_words="for every task i: E||d_k^i||^2 over D_in, D_o, D_h with the delta rule of H.1",
    sharpness=Sharpness(
        'derived',
        """Supremum 1, approached as alpha -> infinity, not attained; 1/4 where the sample noise does not depend on
        w. Write d_k^i of (11) as A v + n: A is the mean of grad^2 f_i over the segment [w - delta_k v, w +
        delta_k v] (||A|| <= L by Assumption 4.3: the central difference is that mean applied to v) and n is the
        D_h batch's noise difference over 2 delta_k, with E[n | v] = 0 and E||n||^2 <= sigma~^2/(D_h delta_k^2) =
        N ||v||^2, N := sigma~^2/(D_h delta^2), delta_k = delta/||v|| (135) (the step Var(X - Y) <= 2(Var X + Var
        Y) of (143)). So E||d||^2 = E||A v||^2 + E||n||^2 <= (L^2 + N) E||v||^2, while the right side of (144) is
        (N + 2 L^2 + 2 rho^2 delta^2) E||v||^2 with rho delta = 1/(6 alpha) >= L (135): lhs/rhs <= (L^2 + N)/(N +
        2 L^2 + 1/(18 alpha^2)) < 1. The steps ||grad^2 f_i v|| <= L ||v||, (a + b)^2 <= 2a^2 + 2b^2 and ||e~|| <=
        rho delta ||v|| (136) cannot be tight together (||A v|| <= L ||v|| already holds for the central
        difference, so the last two lose a factor 2 and rho delta >= L), so the supremum needs the noise term N to
        dominate: H.1's hypothesis D_h >= ceil(36 (alpha rho sigma~)^2) gives only N <= 1 in the instance's units
        (recorded finding h1-hessian-batch-condition-not-scale-invariant), so with N = 1, curvature +-L along v,
        noise opposite at the two points of (11) and alpha = 1/(6L) -> infinity the ratio tends to 1. With noise
        independent of w (n = 0) the supremum is L^2/(2 L^2 + 2 rho^2 delta^2) = 1/4 at alpha L = 1/6.""",
        supremum=Rational(1),
        attained=Rational(10001, 10004),
        extremal="""SwitchingNoiseFamily over HessianProfileFamily.concave_plateau
        (verify/model/families/hessian_profile.py): per-
        sample gradient noise s sigma~ sin(pi (u'w - t0)/(2 delta)) u with t0 = u'w, so the batch noise is
        opposite at the two points w +- delta_k v of (11); L = 0.01, rho = 1, sigma~ = 0.01, alpha L = 1/6 (alpha
        = 16.7, alpha rho sigma~ = 1/6), w = u, D_in = D_o = D_h = 1; exact enumeration (verify.checks.moments
        HF_SWITCH): ratio (L^2 + 1)/(1 + 4 L^2) = 10001/10004"""),
    **_HF)

eq_145_hf_maml_second_moment_factor = Bound(
    id="eq_145_hf_maml_second_moment_factor", reference="Theorem H.1 proof, eq. (145), first inequality",
    kind=Kind.EXPECTATION,
    statement="E||G_i||^2 <= (2 + 2 alpha^2 (sigma~^2/(D_h delta^2) + 2L^2 + 2 rho^2 delta^2)) E||grad~ f_i(...)||^2.",
    lhs=direction_second_moment, relation=Relation.LE,
    rhs=(2 + 2 * alpha ** 2 * (sigma_tilde ** 2 / (D_h * delta_H ** 2) + 2 * L ** 2 + 2 * rho ** 2 * delta_H ** 2))
        * TaskMean(outer_grad_second_moment),
    lhs_words="E||G_i(w_k)||^2 for HF-MAML over the task and all batches",
    sharpness=Sharpness(
        'derived',
        """Supremum 49/80 = 0.6125, approached as sigma~ -> 0: (145)'s first inequality is LOOSE, its sharp form is
        the right side times 49/80. Write d_k^i of (11) as A v + n: A is the mean of grad^2 f_i over the segment
        [w - delta_k v, w + delta_k v] (||A|| <= L by Assumption 4.3: the central difference is that mean applied
        to v) and n is the D_h batch's noise difference over 2 delta_k, with E[n | v] = 0 and E||n||^2 <=
        sigma~^2/(D_h delta_k^2) = N ||v||^2, N := sigma~^2/(D_h delta^2), delta_k = delta/||v|| (135) (the step
        Var(X - Y) <= 2(Var X + Var Y) of (143)). So lhs = E||(I - alpha A) v||^2 + alpha^2 E||n||^2 <= ((1 + x)^2
        + t) E||v||^2 with x = alpha L, t = alpha^2 N, and the right side is (2 + 2t + 4x^2 + 1/9) E||v||^2 (rho
        delta alpha = 1/6, (135)). ((1 + x)^2 + t)/(19/9 + 4 x^2 + 2t) decreases in t (its value at t = 0 exceeds
        1/2) and increases in x, so the supremum is (49/36)/(80/36) = 49/80 at x = 1/6, t -> 0, with curvature -L
        along v on the segment. The losses: (a + b)^2 <= 2a^2 + 2b^2 in (142) (never tight, see (142)) and in
        (144), where ||A v|| <= L ||v|| already bounds the central difference.""",
        supremum=Rational(49, 80),
        attained=Rational(49, 80),
        extremal=f"""{_PLATEAU_INSTANCE}: t = alpha^2 N = 1/3600, ratio 0.61235"""),
    **_HF)

# (145) second inequality to (149): why no supremum exists over the printed class, common to the five.
_W_DEPENDENT_NOISE = """No finite supremum over the printed hypothesis class: the statement is FALSE there (recorded finding h1-...-false-with-w-dependent-sample-noise; it is the moment-level face of the recorded findings h1-eq-145-constant-unbounded-under-
        printed-hessian-batch and h1-hessian-batch-condition-not-scale-invariant). Write d_k^i of (11) as A v + n:
        A is the mean of grad^2 f_i over the segment [w - delta_k v, w + delta_k v] (||A|| <= L by Assumption 4.3:
        the central difference is that mean applied to v) and n is the D_h batch's noise difference over 2
        delta_k, with E[n | v] = 0 and E||n||^2 <= sigma~^2/(D_h delta_k^2) = N ||v||^2, N := sigma~^2/(D_h
        delta^2), delta_k = delta/||v|| (135) (the step Var(X - Y) <= 2(Var X + Var Y) of (143)). Then E||G_i||^2
        = E||(I - alpha A) v||^2 + alpha^2 E||n||^2, and with noise opposite at the two points of (11) (the sample
        noise may depend on w: Assumptions 4.4-4.6 bound only its variance) and curvature -L along v the lhs is
        ((1 + alpha L)^2 + alpha^2 N) E||v||^2, where H.1's D_h >= ceil(36 (alpha rho sigma~)^2) allows N = 36
        (alpha rho sigma~)^2/D_h = 1 at every alpha: as alpha = 1/(6L) -> infinity the ratio grows like alpha^2."""


eq_145_hf_maml_second_moment_4_3 = Bound(
    id="eq_145_hf_maml_second_moment_4_3", reference="Theorem H.1 proof, eq. (145), second inequality",
    kind=Kind.EXPECTATION,
    statement="E||G_i(w_k)||^2 <= 4.3 E||grad~ f_i(w_k - alpha grad~ f_i(w_k, D_in), D_o)||^2 for HF-MAML.",
    lhs=direction_second_moment, relation=Relation.LE,
    rhs=Rational(43, 10) * TaskMean(outer_grad_second_moment),
    lhs_words="E||G_i(w_k)||^2 for HF-MAML over the task and all batches",
    sharpness=Sharpness(
        'not_derived',
        _W_DEPENDENT_NOISE + """ Exact instance: ratio 64.9 at alpha = 16.7. Under the scale-free condition D_h >= 36 (alpha^2 rho
        sigma~)^2 (t = alpha^2 N <= 1) the supremum would be (49/36 + 1)/4.3 = 425/774 = 0.549. With noise
        independent of w (Appendix J's model, the suite's NoisyFamily: n = 0) lhs = E||(I - alpha A) v||^2 <= (1 +
        x)^2 E||v||^2, x = alpha L, and E||v||^2 <= (a + b)^2 + s^2 with a = ||grad f_i(w - alpha grad f_i(w))||,
        b = x sigma~/sqrt(D_in), s = sigma~/sqrt(D_o) (the Lipschitz step and Jensen of Lemma 4.10 (21)). So with
        such noise the supremum is (1 + x)^2/4.3 = 245/774 = 0.3165 at x = 1/6, attained exactly by curvature -L
        along v on the segment: LOOSE there, sharp constant (7/6)^2 = 49/36, not 4.3.""",
        attained=Rational(245, 774),
        extremal=f"""{_PLATEAU_INSTANCE}: ratio 245/774 exactly (noise independent of w); the counterexample: SwitchingNoiseFamily over
        HessianProfileFamily.concave_plateau (verify/model/families/hessian_profile.py): per-sample gradient noise s
        sigma~ sin(pi (u'w - t0)/(2 delta)) u with t0 = u'w, so the batch noise is opposite at the two points w +-
        delta_k v of (11); L = 0.01, rho = 1, sigma~ = 0.01, alpha L = 1/6 (alpha = 16.7, alpha rho sigma~ = 1/6),
        w = u, D_in = D_o = D_h = 1; exact enumeration (verify.checks.moments HF_SWITCH)"""),
    **_HF)

eq_146_hf_maml_second_moment_lemma_4_10 = Bound(
    id="eq_146_hf_maml_second_moment_lemma_4_10", reference="Theorem H.1 proof, eq. (146)", kind=Kind.EXPECTATION,
    statement="E||G_i||^2 <= 4.3 (1 + 1/10) E||grad f_i(w - alpha grad f_i(w))||^2 + 47.3 alpha^2 L^2 sigma~^2/D_in "
              "+ 4.3 sigma~^2/D_o.",
    lhs=direction_second_moment, relation=Relation.LE,
    rhs=Rational(43, 10) * (1 + Rational(1, 10)) * TaskMean(grad_fi_inner_norm ** 2)
        + Rational(473, 10) * alpha ** 2 * L ** 2 * sigma_tilde ** 2 / D_in + Rational(43, 10) * sigma_tilde ** 2 / D_o,
    lhs_words="E||G_i(w_k)||^2 for HF-MAML over the task and all batches",
    sharpness=Sharpness(
        'not_derived',
        _W_DEPENDENT_NOISE + """ Exact instance: ratio 48.9 at alpha = 16.7. With noise independent of w (Appendix J's model, the suite's
        NoisyFamily: n = 0) lhs = E||(I - alpha A) v||^2 <= (1 + x)^2 E||v||^2, x = alpha L, and E||v||^2 <= (a +
        b)^2 + s^2 with a = ||grad f_i(w - alpha grad f_i(w))||, b = x sigma~/sqrt(D_in), s = sigma~/sqrt(D_o)
        (the Lipschitz step and Jensen of Lemma 4.10 (21)). The right side is 4.3 (1.1 a^2 + 11 b^2 + s^2) (phi =
        10), and (a + b)^2 <= (1.1 a^2 + 11 b^2)(1/1.1 + 1/11) = 1.1 a^2 + 11 b^2 (Cauchy-Schwarz, equality at a =
        10 b), so with such noise the supremum is (1 + x)^2/4.3 = 245/774 = 0.3165 at x = 1/6 (LOOSE there),
        approached at a critical point (a = 0) as D_in -> infinity (the D_o noise dominates) and by a kink of grad
        f_i at the inner point with a = 10 b.""",
        attained=Rational(245, 774),
        extremal=f"""{_PLATEAU_INSTANCE}: ratio 0.3152 at D_in = 64, -> 245/774 as D_in -> infinity; the counterexample:
        {_SWITCH_INSTANCE}"""),
    **_HF)

eq_147_hf_maml_second_moment_simplified = Bound(
    id="eq_147_hf_maml_second_moment_simplified", reference="Theorem H.1 proof, eq. (147)", kind=Kind.EXPECTATION,
    statement="E||G_i||^2 <= 5 E||grad f_i(w - alpha grad f_i(w))||^2 + 5 sigma~^2 (1/D_in + 1/D_o).",
    lhs=direction_second_moment, relation=Relation.LE,
    rhs=5 * TaskMean(grad_fi_inner_norm ** 2) + 5 * sigma_tilde ** 2 * (1 / D_in + 1 / D_o),
    lhs_words="E||G_i(w_k)||^2 for HF-MAML over the task and all batches",
    sharpness=Sharpness(
        'not_derived',
        _W_DEPENDENT_NOISE + """ Exact instance: ratio 35.1 at alpha = 16.7. With noise independent of w (Appendix J's model, the suite's
        NoisyFamily: n = 0) lhs = E||(I - alpha A) v||^2 <= (1 + x)^2 E||v||^2, x = alpha L, and E||v||^2 <= (a +
        b)^2 + s^2 with a = ||grad f_i(w - alpha grad f_i(w))||, b = x sigma~/sqrt(D_in), s = sigma~/sqrt(D_o)
        (the Lipschitz step and Jensen of Lemma 4.10 (21)). Against 5 (a^2 + b^2/x^2 + s^2), with max (a +
        b)^2/(a^2 + b^2/x^2) = 1 + x^2 (Cauchy-Schwarz, a = b/x^2), such noise gives lhs/rhs <= (1 + x)^2 (1 +
        x^2)/5 = 1813/6480 = 0.2798 at x = 1/6 (LOOSE there), an upper bound that a kink of grad f_i at the inner
        point with a = 36 b, curvature -L on the finite-difference segment and D_o -> infinity approaches (not
        built here); a critical point (a = 0) with D_in -> infinity approaches (1 + x)^2/5 = 49/180 = 0.2722.""",
        attained=Rational(49, 180),
        extremal=f"""{_PLATEAU_INSTANCE}: ratio 0.2682 at D_in = 64, -> 49/180 as D_in -> infinity; the counterexample:
        {_SWITCH_INSTANCE}"""),
    **_HF)

eq_148_hf_maml_second_moment_by_grad_fi_meta = Bound(
    id="eq_148_hf_maml_second_moment_by_grad_fi_meta", reference="Theorem H.1 proof, eq. (148)", kind=Kind.EXPECTATION,
    statement="E||G_i||^2 <= 5/(1 - alpha L)^2 E||grad F_i(w)||^2 + 5 sigma~^2 (1/D_in + 1/D_o).",
    lhs=direction_second_moment, relation=Relation.LE,
    rhs=5 / (1 - alpha * L) ** 2 * TaskMean(grad_Fi_norm ** 2) + 5 * sigma_tilde ** 2 * (1 / D_in + 1 / D_o),
    lhs_words="E||G_i(w_k)||^2 for HF-MAML over the task and all batches",
    sharpness=Sharpness(
        'not_derived',
        _W_DEPENDENT_NOISE + """ Exact instance: ratio 25.2 at alpha = 16.7. With noise independent of w: ||grad F_i|| >= (1 - alpha L)
        ||grad f_i(w - alpha grad f_i(w))|| makes (148)'s right side at least (147)'s, so lhs/rhs <= 1813/6480
        (see (147)); equality there needs curvature +L at w along grad f_i(u) while the finite-difference mean
        along v is -L, which rho delta alpha = 1/6 forbids in one dimension (alpha ||A - grad^2 f_i(w)|| <= 1/12),
        so the exact supremum lies in [49/180, 1813/6480] and is not derived; 49/180 is approached at a critical
        point (grad F_i = 0) as D_in -> infinity.""",
        attained=Rational(49, 180),
        extremal=f"""{_PLATEAU_INSTANCE}: ratio 0.2682 at D_in = 64, -> 49/180 as D_in -> infinity; the counterexample:
        {_SWITCH_INSTANCE}"""),
    **_HF)

eq_149_hf_maml_second_moment = Bound(
    id="eq_149_hf_maml_second_moment", reference="Theorem H.1 proof, eq. (149)", kind=Kind.EXPECTATION,
    statement="E||G_i(w_k)||^2 <= 50 ||grad F(w_k)||^2 + 18 sigma^2 + 5 sigma~^2 (1/D_in + 1/D_o) for HF-MAML.",
    lhs=direction_second_moment, relation=Relation.LE,
    rhs=50 * grad_F_norm ** 2 + 18 * sigma ** 2 + 5 * sigma_tilde ** 2 * (1 / D_in + 1 / D_o),
    lhs_words="E||G_i(w_k)||^2 for HF-MAML over the task and all batches",
    sharpness=Sharpness(
        'not_derived',
        _W_DEPENDENT_NOISE + """ Exact instance: ratio 5.74 at alpha = 16.7. With noise independent of w the noise terms alone (one task:
        sigma = 0; a critical point: grad F = 0) give (1 + alpha L)^2/5 = 49/180 = 0.2722, approached as D_in ->
        infinity; whether the task-variance part can do more needs E_i||grad F_i||^2 in terms of ||grad F||^2 and
        sigma^2, i.e. a correct Lemma A.3 (34) (false as printed: recorded finding lemma-a3-eq34-missing-square),
        which is not derived here.""",
        attained=Rational(49, 180),
        extremal=f"""{_PLATEAU_INSTANCE}: ratio 0.2682 at D_in = 64, -> 49/180 as D_in -> infinity; the counterexample:
        {_SWITCH_INSTANCE}"""),
    **_HF)
