"""Theorem F.1's proof corrected: (84) in the spectral norm.

Printed, (84): E||I - alpha grad~^2 f_i(w, D_h)||^2 <= alpha^2 sigma_H^2/D_h + ||I - alpha grad^2 f_i(w)||^2.
The variance identity behind it holds in the Frobenius norm only; in the spectral norm the printed
display is false under F.1's own hypotheses, with supremum (5 + 3 sqrt(2 D_h))^2/43 of lhs/rhs for each
D_h, unbounded (finding eq84-variance-identity-fails-in-the-spectral-norm; derivation in displays.py).

Corrected (84): E||I - alpha grad~^2 f_i(w, D_h)||^2 <= (||I - alpha grad^2 f_i(w)|| + alpha sigma_H)^2.

Proof.  With A = I - alpha grad^2 f_i(w) and Z = alpha (grad^2 f_i(w) - grad~^2 f_i(w, D_h)), ||A + Z|| <=
||A|| + ||Z||, so E||A + Z||^2 <= ||A||^2 + 2 ||A|| E||Z|| + E||Z||^2 <= (||A|| + (E||Z||^2)^(1/2))^2 by Jensen,
and E||Z||^2 <= alpha^2 sigma_H^2: ||Z|| is at most the mean of the D_h samples' ||alpha (grad^2 f_i -
grad^2 f_i(w, theta))||, whose square has mean at most alpha^2 sigma_H^2 by (14).  No 1/D_h survives in the
spectral norm: averaging need not shrink the noise's norm.

Sharpness: supremum 1, attained for every D_h.  Equality needs ||A + Z|| = ||A|| + alpha sigma_H for every
batch: Hessian L I and two-point noise sigma_H diag(1, -1) at D_h = 1 (both signs give ||A + Z|| = ||A|| +
alpha sigma_H); for larger D_h the hyperplanes of PG(D_h, 2) in d = 2^(D_h + 1) - 1.  No bound of the form
||A||^2 + c alpha^2 sigma_H^2/D_h holds for any constant c.  A factor min(1, sqrt(d/D_h)) on alpha sigma_H
is also valid (through ||Z||^2 <= ||Z||_F^2), at the price of the dimension.

What the proof uses is (85): for a vector v independent of the Hessian batch, E||(I - alpha grad~^2 f_i) v||^2
<= (||A||^2 + alpha^2 sigma_H^2/D_h) ||v||^2 holds (the cross term has mean 0 and independent noise adds), and
with it (86)-(87) and Theorem F.1's statement stand; only the route through (83)-(84) fails.
"""
from .._core import Bound, Relation, Sharpness
from .._symbols import I_minus_alpha_hess_norm, alpha, sigma_H
from .displays import _MAML, eq_84_hessian_factor

eq_84_hessian_factor_corrected = Bound(
    id="eq_84_hessian_factor_corrected", reference="Theorem F.1 proof, eq. (84), corrected",
    kind=eq_84_hessian_factor.kind,
    statement="E||I - alpha grad~^2 f_i(w, D_h)||^2 <= (||I - alpha grad^2 f_i(w)|| + alpha sigma_H)^2.",
    lhs=eq_84_hessian_factor.lhs, relation=Relation.LE, rhs=(I_minus_alpha_hess_norm + alpha * sigma_H) ** 2,
    lhs_words=eq_84_hessian_factor.lhs_words, corrects=eq_84_hessian_factor.id,
    sharpness=Sharpness(
        "derived",
        """Proof: with A = I - alpha grad^2 f_i and Z the batch's noise times alpha, ||A + Z|| <= ||A|| + ||Z||, Jensen,
        and ||Z|| at most the mean of the samples' norms, whose square has mean at most alpha^2 sigma_H^2 (14).
        Supremum 1, attained for every D_h: ||A + Z|| <= ||A|| + ||Z|| and E||Z||^2 <= alpha^2
        sigma_H^2 are equalities when every batch's noise adds alpha sigma_H to ||A||: Hessian L I with two-point
        noise sigma_H diag(1, -1) at D_h = 1.""",
        supremum=1, attained=1,
        extremal="""QuadraticFamily A = L I (d = 2, L = 1), two-point Hessian noise sigma_H diag(1, -1), alpha^2 sigma_H^2
        = 1/2, alpha L = 1/6, D_h = 1, w = 0 (verify.checks.moments extremal 'two-point-plane', exact)"""),
    **_MAML)
