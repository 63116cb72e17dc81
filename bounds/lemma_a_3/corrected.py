"""Lemma A.3 corrected: (34) with (1 + alpha L)^4, and (36)-(37) in integral form.

The erratum's entries for the findings on Lemma A.3 (verify/judge/known_findings.toml).  Each
Bound records which printed Bound it corrects; the checks judge it on the same instances, the
printed statement's counterexamples included, and the printed statement's violation there is its
negative control.

(34) corrected.  With x = alpha L and A_i(w) = I - alpha grad^2 f_i(w):

    E_i||grad F_i(w)||^2 <= (1 + alpha L)^4 (2 C1^2 ||grad F(w)||^2 + (2 C2^2 + 1) sigma^2).

Proof.  By (35b) and (36) in integral form (below), grad F_i(w) = A_i(w) (I - alpha H_i) grad f_i(w)
with ||A_i(w)||, ||I - alpha H_i|| <= 1 + x (30a), so ||grad F_i(w)||^2 <= (1 + x)^4 ||grad f_i(w)||^2.
E_i||grad f_i(w)||^2 = ||grad f(w)||^2 + E_i||grad f_i(w) - grad f(w)||^2 <= ||grad f(w)||^2 + sigma^2
(Assumption 4.5), and (33) with (a + b)^2 <= 2a^2 + 2b^2 gives ||grad f(w)||^2 <= 2 C1^2 ||grad F(w)||^2
+ 2 C2^2 sigma^2.  Multiplying out gives the display.

Sharpness: supremum of lhs/rhs 1, attained.  Every step above is an inequality between the two
sides, so lhs/rhs <= 1.  At alpha = 0 (admitted: the lemma's range is alpha in [0, (sqrt 2 - 1)/L))
C1 = 1, C2 = 0, F = f, and at a stationary point of f with sigma exact (two tasks, gradients +-b)
lhs = sigma^2 = rhs.  For alpha L = x > 0 the printed counterexample (tasks sharing the Hessian -L
along their gradients, at a stationary point) gives 1/(2 C2^2 + 1), which tends to 1 as x -> 0.
The exponent 4 cannot be lowered: that same configuration has lhs = (1 + x)^4 sigma^2.

(36) corrected.  grad f_i(w - alpha grad f_i(w)) = (I - alpha H_i) grad f_i(w), with the averaged
Hessian H_i := int_0^1 grad^2 f_i(w - t alpha grad f_i(w)) dt, which satisfies -L I <= H_i <= L I
(30a) and so gives every bound the proof draws from (36).  Proof: the fundamental theorem of calculus
along the segment.  (37) corrected: grad F_i(w) = A_i(w) (I - alpha H_i) grad f_i(w), from (35b)
and (36) corrected.  Both are identities, checked to the rounding and quadrature allowance.
"""
import sympy as sp

from .._core import Bound, Kind, Relation, Sharpness
from .._hypotheses import ALPHA_BELOW_SQRT2_MINUS_1, ALPHA_POSITIVE
from .._proof_steps import constant_step
from .._symbols import GRADIENT, L, alpha, declare_quantity, grad_F_norm, grad_Fi_norm, sigma
from .._taskmean import TaskMean
from .arithmetic import a3_eq_34_power_of_one_plus_alpha_L
from .statement import (C_1, C_1_DEFINITION, C_2, C_2_DEFINITION, eq_36_mean_value_form, eq_37_factorisation,
    lemma_a_3_task_gradient_second_moment)

lemma_a_3_task_gradient_second_moment_corrected = Bound(
    id="lemma_a_3_task_gradient_second_moment_corrected",
    reference="Lemma A.3, eq. (34), corrected",
    kind=Kind.POINTWISE,
    statement="E_i||grad F_i(w)||^2 <= (1 + alpha L)^4 (2 C1^2 ||grad F(w)||^2 + (2 C2^2 + 1) sigma^2).",
    lhs=TaskMean(grad_Fi_norm ** 2),
    relation=Relation.LE,
    rhs=(1 + alpha * L) ** 4 * (2 * C_1 ** 2 * grad_F_norm ** 2 + (2 * C_2 ** 2 + 1) * sigma ** 2),
    lhs_words=lemma_a_3_task_gradient_second_moment.lhs_words,
    preconditions=(ALPHA_BELOW_SQRT2_MINUS_1,),
    definitions=(C_1_DEFINITION, C_2_DEFINITION),
    corrects=lemma_a_3_task_gradient_second_moment.id,
    sharpness=Sharpness(
        status="derived",
        derivation="Proof: by (35b) and (36) in integral form grad F_i = A_i(w)(I - alpha H_i) grad f_i(w), so "
                   "||grad F_i||^2 <= (1 + alpha L)^4 ||grad f_i||^2 (30a); E_i||grad f_i||^2 <= ||grad f||^2 + sigma^2; "
                   "and (33) with (a + b)^2 <= 2a^2 + 2b^2. Each step is an inequality between the sides, so lhs/rhs <= 1. "
                   "At alpha = 0 (inside the lemma's range [0, (sqrt 2 - 1)/L)) C1 = 1, C2 = 0, and at a stationary "
                   "point of f with sigma exact lhs = sigma^2 = rhs. For alpha L = x > 0 the printed statement's "
                   "counterexample gives 1/(2 C2^2 + 1) -> 1 as x -> 0; its lhs (1 + x)^4 sigma^2 shows the exponent "
                   "4 is needed.",
        supremum=sp.Integer(1), attained=sp.Integer(1),
        extremal="two equally likely quadratic tasks f_i = -L w^2/2 + b_i w (L = 1), b = (1, -1), w = 0, alpha = 0 "
                 "(verify.checks.pointwise.EXTREMAL, extremal='quadratic', offset=0, alpha_frac=0)",
    ),
)

integral_mean_value_residual = declare_quantity(
    "integral_mean_value_residual",
    "||grad f_i(w - alpha grad f_i(w)) - (I - alpha H_i) grad f_i(w)|| with H_i the Hessian averaged over "
    "the segment [w, w - alpha grad f_i(w)]",
    r"\|\nabla f_i(w-\alpha\nabla f_i(w))-(I-\alpha\bar H_i)\nabla f_i(w)\|",
    GRADIENT, per_task=True, text="‖∇fᵢ(w − α∇fᵢ(w)) − (I − αH̄ᵢ)∇fᵢ(w)‖")
integral_factorisation_residual = declare_quantity(
    "integral_factorisation_residual",
    "||grad F_i(w) - A_i(w) (I - alpha H_i) grad f_i(w)|| with H_i the Hessian averaged over the segment",
    r"\|\nabla F_i(w)-A_i(w)(I-\alpha\bar H_i)\nabla f_i(w)\|",
    GRADIENT, per_task=True, text="‖∇Fᵢ(w) − Aᵢ(w)(I − αH̄ᵢ)∇fᵢ(w)‖")

eq_36_mean_value_form_corrected = Bound(
    id="eq_36_mean_value_form_corrected",
    reference="Lemma A.3 proof, eq. (36), corrected",
    kind=Kind.CLOSED_FORM,
    statement="grad f_i(w - alpha grad f_i(w)) = (I - alpha H_i) grad f_i(w), H_i = int_0^1 "
              "grad^2 f_i(w - t alpha grad f_i(w)) dt (-L I <= H_i <= L I).",
    lhs=integral_mean_value_residual,
    relation=Relation.EQ,
    rhs=0,
    preconditions=(ALPHA_BELOW_SQRT2_MINUS_1,),
    lhs_words="for every task i: ||grad f_i(w - alpha grad f_i(w)) - (I - alpha H_i) grad f_i(w)||, H_i g computed "
              "by Gauss-Legendre quadrature of Hessian-vector products along the segment",
    corrects=eq_36_mean_value_form.id,
    reading="Proof: the fundamental theorem of calculus along the segment, grad f_i(w - alpha g) - g = -alpha "
            "int_0^1 grad^2 f_i(w - t alpha g) g dt with g = grad f_i(w). -L I <= H_i <= L I by (30a), which is all "
            "(38)-(41), (46) and (34) use.",
)

eq_37_factorisation_corrected = Bound(
    id="eq_37_factorisation_corrected",
    reference="Lemma A.3 proof, eq. (37), corrected",
    kind=Kind.CLOSED_FORM,
    statement="grad F_i(w) = A_i(w) (I - alpha H_i) grad f_i(w), H_i = int_0^1 grad^2 f_i(w - t alpha grad f_i(w)) dt.",
    lhs=integral_factorisation_residual,
    relation=Relation.EQ,
    rhs=0,
    preconditions=(ALPHA_BELOW_SQRT2_MINUS_1,),
    lhs_words="for every task i: ||grad F_i(w) - A_i(w) (I - alpha H_i) grad f_i(w)||, grad F_i from (35b), H_i by "
              "quadrature",
    corrects=eq_37_factorisation.id,
    reading="Proof: (36) corrected, grad f_i(w - alpha g) = (I - alpha H_i) g with g = grad f_i(w) (the fundamental "
            "theorem of calculus along the segment), then (35b): grad F_i(w) = A_i(w) grad f_i(w - alpha g).",
)

# The proof's step behind (34), with the exponent its premises give: the product of two factors,
# each at most (1 + alpha L), squared, is at most (1 + alpha L)^4 (tight: both Hessians -L I).
a3_eq_34_power_of_one_plus_alpha_l_corrected = constant_step(
    "a3_eq_34_power_of_one_plus_alpha_l_corrected", "Lemma A.3 proof, eq. (34), corrected",
    "||A_i(w)||^2 ||A_i(w~_i)||^2 <= (1 + alpha L)^4 given ||A_i(w)||, ||A_i(w~_i)|| <= 1 + alpha L: the exponent "
    "is at most 4.",
    a3_eq_34_power_of_one_plus_alpha_L.lhs, Relation.LE, 4,
    preconditions=(ALPHA_POSITIVE, ALPHA_BELOW_SQRT2_MINUS_1), corrects=a3_eq_34_power_of_one_plus_alpha_L.id,
    reading="Encoded by the exponent, as the printed step: log((1 + alpha L)^4)/log(1 + alpha L) = 4 for "
            "alpha L > 0.")
