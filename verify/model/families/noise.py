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

``distribution="two_point"`` replaces the Gaussians by the finite law that makes the
variance steps of the proofs tight (Jensen, E||mean of D|| <= sigma~/sqrt(D), the
triangle inequality): a sample carries xi_theta = s sigma~ e and N_theta = s' sigma_H e e' (or s' sigma_H S for a given
symmetric S of spectral norm 1, ``hessian_shape``) for a fixed unit direction e and fair signs s, s':
independent, or with ``coupling``
"same" (s' = s) or "opposite" (s' = -s), which correlates the Hessian noise with the
gradient noise of the same sample (the cross term of F-hat's gradient (66)).  Then E||xi||^2 =
sigma~^2 and E||N||^2 = sigma_H^2 exactly (so sigma_H is exact too), and the noise of a
batch of D samples is sigma~ m e with m = (2K - D)/D, K ~ Binomial(D, 1/2): D + 1
outcomes, whose probabilities ``batch_noise_law`` gives, so an expectation over a batch
is a finite sum.  ``batch_with_noise`` builds the batch of one outcome for that sum.

Constants: L, rho and sigma are the base family's (the noise does not change
f_i).  sigma~^2 = sigma~_base^2 + sigma~^2 exactly (independent zero-mean noise
adds its variance).  sigma_H <= sigma_H,base + sigma_H by Minkowski's inequality
in L2 and ||N|| <= ||N||_F, a certified upper bound (``exact=False``).
"""
from __future__ import annotations

import numpy as np

from verify.model.errors import EXACT, ParameterError, check_positive
from .base import Batch, Constant, Constants, Domain, Family
from verify.model.errors import check_batch_size

__all__ = ["ExactOraclesOfBase", "NoisyFamily"]


DISTRIBUTIONS = ("gaussian", "two_point")
# s' as a multiple of s (None: an independent sign).
COUPLINGS = {"independent": None, "same": 1.0, "opposite": -1.0}


class ExactOraclesOfBase:
    """For a family that adds per-sample noise to ``self.base``: the exact oracles are the base family's."""

    def _loss(self, W, tasks):
        return self.base._loss(W, tasks)

    def _gradient(self, W, tasks):
        return self.base._gradient(W, tasks)

    def _hessian(self, W, tasks):
        return self.base._hessian(W, tasks)

    def _hvp(self, W, V, tasks):
        return self.base._hvp(W, V, tasks)


class NoisyFamily(ExactOraclesOfBase, Family):
    """``base`` with gradient noise (total variance sigma_tilde^2) and Hessian noise (sigma_H^2) per sample.

    ``distribution``: "gaussian" (Appendix J) or "two_point" (fair signs along the unit
    vector ``direction``, default e_1; see the module docstring).
    """

    is_deterministic = False

    def __init__(self, base: Family, sigma_tilde: float, sigma_H: float | None = None, *,
                 distribution: str = "gaussian", direction=None, coupling: str = "independent",
                 hessian_shape=None):
        if not isinstance(base, Family):
            raise ParameterError("base", f"expected a Family, got {type(base).__name__}")
        self.base = base
        self.noise_sigma_tilde = check_positive("sigma_tilde", sigma_tilde, allow_zero=True)
        self.noise_sigma_H = self.noise_sigma_tilde if sigma_H is None else check_positive(
            "sigma_H", sigma_H, allow_zero=True)
        if distribution not in DISTRIBUTIONS:
            raise ParameterError("distribution", f"{distribution!r} is not one of {DISTRIBUTIONS}")
        self.distribution = distribution
        if direction is None:
            e = np.zeros(base.dim)
            e[0] = 1.0
        else:
            e = np.asarray(direction, dtype=float)
            if e.shape != (base.dim,) or not np.all(np.isfinite(e)) or not np.isclose(np.linalg.norm(e), 1.0):
                raise ParameterError("direction", f"must be a finite unit vector of dimension {base.dim}")
            if distribution != "two_point":
                raise ParameterError("direction", "only the two-point noise has a direction")
        self.direction = e
        # The two-point Hessian noise is s' sigma_H S for a symmetric S of spectral norm 1: e e' unless given.
        # diag(1, -1) makes ||I - alpha(H + s' sigma_H S)|| = ||I - alpha H|| + alpha sigma_H for both signs when
        # H is a multiple of I, the equality case of (84) corrected (bounds/theorem_f_1/corrected.py).
        if hessian_shape is None:
            shape = np.outer(e, e)
        else:
            shape = np.asarray(hessian_shape, dtype=float)
            if distribution != "two_point":
                raise ParameterError("hessian_shape", "only the two-point noise has a Hessian shape")
            if (shape.shape != (base.dim, base.dim) or not np.all(np.isfinite(shape))
                    or not np.allclose(shape, shape.T) or not np.isclose(np.linalg.norm(shape, 2), 1.0)):
                raise ParameterError("hessian_shape", f"must be a finite symmetric {base.dim} x {base.dim} matrix "
                                                      "of spectral norm 1")
        self.hessian_shape = shape
        if coupling not in COUPLINGS:
            raise ParameterError("coupling", f"{coupling!r} is not one of {tuple(COUPLINGS)}")
        if coupling != "independent" and distribution != "two_point":
            raise ParameterError("coupling", "only the two-point noise couples the Hessian sign to the gradient's")
        self.coupling = coupling
        super().__init__(base.dim, base.probabilities, base.domain)
        self.name = f"noisy-{base.name}"
        self.is_quadratic = base.is_quadratic

    def with_domain(self, domain: Domain) -> "NoisyFamily":
        other = super().with_domain(domain)
        other.base = self.base.with_domain(domain)
        return other

    # ------------------------------------------------------------------ stochastic oracles
    def _draw_batch_data(self, tasks, size, rng):
        base_batch = self.base._draw(tasks, size, rng)  # tasks, size and rng validated by draw_batch
        if self.distribution == "two_point":
            # The batch mean of D fair signs, for the gradient and (independently) the Hessian noise.
            means = (2.0 * rng.binomial(size, 0.5, size=(2, len(tasks))) - size) / size
            if COUPLINGS[self.coupling] is not None:
                means[1] = COUPLINGS[self.coupling] * means[0]
            return base_batch, means
        # One seed per batch: the gradient and Hessian noise are drawn from it on demand, so a
        # batch used only for gradients never pays for d x d Hessian noise, yet is reproducible.
        return base_batch, int(rng.integers(0, 2 ** 63 - 1))

    @staticmethod
    def batch_noise_law(size: int) -> tuple[np.ndarray, np.ndarray]:
        """The two-point law of a batch's sign mean m = (2K - D)/D, K ~ Binomial(D, 1/2): values, probabilities."""
        from math import comb


        D = check_batch_size("size", size)
        if not isinstance(D, int):
            raise ParameterError("size", f"the law of a batch needs an integer size, got {size!r}")
        K = np.arange(D + 1)
        return (2.0 * K - D) / D, np.array([comb(D, int(k)) for k in K], dtype=float) / 2.0 ** D

    def batch_with_noise(self, tasks, size: int, gradient_mean, hessian_mean=0.0) -> Batch:
        """The two-point batch whose sign means are the given ones (one outcome of ``batch_noise_law``).

        The base family must be deterministic: its own batches carry no data of their own.
        """
        if self.distribution != "two_point":
            raise ParameterError("distribution", "batch_with_noise needs the two-point noise")
        if not self.base.is_deterministic:
            raise ParameterError("base", "batch_with_noise needs a deterministic base family")
        t = self.task_indices(tasks)
        if COUPLINGS[self.coupling] is not None:
            hessian_mean = COUPLINGS[self.coupling] * np.asarray(gradient_mean, dtype=float)
        means = np.stack(np.broadcast_arrays(np.asarray(gradient_mean, dtype=float) * np.ones(len(t)),
                                             np.asarray(hessian_mean, dtype=float) * np.ones(len(t))))
        if np.any(np.abs(means) > 1):
            raise ParameterError("gradient_mean", "a mean of signs lies in [-1, 1]")
        return Batch(t, size, (self.base.draw_batch(t, "exact"), means))

    def batch_law(self, tasks, size) -> tuple[Batch, np.ndarray]:
        """The two-point noise on deterministic tasks: every (gradient, Hessian) sign-mean outcome, stacked.

        Coupled signs give the D + 1 outcomes of ``batch_noise_law``; independent ones its
        (D + 1)^2 pairs, gradient-major.  Gaussian noise has no finite law and is refused.
        """
        if self.distribution != "two_point" or not self.base.is_deterministic or size == EXACT:
            return super().batch_law(tasks, size)
        t = self.task_indices(tasks)
        values, probs = self.batch_noise_law(size)
        if COUPLINGS[self.coupling] is not None:
            grad, hess = values, COUPLINGS[self.coupling] * values
        else:
            grad, hess = np.repeat(values, len(values)), np.tile(values, len(values))
            probs = np.outer(probs, probs).ravel()
        n = len(t)
        return self.batch_with_noise(np.tile(t, len(grad)), size, np.repeat(grad, n), np.repeat(hess, n)), probs

    def _gradient_noise(self, batch: Batch) -> np.ndarray:
        if self.distribution == "two_point":
            return self.noise_sigma_tilde * batch.data[1][0][:, None] * self.direction[None, :]
        _, seed = batch.data
        scale = self.noise_sigma_tilde / np.sqrt(self.dim * batch.size)
        return scale * np.random.default_rng([seed, 0]).standard_normal((len(batch.tasks), self.dim))

    def _hessian_noise(self, batch: Batch) -> np.ndarray:
        if self.distribution == "two_point":
            return self.noise_sigma_H * batch.data[1][1][:, None, None] * self.hessian_shape[None, :, :]
        _, seed = batch.data
        tau = self.noise_sigma_H / np.sqrt(self.dim * (self.dim + 1) * batch.size)
        G = np.random.default_rng([seed, 1]).standard_normal((len(batch.tasks), self.dim, self.dim))
        return tau * (G + np.swapaxes(G, 1, 2)) / np.sqrt(2.0)

    def _batch_loss(self, W, batch):
        raise ParameterError("batch", "the noise model of Appendix J perturbs gradients and Hessians, not losses: "
                                      "there is no batch loss")

    def _batch_gradient(self, W, batch):
        base_batch, _ = batch.data
        return self.base._oracle_gradient(W, base_batch) + self._gradient_noise(batch)

    def _oracle_gradient_pair(self, W2, b: Batch):
        # (11)'s two points share the batch, so they share its noise: drawn once, not per point.
        if b.is_exact:
            return super()._oracle_gradient_pair(W2, b)
        base_batch, _ = b.data
        g_plus, g_minus = self.base._oracle_gradient_pair(W2, base_batch)
        noise = self._gradient_noise(b)
        return g_plus + noise, g_minus + noise

    def _batch_hessian(self, W, batch):
        base_batch, _ = batch.data
        return self.base._oracle_hessian(W, base_batch) + self._hessian_noise(batch)

    def _batch_hvp(self, W, V, batch):
        base_batch, _ = batch.data
        return self.base._oracle_hvp(W, V, base_batch) + np.einsum("tij,tj->ti", self._hessian_noise(batch), V)

    def gradient_noise_second_moment(self, W, tasks):
        # One sample adds noise of total variance sigma~^2 (Gaussian: sigma~^2/d per coordinate;
        # two-point: sigma~ times a fair sign along a unit vector), independent of the base's sample.
        base = self.base.gradient_noise_second_moment(W, tasks)
        return None if base is None else base + self.noise_sigma_tilde ** 2

    def per_sample_gradient_moments(self, W, tasks):
        if not self.base.is_quadratic:
            return None
        moments = self.base.per_sample_gradient_moments(W, tasks)
        if moments is None:
            return None
        t, s = moments
        # E xi'A_i xi = tr(A_i) sigma~^2/d (Gaussian) or e'A_i e sigma~^2 (two-point); the Hessian
        # noise is independent of xi, so s gains nothing.
        H = self.base._hessian(W, tasks)
        if self.distribution == "two_point":
            quad = np.einsum("i,tij,j->t", self.direction, H, self.direction)
            c = COUPLINGS[self.coupling]
            if c is not None:
                # E (N A_i xi) = c sigma_H sigma~ (e e') A_i e: the same sample's signs are coupled.
                s = s + c * self.noise_sigma_H * self.noise_sigma_tilde * quad[:, None] * self.direction[None, :]
            return t + quad * self.noise_sigma_tilde ** 2, s
        trace = np.trace(H, axis1=1, axis2=2)
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
            sigma_H=Constant(sh.value + self.noise_sigma_H, sh.domain,
                             sh.exact and (self.noise_sigma_H == 0 or (self.distribution == "two_point"
                                                                       and sh.value == 0)),
                             "Minkowski: base + noise, with ||N|| <= ||N||_F and E||N||_F^2 = sigma_H^2"
                             if self.distribution == "gaussian" else
                             "base + noise; the two-point N = s sigma_H e e' has ||N|| = sigma_H exactly"),
        )
