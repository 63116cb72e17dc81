"""Section 3, eq. (9): the error of the central finite-difference Hessian-vector product.

Statement (paper, Section 3): "for any function phi, the product of Hessian
grad^2 phi(w) by a vector v can be approximated by

    grad^2 phi(w) v ~ [grad phi(w + delta v) - grad phi(w - delta v)] / (2 delta)     (9)

with an error of at most rho delta ||v||^2, where rho is the parameter for
Lipschitz continuity of the Hessian of phi."

HF-MAML's direction (10)-(11) rests on this bound, and the proof of Theorem H.1
uses it as (134).  Integrating the Hessian along the segment gives the error at
most rho delta ||v||^2 / 2, so the paper's constant is expected to hold with a
factor-2 margin; the suite measures how tight it is rather than assuming this.
"""
from ._core import Bound, Kind, Relation
from ._symbols import delta, declare_quantity, norm_v, rho

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
)
