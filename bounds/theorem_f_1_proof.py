"""Theorem F.1's proof, eqs. (80)-(82) and (84)-(89): moments of MAML's direction G_i(w_k).

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

(83) is the factorisation of E||G_i||^2 over the independent batches, used by (85).
(88) appears again, word for word, as (121) in the proof of Theorem G.1.

Reading of (84): the proof writes E||M||^2 = Var[M] + ||E M||^2 for the random
matrix M = I - alpha grad~^2 f_i(w_k, D_h), which holds for the Frobenius norm; with
the spectral norm of (30a) and (86) it is not an identity.  Matrix norms are read as
spectral norms throughout, as in (30a).
"""
from sympy import Rational, sqrt

from ._core import Bound, Kind, Relation
from ._hypotheses import ALPHA_AT_MOST_ONE_OVER_L, ALPHA_AT_MOST_ONE_SIXTH_OVER_L, ALPHA_POSITIVE, HESSIAN_BATCH_MAML
from ._proof_quantities import direction_bias_norm, direction_second_moment, mean_direction_norm
from ._symbols import (
    DIMENSIONLESS,
    D_h,
    D_in,
    D_o,
    L,
    I_minus_alpha_hess_norm,
    alpha,
    declare_quantity,
    grad_F_norm,
    grad_Fi_norm,
    outer_grad_second_moment,
    sigma,
    sigma_H,
    sigma_tilde,
)
from ._taskmean import TaskMean

HYPOTHESES = (ALPHA_POSITIVE, ALPHA_AT_MOST_ONE_SIXTH_OVER_L, HESSIAN_BATCH_MAML)
_MAML = dict(preconditions=HYPOTHESES, algorithm="maml")

hessian_factor_second_moment = declare_quantity(
    "hessian_factor_second_moment", "E_{D_h}||I - alpha grad~^2 f_i(w, D_h)||^2",
    r"\mathbb{E}_{\mathcal{D}_h}\|I-\alpha\tilde\nabla^2 f_i(w,\mathcal{D}_h)\|^2", DIMENSIONLESS,
    per_task=True, text="𝔼‖I − α∇̃²fᵢ(w, D_h)‖²")

eq_80_maml_bias = Bound(
    id="eq_80_maml_bias", reference="Theorem F.1 proof, eq. (80)", kind=Kind.EXPECTATION,
    statement="MAML's direction is biased by at most (1 + alpha L) alpha L sigma~ / sqrt(D_in).",
    lhs=direction_bias_norm, relation=Relation.LE,
    rhs=(1 + alpha * L) * alpha * L * sigma_tilde / sqrt(D_in),
    lhs_words="||r_k|| = ||E[G_i(w_k)] - grad F(w_k)|| for MAML's G_i, the expectation over the task and all batches",
    **_MAML)

eq_81_maml_bias_numeric = Bound(
    id="eq_81_maml_bias_numeric", reference="Theorem F.1 proof, eq. (81)", kind=Kind.EXPECTATION,
    statement="With alpha L <= 1/6, MAML's direction is biased by at most 0.2 sigma~ / sqrt(D_in).",
    lhs=direction_bias_norm, relation=Relation.LE, rhs=Rational(1, 5) * sigma_tilde / sqrt(D_in),
    lhs_words="||r_k|| for MAML, as in (80)", **_MAML)

eq_82_maml_mean_direction = Bound(
    id="eq_82_maml_mean_direction", reference="Theorem F.1 proof, eq. (82)", kind=Kind.EXPECTATION,
    statement="||E[G_i(w_k)]||^2 <= 2 ||grad F(w_k)||^2 + 0.08 sigma~^2 / D_in for MAML.",
    lhs=mean_direction_norm ** 2, relation=Relation.LE,
    rhs=2 * grad_F_norm ** 2 + Rational(8, 100) * sigma_tilde ** 2 / D_in,
    lhs_words="the squared norm of the mean of MAML's G_i(w_k) over the task and all batches", **_MAML)

eq_84_hessian_factor = Bound(
    id="eq_84_hessian_factor", reference="Theorem F.1 proof, eq. (84)", kind=Kind.EXPECTATION,
    statement="E||I - alpha grad~^2 f_i(w, D_h)||^2 <= alpha^2 sigma_H^2 / D_h + ||I - alpha grad^2 f_i(w)||^2.",
    lhs=hessian_factor_second_moment, relation=Relation.LE,
    rhs=alpha ** 2 * sigma_H ** 2 / D_h + I_minus_alpha_hess_norm ** 2,
    lhs_words="for every task i: the mean over Hessian batches D_h (size D_h) of the squared spectral norm "
              "of I - alpha grad~^2 f_i(w, D_h)",
    preconditions=(ALPHA_POSITIVE, ALPHA_AT_MOST_ONE_OVER_L), algorithm="maml")

eq_85_maml_second_moment_factorised = Bound(
    id="eq_85_maml_second_moment_factorised", reference="Theorem F.1 proof, eq. (85)", kind=Kind.EXPECTATION,
    statement="E||G_i||^2 <= E_i[(||I - alpha grad^2 f_i||^2 + alpha^2 sigma_H^2/D_h) E||grad~ f_i(...)||^2].",
    lhs=direction_second_moment, relation=Relation.LE,
    rhs=TaskMean((I_minus_alpha_hess_norm ** 2 + alpha ** 2 * sigma_H ** 2 / D_h) * outer_grad_second_moment),
    lhs_words="E||G_i(w_k)||^2 for MAML over the task and all batches", **_MAML)

eq_86_hessian_factor_at_most_2 = Bound(
    id="eq_86_hessian_factor_at_most_2", reference="Theorem F.1 proof, eq. (86)", kind=Kind.POINTWISE,
    statement="||I - alpha grad^2 f_i(w)||^2 + alpha^2 sigma_H^2 / D_h <= 2 under alpha L <= 1/6, D_h >= 2 alpha^2 sigma_H^2.",
    lhs=I_minus_alpha_hess_norm ** 2 + alpha ** 2 * sigma_H ** 2 / D_h, relation=Relation.LE, rhs=2,
    lhs_words="for every task i: the squared spectral norm of I - alpha grad^2 f_i(w) plus alpha^2 sigma_H^2 / D_h",
    **_MAML)

eq_87_maml_second_moment_by_outer = Bound(
    id="eq_87_maml_second_moment_by_outer", reference="Theorem F.1 proof, eq. (87)", kind=Kind.EXPECTATION,
    statement="E||G_i(w_k)||^2 <= 2 E_i E||grad~ f_i(w_k - alpha grad~ f_i(w_k, D_in), D_o)||^2 for MAML.",
    lhs=direction_second_moment, relation=Relation.LE, rhs=2 * TaskMean(outer_grad_second_moment),
    lhs_words="E||G_i(w_k)||^2 for MAML over the task and all batches", **_MAML)

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
            "weaker alpha L <= 1/6.")

eq_89_maml_second_moment = Bound(
    id="eq_89_maml_second_moment", reference="Theorem F.1 proof, eq. (89)", kind=Kind.EXPECTATION,
    statement="E||G_i(w_k)||^2 <= 40||grad F(w_k)||^2 + 14 sigma^2 + sigma~^2 (2/D_o + 1/(6 D_in)) for MAML.",
    lhs=direction_second_moment, relation=Relation.LE,
    rhs=40 * grad_F_norm ** 2 + 14 * sigma ** 2 + sigma_tilde ** 2 * (2 / D_o + 1 / (6 * D_in)),
    lhs_words="E||G_i(w_k)||^2 for MAML over the task and all batches", **_MAML)
