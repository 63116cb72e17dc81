"""Appendix B, eqs. (44) and (46): the two inner-step bounds of the proof of Lemma 4.8.

Statements (paper, Appendix B, with alpha in [0, 1/L] as in Lemma 4.8):

    ||grad f_i(w - alpha grad f_i(w)) - grad f_i(u - alpha grad f_i(u))||
        <= L (1 + alpha L) ||w - u||,                                          (44)

    ||grad f_i(u - alpha grad f_i(u))|| <= (1 + alpha L) ||grad f_i(u)||.        (46)

(46) is derived with the mean value theorem for the vector field grad f_i at one
intermediate point u~_i; for d >= 2 that form of the theorem does not hold in
general, but the bound follows from the integral form with the same constant.
The suite checks the bounds themselves, for every task.
"""
from ._core import Bound, Kind, Relation
from ._hypotheses import ALPHA_AT_MOST_ONE_OVER_L
from ._symbols import GRADIENT, L, alpha, declare_quantity, grad_fi_inner_norm, grad_fi_norm_w, norm_w_minus_u

inner_step_grad_diff_norm = declare_quantity(
    "inner_step_grad_diff_norm", "||grad f_i(w - alpha grad f_i(w)) - grad f_i(u - alpha grad f_i(u))||",
    r"\|\nabla f_i(w-\alpha\nabla f_i(w))-\nabla f_i(u-\alpha\nabla f_i(u))\|", GRADIENT,
    per_task=True, text="‖∇fᵢ(w − α∇fᵢ(w)) − ∇fᵢ(u − α∇fᵢ(u))‖")

eq_44_inner_step_lipschitz = Bound(
    id="eq_44_inner_step_lipschitz",
    reference="Appendix B (proof of Lemma 4.8), eq. (44)",
    kind=Kind.POINTWISE,
    statement="The map w -> grad f_i(w - alpha grad f_i(w)) is L(1 + alpha L)-Lipschitz.",
    lhs=inner_step_grad_diff_norm,
    relation=Relation.LE,
    rhs=L * (1 + alpha * L) * norm_w_minus_u,
    lhs_words="for every task i: ||grad f_i(w - alpha grad f_i(w)) - grad f_i(u - alpha grad f_i(u))|| "
              "with exact gradients, at two points w, u",
    preconditions=(ALPHA_AT_MOST_ONE_OVER_L,),
)

eq_46_inner_step_gradient_growth = Bound(
    id="eq_46_inner_step_gradient_growth",
    reference="Appendix B (proof of Lemma 4.8), eq. (46)",
    kind=Kind.POINTWISE,
    statement="One inner gradient step grows the task gradient by at most the factor 1 + alpha L.",
    lhs=grad_fi_inner_norm,
    relation=Relation.LE,
    rhs=(1 + alpha * L) * grad_fi_norm_w,
    lhs_words="for every task i: ||grad f_i(w - alpha grad f_i(w))|| with exact gradients, against "
              "||grad f_i(w)|| at the same point (the paper writes it at u)",
    preconditions=(ALPHA_AT_MOST_ONE_OVER_L,),
)
