"""Lemma A.3, eqs. (33)-(34), and the identities (35)-(37) of its proof.

Statement (paper, Appendix A): "Consider the definitions of f in (1) and F in (2)
for the case that alpha in [0, (sqrt(2) - 1)/L). Suppose that the conditions in
Assumptions 4.3-4.5 are satisfied. ... Then, for any w in R^d we have

    ||grad f(w)|| <= C1 ||grad F(w)|| + C2 sigma,                                       (33)

    E_{i~p}[||grad F_i(w)||^2] <= 2 (1 + alpha L)^2 C1^2 ||grad F(w)||^2
                                  + (1 + alpha L)^2 (2 C2^2 + 1) sigma^2,              (34)

where C1 = 1 / (1 - 2 alpha L - alpha^2 L^2), C2 = (2 alpha L + alpha^2 L^2) / (1 - 2 alpha L - alpha^2 L^2)."

The proof uses

    grad F(w) = E_{i~p}[grad F_i(w)],  grad F_i(w) = A_i(w) grad f_i(w - alpha grad f_i(w)),   (35a), (35b)
    grad f_i(w - alpha grad f_i(w)) = (I - alpha grad^2 f_i(w~_i)) grad f_i(w)                  (36)

"for some w~_i which can be written as a convex combination of w and
w - alpha grad f_i(w)", hence grad F_i(w) = A_i(w) A_i(w~_i) grad f_i(w) (37),
with A_i(w) := I - alpha grad^2 f_i(w).

Reading of (34): its proof bounds ||A_i(w)||^2 ||A_i(w~_i)||^2 by (1 + alpha L)^2,
where the two factors give (1 + alpha L)^4; (34) is encoded as printed, with
(1 + alpha L)^2.  Reading of (36)-(37): a single w~_i for the whole vector is the
mean value theorem for a vector field, which holds in d = 1 and in general only in
integral form; (36)-(37) are encoded as printed (a point w~_i on the segment
exists), and sigma is Assumption 4.5's bound, used by the proof only through (41).
"""


from ._core import Bound, Definition, Kind, Relation
from ._hypotheses import ALPHA_BELOW_SQRT2_MINUS_1
from ._symbols import (
    DIMENSIONLESS,
    GRADIENT,
    L,
    _mi,
    _sub,
    alpha,
    declare_defined,
    declare_quantity,
    grad_F_norm,
    grad_f_norm,
    grad_Fi_norm,
    sigma,
)
from ._taskmean import TaskMean

C_1 = declare_defined("C_1", "C1 of Lemma A.3", r"C_{1}", _sub(_mi("C"), "<mn>1</mn>"), DIMENSIONLESS, positive=True)
C_2 = declare_defined("C_2", "C2 of Lemma A.3", r"C_{2}", _sub(_mi("C"), "<mn>2</mn>"), DIMENSIONLESS, positive=True)

C_1_DEFINITION = Definition(C_1, 1 / (1 - 2 * alpha * L - alpha ** 2 * L ** 2), "Lemma A.3")
C_2_DEFINITION = Definition(C_2, (2 * alpha * L + alpha ** 2 * L ** 2) / (1 - 2 * alpha * L - alpha ** 2 * L ** 2),
                            "Lemma A.3")

lemma_a_3_gradient_of_f = Bound(
    id="lemma_a_3_gradient_of_f",
    reference="Lemma A.3, eq. (33)",
    kind=Kind.POINTWISE,
    statement="||grad f(w)|| <= C1 ||grad F(w)|| + C2 sigma.",
    lhs=grad_f_norm,
    relation=Relation.LE,
    rhs=C_1 * grad_F_norm + C_2 * sigma,
    lhs_words="||grad f(w)||, the norm of the task-averaged gradient E_i grad f_i(w), against the exact "
              "meta-gradient norm ||grad F(w)|| at the same w",
    preconditions=(ALPHA_BELOW_SQRT2_MINUS_1,),
    definitions=(C_1_DEFINITION, C_2_DEFINITION),
    reading="sigma is the bound of Assumption 4.5, (12); the proof uses it only through (41) at w.",
)

lemma_a_3_task_gradient_second_moment = Bound(
    id="lemma_a_3_task_gradient_second_moment",
    reference="Lemma A.3, eq. (34)",
    kind=Kind.POINTWISE,
    statement="E_i||grad F_i(w)||^2 <= 2(1 + alpha L)^2 C1^2 ||grad F(w)||^2 + (1 + alpha L)^2 (2 C2^2 + 1) sigma^2.",
    lhs=TaskMean(grad_Fi_norm ** 2),
    relation=Relation.LE,
    rhs=2 * (1 + alpha * L) ** 2 * C_1 ** 2 * grad_F_norm ** 2
        + (1 + alpha * L) ** 2 * (2 * C_2 ** 2 + 1) * sigma ** 2,
    lhs_words="the exact task average of ||grad F_i(w)||^2, grad F_i(w) = (I - alpha grad^2 f_i(w)) "
              "grad f_i(w - alpha grad f_i(w)) (35b), against ||grad F(w)|| at the same w",
    preconditions=(ALPHA_BELOW_SQRT2_MINUS_1,),
    definitions=(C_1_DEFINITION, C_2_DEFINITION),
    reading="Encoded as printed with (1 + alpha L)^2. The proof's step "
            "E||A_i(w)||^2 ||A_i(w~_i)||^2 ||grad f_i(w)||^2 <= (1 + alpha L)^2 E||grad f_i(w)||^2 "
            "drops one factor (1 + alpha L)^2: the product of the two norms squared is bounded by "
            "(1 + alpha L)^4.",
)

meta_gradient_identity_residual = declare_quantity(
    "meta_gradient_identity_residual",
    "||grad F(w) - E_i[(I - alpha grad^2 f_i(w)) grad f_i(w - alpha grad f_i(w))]|| with grad F from F itself",
    r"\|\nabla F(w)-\mathbb{E}_i[A_i(w)\nabla f_i(w-\alpha\nabla f_i(w))]\|", GRADIENT,
    text="‖∇F(w) − 𝔼ᵢ[Aᵢ(w)∇fᵢ(w − α∇fᵢ(w))]‖")
mean_value_residual = declare_quantity(
    "mean_value_residual",
    "min over w~ on [w, w - alpha grad f_i(w)] of ||grad f_i(w - alpha grad f_i(w)) - (I - alpha grad^2 f_i(w~)) grad f_i(w)||",
    r"\min_{\tilde w_i}\|\nabla f_i(w-\alpha\nabla f_i(w))-(I-\alpha\nabla^2 f_i(\tilde w_i))\nabla f_i(w)\|",
    GRADIENT, per_task=True, text="min_{w̃ᵢ} ‖∇fᵢ(w − α∇fᵢ(w)) − (I − α∇²fᵢ(w̃ᵢ))∇fᵢ(w)‖")
factorisation_residual = declare_quantity(
    "factorisation_residual",
    "min over w~ on [w, w - alpha grad f_i(w)] of ||grad F_i(w) - A_i(w) A_i(w~) grad f_i(w)||",
    r"\min_{\tilde w_i}\|\nabla F_i(w)-A_i(w)A_i(\tilde w_i)\nabla f_i(w)\|",
    GRADIENT, per_task=True, text="min_{w̃ᵢ} ‖∇Fᵢ(w) − Aᵢ(w)Aᵢ(w̃ᵢ)∇fᵢ(w)‖")

eq_35_meta_gradient = Bound(
    id="eq_35_meta_gradient",
    reference="Lemma A.3 proof, eqs. (35a)-(35b) (the gradient (6))",
    kind=Kind.CLOSED_FORM,
    statement="grad F(w) = E_i[(I - alpha grad^2 f_i(w)) grad f_i(w - alpha grad f_i(w))].",
    lhs=meta_gradient_identity_residual,
    relation=Relation.EQ,
    rhs=0,
    lhs_words="the norm of the difference between the gradient of F (2) computed independently (by "
              "differentiating F, e.g. symbolically or by central differences) and the expression (35)",
)

eq_36_mean_value_form = Bound(
    id="eq_36_mean_value_form",
    reference="Lemma A.3 proof, eq. (36)",
    kind=Kind.CLOSED_FORM,
    statement="grad f_i(w - alpha grad f_i(w)) = (I - alpha grad^2 f_i(w~_i)) grad f_i(w) for some w~_i "
              "on the segment [w, w - alpha grad f_i(w)].",
    lhs=mean_value_residual,
    relation=Relation.EQ,
    rhs=0,
    lhs_words="for every task i: the minimum over points w~ of the segment [w, w - alpha grad f_i(w)] of "
              "||grad f_i(w - alpha grad f_i(w)) - (I - alpha grad^2 f_i(w~)) grad f_i(w)||",
    reading="Encoded as printed: one intermediate point for the whole vector. For d >= 2 only the "
            "integral form (with the averaged Hessian) is guaranteed.",
)

eq_37_factorisation = Bound(
    id="eq_37_factorisation",
    reference="Lemma A.3 proof, eq. (37)",
    kind=Kind.CLOSED_FORM,
    statement="grad F_i(w) = A_i(w) A_i(w~_i) grad f_i(w) for some w~_i on [w, w - alpha grad f_i(w)].",
    lhs=factorisation_residual,
    relation=Relation.EQ,
    rhs=0,
    lhs_words="for every task i: the minimum over w~ of the segment of ||grad F_i(w) - A_i(w) A_i(w~) grad f_i(w)||",
    reading="As (36): one intermediate point for the whole vector.",
)
