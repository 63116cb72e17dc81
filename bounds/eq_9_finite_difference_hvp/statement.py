"""Section 3, eq. (9): the error of the central finite-difference Hessian-vector product.

Statement (paper, Section 3): "for any function phi, the product of Hessian
grad^2 phi(w) by a vector v can be approximated by

    grad^2 phi(w) v ~ [grad phi(w + delta v) - grad phi(w - delta v)] / (2 delta)     (9)

with an error of at most rho delta ||v||^2, where rho is the parameter for
Lipschitz continuity of the Hessian of phi."

HF-MAML's direction (10)-(11) rests on this bound, and the proof of Theorem H.1
uses it as (134).

Sharpness (supremum of lhs/rhs: 1/2, attained; the bound is LOOSE by a factor 2).
grad phi(w + delta v) - grad phi(w - delta v) = int_{-1}^{1} grad^2 phi(w + t delta v) delta v dt,
so the error of (9) is || (1/2) int_{-1}^{1} (grad^2 phi(w + t delta v) - grad^2 phi(w)) v dt ||
<= (1/2) int_{-1}^{1} rho |t| delta ||v||^2 dt = rho delta ||v||^2 / 2.  Equality: phi(w) =
rho |a'(w - c)|^3 / 6 (||a|| = 1), whose Hessian rho |a'(w - c)| a a' is rho-Lipschitz with a kink
at c; at w = c and v parallel to a the central difference is rho delta ||v||^2 a / 2 and the
Hessian-vector product 0, so the error is exactly rho delta ||v||^2 / 2 for every delta.  The
suite's ridge family clips that Hessian at L (h(t) = min(rho |t|, L)), which keeps L and rho
global and leaves the equality intact for delta ||v|| <= L / rho.  The sharp constant of (9) is
rho delta ||v||^2 / 2.
"""
import sympy as sp

from .._core import Bound, Kind, Relation, Sharpness
from .._symbols import delta, declare_quantity, norm_v, rho

fd_hvp_error = declare_quantity(
    "fd_hvp_error", "||grad^2 phi(w) v - (grad phi(w + delta v) - grad phi(w - delta v)) / (2 delta)||",
    r"\left\|\nabla^2\phi(w)v-\frac{\nabla\phi(w+\delta v)-\nabla\phi(w-\delta v)}{2\delta}\right\|",
    (2, -3), text="‖∇²φ(w)v − (∇φ(w+δv) − ∇φ(w−δv))/(2δ)‖")

eq_9_finite_difference_hvp = Bound(
    id="eq_9_finite_difference_hvp",
    reference="Section 3, eq. (9)",
    kind=Kind.POINTWISE,
    statement="The central difference of gradients approximates grad^2 phi(w) v within rho delta ||v||^2.",
    lhs=fd_hvp_error,
    relation=Relation.LE,
    rhs=rho * delta * norm_v ** 2,
    lhs_words="the norm of the exact Hessian-vector product minus the central difference of exact "
              "gradients at w + delta v and w - delta v, divided by 2 delta, for a task loss phi = f_i "
              "whose Hessian is rho-Lipschitz",
    reading="delta > 0 and v arbitrary; rho is the Hessian-Lipschitz constant of phi on a set that "
            "contains the segment [w - delta v, w + delta v].",
    sharpness=Sharpness(
        status="derived",
        derivation="The difference of gradients in (9) is int_{-1}^{1} grad^2 phi(w + t delta v) delta v dt, "
                   "so the error is ||(1/2) int_{-1}^{1} (grad^2 phi(w + t delta v) - grad^2 phi(w)) v dt|| <= "
                   "(1/2) int_{-1}^{1} rho |t| delta ||v||^2 dt = rho delta ||v||^2 / 2: the supremum of lhs/rhs is "
                   "at most 1/2. It is attained: phi = rho |a'(w - c)|^3 / 6 (Hessian rho |a'(w - c)| a a', "
                   "rho-Lipschitz, a kink at c) at w = c with v parallel to a has grad^2 phi(w) v = 0 and central "
                   "difference rho delta ||v||^2 a / 2, an error of exactly rho delta ||v||^2 / 2 for every delta. "
                   "(9) is LOOSE by a factor 2: its sharp constant is rho delta ||v||^2 / 2.",
        supremum=sp.Rational(1, 2),
        attained=sp.Rational(1, 2),
        extremal="ridge family (verify/model/families/ridge.py), one task whose curvature profile along e_1 is "
                 "min(rho |t|, L) (rho = L = 1: the Hessian of rho|t|^3/6 clipped at L), w at the kink t = 0, "
                 "v = e_1, any delta ||v|| <= L/rho (verify.checks.pointwise.EXTREMAL, extremal='kink')",
    ),
)
