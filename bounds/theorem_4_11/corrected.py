"""Theorem 4.11's proof corrected: the second half of (68) in the spectral norm.

Printed (68): E_D||e_{H,i}||^2 <= alpha^2 sigma_H^2 / D_test, e_{H,i} = alpha (grad^2 f_i(w) - grad~^2 f_i(w, D_test)).
In the spectral norm a mean of D_test zero-mean matrices need not have 1/D_test of one sample's E||N||^2
(finding eq68-hessian-error-variance-fails-in-the-spectral-norm: 7/6 on a least-squares task at D_test = 2).

Corrected (68): E_D||e_{H,i}||^2 <= alpha^2 sigma_H^2.  Proof: ||mean of N_1..N_D|| <= mean of ||N_k|| (triangle
inequality), then Jensen and (14).  Sharpness: supremum 1, attained at D_test = 1 by noise of constant norm
(two-point noise s sigma_H S, ||S|| = 1), and for every D_test by noise whose batch means keep the norm of one
sample (diagonal sign noise as d grows).  A factor min(1, d/D_test) is also valid, through the Frobenius norm.
Theorem 4.11's (22) does not need (68) in the matrix norm: its proof uses e_{H,i} on one vector at a time
(E||e_{H,i} v||^2 <= alpha^2 sigma_H^2 ||v||^2 / D_test for v independent of the batch), so (22) stands.
"""
from .._core import Bound, Relation, Sharpness
from .._symbols import alpha, sigma_H
from .displays import eq_68_hessian_error_second_moment

eq_68_hessian_error_second_moment_corrected = Bound(
    id="eq_68_hessian_error_second_moment_corrected",
    reference="Theorem 4.11 proof, eq. (68), corrected",
    kind=eq_68_hessian_error_second_moment.kind,
    statement="E_{D_test}||e_{H,i}||^2 <= alpha^2 sigma_H^2 (spectral norm: no 1/D_test).",
    lhs=eq_68_hessian_error_second_moment.lhs, relation=Relation.LE, rhs=alpha ** 2 * sigma_H ** 2,
    lhs_words=eq_68_hessian_error_second_moment.lhs_words,
    preconditions=eq_68_hessian_error_second_moment.preconditions,
    corrects=eq_68_hessian_error_second_moment.id,
    sharpness=Sharpness(
        status="derived",
        derivation="||mean of the D_test sample noises|| <= their mean norm, Jensen, and (14) give lhs/rhs <= 1; equality "
                   "at D_test = 1 when every sample's noise has norm sigma_H (two-point noise s sigma_H S with ||S|| = 1).",
        supremum=1, attained=1,
        extremal="trigonometric tasks with two-point Hessian noise sigma_H e e' and D_test = 1 "
                 "(verify.checks.pointwise.EXTREMAL, two-point-noise, delta_frac = 0)"),
)
