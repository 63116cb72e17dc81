"""Appendix I, eqs. (154)-(158): MAML's solution w* and FO-MAML's limit w_FO for quadratic tasks.

Setting (paper, Appendix I): n equally likely tasks with
f_i(w) = 1/2 w'A_i w + b_i'w + c_i (152), "A_i in R^{d x d} is a symmetric and positive
definite matrix with ||A_i|| <= L", exact gradients and Hessians, all tasks in every
batch, and alpha < 1/L.

    w* = -( (1/n) sum_i (I - alpha A_i)^2 A_i )^{-1} ( (1/n) sum_i (I - alpha A_i)^2 b_i )       (156)

    w_{k+1} = w_k - alpha (1/n) sum_i (A_i (w_k - alpha (A_i w_k + b_i)) + b_i)
            = (I - alpha (1/n) sum_i (I - alpha A_i) A_i) w_k - alpha (1/n) sum_i (I - alpha A_i) b_i   (157)

    "{w_k} (157) converges to
    w_FO = -( (1/n) sum_i (I - alpha A_i) A_i )^{-1} ( (1/n) sum_i (I - alpha A_i) b_i )."       (158)

The expressions use ``MatrixTaskMean`` over a generic task (A_i, b_i); ``instantiate``
turns them into explicit matrices for concrete, numeric or symbolic, tasks.

Readings.  (157) writes alpha for FO-MAML's outer stepsize beta (the update (8) is
w_k - beta (1/n) sum_i grad f_i(w_k - alpha grad f_i(w_k))): a typo, recorded as finding
appendix-i-eq-157-alpha-for-the-outer-stepsize; encoded as printed, the check proves the
printed map is (8)'s only at beta = alpha and that with beta for the outer alpha it is (8)'s.
The fixed point (158) does not depend on the outer stepsize.  w* is
"the solution of problem (2)" obtained from grad F(w*) = 0 (154); the symbolic check
differentiates F of (2) itself rather than using (154)-(155).
"""
import sympy as sp

from .._core import Bound, Kind, Precondition, Relation
from .._hypotheses import ALPHA_BELOW_ONE_OVER_L, ALPHA_POSITIVE
from .._symbols import HESSIAN, L, alpha, d, declare_quantity
from .._taskmean import MatrixTaskMean

A_i = sp.MatrixSymbol("A_i", d, d)
b_i = sp.MatrixSymbol("b_i", d, 1)
w = sp.MatrixSymbol("w", d, 1)
w_star = sp.MatrixSymbol("w^*", d, 1)
w_FO = sp.MatrixSymbol("w_FO", d, 1)
w_next = sp.MatrixSymbol("w_{k+1}", d, 1)
I_d = sp.Identity(d)

# The generic task's data, for ``bounds.instantiate``: symbol -> key of each task dict.
TASK_SYMBOLS = {A_i: "A", b_i: "b"}

eig_min_A = declare_quantity("eig_min_A", "the smallest eigenvalue of A_i", r"\lambda_{\min}(A_i)", HESSIAN,
                             per_task=True, nonnegative=False, text="λ_min(Aᵢ)")
norm_A = declare_quantity("norm_A", "the spectral norm ||A_i||", r"\|A_i\|", HESSIAN, per_task=True,
                          text="‖Aᵢ‖")

HYPOTHESES = (
    ALPHA_POSITIVE,
    ALPHA_BELOW_ONE_OVER_L,
    Precondition("A_i positive definite", eig_min_A > 0, "Appendix I, (152)"),
    Precondition("||A_i|| <= L", norm_A <= L, "Appendix I, (152)"),
)

# (154): grad F(w) for quadratic tasks, the expression the paper sets to 0; (155): the same
# expression collected as (mean of (I - alpha A_i)^2 A_i) w + mean of (I - alpha A_i)^2 b_i.
GRAD_F_154 = MatrixTaskMean((I_d - alpha * A_i) * (A_i * (w - alpha * (A_i * w + b_i)) + b_i))
GRAD_F_155 = MatrixTaskMean((I_d - alpha * A_i) ** 2 * A_i) * w + MatrixTaskMean((I_d - alpha * A_i) ** 2 * b_i)

W_STAR = -sp.Inverse(MatrixTaskMean((I_d - alpha * A_i) ** 2 * A_i)) * MatrixTaskMean((I_d - alpha * A_i) ** 2 * b_i)
FO_MAML_STEP = w - alpha * MatrixTaskMean(A_i * (w - alpha * (A_i * w + b_i)) + b_i)
FO_MAML_AFFINE = (I_d - alpha * MatrixTaskMean((I_d - alpha * A_i) * A_i)) * w \
    - alpha * MatrixTaskMean((I_d - alpha * A_i) * b_i)
W_FO = -sp.Inverse(MatrixTaskMean((I_d - alpha * A_i) * A_i)) * MatrixTaskMean((I_d - alpha * A_i) * b_i)

appendix_i_w_star = Bound(
    id="appendix_i_w_star",
    reference="Appendix I, eq. (156) (from (154)-(155))",
    kind=Kind.CLOSED_FORM,
    statement="For positive-definite quadratic tasks, the stationary point of F is w* of (156).",
    lhs=w_star,
    relation=Relation.EQ,
    rhs=W_STAR,
    lhs_words="the point where grad F, computed from F of (2) itself, vanishes; and the limit of exact-gradient "
              "MAML (7) with all tasks in the batch",
    preconditions=HYPOTHESES,
    reading=" ".join(__doc__.split("Readings.")[1].split()),
)

appendix_i_first_order_condition = Bound(
    id="appendix_i_first_order_condition",
    reference="Appendix I, eq. (154) and eq. (155)",
    kind=Kind.CLOSED_FORM,
    statement="For quadratic tasks grad F(w) is the left side of (154), which simplifies to the collected form "
              "of (155); both vanish at w*.",
    lhs=GRAD_F_155,
    relation=Relation.EQ,
    rhs=GRAD_F_154,
    lhs_words="(155) as an identity in w: (mean of (I - alpha A_i)^2 A_i) w + mean of (I - alpha A_i)^2 b_i; "
              "the check also requires the right side, (154)'s, to equal grad F(w) differentiated from F of (2)",
    preconditions=HYPOTHESES,
    reading="(154) and (155) are read as identities in w (the paper writes them at w*, where they vanish): "
            "(154)'s left side is grad F(w) and (155) collects it.",
)

appendix_i_fo_maml_update = Bound(
    id="appendix_i_fo_maml_update",
    reference="Appendix I, eq. (157)",
    kind=Kind.CLOSED_FORM,
    statement="FO-MAML's exact update on quadratic tasks is the affine map (157).",
    lhs=FO_MAML_STEP,
    relation=Relation.EQ,
    rhs=FO_MAML_AFFINE,
    lhs_words="the first expression of (157), w_k - alpha (1/n) sum_i (A_i (w_k - alpha (A_i w_k + b_i)) + b_i); "
              "the check compares both sides with FO-MAML's update (8), exact gradients, all n tasks, outer "
              "stepsize beta",
    preconditions=HYPOTHESES,
    reading="(157) writes alpha for the outer stepsize beta of (8) (finding appendix-i-eq-157-alpha-for-the-outer-"
            "stepsize, a typo): encoded as printed; it is (8)'s update only at beta = alpha, and with beta for the "
            "outer alpha it is (8)'s update exactly.",
)

appendix_i_w_fo = Bound(
    id="appendix_i_w_fo",
    reference="Appendix I, eq. (158)",
    kind=Kind.CLOSED_FORM,
    statement="FO-MAML's iterates (157) converge to w_FO of (158).",
    lhs=w_FO,
    relation=Relation.EQ,
    rhs=W_FO,
    lhs_words="the limit of the iterates of (157), and the fixed point of the affine map (157)",
    preconditions=HYPOTHESES,
    reading="The convergence claim needs the spectral radius of I - alpha (1/n) sum_i (I - alpha A_i) A_i "
            "below 1, which the paper argues from alpha < 1/L and A_i positive definite.",
)
