"""Theorem G.1's proof corrected: the coefficient of alpha^2 L sigma^2 after (123).

Printed: sigma^2 (7/(828 L B) + alpha^2 L/6).  The two alpha^2 L^2 sigma^2 terms it collects are
24 alpha^2 L^2 sigma^2 times L_k/2 E[beta_k^2] <= 1/(828 L) and 12 alpha^2 L^2 sigma^2 times E[beta_k] <=
1/(72 L), which sum to (24/828 + 12/72) alpha^2 L sigma^2 = (9/46) alpha^2 L sigma^2 > alpha^2 L sigma^2 / 6
(finding g1-alpha-squared-l-sigma-coefficient-below-its-terms).

Corrected: the coefficient is 9/46, exactly what the printed terms give (tight).  Theorem G.1 survives
(the finding gives the exact arithmetic): with 9/46 and every other printed constant, the exact decrease
37/3450 leaves 31/48300 >= 1/1600 for (105) after the noise share of 14; and with (115)'s tight constant
the printed 1/6 holds as well.
"""
from sympy import Rational

from .._core import Relation
from .._proof_steps import constant_step
from .arithmetic import (AFTER_123, g1_beta_828, g1_beta_upper, g1_eq_119_sigma, g1_eq_123_sigma,
    g1_sigma_alpha)

g1_eq_123_sigma_alpha2_l_1_6_corrected = constant_step(
    "g1_eq_123_sigma_alpha2_l_1_6_corrected", "Theorem G.1 proof, eq. (123), corrected",
    "24/828 + 12/72 <= 9/46: the coefficient of alpha^2 L sigma^2 after (123), from L_k/2 E[beta_k^2] "
    "24 alpha^2 L^2 sigma^2 and E[beta_k] 12 alpha^2 L^2 sigma^2.",
    g1_sigma_alpha.lhs, Relation.LE, Rational(9, 46),
    uses=(g1_eq_119_sigma, g1_beta_828, g1_eq_123_sigma, g1_beta_upper), reading=AFTER_123,
    corrects=g1_sigma_alpha.id)
