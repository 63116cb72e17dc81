"""Corollary A.1, eq. (31): the descent inequality for F with the point-dependent L(w).

Statement (paper, Appendix A): "Let alpha in [0, 1/L]. Then, for w, u in R^d,

    F(u) - F(w) - grad F(w)'(u - w) <= L(w)/2 ||u - w||^2,                     (31)

where L(w) = 4L + 2 rho alpha E_{i~p} ||grad f_i(w)||."

The paper skips the proof ("very similar to the proof of Lemma 1.2.3 in
[Nesterov, 2004]"); it follows from Lemma 4.8 because min{L(w), L(z)} <= L(w)
for every z on the segment.  Theorems F.1, G.1 and H.1 use it as (90).
"""
from ._core import Bound, Kind, Relation
from ._hypotheses import ALPHA_AT_MOST_ONE_OVER_L
from ._symbols import LOSS, declare_quantity, norm_w_minus_u
from .lemma_4_8 import L_OF_W, L_w

F_descent_gap = declare_quantity(
    "F_descent_gap", "F(u) - F(w) - grad F(w)'(u - w)", r"F(u)-F(w)-\nabla F(w)^\top(u-w)", LOSS,
    nonnegative=False, text="F(u) − F(w) − ∇F(w)ᵀ(u − w)")

corollary_a_1 = Bound(
    id="corollary_a_1",
    reference="Corollary A.1, eq. (31)",
    kind=Kind.POINTWISE,
    statement="F(u) - F(w) - grad F(w)'(u - w) <= L(w)/2 ||u - w||^2 with L(w) of Lemma 4.8.",
    lhs=F_descent_gap,
    relation=Relation.LE,
    rhs=L_w / 2 * norm_w_minus_u ** 2,
    lhs_words="the exact meta-objective F of (2) and its gradient (6): F(u) - F(w) - grad F(w)'(u - w), "
              "at two points w, u",
    preconditions=(ALPHA_AT_MOST_ONE_OVER_L,),
    definitions=(L_OF_W,),
)
