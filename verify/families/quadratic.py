"""Quadratic tasks f_i(w) = 1/2 w'A_i w + b_i'w + c_i (152) with -L I <= A_i <= L I: convex, indefinite or concave.

Assumption 4.3 asks only for L-smoothness, so the hypothesis class contains
nonconvex quadratics; Appendix I's positive-definite tasks are one sub-family
(``spectrum="positive_definite"``).  The tasks are finitely many, task i drawn
with probability p_i; the oracles are exact (sigma~ = sigma_H = 0; wrap the
family in ``NoisyFamily`` for the noise of Appendix J, or use
``RegressionFamily`` for per-sample losses).

Constants (spectral norms; every value below is the supremum itself):

* L = max_i ||A_i||, global: grad f_i(w) - grad f_i(u) = A_i (w - u) and
  ||A_i (w - u)|| <= ||A_i|| ||w - u|| with equality along the top eigenvector.
* rho = 0, global: the Hessian A_i does not depend on w.
* sigma^2 = sup_w E_i ||grad f(w) - grad f_i(w)||^2 with
  grad f_i(w) - grad f(w) = (A_i - Abar) w + (b_i - bbar), Abar = E_i A_i:
  a convex quadratic w'Pw + 2r'w + s with P = E_i (A_i - Abar)^2,
  r = E_i (A_i - Abar)(b_i - bbar), s = E_i ||b_i - bbar||^2.  On R^d it is
  finite only when every A_i is the same (P = 0, sigma^2 = s); on a ball it is
  the trust-region maximum of ``_ball.max_convex_quadratic_on_ball``.
* sigma~ = sigma_H = 0: the stochastic oracles are the exact ones.
"""
from __future__ import annotations

import numpy as np

from ..errors import ParameterError, check_count, check_finite, check_positive
from ._ball import max_convex_quadratic_on_ball
from .base import Constant, Constants, Domain, Family, spectral_norm

__all__ = ["QuadraticFamily", "task_variance_quadratic", "SPECTRA"]

# A_i is refused as non-symmetric when ||A_i - A_i'|| exceeds this fraction of ||A_i||:
# a few ulps of asymmetry from arithmetic are symmetrised, a modelling error is not.
SYMMETRY_RTOL = 1e-10

SPECTRA = ("indefinite", "positive_definite", "concave", "mixed")


def task_variance_quadratic(A, b, p):
    """P, r, s with E_i ||grad f_i(w) - grad f(w)||^2 = w'Pw + 2r'w + s for affine gradients A_i w + b_i."""
    Abar = np.einsum("i,ijk->jk", p, A)
    bbar = p @ b
    dA = A - Abar
    db = b - bbar
    P = np.einsum("i,ijk,ikl->jl", p, dA, dA)
    r = np.einsum("i,ijk,ik->j", p, dA, db)
    s = float(np.einsum("i,ij,ij->", p, db, db))
    return P, r, s


class QuadraticFamily(Family):
    """n quadratic tasks (152): ``A`` (n, d, d) symmetric, ``b`` (n, d), ``c`` (n,), probabilities p (n,)."""

    name = "quadratic"
    is_quadratic = True

    def __init__(self, A, b, c=None, probabilities=None, domain: Domain | None = None, *, name: str | None = None):
        A = check_finite("A", A, ndim=(3,))
        n, d, d2 = A.shape
        if d != d2:
            raise ParameterError("A", f"each A_i must be square, got shape {A.shape[1:]}")
        asym = np.abs(A - np.swapaxes(A, 1, 2)).max(axis=(1, 2))
        size = np.maximum(np.abs(A).max(axis=(1, 2)), np.finfo(float).tiny)
        bad = np.flatnonzero(asym > SYMMETRY_RTOL * size)
        if bad.size:
            raise ParameterError("A", f"A_i must be symmetric (Hessian of f_i); task(s) {bad.tolist()} are not "
                                      f"(largest |A - A'| = {asym[bad].max():.3g})")
        self.A = 0.5 * (A + np.swapaxes(A, 1, 2))
        self.b = check_finite("b", b, ndim=(2,))
        if self.b.shape != (n, d):
            raise ParameterError("b", f"has shape {self.b.shape}, expected {(n, d)}")
        self.c = np.zeros(n) if c is None else check_finite("c", c, ndim=(1,))
        if self.c.shape != (n,):
            raise ParameterError("c", f"has shape {self.c.shape}, expected {(n,)}")
        p = np.full(n, 1.0 / n) if probabilities is None else probabilities
        super().__init__(d, p, Domain.everywhere() if domain is None else domain)
        if name is not None:
            self.name = name

    # ------------------------------------------------------------------ construction
    @classmethod
    def random(cls, rng: np.random.Generator, n_tasks: int, dim: int, *, L: float = 1.0,
               spectrum: str = "indefinite", floor: float = 0.1, spread: float = 1.0,
               shared_hessian: bool = False, domain: Domain | None = None, probabilities=None):
        """Random tasks whose Hessians have eigenvalues in the band ``spectrum`` of [-L, L].

        ``indefinite``: eigenvalues uniform in [-L, L]; ``positive_definite`` (Appendix I):
        in [floor*L, L]; ``concave``: in [-L, -floor*L]; ``mixed``: each task draws one of the
        three.  One eigenvalue of task 0 is set to +-L so that the declared L is attained.
        ``spread`` is the standard deviation of the b_i around a common mean (task similarity).
        """
        n_tasks, dim = check_count("n_tasks", n_tasks), check_count("dim", dim)
        L = check_positive("L", L)
        if spectrum not in SPECTRA:
            raise ParameterError("spectrum", f"{spectrum!r} is not one of {SPECTRA}")
        m = 1 if shared_hessian else n_tasks
        Q, _ = np.linalg.qr(rng.standard_normal((m, dim, dim)))
        u = rng.random((m, dim))
        kinds = np.array([spectrum] * m) if spectrum != "mixed" else rng.choice(SPECTRA[:3], size=m)
        lam = np.where((kinds == "indefinite")[:, None], L * (2 * u - 1),
                       np.where((kinds == "positive_definite")[:, None], L * (floor + (1 - floor) * u),
                                -L * (floor + (1 - floor) * u)))
        lam[0, 0] = -L if kinds[0] == "concave" else L
        A = np.einsum("tij,tj,tkj->tik", Q, lam, Q)
        if shared_hessian:
            A = np.repeat(A, n_tasks, axis=0)
        b = rng.standard_normal(dim) + spread * rng.standard_normal((n_tasks, dim))
        c = rng.standard_normal(n_tasks)
        fam = cls(A, b, c, probabilities, domain, name=f"quadratic-{spectrum}")
        return fam

    # ------------------------------------------------------------------ oracles
    def _loss(self, W, tasks):
        A = self.A[tasks]
        return 0.5 * np.einsum("ti,tij,tj->t", W, A, W) + np.einsum("ti,ti->t", self.b[tasks], W) + self.c[tasks]

    def _gradient(self, W, tasks):
        return np.einsum("tij,tj->ti", self.A[tasks], W) + self.b[tasks]

    def _hessian(self, W, tasks):
        return self.A[tasks].copy()

    def _hvp(self, W, V, tasks):
        return np.einsum("tij,tj->ti", self.A[tasks], V)

    # ------------------------------------------------------------------ constants
    def constants_on(self, domain: Domain) -> Constants:
        everywhere = Domain.everywhere()
        L = float(spectral_norm(self.A).max())
        P, r, s = task_variance_quadratic(self.A, self.b, self.probabilities)
        sig2 = float(max_convex_quadratic_on_ball(P, r, s, domain.centre_in(self.dim), domain.radius))
        return Constants(
            L=Constant(L, everywhere, True, "max_i ||A_i||: grad f_i is the linear map A_i plus a constant"),
            rho=Constant(0.0, everywhere, True, "the Hessian A_i is constant"),
            sigma=Constant(np.sqrt(sig2), domain, True,
                           "sqrt of the trust-region maximum over the domain of E_i||(A_i-Abar)w + b_i-bbar||^2 "
                           "(infinite on R^d unless all A_i coincide)"),
            sigma_tilde=Constant(0.0, everywhere, True, "exact oracles: no per-sample noise"),
            sigma_H=Constant(0.0, everywhere, True, "exact oracles: no per-sample noise"),
        )

    # ------------------------------------------------------------------ Appendix I closed forms
    @staticmethod
    def _solve(M, m, what):
        # Appendix I shows M invertible for positive-definite A_i and alpha < 1/L; an
        # indefinite family may make it singular, and then there is no unique point.
        try:
            return -np.linalg.solve(M, m)
        except np.linalg.LinAlgError as exc:
            raise ParameterError("alpha", f"the matrix of {what} is singular at this alpha") from exc

    def maml_solution(self, alpha) -> np.ndarray:
        """w* of (156): the stationary point of F, -(E_i (I - alpha A_i)^2 A_i)^{-1} E_i (I - alpha A_i)^2 b_i.

        The paper writes 1/n sum_i for n equally likely tasks; with probabilities p_i the
        same derivation from (154) gives the p-weighted means used here.
        """
        alpha = check_positive("alpha", alpha, allow_zero=True)
        M, m = self._maml_system(alpha)
        return self._solve(M, m, "(156)")

    def fo_maml_fixed_point(self, alpha) -> np.ndarray:
        """w_FO of (158): -(E_i (I - alpha A_i) A_i)^{-1} E_i (I - alpha A_i) b_i, the limit of (157)."""
        alpha = check_positive("alpha", alpha, allow_zero=True)
        C = np.eye(self.dim) - alpha * self.A
        M = np.einsum("i,ijk,ikl->jl", self.probabilities, C, self.A)
        m = np.einsum("i,ijk,ik->j", self.probabilities, C, self.b)
        return self._solve(M, m, "(158)")

    def _maml_system(self, alpha):
        C = np.eye(self.dim) - alpha * self.A
        C2 = np.einsum("ijk,ikl->ijl", C, C)
        M = np.einsum("i,ijk,ikl->jl", self.probabilities, C2, self.A)
        m = np.einsum("i,ijk,ik->j", self.probabilities, C2, self.b)
        return M, m
