"""Theorem H.1 corrected: (145)-(149) under a scale-free Hessian batch.

The printed hypothesis D_h >= ceil(36 (alpha rho sigma~)^2) is not invariant under f_i -> c f_i (finding
h1-hessian-batch-condition-not-scale-invariant), and under it (145)'s factor 4.3 is unbounded (finding
h1-eq-145-constant-unbounded-under-printed-hessian-batch): with delta = 1/(6 rho alpha) of (135) the term
2 alpha^2 sigma~^2/(D_h delta^2) = 72 alpha^4 rho^2 sigma~^2 / D_h is at most 2 alpha^2, unbounded in alpha.

Corrected hypothesis: D_h >= ceil(36 (alpha^2 rho sigma~)^2), in which alpha^2 rho sigma~ is dimensionless
(alpha ~ 1/c, rho ~ c, sigma~ ~ c under f_i -> c f_i).  Then 2 alpha^2 sigma~^2/(D_h delta^2) <= 2, and with
alpha L <= 1/6 and 2 alpha^2 * 2 rho^2 delta^2 = 1/9:

    2 + 2 alpha^2 (sigma~^2/(D_h delta^2) + 2 L^2 + 2 rho^2 delta^2) <= 2 + 2 + 4/36 + 1/9 = 38/9 < 4.3,

the tightest constant 38/9 = 4.222 attained at alpha L = 1/6 with D_h at the threshold.  The rest of H.1's
chain ((146)-(149)) reads the 4.3 as printed, so it stands as far as this step goes.

The moment displays (145) second inequality to (149) fail over the printed hypotheses when the sample noise
depends on w (findings h1-eq-145-second-moment-... to h1-eq-149-...): the D_h batch's noise, opposite at the
two points of (11), adds t E||v||^2 with t = alpha^2 sigma~^2/(D_h delta^2) = 36 alpha^4 rho^2 sigma~^2/D_h,
bounded by the printed hypothesis only by alpha^2.  Under the scale-free hypothesis t <= 1, and then (145)
E||G_i||^2 = E||(I - alpha A_bar_i) v||^2 + alpha^2 E||n_i||^2 <= ((1 + alpha L)^2 + t) E||v||^2 <= 85/36 E||v||^2 (A_bar_i
the Hessian averaged over the segment of (11), ||A_bar_i|| <= L; the noise n_i has mean 0 given v), so (145)'s
4.3 holds, and with it (146), (147) and (148) as printed; (149)'s 50 and 18 hold through (33) and (41) with the
integral form of (36) (17.33 ||grad F||^2 + 5.80 sigma^2 + 0.73 sigma~^2/D_in + 2.37 sigma~^2/D_o at alpha L = 1/6),
not through the corrected (34), which would give 65.4 and 21.9.  The corrected displays below are the printed
statements under the scale-free hypothesis; the printed hypothesis's counterexample (switching noise at
D_h = 1) is their negative control, judged exactly on the same instance.
"""
import dataclasses

from sympy import Rational

from .._core import Relation, Sharpness
from .._hypotheses import HESSIAN_BATCH_HF_MAML_SCALE_FREE
from .._proof_steps import constant_step
from .._hypotheses import HESSIAN_BATCH_HF_MAML
from .arithmetic import H1, RHO_POSITIVE, h1_eq_145
from .displays import (eq_145_hf_maml_second_moment_4_3, eq_146_hf_maml_second_moment_lemma_4_10,
    eq_147_hf_maml_second_moment_simplified, eq_148_hf_maml_second_moment_by_grad_fi_meta,
    eq_149_hf_maml_second_moment)

h1_eq_145_factor_4_3_corrected = constant_step(
    "h1_eq_145_factor_4_3_corrected", "Theorem H.1 proof, eq. (145), corrected",
    "2 + 2 alpha^2 (sigma~^2/(D_h delta^2) + 2 L^2 + 2 rho^2 delta^2) <= 4.3 with delta = 1/(6 rho alpha), "
    "alpha L <= 1/6 and the scale-free D_h >= ceil(36 (alpha^2 rho sigma~)^2).",
    h1_eq_145.lhs, Relation.LE, h1_eq_145.rhs, preconditions=H1 + (HESSIAN_BATCH_HF_MAML_SCALE_FREE, RHO_POSITIVE),
    corrects=h1_eq_145.id,
    reading="As the printed step, with the corrected hypothesis on D_h in place of the printed one.")


def _under_scale_free_hessian_batch(printed, sharpness):
    """The printed display with the scale-free Hessian batch in place of the printed one."""
    hypotheses = tuple(HESSIAN_BATCH_HF_MAML_SCALE_FREE if p is HESSIAN_BATCH_HF_MAML else p
                       for p in printed.preconditions)
    assert HESSIAN_BATCH_HF_MAML_SCALE_FREE in hypotheses, printed.id
    return dataclasses.replace(
        printed, id=f"{printed.id}_corrected", reference=f"{printed.reference}, corrected", preconditions=hypotheses,
        corrects=printed.id, module=__name__, sharpness=sharpness,
        reading=f"{printed.reading} Corrected: D_h >= ceil(36 (alpha^2 rho sigma~)^2) in place of the printed "
                "D_h >= ceil(36 (alpha rho sigma~)^2) (module docstring).".strip())


# Under t <= 1: E||G_i||^2 <= ((1 + alpha L)^2 + t) E||v||^2 <= (85/36) E||v||^2 at alpha L = 1/6 (module docstring).
_T0 = "E||G_i||^2 <= ((1 + alpha L)^2 + t) E||v||^2 <= (85/36) E||v||^2 with t = 36 alpha^4 rho^2 sigma~^2/D_h <= 1 (145)"
_SWITCH = ("the switching plateau (verify.checks.moments HF_SWITCH): ridge tasks with curvature -L along v, sample "
           "noise opposite at the two points of (11), alpha L = 1/6, D_h at the scale-free edge (t = 0.999)")
_PLATEAU = ("the concave plateau (verify.checks.moments HF_PLATEAU): curvature -L on the whole segment, alpha L = 1/6, "
            "sigma~ = 0.1, D_in = 64, D_h at the scale-free edge")

eq_145_hf_maml_second_moment_4_3_corrected = _under_scale_free_hessian_batch(
    eq_145_hf_maml_second_moment_4_3, Sharpness(
        "derived", f"{_T0}, so lhs/rhs <= (85/36)/4.3 = 425/774; approached with curvature -L along v on the whole "
                   "segment (||I - alpha A_bar|| = 1 + alpha L) and noise making t = 1.",
        supremum=Rational(425, 774), attained=Rational(5489, 10000), extremal=_SWITCH))
eq_146_hf_maml_second_moment_lemma_4_10_corrected = _under_scale_free_hessian_batch(
    eq_146_hf_maml_second_moment_lemma_4_10, Sharpness(
        "upper_bound", f"{_T0}, and each term of (146)'s right side is 4.3 times the corresponding term of Lemma 4.10 "
                       "(21) with phi = 10, so lhs/rhs <= 425/774; the tight steps of (145) and of (21) are not "
                       "reached at once.",
        supremum=Rational(425, 774), attained=Rational(4134, 10000), extremal=_SWITCH))
eq_147_hf_maml_second_moment_simplified_corrected = _under_scale_free_hessian_batch(
    eq_147_hf_maml_second_moment_simplified, Sharpness(
        "upper_bound", f"{_T0}; Lemma 4.10 (21) with phi = 36 bounds E||v||^2 by (37/36) E||u||^2 + 37 alpha^2 L^2 "
                       "sigma~^2/D_in + sigma~^2/D_o, and alpha L <= 1/6, so each term is at most (85/36)(37/36)/5 = "
                       "3145/6480 of (147)'s.",
        supremum=Rational(3145, 6480), attained=Rational(2965, 10000), extremal=_SWITCH))
eq_148_hf_maml_second_moment_by_grad_fi_meta_corrected = _under_scale_free_hessian_batch(
    eq_148_hf_maml_second_moment_by_grad_fi_meta, Sharpness(
        "upper_bound", "As (147) corrected, with ||grad f_i(w - alpha grad f_i(w))|| <= ||grad F_i(w)||/(1 - alpha L) "
                       "(35b): lhs/rhs <= 3145/6480.",
        supremum=Rational(3145, 6480), attained=Rational(2681, 10000), extremal=_PLATEAU))
eq_149_hf_maml_second_moment_corrected = _under_scale_free_hessian_batch(
    eq_149_hf_maml_second_moment, Sharpness(
        "upper_bound", f"{_T0}; Lemma 4.10 (21) with phi = 10, ||u_i|| <= (1 + alpha L)||grad f_i(w)|| (integral form "
                       "of (36)), E_i||grad f_i||^2 <= ||grad f||^2 + sigma^2 and (33) with (a + b)^2 <= 2a^2 + 2b^2 give "
                       "coefficients 17.32, 5.794, 0.7215 and 85/36 against 50, 18, 5 and 5 (alpha L = 1/6): lhs/rhs <= "
                       "(85/36)/5 = 17/36, the sigma~^2/D_o term's.",
        supremum=Rational(17, 36), attained=Rational(2681, 10000), extremal=_PLATEAU))
