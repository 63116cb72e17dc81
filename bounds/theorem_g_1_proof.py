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

(113) is the Neumann series of (I - alpha grad^2 f_i)^{-1}, which converges because
alpha L < 1, and (114) rewrites (111) with it: both are inside the left side of (115).
(120) is the definition of G_i; (121) is (88), registered once in theorem_f_1_proof.

Reading of (108)-(112): e_{i,k} is defined in the proof with the opposite sign to
Lemma 4.10 (grad f_i(...) - E[...]), which makes (108) wrong by a sign; the identity
(112) is encoded with Lemma 4.10's e_{i,k}, under which (108)-(112) hold.
"""
from sympy import Rational, sqrt

from ._core import Bound, Kind, Relation
from ._hypotheses import ALPHA_AT_MOST_ONE_TENTH_OVER_L, ALPHA_POSITIVE
from ._proof_quantities import direction_bias_norm, direction_second_moment, mean_direction_norm
from ._symbols import GRADIENT, D_in, D_o, L, alpha, declare_quantity, grad_F_norm, sigma, sigma_tilde

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

eq_112_fo_maml_bias_identity = Bound(
    id="eq_112_fo_maml_bias_identity", reference="Theorem G.1 proof, eqs. (111)-(112)", kind=Kind.CLOSED_FORM,
    statement="E[G_i(w_k)] = grad F(w_k) + r_k with r_k = E_i[((I - alpha grad^2 f_i)^{-1} - I) grad F_i + e_{i,k}].",
    lhs=r_k_identity_residual, relation=Relation.EQ, rhs=0,
    lhs_words="the norm of E[G_i(w_k)] - grad F(w_k) - r_k, with r_k of (111) computed from exact Hessians, "
              "grad F_i of (35b) and e_{i,k} of Lemma 4.10",
    **_FO)

eq_115_neumann_term = Bound(
    id="eq_115_neumann_term", reference="Theorem G.1 proof, eq. (115)", kind=Kind.POINTWISE,
    statement="||E_i[((I - alpha grad^2 f_i)^{-1} - I) grad F_i(w)]|| <= 0.22 ||grad F(w)|| + 2 alpha L sigma.",
    lhs=neumann_term_norm, relation=Relation.LE,
    rhs=Rational(22, 100) * grad_F_norm + 2 * alpha * L * sigma,
    lhs_words="the norm of the exact task average of ((I - alpha grad^2 f_i(w))^{-1} - I) grad F_i(w)",
    **_FO)

eq_116_mean_bias = Bound(
    id="eq_116_mean_bias", reference="Theorem G.1 proof, eq. (116)", kind=Kind.EXPECTATION,
    statement="||E_i[e_{i,k}]|| <= alpha L sigma~ / sqrt(D_in).",
    lhs=mean_bias_norm, relation=Relation.LE, rhs=alpha * L * sigma_tilde / sqrt(D_in),
    lhs_words="the norm of the task average of e_{i,k} of Lemma 4.10 (20)", **_FO)

eq_117_fo_maml_bias = Bound(
    id="eq_117_fo_maml_bias", reference="Theorem G.1 proof, eq. (117)", kind=Kind.EXPECTATION,
    statement="||r_k|| <= 0.22 ||grad F(w_k)|| + 2 alpha L sigma + 0.1 sigma~ / sqrt(D_in) for FO-MAML.",
    lhs=direction_bias_norm, relation=Relation.LE,
    rhs=Rational(22, 100) * grad_F_norm + 2 * alpha * L * sigma + Rational(1, 10) * sigma_tilde / sqrt(D_in),
    lhs_words="||E[G_i(w_k)] - grad F(w_k)|| for FO-MAML's G_i over the task and all batches", **_FO)

eq_118_fo_maml_bias_squared = Bound(
    id="eq_118_fo_maml_bias_squared", reference="Theorem G.1 proof, eq. (118)", kind=Kind.EXPECTATION,
    statement="||r_k||^2 <= 0.15 ||grad F(w_k)||^2 + 12 alpha^2 L^2 sigma^2 + 0.03 sigma~^2 / D_in for FO-MAML.",
    lhs=direction_bias_norm ** 2, relation=Relation.LE,
    rhs=Rational(15, 100) * grad_F_norm ** 2 + 12 * alpha ** 2 * L ** 2 * sigma ** 2
        + Rational(3, 100) * sigma_tilde ** 2 / D_in,
    lhs_words="||E[G_i(w_k)] - grad F(w_k)||^2 for FO-MAML", **_FO)

eq_119_fo_maml_mean_direction = Bound(
    id="eq_119_fo_maml_mean_direction", reference="Theorem G.1 proof, eq. (119)", kind=Kind.EXPECTATION,
    statement="||E[G_i(w_k)]||^2 <= 2.3 ||grad F(w_k)||^2 + 24 alpha^2 L^2 sigma^2 + 0.06 sigma~^2 / D_in.",
    lhs=mean_direction_norm ** 2, relation=Relation.LE,
    rhs=Rational(23, 10) * grad_F_norm ** 2 + 24 * alpha ** 2 * L ** 2 * sigma ** 2
        + Rational(6, 100) * sigma_tilde ** 2 / D_in,
    lhs_words="the squared norm of the mean of FO-MAML's G_i(w_k) over the task and all batches", **_FO)

eq_122_fo_maml_second_moment = Bound(
    id="eq_122_fo_maml_second_moment", reference="Theorem G.1 proof, eq. (122)", kind=Kind.EXPECTATION,
    statement="E||G_i(w_k)||^2 <= 20 ||grad F(w_k)||^2 + 7 sigma^2 + sigma~^2 (1/D_o + 0.02/D_in) for FO-MAML.",
    lhs=direction_second_moment, relation=Relation.LE,
    rhs=20 * grad_F_norm ** 2 + 7 * sigma ** 2 + sigma_tilde ** 2 * (1 / D_o + Rational(2, 100) / D_in),
    lhs_words="E||G_i(w_k)||^2 for FO-MAML over the task and all batches", **_FO)
