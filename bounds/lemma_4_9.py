"""Lemma 4.9, eq. (19) under (18): moments of the stochastic stepsize beta~(w) of (16)-(17).

Statement (paper, Section 4.1 (II)): "Consider the function F defined in (2) for
the case that alpha in [0, 1/L]. Suppose Assumptions 4.3-4.6 hold. Further,
consider the definition

    beta~(w) := 1 / L~(w) := 1 / (4L + 2 rho alpha sum_{j in B'} ||grad~ f_j(w, D_beta^j)|| / B'),   (17)

where B' is a batch of tasks with size B' which are independently drawn with
distribution p, and for every j in B', D_beta^j is a dataset corresponding to task j
with size D_beta. If the conditions

    B' >= ceil(0.5 (rho alpha sigma / L)^2),   D_beta >= ceil((2 rho alpha sigma~ / L)^2)   (18)

are satisfied, then we have

    E[beta~(w)] >= 0.8 / L(w),   E[beta~(w)^2] <= 3.125 / L(w)^2              (19)

where L(w) = 4L + 2 rho alpha E_{i~p} ||grad f_i(w)||."

L~(w) (16) and beta~(w) (17) are declared here once; the algorithms' stepsize
beta_k = c * beta~(w_k) evaluates ``BETA_TILDE`` with TaskMean taken over the
batch B' (uniform weights), which is exactly the batch average of (16).
"""
from sympy import Rational, ceiling

from ._core import Bound, Definition, Kind, Precondition, Relation
from ._symbols import (
    HESSIAN,
    STEPSIZE,
    B_prime,
    D_beta,
    L,
    _mi,
    _row,
    _text,
    _tilde,
    alpha,
    batch_grad_norm,
    declare_defined,
    declare_quantity,
    rho,
    sigma,
    sigma_tilde,
)
from ._taskmean import TaskMean
from ._hypotheses import ALPHA_AT_MOST_ONE_OVER_L
from .lemma_4_8 import L_OF_W, L_w

L_tilde = declare_defined("L_tilde", "L~(w), the batch estimate (16) of L(w)", r"\tilde{L}(w)",
                          _row(_tilde(_mi("L")), _text("(w)")), HESSIAN, positive=True)
beta_tilde = declare_defined("beta_tilde", "beta~(w) := 1/L~(w), (17)", r"\tilde{\beta}(w)",
                             _row(_tilde(_mi("&#946;")), _text("(w)")), STEPSIZE, positive=True)

# (16): the average over the batch B' is TaskMean with uniform weights over the drawn tasks.
L_TILDE = Definition(L_tilde, 4 * L + 2 * rho * alpha * TaskMean(batch_grad_norm), "eq. (16)")
BETA_TILDE = Definition(beta_tilde, 1 / L_tilde, "eq. (17)")
BETA_TILDE_EXPANDED = 1 / L_TILDE.expr

# (18), the batch-size conditions of Lemma 4.9; Theorems F.1, G.1 and H.1 use them through the lemma.
B_PRIME_CONDITION = Precondition(
    "B' >= ceil(0.5 (rho alpha sigma / L)^2)",
    B_prime >= ceiling(Rational(1, 2) * (rho * alpha * sigma / L) ** 2), "eq. (18)")
D_BETA_CONDITION = Precondition(
    "D_beta >= ceil((2 rho alpha sigma~ / L)^2)",
    D_beta >= ceiling((2 * rho * alpha * sigma_tilde / L) ** 2), "eq. (18)")

E_beta_tilde = declare_quantity("E_beta_tilde", "E[beta~(w)] over the batches B' and D_beta of (17)",
                                r"\mathbb{E}[\tilde\beta(w)]", STEPSIZE, text="𝔼[β̃(w)]")
E_beta_tilde_sq = declare_quantity("E_beta_tilde_sq", "E[beta~(w)^2] over the batches B' and D_beta of (17)",
                                   r"\mathbb{E}[\tilde\beta(w)^2]", (-2, 4), text="𝔼[β̃(w)²]")

_COMMON = dict(
    kind=Kind.EXPECTATION,
    preconditions=(ALPHA_AT_MOST_ONE_OVER_L, B_PRIME_CONDITION, D_BETA_CONDITION),
    definitions=(L_OF_W,),
    settings={"beta_tilde": BETA_TILDE_EXPANDED},
    reading="sigma and sigma~ in (18) are the bounds of Assumptions 4.5-4.6, not the "
            "variances at w; a family's certified constants are used.",
)

lemma_4_9_first_moment = Bound(
    id="lemma_4_9_first_moment",
    reference="Lemma 4.9, eq. (19), first inequality, under (18), for beta~ of (16)-(17)",
    statement="Under the batch conditions (18), E[beta~(w)] >= 0.8 / L(w).",
    lhs=E_beta_tilde,
    relation=Relation.GE,
    rhs=Rational(4, 5) / L_w,
    lhs_words="E[beta~(w)], the mean of 1/L~(w) of (16)-(17) over independent draws of the task batch "
              "B' (size B', tasks ~ p) and of each task's data batch D_beta^j (size D_beta)",
    **_COMMON,
)

lemma_4_9_second_moment = Bound(
    id="lemma_4_9_second_moment",
    reference="Lemma 4.9, eq. (19), second inequality, under (18), for beta~ of (16)-(17)",
    statement="Under the batch conditions (18), E[beta~(w)^2] <= 3.125 / L(w)^2.",
    lhs=E_beta_tilde_sq,
    relation=Relation.LE,
    rhs=Rational(25, 8) / L_w ** 2,
    lhs_words="E[beta~(w)^2], the second moment of 1/L~(w) of (16)-(17) over independent draws of the "
              "task batch B' and of the data batches D_beta^j",
    **_COMMON,
)
