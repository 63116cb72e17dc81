"""Corollary A.1, eq. (31): the descent inequality for F with the point-dependent L(w).

Statement (paper, Appendix A): "Let alpha in [0, 1/L]. Then, for w, u in R^d,

    F(u) - F(w) - grad F(w)'(u - w) <= L(w)/2 ||u - w||^2,                     (31)

where L(w) = 4L + 2 rho alpha E_{i~p} ||grad f_i(w)||."

The paper skips the proof ("very similar to the proof of Lemma 1.2.3 in
[Nesterov, 2004]"); it follows from Lemma 4.8 because min{L(w), L(z)} <= L(w)
for every z on the segment.  Theorems F.1, G.1 and H.1 use it as (90).

Sharpness (supremum of lhs/rhs: 1, approached, not attained).
Upper bound: F(u) - F(w) - grad F(w)'(u - w) = int_0^1 (grad F(w + t(u - w)) - grad F(w))'(u - w) dt
<= int_0^1 L(w) t ||u - w||^2 dt = L(w)/2 ||u - w||^2 by (15) (min{L(w), L(z)} <= L(w)).
The descent gap sees only the positive curvature of F.  For quadratic tasks (rho = 0) that
curvature is lambda (1 - alpha lambda)^2 <= L for lambda in [-L, L], alpha L <= 1, so there the
supremum is only 1/4 (A_i = L I, alpha = 0).  With rho > 0 the term -alpha D^3 f_i(z)[.] grad f_i(z')
of F_i's Hessian, (1 - alpha h(z))^2 h(z') - alpha h'(z) f_i'(z') in d = 1 (z' = z - alpha f_i'(z)),
is the one that can reach L(w): take a 1-d ridge whose curvature h rises from -L to L and falls
back to -L at slope rho, alpha L = 1, and a gradient f'(w) = G >> L^2/rho.  The inner points
z' lie far on the side where h = -L, so f'(z') = (1 + alpha L) f'(z) - O(L^2/rho) = 2 G + O(1), and on
the falling ramp (h' = -rho) the curvature of F is -(1 - alpha h(z))^2 L + alpha rho f'(z') =
2 alpha rho G + O(L), against L(w) = 4L + 2 rho alpha G: the ratio is 1 - O(L^2/(rho alpha G)) -> 1.
At G = 10^4 (L = rho = 1) the gap over the ramp [2, 4] reaches 0.99965.  The paper's constant
cannot be lowered.
"""
import sympy as sp

from .._core import Bound, Kind, Relation, Sharpness
from .._hypotheses import ALPHA_AT_MOST_ONE_OVER_L
from .._symbols import LOSS, declare_quantity, norm_w_minus_u
from ..lemma_4_8.statement import L_OF_W, L_w

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
    sharpness=Sharpness(
        status="derived",
        derivation="Upper bound 1: the gap equals int_0^1 (grad F(w + t(u - w)) - grad F(w))'(u - w) dt <= "
                   "L(w)/2 ||u - w||^2 by (15), as min{L(w), L(z)} <= L(w). For quadratic tasks (rho = 0) the "
                   "curvature of F is at most max lambda (1 - alpha lambda)^2 = L, so there the supremum is 1/4 "
                   "(A = L I, alpha = 0). With rho > 0 the third-derivative term of F_i'' = (1 - alpha h(z))^2 "
                   "h(z') - alpha h'(z) f'(z'), z' = z - alpha f'(z), approaches L(w): a 1-d ridge whose curvature "
                   "rises from -L to L and falls back at slope rho, alpha L = 1, gradient G = f'(w) >> L^2/rho; the "
                   "inner points lie where h = -L, so f'(z') = 2G + O(1), and on the falling ramp F'' = "
                   "2 rho alpha G + O(L) against L(w) = 4L + 2 rho alpha G. The ratio is 1 - O(L^2/(rho alpha G)): "
                   "supremum 1, approached as G -> infinity (0.99965 at G = 10^4), not attained.",
        supremum=sp.Integer(1), attained=sp.Integer(1),
        extremal="ridge family, d = 1, one task with curvature profile through (0, -L), (2, L), (4, -L) "
                 "(L = rho = 1, constant outside), linear term G = 10^4, alpha = 1/L, w = 2 (the peak), u = 4 "
                 "(the foot of the falling ramp); ratio -> 1 as G grows "
                 "(verify.checks.pointwise.EXTREMAL, extremal='ramp')",
    ),
)
