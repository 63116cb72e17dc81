"""The paper's exact objects on a task family: F (2), grad F (6)/(35), F-hat (3), grad F-hat (66), L(w), L~(w), beta~(w).

F and grad F are exact: the expectation over tasks is the p-weighted sum over the
family's finitely many tasks and the oracles are exact.  F-hat and grad F-hat
average over the test batch D_test as well; they are closed form when every f_i
is quadratic (or the family is deterministic), and otherwise a Monte Carlo
estimate that always reports its standard error (``Estimate``).

The constants in L(w) (Lemma 4.8), L~(w) (16) and beta~(w) (17) are not typed
here: the expressions come from the registry ``bounds`` and are evaluated with
``bounds.evaluate``.

Hypotheses at the boundary.  Every result of the paper assumes at least Lemma 4.8's
alpha in [0, 1/L] (the registry's precondition ``lemma_4_8.ALPHA_AT_MOST_ONE_OVER_L``,
with L the family's certified smoothness constant), and a family's constants hold
only on its certified ``domain``.  The public functions below therefore refuse an
alpha with alpha L > 1 (``ParameterError`` naming ``alpha``) and a point w outside
the domain (``OutsideDomain`` naming ``w``), unless the caller passes
``allow_outside_hypotheses=True``: F and grad F are well-defined formulas everywhere,
but a number computed there says nothing about the paper.  Validation happens once,
at the public boundary; the underscored functions are the unvalidated cores that
hot loops (``algorithms.run``) call after validating themselves.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
import sympy as sp

from bounds import CompiledExpression, compiled
from bounds.lemma_4_8 import statement as lemma_4_8
from bounds.lemma_4_9 import statement as lemma_4_9
from bounds import symbols

from .errors import (ALL_TASKS, EXACT, OutsideDomain, ParameterError, check_alpha, check_batch_size,
                     check_finite, check_rng)
from verify.model.families.base import Family, repeated_rows

__all__ = [
    "ALPHA_HYPOTHESIS",
    "OVERRIDE",
    "Estimate",
    "L_tilde",
    "alpha_outside_hypotheses",
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


# ---------------------------------------------------------------------- the hypotheses at the boundary
#: The keyword that lets a caller evaluate outside the paper's hypotheses on purpose.
OVERRIDE = "allow_outside_hypotheses"
_HOW_TO_OVERRIDE = f"pass {OVERRIDE}=True to evaluate there anyway"

#: Lemma 4.8's "alpha in [0, 1/L]", the widest range of alpha any result of the paper assumes
#: (Theorems 4.11, F.1, G.1, H.1 ask for less).  The registry's precondition, not a retyped 1/L.
ALPHA_HYPOTHESIS = lemma_4_8.ALPHA_AT_MOST_ONE_OVER_L
if ALPHA_HYPOTHESIS not in lemma_4_8.lemma_4_8.preconditions or not isinstance(
        ALPHA_HYPOTHESIS.relation, sp.LessThan) or ALPHA_HYPOTHESIS.relation.free_symbols != {symbols.alpha,
                                                                                               symbols.L}:
    raise ImportError("verify.model.objectives reads 'alpha L <= 1' from Lemma 4.8's preconditions: the registry changed")
# Compiled once (float arithmetic only): the check runs at every public call.
_ALPHA_GAP = sp.lambdify((symbols.alpha, symbols.L), ALPHA_HYPOTHESIS.relation.lhs - ALPHA_HYPOTHESIS.relation.rhs,
                         "math")
_ALPHA_SCALE = sp.lambdify((symbols.alpha, symbols.L),
                           sp.Abs(ALPHA_HYPOTHESIS.relation.lhs) + sp.Abs(ALPHA_HYPOTHESIS.relation.rhs), "math")
# alpha = 1/L computed in floats may land an ulp above the end point: a relative slack of
# this size (a few thousand ulps, far below any alpha a check chooses) is not a violation.
_ALPHA_RTOL = 1e-12


def _alpha_violates(alpha: float, L: float) -> bool:
    if alpha == 0.0:
        return False  # alpha = 0 lies in [0, 1/L] for every L, an infinite one included
    if not math.isfinite(L):
        return True
    return _ALPHA_GAP(alpha, L) > _ALPHA_RTOL * _ALPHA_SCALE(alpha, L)


def alpha_outside_hypotheses(alpha: float, L: float) -> str | None:
    """None when alpha satisfies Lemma 4.8's 'alpha L <= 1' for the smoothness constant L; else what fails."""
    if not _alpha_violates(alpha, L):
        return None
    return (f"alpha = {alpha!r} with the family's L = {L!r} gives alpha L = {alpha * L!r} > 1 (1/L = {1 / L!r}): "
            f"outside Lemma 4.8's hypothesis '{ALPHA_HYPOTHESIS.name}' ({ALPHA_HYPOTHESIS.source}), "
            "which every result of the paper assumes")


def _validated(family: Family, w, alpha, allow: bool) -> tuple[np.ndarray, float]:
    """(w, alpha) validated once at the public boundary: well formed, and inside the hypotheses unless ``allow``."""
    alpha = check_alpha(alpha)
    w = _point(family, w)
    if not allow:
        if alpha != 0.0:
            alpha_msg = alpha_outside_hypotheses(alpha, family.constants.L.value)
            if alpha_msg is not None:
                raise ParameterError("alpha", f"{alpha_msg}; {_HOW_TO_OVERRIDE}")
        domain_msg = family.domain.outside_message(w)
        if domain_msg is not None:
            raise OutsideDomain("w", f"{domain_msg}; {_HOW_TO_OVERRIDE}")
    return w, alpha


# ---------------------------------------------------------------------- F and grad F (unvalidated cores)
def _task_meta_objectives(family: Family, w: np.ndarray, alpha: float, t: np.ndarray) -> np.ndarray:
    W = repeated_rows(w, len(t))
    return family._loss(W - alpha * family._gradient(W, t), t)


def _meta_objective(family: Family, w: np.ndarray, alpha: float) -> float:
    """F(w) for a validated point and alpha (no checks: the caller has made them)."""
    return float(family.probabilities @ _task_meta_objectives(family, w, alpha, family._every_task()))


def _task_meta_gradients(family: Family, w: np.ndarray, alpha: float, t: np.ndarray) -> np.ndarray:
    W = repeated_rows(w, len(t))
    outer = family._gradient(W - alpha * family._gradient(W, t), t)
    # The Hessian enters only through its product with the outer gradient (no d x d matrix needed).
    return outer - alpha * family._hvp(W, outer, t)


def _meta_gradient(family: Family, w: np.ndarray, alpha: float) -> np.ndarray:
    """grad F(w) for a validated point and alpha (no checks: the caller has made them)."""
    return family.probabilities @ _task_meta_gradients(family, w, alpha, family._every_task())


# ---------------------------------------------------------------------- F and grad F
def inner_points(family: Family, w, alpha, tasks=None, *, allow_outside_hypotheses: bool = False) -> np.ndarray:
    """w - alpha grad f_i(w) for each task: the exact inner step of (2), shape (T, d)."""
    w, alpha = _validated(family, w, alpha, allow_outside_hypotheses)
    return w - alpha * family.gradient(w, tasks)


def task_meta_objectives(family: Family, w, alpha, tasks=None, *,
                         allow_outside_hypotheses: bool = False) -> np.ndarray:
    """F_i(w) = f_i(w - alpha grad f_i(w)) of (2), shape (T,)."""
    w, alpha = _validated(family, w, alpha, allow_outside_hypotheses)
    return _task_meta_objectives(family, w, alpha, family.task_indices(tasks))


def meta_objective(family: Family, w, alpha, *, allow_outside_hypotheses: bool = False) -> float:
    """F(w) = E_{i~p} f_i(w - alpha grad f_i(w)), (2).

    Refuses alpha L > 1 and w outside the family's domain unless ``allow_outside_hypotheses``.
    """
    w, alpha = _validated(family, w, alpha, allow_outside_hypotheses)
    return _meta_objective(family, w, alpha)


def task_meta_gradients(family: Family, w, alpha, tasks=None, *,
                        allow_outside_hypotheses: bool = False) -> np.ndarray:
    """grad F_i(w) = (I - alpha grad^2 f_i(w)) grad f_i(w - alpha grad f_i(w)), (35b), shape (T, d)."""
    w, alpha = _validated(family, w, alpha, allow_outside_hypotheses)
    return _task_meta_gradients(family, w, alpha, family.task_indices(tasks))


def meta_gradient(family: Family, w, alpha, *, allow_outside_hypotheses: bool = False) -> np.ndarray:
    """grad F(w) = E_{i~p} (I - alpha grad^2 f_i(w)) grad f_i(w - alpha grad f_i(w)), (6) and (35a).

    Refuses alpha L > 1 and w outside the family's domain unless ``allow_outside_hypotheses``.
    """
    w, alpha = _validated(family, w, alpha, allow_outside_hypotheses)
    return _meta_gradient(family, w, alpha)


# ---------------------------------------------------------------------- F-hat and grad F-hat
def _test_batch_size(D_test):
    D = check_batch_size("D_test", D_test)
    if D == ALL_TASKS:
        raise ParameterError("D_test", "is a data batch size: an integer or EXACT")
    return D


def _closed_form_terms(family: Family, w):
    return family.per_sample_gradient_moments(repeated_rows(w, family.n_tasks),
                                              family._every_task())


def meta_objective_test(family: Family, w, alpha, D_test, rng: np.random.Generator | None = None,
                        n_samples: int = 4000, *, allow_outside_hypotheses: bool = False) -> Estimate:
    """F-hat(w) = E_i E_{D_test} f_i(w - alpha grad~ f_i(w, D_test)), (3).

    Closed form for quadratic tasks: with g~ the batch mean of D_test per-sample gradients,
    E f_i(w - alpha g~) = f_i(w - alpha grad f_i(w)) + alpha^2/2 tr(A_i Cov g~) and
    Cov g~ = Cov_theta / D_test, so F-hat = F + alpha^2/(2 D_test) E_i t_i.
    Otherwise Monte Carlo over ``n_samples`` independent draws of every task's D_test.
    """
    w, alpha = _validated(family, w, alpha, allow_outside_hypotheses)
    D = _test_batch_size(D_test)
    F = _meta_objective(family, w, alpha)
    if D == EXACT:
        return Estimate(F, 0.0, 0, True)
    terms = _closed_form_terms(family, w)
    if terms is not None:
        t, _ = terms
        return Estimate(F + alpha ** 2 / (2 * D) * float(family.probabilities @ t), 0.0, 0, True)
    values = _monte_carlo(family, w, alpha, D, rng, n_samples, gradient=False)
    return Estimate(float(values.mean()), float(values.std(ddof=1) / math.sqrt(len(values))), len(values), False)


def meta_gradient_test(family: Family, w, alpha, D_test, rng: np.random.Generator | None = None,
                       n_samples: int = 4000, *, allow_outside_hypotheses: bool = False) -> Estimate:
    """grad F-hat(w) = E_i E_{D_test} (I - alpha grad~^2 f_i(w, D_test)) grad f_i(w - alpha grad~ f_i(w, D_test)), (66).

    Closed form for quadratic tasks: expanding the product, everything but the
    covariance of the sample Hessian with the sample gradient averages to grad F,
    so grad F-hat = grad F + alpha^2/D_test E_i s_i.  Otherwise Monte Carlo with a
    per-coordinate standard error.
    """
    w, alpha = _validated(family, w, alpha, allow_outside_hypotheses)
    D = _test_batch_size(D_test)
    G = _meta_gradient(family, w, alpha)
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
    """alpha as a float, or a ParameterError when it violates Lemma 4.8's 'alpha in [0, 1/L]' (from the registry).

    No override: L(w), L~(w) and beta~(w) are the lemma's objects, defined under its hypothesis only.
    """
    alpha = check_alpha(alpha)
    msg = alpha_outside_hypotheses(alpha, L)
    if msg is not None:
        raise ParameterError("alpha", f"{msg}; L(w), L~(w) and beta~(w) are defined there only")
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
    values = {"L": c["L"], "rho": c["rho"], "alpha": alpha, "grad_fi_norm_w": norms}
    return float(compiled(lemma_4_8.L_OF_W.expr)(values, task_weights=family.probabilities))


def batch_grad_norms(family: Family, w, B_prime, D_beta, rng: np.random.Generator | None):
    """||grad~ f_j(w, D_beta^j)|| for a batch B' of tasks drawn i.i.d. from p, and the weights of their mean.

    ``B_prime = ALL_TASKS`` uses every task with weight p_j (the expectation itself);
    ``D_beta = EXACT`` uses exact gradients.  Returns (norms (B',), weights (B',)).
    """
    B_prime, D_beta = stepsize_batch_sizes(family, B_prime, D_beta, rng)
    return _batch_grad_norms(family, _point(family, w), B_prime, D_beta, rng)


def task_batch_size(name: str, size, rng):
    """A task batch size (an integer, or ``ALL_TASKS``), with the Generator an integer one needs."""
    size = check_batch_size(name, size)
    if size == EXACT:
        raise ParameterError(name, "is a task batch size: an integer or ALL_TASKS")
    if size != ALL_TASKS:
        if rng is None:
            raise ParameterError("rng", f"drawing the task batch {name} needs a numpy Generator")
        check_rng(rng)
    return size


def data_batch_size(family: Family, name: str, size, rng):
    """A data batch size (an integer, or ``EXACT``), with the Generator a stochastic batch needs."""
    size = check_batch_size(name, size)
    if size == ALL_TASKS:
        raise ParameterError(name, "is a data batch size: an integer or EXACT")
    if size != EXACT and rng is None and not family.is_deterministic:
        raise ParameterError("rng", "a stochastic batch needs a numpy Generator")
    check_rng(rng, required=False)
    return size


def stepsize_batch_sizes(family: Family, B_prime, D_beta, rng) -> tuple:
    """B' and D_beta of (16), validated (with the Generator they need); ``run`` calls this once."""
    return task_batch_size("B_prime", B_prime, rng), data_batch_size(family, "D_beta", D_beta, rng)


def _batch_grad_norms(family: Family, w: np.ndarray, B_prime, D_beta, rng):
    if B_prime == ALL_TASKS:
        tasks, weights = family._every_task(), family.probabilities
    else:
        tasks = family._sample_tasks(B_prime, rng)
        weights = np.full(B_prime, 1.0 / B_prime)
    batch = family._draw(tasks, D_beta, rng)
    return np.linalg.norm(family._oracle_gradient(repeated_rows(w, len(tasks)), batch), axis=1), weights


def _L_tilde_values(family, w, alpha, B_prime, D_beta, rng, allow_outside_domain: bool):
    w = _point(family, w)
    if not allow_outside_domain:
        domain_msg = family.domain.outside_message(w)
        if domain_msg is not None:
            raise OutsideDomain("w", f"{domain_msg}; {_HOW_TO_OVERRIDE} (alpha must still satisfy alpha L <= 1)")
    c = _finite_constants(family, "L", "rho")
    alpha = require_alpha_in_lemma_4_8(alpha, c["L"])
    B_prime, D_beta = stepsize_batch_sizes(family, B_prime, D_beta, rng)
    return _beta_tilde_inputs(family, w, alpha, c, B_prime, D_beta, rng)


def _beta_tilde_inputs(family, w, alpha, c, B_prime, D_beta, rng):
    norms, weights = _batch_grad_norms(family, w, B_prime, D_beta, rng)
    return {"L": c["L"], "rho": c["rho"], "alpha": alpha, "batch_grad_norm": norms}, weights


@functools.cache
def _beta_tilde_of() -> CompiledExpression:
    """beta~ of (17) compiled once per process: ``run`` evaluates it at every iterate."""
    return compiled(lemma_4_9.BETA_TILDE_EXPANDED)


def _stepsize_beta_tilde(family, w, alpha, c, B_prime, D_beta, rng) -> float:
    """beta~(w) with alpha and the constants ``c`` already validated by the caller (``algorithms.run``)."""
    values, weights = _beta_tilde_inputs(family, w, alpha, c, B_prime, D_beta, rng)
    return float(_beta_tilde_of()(values, task_weights=weights))


def L_tilde(family: Family, w, alpha, B_prime, D_beta, rng: np.random.Generator | None = None, *,
            allow_outside_hypotheses: bool = False) -> float:
    """L~(w) = 4L + 2 rho alpha/B' sum_{j in B'} ||grad~ f_j(w, D_beta^j)||, (16), one draw of B' and D_beta.

    Refuses w outside the family's domain unless ``allow_outside_hypotheses`` (alpha L > 1 is
    refused always: L~ is Lemma 4.9's object).
    """
    values, weights = _L_tilde_values(family, w, alpha, B_prime, D_beta, rng, allow_outside_hypotheses)
    return float(compiled(lemma_4_9.L_TILDE.expr)(values, task_weights=weights))


def stepsize_beta_tilde(family: Family, w, alpha, B_prime, D_beta, rng: np.random.Generator | None = None, *,
                        allow_outside_hypotheses: bool = False) -> float:
    """beta~(w) = 1 / L~(w), (17), one draw of B' and D_beta (the stepsize is beta_k = c beta~(w_k)).

    Refuses w outside the family's domain unless ``allow_outside_hypotheses`` (alpha L > 1 is
    refused always, as for L~).
    """
    values, weights = _L_tilde_values(family, w, alpha, B_prime, D_beta, rng, allow_outside_hypotheses)
    return float(_beta_tilde_of()(values, task_weights=weights))
