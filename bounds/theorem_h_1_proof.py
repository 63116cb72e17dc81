"""Theorem H.1's proof, eqs. (139)-(149): moments of HF-MAML's direction G_i(w_k).

G_i(w_k) := grad~ f_i(w_k - alpha grad~ f_i(w_k, D_in^i), D_o^i) - alpha d_k^i with d_k^i of (11),
v := grad~ f_i(w_k - alpha grad~ f_i(w_k, D_in^i), D_o^i), delta_k^i = delta / ||v|| (135),
delta := 1/(6 rho alpha).  The displays, under Theorem H.1's hypotheses:

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
"""
from sympy import Rational, sqrt

from ._core import Bound, Definition, Kind, Relation
from ._hypotheses import ALPHA_AT_MOST_ONE_SIXTH_OVER_L, ALPHA_POSITIVE, HESSIAN_BATCH_HF_MAML
from ._proof_quantities import direction_bias_norm, direction_second_moment, mean_direction_norm
from ._symbols import (
    DISPLACEMENT,
    GRADIENT,
    D_h,
    D_in,
    D_o,
    L,
    alpha,
    declare_defined,
    declare_quantity,
    grad_F_norm,
    grad_fi_inner_norm,
    grad_Fi_norm,
    outer_grad_second_moment,
    rho,
    sigma,
    sigma_tilde,
)
from ._taskmean import TaskMean

HYPOTHESES = (ALPHA_POSITIVE, ALPHA_AT_MOST_ONE_SIXTH_OVER_L, HESSIAN_BATCH_HF_MAML)

delta_H = declare_defined("delta_H", "delta := 1/(6 rho alpha) of (135), a length", r"\delta",
                          "<mi>&#948;</mi>", DISPLACEMENT, positive=True)
DELTA_H = Definition(delta_H, 1 / (6 * rho * alpha), "eq. (135)")

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
    lhs_words="||s_k|| = ||E[G_i(w_k)] - grad F(w_k)|| for HF-MAML's G_i with the delta rule of H.1", **_HF)

eq_140_hf_maml_bias_numeric = Bound(
    id="eq_140_hf_maml_bias_numeric", reference="Theorem H.1 proof, eq. (140), second inequality",
    kind=Kind.EXPECTATION,
    statement="||s_k|| <= 0.2 ||grad F(w_k)|| + 0.3 sigma~ / sqrt(D_in) for HF-MAML.",
    lhs=direction_bias_norm, relation=Relation.LE,
    rhs=Rational(1, 5) * grad_F_norm + Rational(3, 10) * sigma_tilde / sqrt(D_in),
    lhs_words="||s_k|| for HF-MAML, as in (140)", **_HF)

eq_141_hf_maml_mean_direction = Bound(
    id="eq_141_hf_maml_mean_direction", reference="Theorem H.1 proof, eq. (141)", kind=Kind.EXPECTATION,
    statement="||E[G_i(w_k)]||^2 <= 2.2 ||grad F(w_k)||^2 + 0.4 sigma~^2 / D_in for HF-MAML.",
    lhs=mean_direction_norm ** 2, relation=Relation.LE,
    rhs=Rational(22, 10) * grad_F_norm ** 2 + Rational(4, 10) * sigma_tilde ** 2 / D_in,
    lhs_words="the squared norm of the mean of HF-MAML's G_i(w_k) over the task and all batches", **_HF)

eq_142_hf_maml_second_moment_split = Bound(
    id="eq_142_hf_maml_second_moment_split", reference="Theorem H.1 proof, eq. (142)", kind=Kind.EXPECTATION,
    statement="E||G_i||^2 <= 2 E||grad~ f_i(...)||^2 + 2 alpha^2 E_i E||d_k^i||^2 for HF-MAML.",
    lhs=direction_second_moment, relation=Relation.LE,
    rhs=2 * TaskMean(outer_grad_second_moment) + 2 * alpha ** 2 * TaskMean(fd_direction_second_moment),
    lhs_words="E||G_i(w_k)||^2 for HF-MAML over the task and all batches", **_HF)

eq_143_fd_direction_variance = Bound(
    id="eq_143_fd_direction_variance", reference="Theorem H.1 proof, eq. (143)", kind=Kind.EXPECTATION,
    statement="E||d_k^i||^2 <= E||exact central difference||^2 + sigma~^2 E[1/(D_h (delta_k^i)^2)].",
    lhs=fd_direction_second_moment, relation=Relation.LE,
    rhs=fd_direction_exact_second_moment + sigma_tilde ** 2 / D_h * outer_grad_second_moment_over_delta_sq,
    lhs_words="for every task i: E||d_k^i||^2 over D_in, D_o, D_h with the delta rule of H.1", **_HF)

eq_144_fd_direction_second_moment = Bound(
    id="eq_144_fd_direction_second_moment", reference="Theorem H.1 proof, eq. (144)", kind=Kind.EXPECTATION,
    statement="E||d_k^i||^2 <= (sigma~^2/(D_h delta^2) + 2L^2 + 2 rho^2 delta^2) E||grad~ f_i(...)||^2.",
    lhs=fd_direction_second_moment, relation=Relation.LE,
    rhs=(sigma_tilde ** 2 / (D_h * delta_H ** 2) + 2 * L ** 2 + 2 * rho ** 2 * delta_H ** 2) * outer_grad_second_moment,
    lhs_words="for every task i: E||d_k^i||^2 over D_in, D_o, D_h with the delta rule of H.1", **_HF)

eq_145_hf_maml_second_moment_factor = Bound(
    id="eq_145_hf_maml_second_moment_factor", reference="Theorem H.1 proof, eq. (145), first inequality",
    kind=Kind.EXPECTATION,
    statement="E||G_i||^2 <= (2 + 2 alpha^2 (sigma~^2/(D_h delta^2) + 2L^2 + 2 rho^2 delta^2)) E||grad~ f_i(...)||^2.",
    lhs=direction_second_moment, relation=Relation.LE,
    rhs=(2 + 2 * alpha ** 2 * (sigma_tilde ** 2 / (D_h * delta_H ** 2) + 2 * L ** 2 + 2 * rho ** 2 * delta_H ** 2))
        * TaskMean(outer_grad_second_moment),
    lhs_words="E||G_i(w_k)||^2 for HF-MAML over the task and all batches", **_HF)

eq_145_hf_maml_second_moment_4_3 = Bound(
    id="eq_145_hf_maml_second_moment_4_3", reference="Theorem H.1 proof, eq. (145), second inequality",
    kind=Kind.EXPECTATION,
    statement="E||G_i(w_k)||^2 <= 4.3 E||grad~ f_i(w_k - alpha grad~ f_i(w_k, D_in), D_o)||^2 for HF-MAML.",
    lhs=direction_second_moment, relation=Relation.LE,
    rhs=Rational(43, 10) * TaskMean(outer_grad_second_moment),
    lhs_words="E||G_i(w_k)||^2 for HF-MAML over the task and all batches", **_HF)

eq_146_hf_maml_second_moment_lemma_4_10 = Bound(
    id="eq_146_hf_maml_second_moment_lemma_4_10", reference="Theorem H.1 proof, eq. (146)", kind=Kind.EXPECTATION,
    statement="E||G_i||^2 <= 4.3 (1 + 1/10) E||grad f_i(w - alpha grad f_i(w))||^2 + 47.3 alpha^2 L^2 sigma~^2/D_in "
              "+ 4.3 sigma~^2/D_o.",
    lhs=direction_second_moment, relation=Relation.LE,
    rhs=Rational(43, 10) * (1 + Rational(1, 10)) * TaskMean(grad_fi_inner_norm ** 2)
        + Rational(473, 10) * alpha ** 2 * L ** 2 * sigma_tilde ** 2 / D_in + Rational(43, 10) * sigma_tilde ** 2 / D_o,
    lhs_words="E||G_i(w_k)||^2 for HF-MAML over the task and all batches", **_HF)

eq_147_hf_maml_second_moment_simplified = Bound(
    id="eq_147_hf_maml_second_moment_simplified", reference="Theorem H.1 proof, eq. (147)", kind=Kind.EXPECTATION,
    statement="E||G_i||^2 <= 5 E||grad f_i(w - alpha grad f_i(w))||^2 + 5 sigma~^2 (1/D_in + 1/D_o).",
    lhs=direction_second_moment, relation=Relation.LE,
    rhs=5 * TaskMean(grad_fi_inner_norm ** 2) + 5 * sigma_tilde ** 2 * (1 / D_in + 1 / D_o),
    lhs_words="E||G_i(w_k)||^2 for HF-MAML over the task and all batches", **_HF)

eq_148_hf_maml_second_moment_by_grad_fi_meta = Bound(
    id="eq_148_hf_maml_second_moment_by_grad_fi_meta", reference="Theorem H.1 proof, eq. (148)", kind=Kind.EXPECTATION,
    statement="E||G_i||^2 <= 5/(1 - alpha L)^2 E||grad F_i(w)||^2 + 5 sigma~^2 (1/D_in + 1/D_o).",
    lhs=direction_second_moment, relation=Relation.LE,
    rhs=5 / (1 - alpha * L) ** 2 * TaskMean(grad_Fi_norm ** 2) + 5 * sigma_tilde ** 2 * (1 / D_in + 1 / D_o),
    lhs_words="E||G_i(w_k)||^2 for HF-MAML over the task and all batches", **_HF)

eq_149_hf_maml_second_moment = Bound(
    id="eq_149_hf_maml_second_moment", reference="Theorem H.1 proof, eq. (149)", kind=Kind.EXPECTATION,
    statement="E||G_i(w_k)||^2 <= 50 ||grad F(w_k)||^2 + 18 sigma^2 + 5 sigma~^2 (1/D_in + 1/D_o) for HF-MAML.",
    lhs=direction_second_moment, relation=Relation.LE,
    rhs=50 * grad_F_norm ** 2 + 18 * sigma ** 2 + 5 * sigma_tilde ** 2 * (1 / D_in + 1 / D_o),
    lhs_words="E||G_i(w_k)||^2 for HF-MAML over the task and all batches", **_HF)
