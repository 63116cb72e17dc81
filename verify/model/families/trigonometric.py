"""Smooth non-quadratic tasks with exactly known global L and rho in any dimension: quadratics plus cosines.

Task i lives in its own orthonormal basis Q_i (z = Q_i'w, coordinates z_j):

    f_i(w) = sum_j [ lambda_ij z_j^2 / 2 + a_ij cos(s_ij z_j + phi_ij) ] + b_i'w + c_i.

It is nonconvex whenever some lambda_ij < a_ij s_ij^2, its Hessian varies with w
(rho > 0), and its third derivative is bounded, so it satisfies Assumptions
4.3-4.4 on all of R^d, unlike the rank-one tasks of Appendix J.

Derivation of the constants.  In the basis Q_i,

    grad^2 f_i(w) = Q_i diag(lambda_ij - a_ij s_ij^2 cos(s_ij z_j + phi_ij)) Q_i',
    D^3 f_i(w)[v] = Q_i diag(a_ij s_ij^3 sin(s_ij z_j + phi_ij) (Q_i'v)_j) Q_i'.

* L_i = sup_w ||grad^2 f_i(w)|| = max_j (|lambda_ij| + |a_ij| s_ij^2): the angles
  s_ij z_j + phi_ij are independent coordinates, so each cosine can be -sign(lambda a)
  at once; the supremum is attained.  L = max_i L_i, exact on R^d.
* rho_i = sup_w sup_{||v||=1} ||D^3 f_i(w)[v]|| = max_j |a_ij| s_ij^3 (take
  v = Q_i e_j at a point with sin = +-1); for a C^3 function the Hessian-Lipschitz
  constant on a convex set equals this supremum.  rho = max_i rho_i, exact on R^d.
* sigma: grad f_i(w) = A_i w + b_i + r_i(w) with A_i = Q_i diag(lambda_i) Q_i' and
  ||r_i(w)||^2 = sum_j a_ij^2 s_ij^2 sin^2(.) <= G_i^2 := sum_j a_ij^2 s_ij^2.
  By Minkowski in L2(p), sqrt(E_i||grad f_i - grad f||^2) <= sqrt(E_i||(A_i - Abar)w + b_i - bbar||^2)
  + sqrt(E_i||r_i - rbar||^2) <= sqrt(trust-region max over the domain) + sqrt(E_i G_i^2).
  A certified upper bound (``exact=False``); finite on R^d only if all A_i coincide
  (``shared_basis=True``).
* sigma~ = sigma_H = 0: exact oracles (wrap in ``NoisyFamily`` for noise).
"""
from __future__ import annotations

import numpy as np

from verify.model.errors import ParameterError, check_count, check_finite, check_positive
from .base import Constant, Constants, Domain, Family
from .quadratic import task_variance_sup

__all__ = ["TrigonometricFamily"]


def _orthogonal(Q: np.ndarray) -> bool:
    """Q'Q = I (numpy's allclose, atol 1e-10): one BLAS product per matrix, O(d^2) memory."""
    return bool(np.allclose(Q.T @ Q, np.eye(Q.shape[0]), atol=1e-10))


class TrigonometricFamily(Family):
    """Tasks sum_j [lambda z_j^2/2 + a cos(s z_j + phi)] + b'w + c in per-task orthonormal bases Q_i."""

    name = "trigonometric"

    def __init__(self, Q, lam, a, s, phi, b, c=None, probabilities=None, domain: Domain | None = None):
        Q = check_finite("Q", Q, ndim=(3,))
        n, d, _ = Q.shape
        # One check per distinct basis (``shared_basis`` repeats one Q for every task).
        distinct = [i for i in range(n) if not any(np.array_equal(Q[j], Q[i]) for j in range(i))]
        if Q.shape != (n, d, d) or not all(_orthogonal(Q[i]) for i in distinct):
            raise ParameterError("Q", "each Q_i must be an orthogonal d x d matrix")
        arrays = {}
        for key, val in (("lam", lam), ("a", a), ("s", s), ("phi", phi), ("b", b)):
            arr = check_finite(key, val, ndim=(2,))
            if arr.shape != (n, d):
                raise ParameterError(key, f"has shape {arr.shape}, expected {(n, d)}")
            arrays[key] = arr
        self.Q = Q
        self.lam, self.a, self.s, self.phi, self.b = (arrays[k] for k in ("lam", "a", "s", "phi", "b"))
        self.c = np.zeros(n) if c is None else check_finite("c", c, ndim=(1,))
        if self.c.shape != (n,):
            raise ParameterError("c", f"has shape {self.c.shape}, expected {(n,)}")
        super().__init__(d, np.full(n, 1.0 / n) if probabilities is None else probabilities,
                         Domain.everywhere() if domain is None else domain)

    @classmethod
    def random(cls, rng: np.random.Generator, n_tasks: int, dim: int, *, curvature: float = 1.0,
               amplitude: float = 0.3, frequency: float = 1.5, spread: float = 1.0,
               shared_basis: bool = False, domain: Domain | None = None, probabilities=None):
        """Random tasks: lambda uniform in [-curvature, curvature], |a| <= amplitude, s near ``frequency``."""
        n_tasks, dim = check_count("n_tasks", n_tasks), check_count("dim", dim)
        curvature = check_positive("curvature", curvature, allow_zero=True)
        amplitude = check_positive("amplitude", amplitude, allow_zero=True)
        frequency = check_positive("frequency", frequency)
        m = 1 if shared_basis else n_tasks
        # Haar-distributed bases, task by task (the same numbers as one stacked QR, without its R).
        Q = rng.standard_normal((m, dim, dim))
        for i in range(m):
            Q[i] = np.linalg.qr(Q[i])[0]
        lam = curvature * (2 * rng.random((m, dim)) - 1)
        if shared_basis:
            Q = np.repeat(Q, n_tasks, axis=0)
            lam = np.repeat(lam, n_tasks, axis=0)
        a = amplitude * (0.2 + 0.8 * rng.random((n_tasks, dim))) * rng.choice([-1.0, 1.0], size=(n_tasks, dim))
        s = frequency * (0.5 + rng.random((n_tasks, dim)))
        phi = 2 * np.pi * rng.random((n_tasks, dim))
        b = rng.standard_normal(dim) + spread * rng.standard_normal((n_tasks, dim))
        return cls(Q, lam, a, s, phi, b, rng.standard_normal(n_tasks), probabilities, domain)

    # ------------------------------------------------------------------ oracles
    def _angles(self, W, tasks):
        Z = np.einsum("tji,tj->ti", self._per_task("Q", tasks), W)
        return Z, self._per_task("s", tasks) * Z + self._per_task("phi", tasks)

    def _loss(self, W, tasks):
        Z, ang = self._angles(W, tasks)
        lam, a = self._per_task("lam", tasks), self._per_task("a", tasks)
        return (np.sum(0.5 * lam * Z * Z + a * np.cos(ang), axis=1)
                + np.einsum("ti,ti->t", self._per_task("b", tasks), W) + self._per_task("c", tasks))

    def _gradient(self, W, tasks):
        # The same products as (lam Z - a s sin(ang)) in the coordinates of Q_i, each parameter looked up once.
        Q, s = self._per_task("Q", tasks), self._per_task("s", tasks)
        Z = np.einsum("tji,tj->ti", Q, W)
        ang = s * Z + self._per_task("phi", tasks)
        gz = self._per_task("lam", tasks) * Z - self._per_task("a", tasks) * s * np.sin(ang)
        return np.einsum("tij,tj->ti", Q, gz) + self._per_task("b", tasks)

    def _curvatures(self, W, tasks):
        _, ang = self._angles(W, tasks)
        return self._per_task("lam", tasks) - self._per_task("a", tasks) * self._per_task("s", tasks) ** 2 * np.cos(ang)

    def _hessian(self, W, tasks):
        Q = self._per_task("Q", tasks)
        return np.einsum("tij,tj,tkj->tik", Q, self._curvatures(W, tasks), Q)

    def _hvp(self, W, V, tasks):
        Q = self._per_task("Q", tasks)
        return np.einsum("tij,tj->ti", Q, self._curvatures(W, tasks) * np.einsum("tji,tj->ti", Q, V))

    # ------------------------------------------------------------------ constants
    def affine_hessians(self) -> np.ndarray:
        """A_i = Q_i diag(lambda_i) Q_i' (the quadratic part), one BLAS product per task, computed once."""
        cached = self.__dict__.get("_affine_hessians")
        if cached is not None and cached[0] is self.Q and cached[1] is self.lam:
            return cached[2]
        A = np.empty_like(self.Q)
        for i in range(self.n_tasks):
            # Tasks sharing their basis and curvatures (``shared_basis``) share A_i: one product.
            same = next((j for j in range(i) if np.array_equal(self.lam[j], self.lam[i])
                         and np.array_equal(self.Q[j], self.Q[i])), None)
            A[i] = A[same] if same is not None else (self.Q[i] * self.lam[i]) @ self.Q[i].T
        self.__dict__["_affine_hessians"] = (self.Q, self.lam, A)
        return A

    def constants_on(self, domain: Domain) -> Constants:
        everywhere = Domain.everywhere()
        L = float(np.max(np.abs(self.lam) + np.abs(self.a) * self.s ** 2))
        rho = float(np.max(np.abs(self.a) * self.s ** 3))
        affine = task_variance_sup(self.affine_hessians(), self.b, self.probabilities, domain)
        G2 = np.sum(self.a ** 2 * self.s ** 2, axis=1)
        sigma = np.sqrt(affine) + np.sqrt(float(self.probabilities @ G2))
        return Constants(
            L=Constant(L, everywhere, True, "max_ij |lambda_ij| + |a_ij| s_ij^2, attained where cos = -sign(lambda a)"),
            rho=Constant(rho, everywhere, True, "max_ij |a_ij| s_ij^3, the supremum of the third derivative"),
            sigma=Constant(sigma, domain, bool(np.all(self.a == 0)),
                           "Minkowski: sqrt(trust-region max of the affine part's variance) + sqrt(E_i sum_j a_ij^2 s_ij^2)"),
            sigma_tilde=Constant(0.0, everywhere, True, "exact oracles: no per-sample noise"),
            sigma_H=Constant(0.0, everywhere, True, "exact oracles: no per-sample noise"),
        )
