"""Lemma 4.10, eqs. (20) and (21): bias and second moment of the stochastic outer gradient.

Statement (paper, Section 4.1 (III)): "Consider F in (2) for the case that
alpha in [0, 1/L]. Suppose Assumptions 4.3-4.6 hold. Then,

    E_{D_in,D_o}[grad~ f_i(w_k - alpha grad~ f_i(w_k, D_in^i), D_o^i) | F_k]
        = grad f_i(w_k - alpha grad f_i(w_k)) + e_{i,k},
    where ||e_{i,k}|| <= alpha L sigma~ / sqrt(D_in).                              (20)

Moreover, for arbitrary phi > 0 we have

    E_{D_in,D_o}[||grad~ f_i(w_k - alpha grad~ f_i(w_k, D_in^i), D_o^i)||^2 | F_k]
        <= (1 + 1/phi) ||grad f_i(w_k - alpha grad f_i(w_k))||^2
           + (1 + phi) alpha^2 L^2 sigma~^2 / D_in + sigma~^2 / D_o."               (21)

Both hold for every task i; the batches D_in^i and D_o^i are independent, each
of i.i.d. samples (the proof's (48)-type variance bound needs i.i.d. samples).
"""
from ._core import Bound, Kind, Relation
from ._hypotheses import ALPHA_AT_MOST_ONE_OVER_L
from ._symbols import (
    GRADIENT,
    D_in,
    D_o,
    L,
    alpha,
    declare_quantity,
    grad_fi_inner_norm,
    outer_grad_second_moment,
    phi,
    sigma_tilde,
)
from sympy import sqrt

bias_norm = declare_quantity(
    "bias_norm", "||e_{i,k}||: the norm of E[grad~ f_i(w - alpha grad~ f_i(w, D_in), D_o)] - grad f_i(w - alpha grad f_i(w))",
    r"\|e_{i,k}\|", GRADIENT, per_task=True, text="‖e_{i,k}‖")

lemma_4_10_bias = Bound(
    id="lemma_4_10_bias",
    reference="Lemma 4.10, eq. (20)",
    kind=Kind.EXPECTATION,
    statement="The stochastic outer gradient is biased by at most alpha L sigma~ / sqrt(D_in).",
    lhs=bias_norm,
    relation=Relation.LE,
    rhs=alpha * L * sigma_tilde / sqrt(D_in),
    lhs_words="for every task i: the norm of the mean, over independent batches D_in (size D_in) and D_o "
              "(size D_o), of grad~ f_i(w - alpha grad~ f_i(w, D_in), D_o), minus grad f_i(w - alpha grad f_i(w))",
    preconditions=(ALPHA_AT_MOST_ONE_OVER_L,),
)

lemma_4_10_second_moment = Bound(
    id="lemma_4_10_second_moment",
    reference="Lemma 4.10, eq. (21)",
    kind=Kind.EXPECTATION,
    statement="Second moment of the stochastic outer gradient, for any phi > 0.",
    lhs=outer_grad_second_moment,
    relation=Relation.LE,
    rhs=(1 + 1 / phi) * grad_fi_inner_norm ** 2 + (1 + phi) * alpha ** 2 * L ** 2 * sigma_tilde ** 2 / D_in
        + sigma_tilde ** 2 / D_o,
    lhs_words="for every task i: E ||grad~ f_i(w - alpha grad~ f_i(w, D_in), D_o)||^2 over independent "
              "batches D_in and D_o",
    preconditions=(ALPHA_AT_MOST_ONE_OVER_L,),
    reading="The proof's first step writes E_{D_o}||grad~ f_i(x, D_o)||^2 = ||grad f_i(x)||^2 + sigma~^2/D_o; "
            "it is an inequality (the variance is at most sigma~^2/D_o); the statement (21) is unaffected.",
)
