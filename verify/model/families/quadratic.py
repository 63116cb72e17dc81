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

from verify.model.errors import ParameterError, check_count, check_finite, check_positive
from ._ball import max_convex_quadratic_on_ball
from .base import Constant, Constants, Domain, Family, spectral_norm

__all__ = ["QuadraticFamily", "task_variance_quadratic", "task_variance_sup", "task_variance_trace", "SPECTRA"]

# A_i is refused as non-symmetric when ||A_i - A_i'|| exceeds this fraction of ||A_i||:
# a few ulps of asymmetry from arithmetic are symmetrised, a modelling error is not.
SYMMETRY_RTOL = 1e-10

SPECTRA = ("indefinite", "positive_definite", "concave", "mixed")

# From this dimension on, ``random`` orthogonalises by CholeskyQR2 (two passes of Q <- Q R^-1 with
# R'R = Q'Q, all matrix products: about twice as fast as Householder QR at d = 4096, measured 19 s
# against 35 s) instead of Householder QR.  Both give the Q of G = Q R up to the signs of its
# columns, which A = Q diag(lambda) Q' does not see: the same tasks, to rounding.  Below it,
# Householder QR, the numbers the recorded instances were drawn with.
CHOLESKY_QR_MIN_DIM = 512
# The second pass's Cholesky factor is I up to the first pass's loss of orthogonality (about
# eps kappa(G)^2); above this bound (G nearly singular) the Householder QR is used instead.
_CHOLESKY_QR_CHECK = 1e-7


def _orthogonal_factor(G: np.ndarray) -> np.ndarray:
    """Q of the QR factorisation of the square matrix G, up to column signs (orthogonal to rounding)."""
    if G.shape[0] >= CHOLESKY_QR_MIN_DIM:
        try:
            Q = G
            for _ in range(2):
                C = np.linalg.cholesky(Q.T @ Q)  # Q'Q = C C', R = C'
                Q = np.linalg.solve(C, Q.T).T  # Q R^-1
            if np.max(np.abs(C - np.eye(G.shape[0]))) <= _CHOLESKY_QR_CHECK:
                return Q
        except np.linalg.LinAlgError:
            pass
    return np.linalg.qr(G)[0]


def _mean_matrix(A, p):
    """E_i A_i; exactly A_0 when every A_i is A_0 (shared Hessians: P = 0 exactly, not rounding noise)."""
    if all(np.array_equal(A[i], A[0]) for i in range(1, A.shape[0])):
        return A[0].copy()
    return np.tensordot(p, A, axes=1)


def task_variance_quadratic(A, b, p):
    """P, r, s with E_i ||grad f_i(w) - grad f(w)||^2 = w'Pw + 2r'w + s for affine gradients A_i w + b_i.

    P = E_i (A_i - Abar)^2 is one matrix product per task (BLAS), a task whose A_i equals Abar
    none; memory O(d^2) beyond A.
    """
    A = np.asarray(A, dtype=np.float64)
    p = np.asarray(p, dtype=np.float64)
    Abar = _mean_matrix(A, p)
    bbar = p @ b
    db = b - bbar
    d = A.shape[-1]
    P = np.zeros((d, d))
    r = np.zeros(d)
    for i in range(A.shape[0]):
        dA = A[i] - Abar
        if p[i] == 0 or not np.any(dA):
            continue
        P += p[i] * (dA @ dA)
        r += p[i] * (dA @ db[i])
    s = float(np.einsum("i,ij,ij->", p, db, db))
    return P, r, s


def task_variance_trace(A, p) -> float:
    """tr E_i (A_i - Abar)^2 = E_i ||A_i - Abar||_F^2 (the trace of ``task_variance_quadratic``'s P), in O(n d^2)."""
    A = np.asarray(A, dtype=np.float64)
    p = np.asarray(p, dtype=np.float64)
    Abar = _mean_matrix(A, p)
    return float(sum(p[i] * np.sum((A[i] - Abar) ** 2) for i in range(A.shape[0]) if p[i] != 0))


# On R^d sigma^2 = sup of w'Pw + 2r'w + s is finite only when P vanishes; ``max_convex_quadratic_on_ball``
# calls P zero when its largest eigenvalue is at most 1e-14.  lambda_max(P) >= tr(P)/d, so above
# this (a factor 2 clear of rounding) sigma is infinite without forming P.
_CLEARLY_NONZERO = 2e-14


def task_variance_sup(A, b, p, domain: Domain) -> float:
    """sup over ``domain`` of E_i ||grad f_i(w) - grad f(w)||^2 for affine gradients A_i w + b_i (certified)."""
    if domain.is_global and task_variance_trace(A, p) / np.shape(A)[-1] > _CLEARLY_NONZERO:
        return float("inf")
    P, r, s = task_variance_quadratic(A, b, p)
    return float(max_convex_quadratic_on_ball(P, r, s, domain.centre_in(np.shape(A)[-1]), domain.radius))


class QuadraticFamily(Family):
    """n quadratic tasks (152): ``A`` (n, d, d) symmetric, ``b`` (n, d), ``c`` (n,), probabilities p (n,)."""

    name = "quadratic"
    is_quadratic = True

    def __init__(self, A, b, c=None, probabilities=None, domain: Domain | None = None, *, name: str | None = None,
                 eigenvalues=None):
        A = check_finite("A", A, ndim=(3,))
        n, d, d2 = A.shape
        if d != d2:
            raise ParameterError("A", f"each A_i must be square, got shape {A.shape[1:]}")
        # Task by task: O(d^2) temporaries, not O(n d^2).
        asym = np.array([np.abs(A[i] - A[i].T).max() for i in range(n)])
        size = np.maximum(np.array([np.abs(A[i]).max() for i in range(n)]), np.finfo(float).tiny)
        bad = np.flatnonzero(asym > SYMMETRY_RTOL * size)
        if bad.size:
            raise ParameterError("A", f"A_i must be symmetric (Hessian of f_i); task(s) {bad.tolist()} are not "
                                      f"(largest |A - A'| = {asym[bad].max():.3g})")
        self.A = np.empty((n, d, d))
        for i in range(n):
            np.add(A[i], A[i].T, out=self.A[i])
            self.A[i] *= 0.5
        self.eigenvalues = None if eigenvalues is None else self._check_eigenvalues(eigenvalues)
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
        # Haar-distributed Q_i from the QR factorisation of a Gaussian matrix, task by task (without
        # a stacked (m, d, d) R): O(d^3) per task, the one cost a random orthogonal basis cannot avoid.
        Q = rng.standard_normal((m, dim, dim))
        for i in range(m):
            Q[i] = _orthogonal_factor(Q[i])
        u = rng.random((m, dim))
        kinds = np.array([spectrum] * m) if spectrum != "mixed" else rng.choice(SPECTRA[:3], size=m)
        lam = np.where((kinds == "indefinite")[:, None], L * (2 * u - 1),
                       np.where((kinds == "positive_definite")[:, None], L * (floor + (1 - floor) * u),
                                -L * (floor + (1 - floor) * u)))
        lam[0, 0] = -L if kinds[0] == "concave" else L
        # A_i = Q_i diag(lam_i) Q_i', one BLAS product per task, written over Q_i (O(n d^2) memory).
        for i in range(m):
            Q[i] = (Q[i] * lam[i]) @ Q[i].T
        A = Q
        if shared_hessian:
            A = np.repeat(A, n_tasks, axis=0)
            lam = np.repeat(lam, n_tasks, axis=0)
        b = rng.standard_normal(dim) + spread * rng.standard_normal((n_tasks, dim))
        c = rng.standard_normal(n_tasks)
        fam = cls(A, b, c, probabilities, domain, name=f"quadratic-{spectrum}", eigenvalues=lam)
        return fam

    # ------------------------------------------------------------------ oracles
    def _loss(self, W, tasks):
        A = self._per_task("A", tasks)
        return (0.5 * np.einsum("ti,tij,tj->t", W, A, W) + np.einsum("ti,ti->t", self._per_task("b", tasks), W)
                + self._per_task("c", tasks))

    def _gradient(self, W, tasks):
        return np.einsum("tij,tj->ti", self._per_task("A", tasks), W) + self._per_task("b", tasks)

    def _hessian(self, W, tasks):
        return self._per_task("A", tasks).copy()

    def _hvp(self, W, V, tasks):
        return np.einsum("tij,tj->ti", self._per_task("A", tasks), V)

    # ------------------------------------------------------------------ constants
    def _check_eigenvalues(self, eigenvalues) -> np.ndarray:
        """The spectra lambda_i of the A_i, known by construction (A_i = Q_i diag(lambda_i) Q_i', Q_i orthogonal).

        Checked in O(n d^2) against what a spectrum fixes without an eigendecomposition: the
        trace sum_j lambda_ij = tr A_i and sum_j lambda_ij^2 = ||A_i||_F^2.  A spectrum that
        passes both has the right scale; the construction is what vouches for the rest.
        """
        lam = check_finite("eigenvalues", eigenvalues, ndim=(2,))
        if lam.shape != self.A.shape[:2]:
            raise ParameterError("eigenvalues", f"has shape {lam.shape}, expected {self.A.shape[:2]}")
        for i in range(lam.shape[0]):
            fro2, l2 = float(np.sum(self.A[i] ** 2)), float(np.sum(lam[i] ** 2))
            tr, lsum = float(np.trace(self.A[i])), float(np.sum(lam[i]))
            tol = 1e-8 * max(l2, fro2, np.finfo(float).tiny)
            if abs(fro2 - l2) > tol or abs(tr - lsum) > 1e-8 * max(np.sqrt(l2) * np.sqrt(lam.shape[1]), 1e-300):
                raise ParameterError("eigenvalues", f"task {i}: the spectrum does not match A_i (||A_i||_F^2 = "
                                                    f"{fro2:.6g} vs {l2:.6g}, tr A_i = {tr:.6g} vs {lsum:.6g})")
        return lam

    def max_spectral_norm(self) -> float:
        """max_i ||A_i||: from the spectra when known by construction, else one eigvalsh per task (cached)."""
        cached = self.__dict__.get("_max_spectral_norm")
        if cached is not None and cached[0] is self.A:
            return cached[1]
        if self.eigenvalues is not None:
            value = float(np.max(np.abs(self.eigenvalues)))
        else:
            value = self._spectral_norms_of_A()
        self.__dict__["_max_spectral_norm"] = (self.A, value)
        return value

    def _spectral_norms_of_A(self) -> float:
        return float(max(spectral_norm(self.A[i]) for i in range(self.n_tasks)))

    def _task_variance_sup(self, domain: Domain) -> float:
        return task_variance_sup(self.A, self.b, self.probabilities, domain)

    def constants_on(self, domain: Domain) -> Constants:
        everywhere = Domain.everywhere()
        L = self.max_spectral_norm()
        sig2 = self._task_variance_sup(domain)
        how_L = ("max_i max_j |lambda_ij|, the spectra of the construction A_i = Q_i diag(lambda_i) Q_i'"
                 if self.eigenvalues is not None else "max_i ||A_i||")
        return Constants(
            L=Constant(L, everywhere, True, f"{how_L}: grad f_i is the linear map A_i plus a constant"),
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
