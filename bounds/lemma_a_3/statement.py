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

Sharpness of (33) (supremum of lhs/rhs: 1, attained).  With the integral form of (36),
grad f(w) - grad F(w) = E_i[(I - A_i(w) A_i_bar) grad f_i(w)] with ||I - A_i(w) A_i_bar|| <= 2 alpha L
+ alpha^2 L^2 =: k, and E_i||grad f_i(w)|| <= ||grad f(w)|| + sigma (41), so ||grad f|| <= ||grad F|| +
k (||grad f|| + sigma), i.e. (33): lhs/rhs <= 1.  At alpha = 0 (admitted: alpha in [0, (sqrt 2 - 1)/L))
C1 = 1, C2 = 0 and grad F = grad f, so equality holds at every w with grad f(w) != 0.

Sharpness of (34) (false as printed; a proven upper bound 2 on the supremum; the ratio
1.0827... attained).  Write x = alpha L.  By (35b), (30a) and (46),
||grad F_i|| <= (1 + x)^2 ||grad f_i||, so E_i||grad F_i||^2 <= (1 + x)^4 (||grad f||^2 + sigma^2), and
by (33) ||grad F|| >= (||grad f|| - C2 sigma)_+ / C1.  Hence, with t = ||grad f|| / sigma,
lhs/rhs <= (1 + x)^2 (t^2 + 1) / (2 (t - C2)_+^2 + 2 C2^2 + 1) <= (1 + x)^2 < 2, since
t^2 + 1 <= 2 (t - C2)^2 + 2 C2^2 + 1 is (t - 2 C2)^2 >= 0: the supremum is at most 2 (the limit
x -> sqrt(2) - 1).  Attained: tasks sharing the Hessian -L along their gradients, at a
stationary point of f and F (grad f = grad F = 0, E||grad f_i||^2 = sigma^2, sigma exact on R^d):
lhs/rhs = (1 + x)^2 / (2 C2^2 + 1), largest at the root x* = 0.06984 in (0, sqrt(2) - 1) of
3x^6 + 18x^5 + 35x^4 + 20x^3 + 3x^2 + 14x - 1, where it is 1.08272.  The two tight steps cannot
be had at once: (33) is tight only where the curvature shrinks grad F against grad f (curvature
+L), the factor (1 + x)^4 only at curvature -L; the exact supremum between 1.0827 and 2 is not derived.
"""
import sympy as sp


from .._core import Bound, Definition, Kind, Relation, Sharpness
from .._hypotheses import ALPHA_BELOW_SQRT2_MINUS_1
from .._symbols import (DIMENSIONLESS, GRADIENT, L, _mi, _sub, alpha, declare_defined, declare_quantity,
    grad_F_norm, grad_f_norm, grad_Fi_norm, sigma)
from .._taskmean import TaskMean

C_1 = declare_defined("C_1", "C1 of Lemma A.3", r"C_{1}", _sub(_mi("C"), "<mn>1</mn>"), DIMENSIONLESS, positive=True)
C_2 = declare_defined("C_2", "C2 of Lemma A.3", r"C_{2}", _sub(_mi("C"), "<mn>2</mn>"), DIMENSIONLESS, positive=True)

C_1_DEFINITION = Definition(C_1, 1 / (1 - 2 * alpha * L - alpha ** 2 * L ** 2), "Lemma A.3")
C_2_DEFINITION = Definition(C_2, (2 * alpha * L + alpha ** 2 * L ** 2) / (1 - 2 * alpha * L - alpha ** 2 * L ** 2),
                            "Lemma A.3")

# (34)'s ratio (1 + x)^2 / (2 C2^2 + 1) at its maximiser x* in (0, sqrt(2) - 1) (module docstring).
_x = sp.Symbol("x", positive=True)
X_STAR_34 = sp.CRootOf(3 * _x ** 6 + 18 * _x ** 5 + 35 * _x ** 4 + 20 * _x ** 3 + 3 * _x ** 2 + 14 * _x - 1, 1)
_C2_AT = (2 * _x + _x ** 2) / (1 - 2 * _x - _x ** 2)
# Recorded as its 15-decimal truncation (a rational, <= the exact value) so that a right side
# scaled by it stays evaluable numerically.
_ATTAINED_34 = sp.floor(((1 + _x) ** 2 / (2 * _C2_AT ** 2 + 1)).subs(_x, X_STAR_34) * 10 ** 15) / 10 ** 15

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
    sharpness=Sharpness(
        status="derived",
        derivation="(36) in integral form gives grad f - grad F = E_i[(I - A_i(w) A_i_bar) grad f_i(w)] with "
                   "||I - A_i(w) A_i_bar|| <= 2 alpha L + alpha^2 L^2, and (41) E_i||grad f_i|| <= ||grad f|| + "
                   "sigma; solving ||grad f|| <= ||grad F|| + (2 alpha L + alpha^2 L^2)(||grad f|| + sigma) gives (33): "
                   "lhs/rhs <= 1. Equality at alpha = 0 (inside [0, (sqrt 2 - 1)/L)): C1 = 1, C2 = 0 and "
                   "grad F = grad f at every w.",
        supremum=sp.Integer(1), attained=sp.Integer(1),
        extremal="any tasks at alpha = 0 with grad f(w) != 0: quadratic tasks sharing the Hessian diag(-L, -L/2), "
                 "gradients 0.3 +- 1 along e_1 (verify.checks.pointwise.EXTREMAL, extremal='quadratic', alpha_frac=0)",
    ),
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
    sharpness=Sharpness(
        status="upper_bound",
        derivation="FALSE as printed (finding lemma-a3-eq34-missing-square). With x = alpha L: by (35b), (30a) and "
                   "(46) E_i||grad F_i||^2 <= (1 + x)^4 (||grad f||^2 + sigma^2), and by (33) ||grad F|| >= "
                   "(||grad f|| - C2 sigma)_+ / C1, so with t = ||grad f|| / sigma lhs/rhs <= (1 + x)^2 (t^2 + 1) / "
                   "(2 (t - C2)_+^2 + 2 C2^2 + 1) <= (1 + x)^2 < 2 (as (t - 2 C2)^2 >= 0): the supremum is at most 2. "
                   "Attained: tasks sharing the Hessian -L along their gradients at a stationary point of f and "
                   "F (grad f = grad F = 0, E||grad f_i||^2 = sigma^2 exactly) give (1 + x)^2 / (2 C2^2 + 1), "
                   "largest at the root x* = 0.069835 of 3x^6 + 18x^5 + 35x^4 + 20x^3 + 3x^2 + 14x - 1, where it "
                   "is 1.082721. The exact supremum in [1.0827, 2] is not derived: (33) is tight only at "
                   "curvature +L, the factor (1 + x)^4 only at curvature -L.",
        supremum=sp.Integer(2),
        attained=_ATTAINED_34,
        extremal="two equally likely quadratic tasks f_i = -L w^2/2 + b_i w (L = 1), b = (1, -1), w = 0 (a "
                 "stationary point of f and F), alpha L = x* = 0.069835 (verify.checks.pointwise.EXTREMAL, "
                 "extremal='quadratic', offset=0)",
    ),
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
    # Lemma A.3's range of alpha, in whose proof the identity stands.
    preconditions=(ALPHA_BELOW_SQRT2_MINUS_1,),
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
    # Lemma A.3's range of alpha, in whose proof the identity stands.
    preconditions=(ALPHA_BELOW_SQRT2_MINUS_1,),
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
    # Lemma A.3's range of alpha, in whose proof the identity stands.
    preconditions=(ALPHA_BELOW_SQRT2_MINUS_1,),
    lhs_words="for every task i: the minimum over w~ of the segment of ||grad F_i(w) - A_i(w) A_i(w~) grad f_i(w)||",
    reading="As (36): one intermediate point for the whole vector.",
)
