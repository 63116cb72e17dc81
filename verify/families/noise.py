"""Appendix J's noise model: Gaussian noise of variance sigma~^2 added to the gradients and Hessians of any family.

"To capture noisy gradients and Hessians we add random Gaussian noise with
variance sigma~^2 to the tasks gradients and Hessians" (Appendix J).  Here a
data sample theta carries a gradient noise xi_theta ~ N(0, (sigma~^2/d) I) and a
symmetric Hessian noise N_theta with E||N_theta||_F^2 = sigma_H^2 (off-diagonal
entries of variance tau^2, diagonal 2 tau^2, tau^2 = sigma_H^2 / (d (d+1))), both
independent of w and of each other; a batch of size D averages D samples, so its
noise has 1/D of that covariance.  "Variance sigma~^2" is read as the total
E||xi||^2 = sigma~^2, which makes (13) hold with equality.

.. warning::
   The noise of a batch does not depend on w, so the central difference (11) of
   HF-MAML, taken with the *same* batch D_h at w + delta v and w - delta v, cancels
   it exactly: in this model HF-MAML sees the exact Hessian-vector product of the
   base family, whereas MAML's explicit Hessian carries the noise N.  The paper's
   model does not say which; this one is the reading in which a batch is a fixed
   set of samples.  The Hessian noise is not the derivative of the gradient noise,
   so the batch loss is not defined (``batch_loss`` refuses).

Constants: L, rho and sigma are the base family's (the noise does not change
f_i).  sigma~^2 = sigma~_base^2 + sigma~^2 exactly (independent zero-mean noise
adds its variance).  sigma_H <= sigma_H,base + sigma_H by Minkowski's inequality
in L2 and ||N|| <= ||N||_F, a certified upper bound (``exact=False``).
"""
from __future__ import annotations

import numpy as np

from ..errors import ParameterError, check_positive
from .base import Batch, Constant, Constants, Domain, Family

__all__ = ["NoisyFamily"]


class NoisyFamily(Family):
    """``base`` with Gaussian gradient noise (total variance sigma_tilde^2) and Hessian noise (sigma_H^2) per sample."""

    is_deterministic = False

    def __init__(self, base: Family, sigma_tilde: float, sigma_H: float | None = None):
        if not isinstance(base, Family):
            raise ParameterError("base", f"expected a Family, got {type(base).__name__}")
        self.base = base
        self.noise_sigma_tilde = check_positive("sigma_tilde", sigma_tilde, allow_zero=True)
        self.noise_sigma_H = self.noise_sigma_tilde if sigma_H is None else check_positive(
            "sigma_H", sigma_H, allow_zero=True)
        super().__init__(base.dim, base.probabilities, base.domain)
        self.name = f"noisy-{base.name}"
        self.is_quadratic = base.is_quadratic

    def with_domain(self, domain: Domain) -> "NoisyFamily":
        other = super().with_domain(domain)
        other.base = self.base.with_domain(domain)
        return other

    # exact oracles: those of the base family
    def _loss(self, W, tasks):
        return self.base._loss(W, tasks)

    def _gradient(self, W, tasks):
        return self.base._gradient(W, tasks)

    def _hessian(self, W, tasks):
        return self.base._hessian(W, tasks)

    def _hvp(self, W, V, tasks):
        return self.base._hvp(W, V, tasks)

    # ------------------------------------------------------------------ stochastic oracles
    def _draw_batch_data(self, tasks, size, rng):
        base_batch = self.base.draw_batch(tasks, size, rng)
        # One seed per batch: the gradient and Hessian noise are drawn from it on demand, so a
        # batch used only for gradients never pays for d x d Hessian noise, yet is reproducible.
        return base_batch, int(rng.integers(0, 2 ** 63 - 1))

    def _gradient_noise(self, batch: Batch) -> np.ndarray:
        _, seed = batch.data
        scale = self.noise_sigma_tilde / np.sqrt(self.dim * batch.size)
        return scale * np.random.default_rng([seed, 0]).standard_normal((len(batch.tasks), self.dim))

    def _hessian_noise(self, batch: Batch) -> np.ndarray:
        _, seed = batch.data
        tau = self.noise_sigma_H / np.sqrt(self.dim * (self.dim + 1) * batch.size)
        G = np.random.default_rng([seed, 1]).standard_normal((len(batch.tasks), self.dim, self.dim))
        return tau * (G + np.swapaxes(G, 1, 2)) / np.sqrt(2.0)

    def _batch_loss(self, W, batch):
        raise ParameterError("batch", "the noise model of Appendix J perturbs gradients and Hessians, not losses: "
                                      "there is no batch loss")

    def _batch_gradient(self, W, batch):
        base_batch, _ = batch.data
        return self.base.batch_gradient(W, base_batch) + self._gradient_noise(batch)

    def _batch_hessian(self, W, batch):
        base_batch, _ = batch.data
        return self.base.batch_hessian(W, base_batch) + self._hessian_noise(batch)

    def _batch_hvp(self, W, V, batch):
        base_batch, _ = batch.data
        return self.base.batch_hvp(W, V, base_batch) + np.einsum("tij,tj->ti", self._hessian_noise(batch), V)

    def per_sample_gradient_moments(self, W, tasks):
        if not self.base.is_quadratic:
            return None
        moments = self.base.per_sample_gradient_moments(W, tasks)
        if moments is None:
            return None
        t, s = moments
        # E xi'A_i xi = tr(A_i) sigma~^2/d; the Hessian noise is independent of xi, so s gains nothing.
        trace = np.trace(self.base._hessian(W, tasks), axis1=1, axis2=2)
        return t + trace * self.noise_sigma_tilde ** 2 / self.dim, s

    # ------------------------------------------------------------------ constants
    def constants_on(self, domain: Domain) -> Constants:
        base = self.base.constants_on(domain)
        st = base.sigma_tilde
        sh = base.sigma_H
        return Constants(
            L=base.L, rho=base.rho, sigma=base.sigma,
            sigma_tilde=Constant(np.hypot(st.value, self.noise_sigma_tilde), st.domain, st.exact,
                                 f"sqrt(base^2 + noise^2): independent zero-mean noise; base: {st.derivation}"),
            sigma_H=Constant(sh.value + self.noise_sigma_H, sh.domain, sh.exact and self.noise_sigma_H == 0,
                             "Minkowski: base + noise, with ||N|| <= ||N||_F and E||N||_F^2 = sigma_H^2"),
        )
