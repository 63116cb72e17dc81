"""The paper's exact objects on a task family: F (2), grad F (6)/(35), F-hat (3), grad F-hat (66), L(w), L~(w), beta~(w).

F and grad F are exact: the expectation over tasks is the p-weighted sum over the
family's finitely many tasks and the oracles are exact.  F-hat and grad F-hat
average over the test batch D_test as well; they are closed form when every f_i
is quadratic (or the family is deterministic), and otherwise a Monte Carlo
estimate that always reports its standard error (``Estimate``).

The constants in L(w) (Lemma 4.8), L~(w) (16) and beta~(w) (17) are not typed
here: the expressions come from the registry ``bounds`` and are evaluated with
``bounds.evaluate``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from bounds import evaluate
from bounds import lemma_4_8, lemma_4_9

from .errors import ALL_TASKS, EXACT, ParameterError, check_alpha, check_batch_size, check_finite
from .families.base import Family

__all__ = [
    "Estimate",
    "L_tilde",
    "batch_grad_norms",
    "inner_points",
    "meta_gradient",
    "meta_gradient_test",
    "meta_objective",
    "meta_objective_test",
    "require_alpha_in_lemma_4_8",
    "smoothness_L_of_w",
    "stepsize_beta_tilde",
    "task_meta_gradients",
    "task_meta_objectives",
]

# Monte Carlo repetitions are processed in chunks of this many draws of D_test per task,
# which bounds memory at (chunk * tasks * D_test * d) floats whatever n_samples is.
_MC_CHUNK = 2048


@dataclass(frozen=True)
class Estimate:
    """A value with its standard error: ``exact`` when closed form (standard error 0)."""

    value: float | np.ndarray
    standard_error: float | np.ndarray
    n_samples: int
    exact: bool

    def interval(self, z: float) -> tuple:
        """value -+ z standard errors."""
        return self.value - z * self.standard_error, self.value + z * self.standard_error


def _point(family: Family, w) -> np.ndarray:
    w = check_finite("w", w, ndim=(1,))
    if w.shape != (family.dim,):
        raise ParameterError("w", f"has shape {w.shape}, the family has dimension {family.dim}")
    return w


# ---------------------------------------------------------------------- F and grad F
def inner_points(family: Family, w, alpha, tasks=None) -> np.ndarray:
    """w - alpha grad f_i(w) for each task: the exact inner step of (2), shape (T, d)."""
    alpha = check_alpha(alpha)
    w = _point(family, w)
    return w - alpha * family.gradient(w, tasks)


def task_meta_objectives(family: Family, w, alpha, tasks=None) -> np.ndarray:
    """F_i(w) = f_i(w - alpha grad f_i(w)) of (2), shape (T,)."""
    t = family.task_indices(tasks)
    return family.loss(inner_points(family, w, alpha, t), t)


def meta_objective(family: Family, w, alpha) -> float:
    """F(w) = E_{i~p} f_i(w - alpha grad f_i(w)), (2)."""
    return float(family.probabilities @ task_meta_objectives(family, w, alpha))


def task_meta_gradients(family: Family, w, alpha, tasks=None) -> np.ndarray:
    """grad F_i(w) = (I - alpha grad^2 f_i(w)) grad f_i(w - alpha grad f_i(w)), (35b), shape (T, d)."""
    alpha = check_alpha(alpha)
    w = _point(family, w)
    t = family.task_indices(tasks)
    outer = family.gradient(w - alpha * family.gradient(w, t), t)
    # The Hessian enters only through its product with the outer gradient (no d x d matrix needed).
    return outer - alpha * family.hvp(w, outer, t)


def meta_gradient(family: Family, w, alpha) -> np.ndarray:
    """grad F(w) = E_{i~p} (I - alpha grad^2 f_i(w)) grad f_i(w - alpha grad f_i(w)), (6) and (35a)."""
    return family.probabilities @ task_meta_gradients(family, w, alpha)


# ---------------------------------------------------------------------- F-hat and grad F-hat
def _test_batch_size(D_test):
    D = check_batch_size("D_test", D_test)
    if D == ALL_TASKS:
        raise ParameterError("D_test", "is a data batch size: an integer or EXACT")
    return D


def _closed_form_terms(family: Family, w):
    return family.per_sample_gradient_moments(np.broadcast_to(w, (family.n_tasks, family.dim)),
                                              np.arange(family.n_tasks))


def meta_objective_test(family: Family, w, alpha, D_test, rng: np.random.Generator | None = None,
                        n_samples: int = 4000) -> Estimate:
    """F-hat(w) = E_i E_{D_test} f_i(w - alpha grad~ f_i(w, D_test)), (3).

    Closed form for quadratic tasks: with g~ the batch mean of D_test per-sample gradients,
    E f_i(w - alpha g~) = f_i(w - alpha grad f_i(w)) + alpha^2/2 tr(A_i Cov g~) and
    Cov g~ = Cov_theta / D_test, so F-hat = F + alpha^2/(2 D_test) E_i t_i.
    Otherwise Monte Carlo over ``n_samples`` independent draws of every task's D_test.
    """
    alpha = check_alpha(alpha)
    w = _point(family, w)
    D = _test_batch_size(D_test)
    F = meta_objective(family, w, alpha)
    if D == EXACT:
        return Estimate(F, 0.0, 0, True)
    terms = _closed_form_terms(family, w)
    if terms is not None:
        t, _ = terms
        return Estimate(F + alpha ** 2 / (2 * D) * float(family.probabilities @ t), 0.0, 0, True)
    values = _monte_carlo(family, w, alpha, D, rng, n_samples, gradient=False)
    return Estimate(float(values.mean()), float(values.std(ddof=1) / math.sqrt(len(values))), len(values), False)


def meta_gradient_test(family: Family, w, alpha, D_test, rng: np.random.Generator | None = None,
                       n_samples: int = 4000) -> Estimate:
    """grad F-hat(w) = E_i E_{D_test} (I - alpha grad~^2 f_i(w, D_test)) grad f_i(w - alpha grad~ f_i(w, D_test)), (66).

    Closed form for quadratic tasks: expanding the product, everything but the
    covariance of the sample Hessian with the sample gradient averages to grad F,
    so grad F-hat = grad F + alpha^2/D_test E_i s_i.  Otherwise Monte Carlo with a
    per-coordinate standard error.
    """
    alpha = check_alpha(alpha)
    w = _point(family, w)
    D = _test_batch_size(D_test)
    G = meta_gradient(family, w, alpha)
    if D == EXACT:
        return Estimate(G, np.zeros_like(G), 0, True)
    terms = _closed_form_terms(family, w)
    if terms is not None:
        _, s = terms
        return Estimate(G + alpha ** 2 / D * (family.probabilities @ s), np.zeros_like(G), 0, True)
    values = _monte_carlo(family, w, alpha, D, rng, n_samples, gradient=True)
    return Estimate(values.mean(axis=0), values.std(axis=0, ddof=1) / math.sqrt(len(values)), len(values), False)


def _monte_carlo(family, w, alpha, D, rng, n_samples, *, gradient: bool) -> np.ndarray:
    if rng is None:
        raise ParameterError("rng", "F-hat has no closed form for this family: a Monte Carlo estimate needs a Generator")
    n_samples = check_batch_size("n_samples", n_samples, allow_exact=False)
    if n_samples < 2:
        raise ParameterError("n_samples", "a standard error needs at least 2 samples")
    n, p = family.n_tasks, family.probabilities
    out = []
    done = 0
    while done < n_samples:
        reps = min(_MC_CHUNK, n_samples - done)
        # Every task gets its own independent D_test in every repetition; the task
        # expectation is then the exact p-weighted sum, so only D_test is sampled.
        tasks = np.tile(np.arange(n), reps)
        batch = family.draw_batch(tasks, D, rng, name="D_test")
        adapted = w - alpha * family.batch_gradient(w, batch)
        if gradient:
            outer = family.gradient(adapted, tasks)
            per = outer - alpha * family.batch_hvp(w, outer, batch)
            out.append(np.einsum("rtd,t->rd", per.reshape(reps, n, family.dim), p))
        else:
            out.append(family.loss(adapted, tasks).reshape(reps, n) @ p)
        done += reps
    return np.concatenate(out, axis=0)


# ---------------------------------------------------------------------- L(w), L~(w), beta~(w)
def require_alpha_in_lemma_4_8(alpha, L: float) -> float:
    """alpha as a float, or a ParameterError when it violates Lemma 4.8's 'alpha in [0, 1/L]' (from the registry)."""
    alpha = check_alpha(alpha)
    rel = lemma_4_8.ALPHA_AT_MOST_ONE_OVER_L.relation
    values = {"alpha": alpha, "L": L}
    gap = evaluate(rel.lhs - rel.rhs, values)
    # alpha = 1/L computed in floats may land an ulp above the end point.
    if gap > 1e-12 * (abs(evaluate(rel.lhs, values)) + abs(evaluate(rel.rhs, values))):
        raise ParameterError(
            "alpha", f"alpha = {alpha!r} with L = {L!r} violates Lemma 4.8's hypothesis "
                     f"'{lemma_4_8.ALPHA_AT_MOST_ONE_OVER_L.name}' "
                     f"({lemma_4_8.ALPHA_AT_MOST_ONE_OVER_L.source}); L(w), L~(w) and beta~(w) are defined there only")
    return alpha


def _finite_constants(family: Family, *names):
    values = family.constants.values()
    for name in names:
        if not math.isfinite(values[name]):
            raise ParameterError(name, f"the family's {name} is infinite on {family.domain}: certify it on a ball")
    return values


def smoothness_L_of_w(family: Family, w, alpha) -> float:
    """L(w) = 4L + 2 rho alpha E_i ||grad f_i(w)|| of Lemma 4.8 (the registry's ``lemma_4_8.L_OF_W``).

    Refuses a point outside the family's certified domain (``OutsideDomain``) and an
    alpha outside [0, 1/L]: there the lemma, hence L(w), says nothing.
    """
    w = _point(family, w)
    family.require_in_domain(w)
    c = _finite_constants(family, "L", "rho")
    alpha = require_alpha_in_lemma_4_8(alpha, c["L"])
    norms = np.linalg.norm(family.gradient(w), axis=1)
    return float(evaluate(lemma_4_8.L_OF_W.expr,
                          {"L": c["L"], "rho": c["rho"], "alpha": alpha, "grad_fi_norm_w": norms},
                          task_weights=family.probabilities))


def batch_grad_norms(family: Family, w, B_prime, D_beta, rng: np.random.Generator | None):
    """||grad~ f_j(w, D_beta^j)|| for a batch B' of tasks drawn i.i.d. from p, and the weights of their mean.

    ``B_prime = ALL_TASKS`` uses every task with weight p_j (the expectation itself);
    ``D_beta = EXACT`` uses exact gradients.  Returns (norms (B',), weights (B',)).
    """
    w = _point(family, w)
    B_prime = check_batch_size("B_prime", B_prime)
    D_beta = check_batch_size("D_beta", D_beta)
    if B_prime == EXACT or D_beta == ALL_TASKS:
        raise ParameterError("B_prime" if B_prime == EXACT else "D_beta", "mixes up task and data batch sizes")
    if B_prime == ALL_TASKS:
        tasks, weights = np.arange(family.n_tasks), family.probabilities
    else:
        if rng is None:
            raise ParameterError("rng", "drawing the task batch B' needs a numpy Generator")
        tasks = family.sample_tasks(B_prime, rng)
        weights = np.full(B_prime, 1.0 / B_prime)
    batch = family.draw_batch(tasks, D_beta, rng, name="D_beta")
    return np.linalg.norm(family.batch_gradient(w, batch), axis=1), weights


def _L_tilde_values(family, w, alpha, B_prime, D_beta, rng):
    w = _point(family, w)
    c = _finite_constants(family, "L", "rho")
    alpha = require_alpha_in_lemma_4_8(alpha, c["L"])
    norms, weights = batch_grad_norms(family, w, B_prime, D_beta, rng)
    return {"L": c["L"], "rho": c["rho"], "alpha": alpha, "batch_grad_norm": norms}, weights


def L_tilde(family: Family, w, alpha, B_prime, D_beta, rng: np.random.Generator | None = None) -> float:
    """L~(w) = 4L + 2 rho alpha/B' sum_{j in B'} ||grad~ f_j(w, D_beta^j)||, (16), one draw of B' and D_beta."""
    values, weights = _L_tilde_values(family, w, alpha, B_prime, D_beta, rng)
    return float(evaluate(lemma_4_9.L_TILDE.expr, values, task_weights=weights))


def stepsize_beta_tilde(family: Family, w, alpha, B_prime, D_beta, rng: np.random.Generator | None = None) -> float:
    """beta~(w) = 1 / L~(w), (17), one draw of B' and D_beta (the stepsize is beta_k = c beta~(w_k))."""
    values, weights = _L_tilde_values(family, w, alpha, B_prime, D_beta, rng)
    return float(evaluate(lemma_4_9.BETA_TILDE_EXPANDED, values, task_weights=weights))
