"""Appendix A, eqs. (38), (39) and (41): the chain of the proof of (33) in Lemma A.3.

Statements (paper, Appendix A, with alpha in [0, (sqrt(2) - 1)/L) as in Lemma A.3):

    ||grad f(w)|| = ||E_i grad f_i(w)|| = ||E_i[grad F_i(w) + (grad f_i(w) - grad F_i(w))]||
                 <= ||E_i grad F_i(w)|| + ||E_i[(I - A_i(w) A_i(w~_i)) grad f_i(w)]||          (38)
                 <= ||grad F(w)|| + E_i[||I - A_i(w) A_i(w~_i)|| ||grad f_i(w)||],             (39)

"where (38) is obtained by substituting grad F_i(w) from (37)", and, "by Assumption 4.5",

    E_i[||grad f_i(w) - E_i grad f_i(w)||] <= sqrt(E_i[||grad f_i(w) - grad f(w)||^2]) <= sigma.  (41)

Each line's left side is the expression the line before ends with: (39)'s is (38)'s right side.

Reading of w~_i.  (36)-(37) write grad f_i(w - alpha grad f_i(w)) = A_i(w~_i) grad f_i(w) at one point
w~_i of the segment, which for d >= 2 need not exist (recorded finding on (36)-(37)); in the integral form
(bounds/lemma_a_3/corrected.py) A_i(w~_i) is I - alpha H_i, H_i the Hessian averaged over the segment, with
||alpha H_i|| <= alpha L, every property (38)-(40) use.  (38)-(39) are encoded with A_i(w~_i) read so:
then (I - A_i(w) A_i(w~_i)) grad f_i(w) = grad f_i(w) - grad F_i(w) exactly ((35b)), and (38) is the triangle
inequality, (39) Jensen's inequality with the operator norm.  sigma is Assumption 4.5's bound (12).

Sharpness (supremum of lhs/rhs: 1 for each, attained).  (38): the triangle inequality, equality when
E_i grad F_i(w) and E_i[grad f_i - grad F_i] point the same way, for instance at alpha = 0 (the second
term 0, lhs = ||grad f|| = ||grad F|| = rhs), admitted by the lemma's range.  (39): ||E_i[M_i g_i]|| <=
E_i ||M_i|| ||g_i||, equality with one task whose gradient is a top singular vector of M_i = I - A_i(w)(I -
alpha H_i): a quadratic task with Hessian diag(-L, -L/2) and gradient along e_1.  (41): Jensen's
inequality and (12), both equalities for two equally likely tasks whose gradients differ by a constant
2b (shared Hessian), where ||grad f_i - grad f|| = ||b|| = sigma for both.
"""
import sympy as sp

from .._core import Bound, Kind, Relation, Sharpness
from .._hypotheses import ALPHA_BELOW_SQRT2_MINUS_1
from .._symbols import DIMENSIONLESS, GRADIENT, declare_quantity, grad_F_norm, grad_f_norm, grad_fi_norm_w, sigma
from .._taskmean import TaskMean

meta_gradient_gap_norm = declare_quantity(
    "meta_gradient_gap_norm",
    "||E_i[(I - A_i(w) A_i(w~_i)) grad f_i(w)]|| = ||E_i[grad f_i(w) - grad F_i(w)]||, the second term of (38)",
    r"\|\mathbb{E}_{i}[(I-A_i(w)A_i(\tilde w_i))\nabla f_i(w)]\|", GRADIENT,
    text="‖𝔼ᵢ[(I − Aᵢ(w)Aᵢ(w̃ᵢ))∇fᵢ(w)]‖")
hessian_product_gap_norm = declare_quantity(
    "hessian_product_gap_norm",
    "||I - A_i(w) A_i(w~_i)||, A_i(w~_i) = I - alpha H_i with H_i the Hessian averaged over [w, w - alpha grad f_i(w)]",
    r"\|I-A_i(w)A_i(\tilde w_i)\|", DIMENSIONLESS, per_task=True, text="‖I − Aᵢ(w)Aᵢ(w̃ᵢ)‖")
task_gradient_deviation_norm = declare_quantity(
    "task_gradient_deviation_norm", "||grad f_i(w) - grad f(w)||, task i's gradient from the mean gradient",
    r"\|\nabla f_i(w)-\nabla f(w)\|", GRADIENT, per_task=True, text="‖∇fᵢ(w) − ∇f(w)‖")

_W_TILDE = ("A_i(w~_i) is read in the integral form of (36): I - alpha H_i, H_i the Hessian averaged over the "
            "segment [w, w - alpha grad f_i(w)] (a single w~_i need not exist for d >= 2, recorded finding on "
            "(36)-(37)); then (I - A_i(w) A_i(w~_i)) grad f_i(w) = grad f_i(w) - grad F_i(w) by (35b).")

eq_38_triangle_inequality = Bound(
    id="eq_38_triangle_inequality",
    reference="Lemma A.3 proof, eq. (38)",
    kind=Kind.POINTWISE,
    statement="||grad f(w)|| <= ||E_i grad F_i(w)|| + ||E_i[(I - A_i(w) A_i(w~_i)) grad f_i(w)]||.",
    lhs=grad_f_norm,
    relation=Relation.LE,
    rhs=grad_F_norm + meta_gradient_gap_norm,
    lhs_words="||grad f(w)|| = ||E_i grad f_i(w)||, against ||grad F(w)|| (= ||E_i grad F_i(w)||, (35a)) and the norm "
              "of E_i[grad f_i(w) - grad F_i(w)] at the same w",
    preconditions=(ALPHA_BELOW_SQRT2_MINUS_1,),
    reading=_W_TILDE,
    sharpness=Sharpness(
        status="derived",
        derivation="(38) is the triangle inequality on grad f = E_i grad F_i + E_i[grad f_i - grad F_i] ((35a), (35b), "
                   "(37)): lhs/rhs <= 1, with equality when the two means point the same way, e.g. at alpha = 0 "
                   "(inside [0, (sqrt 2 - 1)/L)), where the second is 0 and grad F = grad f.",
        supremum=sp.Integer(1), attained=sp.Integer(1),
        extremal="quadratic tasks sharing the Hessian diag(-L, -L/2) (L = 1), alpha = 0 "
                 "(verify.checks.pointwise.EXTREMAL, extremal='quadratic', alpha_frac=0)",
    ),
)

eq_39_jensen_operator_norm = Bound(
    id="eq_39_jensen_operator_norm",
    reference="Lemma A.3 proof, eq. (39)",
    kind=Kind.POINTWISE,
    statement="||E_i grad F_i(w)|| + ||E_i[(I - A_i(w) A_i(w~_i)) grad f_i(w)]|| <= ||grad F(w)|| + "
              "E_i[||I - A_i(w) A_i(w~_i)|| ||grad f_i(w)||].",
    lhs=grad_F_norm + meta_gradient_gap_norm,
    relation=Relation.LE,
    rhs=grad_F_norm + TaskMean(hessian_product_gap_norm * grad_fi_norm_w),
    lhs_words="(38)'s right side: ||grad F(w)|| plus ||E_i[grad f_i(w) - grad F_i(w)]||; against the spectral norm of "
              "I - A_i(w)(I - alpha H_i), H_i by Gauss-Legendre quadrature of the Hessian along the segment, times "
              "||grad f_i(w)||, averaged over the tasks",
    preconditions=(ALPHA_BELOW_SQRT2_MINUS_1,),
    reading=_W_TILDE + " The left side is (38)'s right side.",
    sharpness=Sharpness(
        status="derived",
        derivation="(39): ||E_i[M_i g_i]|| <= E_i||M_i g_i|| <= E_i||M_i|| ||g_i|| (Jensen, then the operator norm), "
                   "M_i = I - A_i(w)(I - alpha H_i), g_i = grad f_i(w): lhs/rhs <= 1. Equality with one task whose "
                   "gradient is a top singular vector of M_i: Hessian diag(-L, -L/2), gradient along e_1, at every alpha.",
        supremum=sp.Integer(1), attained=sp.Integer(1),
        extremal="one quadratic task with Hessian diag(-L, -L/2) (L = 1), gradient along e_1, alpha L = sqrt(2) - 1 "
                 "approached (verify.checks.pointwise.EXTREMAL, extremal='quadratic', n=1, offset=1)",
    ),
)

eq_41_task_gradient_spread = Bound(
    id="eq_41_task_gradient_spread",
    reference="Lemma A.3 proof, eq. (41)",
    kind=Kind.POINTWISE,
    statement="E_i||grad f_i(w) - E_i grad f_i(w)|| <= sqrt(E_i||grad f_i(w) - grad f(w)||^2) <= sigma.",
    lhs=TaskMean(task_gradient_deviation_norm),
    relation=Relation.LE,
    rhs=sigma,
    lhs_words="the task-weighted mean of ||grad f_i(w) - grad f(w)|| at w, against the family's certified sigma of (12)",
    preconditions=(ALPHA_BELOW_SQRT2_MINUS_1,),
    reading="Encoded end to end, E_i||grad f_i(w) - grad f(w)|| <= sigma: the middle term is Jensen's step, the last "
            "Assumption 4.5, (12). The display's hypotheses are Lemma A.3's (alpha does not enter it).",
    sharpness=Sharpness(
        status="derived",
        derivation="(41): Jensen's inequality E||X|| <= sqrt(E||X||^2), then (12): lhs/rhs <= 1. Both are equalities "
                   "when ||grad f_i(w) - grad f(w)|| is the same for every task and sigma is exact: two equally likely "
                   "tasks with a shared Hessian and gradients differing by 2b, so that ||grad f_i - grad f|| = ||b|| = "
                   "sigma at every w.",
        supremum=sp.Integer(1), attained=sp.Integer(1),
        extremal="two equally likely quadratic tasks sharing the Hessian diag(-L, -L/2) (L = 1) with b = (1, -1) e_1 "
                 "(verify.checks.pointwise.EXTREMAL, extremal='quadratic', n=2, offset=0)",
    ),
)
