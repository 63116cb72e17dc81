"""Theorem A.2, eq. (32): Wooff's bounds on the inverse moments E[1/(X + c)^k].

Statement (paper, Appendix A, quoted from [Wooff, 1985]): "Let X be random variable with left extremity zero, and
let c be a positive constant. Suppose that mu_X = E[X] and sigma_X^2 = Var(X) are finite. Then, for every positive
integer k,

    1/(mu_X + c)^k <= E[1/(X + c)^k] <= (sigma_X^2/c^k + mu_X^2 gamma^k) / (sigma_X^2 + mu_X^2)              (32)

where gamma = mu_X/(sigma_X^2 + mu_X (mu_X + c))."  The proof of Lemma 4.9 applies it in (50) to
X = 2 rho alpha sum_{j in B'} ||grad~ f_j(w, D_beta^j)||/B', c = 4L, k = 2.

Reading.  "Left extremity zero" is read as X >= 0 (support in [0, infinity)), as (50) uses it (that X need not
come near 0).  X is encoded as a random variable over a finite law, the tasks i ~ p, with value X_i on task i:
E is TaskMean.  mu_X > 0 keeps the right side defined (at mu_X = 0, X = 0 and both sides are c^-k).

Sharpness (both supremum 1, attained).  Left (ratio rhs/lhs): Jensen's inequality for the convex x -> (x + c)^-k,
equality when X is constant.  Right: (x + c)^-k lies below the quadratic through x = 0 and tangent at
x1 = (sigma_X^2 + mu_X^2)/mu_X (the quadratic interpolation behind Wooff's bound), so E[(X + c)^-k] is at most the
same expectation for the two-point law on {0, x1} with the same mean and variance, P(X = x1) = mu_X^2/(sigma_X^2
+ mu_X^2), where it equals the right side (1/(x1 + c) = gamma): equality for every two-point law on {0, a}.
"""
import sympy as sp

from .._core import Bound, Definition, Kind, Precondition, Relation, Sharpness
from .._symbols import DIMENSIONLESS, c_A2, declare_defined, declare_quantity, k_A2
from .._taskmean import TaskMean

X_A2 = declare_quantity("X_A2", "X_i, the value on task i of the random variable X >= 0 of Theorem A.2 (i ~ p)",
                        "X", DIMENSIONLESS, per_task=True, text="X")
mu_X = declare_defined("mu_X", "mu_X = E[X] of Theorem A.2", r"\mu_X", "<msub><mi>&#956;</mi><mi>X</mi></msub>",
                       DIMENSIONLESS)
sigma_X_sq = declare_defined("sigma_X_sq", "sigma_X^2 = Var(X) of Theorem A.2", r"\sigma_X^2",
                             "<msubsup><mi>&#963;</mi><mi>X</mi><mn>2</mn></msubsup>", DIMENSIONLESS)
gamma_A2 = declare_defined("gamma_A2", "gamma = mu_X/(sigma_X^2 + mu_X (mu_X + c)) of Theorem A.2", r"\gamma",
                           "<mi>&#947;</mi>", DIMENSIONLESS)

MEAN = Definition(mu_X, TaskMean(X_A2), "Theorem A.2")
VARIANCE = Definition(sigma_X_sq, TaskMean(X_A2 ** 2) - mu_X ** 2, "Theorem A.2")
GAMMA = Definition(gamma_A2, mu_X / (sigma_X_sq + mu_X * (mu_X + c_A2)), "Theorem A.2, (32)")
MEAN_POSITIVE = Precondition("mu_X > 0", TaskMean(X_A2) > 0, "Theorem A.2: keeps the right side of (32) defined")

_INVERSE_MOMENT = TaskMean((X_A2 + c_A2) ** (-k_A2))
_WORDS = ("E[1/(X + c)^k] over the law of X, X_i >= 0 on task i with probability p_i (the check's X_i are the norms "
          "of the task gradients at a point, c a multiple of the certified L, k from 1 to 4)")

theorem_a_2_lower = Bound(
    id="theorem_a_2_lower",
    reference="Theorem A.2, eq. (32), left inequality",
    kind=Kind.POINTWISE,
    statement="E[1/(X + c)^k] >= 1/(mu_X + c)^k for X >= 0, c > 0, k a positive integer.",
    lhs=_INVERSE_MOMENT,
    relation=Relation.GE,
    rhs=(mu_X + c_A2) ** (-k_A2),
    lhs_words=_WORDS,
    preconditions=(MEAN_POSITIVE,),
    definitions=(MEAN,),
    reading=__doc__.split("Reading.")[1].split("Sharpness")[0].strip(),
    sharpness=Sharpness(
        status="derived", supremum=sp.Integer(1), attained=sp.Integer(1),
        derivation="(32) left: Jensen's inequality for the convex x -> (x + c)^-k gives ratio rhs/lhs <= 1, with equality "
                   "when X is constant (one task, or every X_i equal).",
        extremal="one quadratic task, X = ||grad f(w)|| (verify.checks.pointwise.EXTREMAL, extremal='quadratic', n=1)"),
)

theorem_a_2_upper = Bound(
    id="theorem_a_2_upper",
    reference="Theorem A.2, eq. (32), right inequality",
    kind=Kind.POINTWISE,
    statement="E[1/(X + c)^k] <= (sigma_X^2/c^k + mu_X^2 gamma^k)/(sigma_X^2 + mu_X^2), gamma = mu_X/(sigma_X^2 + "
              "mu_X (mu_X + c)), for X >= 0, c > 0, k a positive integer.",
    lhs=_INVERSE_MOMENT,
    relation=Relation.LE,
    rhs=(sigma_X_sq / c_A2 ** k_A2 + mu_X ** 2 * gamma_A2 ** k_A2) / (sigma_X_sq + mu_X ** 2),
    lhs_words=_WORDS,
    preconditions=(MEAN_POSITIVE,),
    definitions=(MEAN, VARIANCE, GAMMA),
    reading=__doc__.split("Reading.")[1].split("Sharpness")[0].strip(),
    sharpness=Sharpness(
        status="derived", supremum=sp.Integer(1), attained=sp.Integer(1),
        derivation="(32) right: the two-point law on {0, x1}, x1 = (sigma_X^2 + mu_X^2)/mu_X, with the same mean and "
                   "variance maximises E[(X + c)^-k] (the function lies below the quadratic through 0 and tangent at "
                   "x1), and there the expectation is the right side (1/(x1 + c) = gamma): lhs/rhs <= 1, equality for "
                   "every two-point law on {0, a}.",
        extremal="two equally likely quadratic tasks with gradients 2 e_1 and 0 at w = 0, X = (2, 0) "
                 "(verify.checks.pointwise.EXTREMAL, extremal='quadratic', n=2, offset=1)"),
)
