"""The project's numpy core against autodiff peers (JAX, torch) on the same computations:  python -m benchmarks.peers

    python -m benchmarks.peers [--quick] [--dims D ...] [--repetitions N]

For each workload (rank-one tasks (159) and dense quadratic tasks (152), d = 16, 256,
1024, 4096) the script times, in the project and in every installed peer,

* the exact meta-gradient grad F(w) = E_i (I - alpha grad^2 f_i(w)) grad f_i(w - alpha grad f_i(w)), (6);
* one Hessian-vector product per task, grad^2 f_i(w) v_i;
* one iteration w_k - beta * direction of MAML (5) through Hessian-vector products,
  FO-MAML (8) and HF-MAML (10)-(11) with the workload's own delta_k^i.

The peers write the task losses in their own arrays from the family's data (``g``;
``A``, ``b``, ``c``) and take every derivative by automatic differentiation:

* "JAX jit": jax.grad, jax.jvp (forward over reverse for the products), jax.vmap over
  tasks, each computation compiled with jax.jit, in float64 (``jax_enable_x64``), on CPU;
* "torch autograd": one backward pass over the sum of the task losses gives every
  task's gradient (the tasks are separate terms); products and the meta-gradient by
  double backward (``create_graph=True``);
* "torch.func": torch.func.grad, jvp and vmap, the functional form of the same.

Agreement comes first: each peer's result is compared with the project's (max over
rows of ||peer - project||_inf / ||project||_inf; for the iterations the directions of
(5), (8), (10), since beta times a direction is small against w_k and would hide a
difference).  A peer beyond AGREEMENT_RTOL is reported as disagreeing and not timed.
Then every thunk of a workload is timed round-robin in one process
(``interleaved_medians``) with one BLAS, XLA and torch thread, and the table gives
project / peer time ratios (median of the per-pass ratios, quartiles in brackets):
below 1 the project is faster.  A peer that is not installed is skipped with the
reason; nothing here imports jax or torch unless it is installed and asked for.
"""
from __future__ import annotations

import os

# One thread everywhere, set before numpy, jax or torch start (see verify/checks/table_1_cost.py): the
# project's core runs on one BLAS thread, so a peer using the second core of the shared
# machine would measure the machine, not the implementation.  XLA's CPU client reads
# XLA_FLAGS when jax initialises its backend; torch's thread count is set when the torch
# peers are built (``_torch``).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
XLA_ONE_THREAD = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
if "xla_cpu_multi_thread_eigen" not in os.environ.get("XLA_FLAGS", ""):
    os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} {XLA_ONE_THREAD}".strip()

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from typing import Callable  # noqa: E402

import numpy as np  # noqa: E402

from verify.judge.cli import positive_int  # noqa: E402
from verify.model.algorithms import fo_maml_direction, hf_maml_direction, maml_direction  # noqa: E402
from verify.model.errors import ParameterError  # noqa: E402
from verify.model.objectives import meta_gradient  # noqa: E402

from verify.checks.workloads import (DENSE_FLOAT_CAP, Workload, infeasible, interleaved_medians, keep_freed_memory,  # noqa: E402
                        workload)

__all__ = [
    "AGREEMENT_RTOL",
    "COMPUTATIONS",
    "PEERS",
    "Comparison",
    "Peer",
    "compare",
    "markdown_table",
    "missing_reason",
    "per_pass_ratio",
    "project_thunks",
    "relative_error",
    "tasks_for",
]

COMPUTATIONS = ("meta_gradient", "hvp", "maml_hvp", "fo_maml", "hf_maml")
LABELS = {"meta_gradient": "meta-gradient (6)", "hvp": "HVP per task", "maml_hvp": "MAML iteration (5), HVP",
          "fo_maml": "FO-MAML iteration (8)", "hf_maml": "HF-MAML iteration (10)-(11)"}
FAMILIES = ("rank-one", "quadratic")
DIMS = (16, 256, 1024, 4096)
QUICK_DIMS = (16, 256)
REPETITIONS = 9
QUICK_REPETITIONS = 5
# Tasks per workload: 64, as the targets use; dense quadratics store A_i as (n, d, d), so at
# large d they get the largest power of two up to 64 whose A_i fit under DENSE_FLOAT_CAP
# (32 at d = 1024, 2 at d = 4096).
MAX_TASKS = 64
# Both sides compute the same floating-point quantity in a different order: rounding
# differs by a few hundred ulps at most on these workloads, a wrong derivative by O(1).
AGREEMENT_RTOL = 1e-10
INSTALL_HINT = "pip install -e '.[peers]'"


def tasks_for(family: str, d: int, cap: int = MAX_TASKS) -> int:
    """Tasks of the (family, d) workload: ``cap``, or for dense quadratics the largest power of two whose A_i fit.

    Returns at least 1; the caller asks ``infeasible`` whether that one still fits.
    """
    if family != "quadratic":
        return cap
    n = cap
    while n > 1 and n * d * d > DENSE_FLOAT_CAP:
        n //= 2
    return n


# ---------------------------------------------------------------------- the project's side
def project_thunks(wl: Workload) -> dict[str, tuple[Callable[[], object], Callable[[], np.ndarray]]]:
    """{computation: (timed thunk, value for the agreement check)} of the project's numpy core.

    The iterations are timed as ``Workload.iteration`` runs them; their values are the
    directions (5), (8), (10) from the same functions.
    """
    fam, w, alpha = wl.family, wl.w, wl.alpha
    grad_F = lambda: meta_gradient(fam, w, alpha)  # noqa: E731
    hvp = wl.core("hvp")
    return {
        "meta_gradient": (grad_F, grad_F),
        "hvp": (hvp, hvp),
        "maml_hvp": (wl.iteration("maml_hvp"), lambda: maml_direction(fam, w, alpha, wl.batches()).vector),
        "fo_maml": (wl.iteration("fo_maml"), lambda: fo_maml_direction(fam, w, alpha, wl.batches(False)).vector),
        "hf_maml": (wl.iteration("hf_maml"),
                    lambda: hf_maml_direction(fam, w, alpha, wl.batches(), wl.deltas).vector),
    }


def hvp_directions(wl: Workload) -> np.ndarray:
    """The v_i at which the project's "hvp" core is timed (``Workload.points``): the outer gradients of (5)."""
    return wl.points()[1]


# ---------------------------------------------------------------------- the task losses, once for every peer
# Written with operators only (*, @, .sum), which JAX arrays and torch tensors share, on rows
# x of shape (..., d): one task's point (d,) or a stack of tasks (T, d).
def _rank_one_loss(x, g):
    # (159) expanded as RankOneFamily._loss does: ||x x' - g g'||_F^2 = ||x||^4 - 2 (g'x)^2 + ||g||^4.
    # With the d x d matrix x x' - g g' written out, a peer would pay O(d^2) per task where the
    # project pays O(d), and the comparison would measure that choice, not autodiff.
    n2 = (x * x).sum(-1)
    gx = (g * x).sum(-1)
    g2 = (g * g).sum(-1)
    return 0.25 * (n2 * n2 - 2 * gx * gx + g2 * g2)


def _quadratic_loss(x, A, b, c):
    # (152): 1/2 x'A x + b'x + c.
    return 0.5 * (x * (A @ x[..., None])[..., 0]).sum(-1) + (b * x).sum(-1) + c


TASK_LOSSES = {"rank-one": (_rank_one_loss, ("g",)), "quadratic": (_quadratic_loss, ("A", "b", "c"))}


def _family_kind(wl: Workload) -> str:
    return "quadratic" if hasattr(wl.family, "A") else "rank-one"


def _directions(grads, hvps, rows, alpha):
    """The directions (5), (8), (10)-(11) from a peer's per-task gradients and products, any array type.

    ``grads(W, data)``: rows grad f_i(W_i); ``hvps(W, V, data)``: rows grad^2 f_i(W_i) v_i;
    ``rows(w)``: w repeated once per task.  Each direction is a function of (w, deltas, p, data).
    """

    def outer(w, data):
        W = rows(w)
        return W, grads(W - alpha * grads(W, data), data)  # (4), then v_i

    def maml(w, deltas, p, data):
        W, v = outer(w, data)
        return p @ (v - alpha * hvps(W, v, data))  # (5)

    def fo_maml(w, deltas, p, data):
        return p @ outer(w, data)[1]  # (8)

    def hf_maml(w, deltas, p, data):
        W, v = outer(w, data)
        step = deltas[:, None] * v
        d = (grads(W + step, data) - grads(W - step, data)) / (2 * deltas[:, None])  # (11)
        return p @ (v - alpha * d)  # (10)

    return {"maml_hvp": maml, "fo_maml": fo_maml, "hf_maml": hf_maml}


# ---------------------------------------------------------------------- the peers
@dataclass(frozen=True)
class Peer:
    """A peer: its column name, the module it needs, and a builder of its thunks on a workload."""

    name: str
    module: str
    build: Callable[[Workload], dict[str, tuple[Callable[[], object], Callable[[], np.ndarray]]]]


def _jax(wl: Workload):
    """JAX: jax.grad and jax.jvp of the task loss, vmapped over tasks, each computation compiled by jax.jit."""
    import jax
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    kind = _family_kind(wl)
    loss, names = TASK_LOSSES[kind]
    T, d, alpha, beta = wl.n_tasks, wl.d, wl.alpha, wl.beta
    cpu = jax.devices("cpu")[0]
    put = lambda a: jax.device_put(np.asarray(a, dtype=np.float64), cpu)  # noqa: E731
    # Data are arguments of the compiled functions, not closed over: closed-over arrays would
    # be baked into the program as constants (256 MiB of A_i at d = 4096).
    data = tuple(put(getattr(wl.family, n)) for n in names)
    w, V, deltas, p = put(wl.w), put(hvp_directions(wl)), put(wl.deltas), put(wl.family.probabilities)

    grad_f = jax.grad(loss)
    task_grads = jax.vmap(grad_f)

    def grads(W, data):
        return task_grads(W, *data)

    def hvps(W, V, data):
        # Forward over reverse: the directional derivative of grad f_i at W_i along v_i.
        return jax.vmap(lambda x, v, *di: jax.jvp(lambda y: grad_f(y, *di), (x,), (v,))[1])(W, V, *data)

    def rows(w):
        return jnp.broadcast_to(w, (T, d))

    def meta_objective(w, p, data):
        # F(w) = E_i f_i(w - alpha grad f_i(w)), (2); its gradient is (6) by the chain rule.
        return p @ jax.vmap(lambda *di: loss(w - alpha * grad_f(w, *di), *di))(*data)

    grad_F = jax.jit(jax.grad(meta_objective))
    hvp = jax.jit(hvps)
    W = rows(w)  # once, outside the timed call (the project's batch_hvp broadcasts w inside its own)
    out = {"meta_gradient": (lambda: grad_F(w, p, data).block_until_ready(),
                             lambda: np.asarray(grad_F(w, p, data))),
           "hvp": (lambda: hvp(W, V, data).block_until_ready(), lambda: np.asarray(hvp(W, V, data)))}
    for name, direction in _directions(grads, hvps, rows, alpha).items():
        step = jax.jit(lambda w, deltas, p, data, direction=direction: w - beta * direction(w, deltas, p, data))
        value = jax.jit(direction)
        out[name] = (lambda step=step: step(w, deltas, p, data).block_until_ready(),
                     lambda value=value: np.asarray(value(w, deltas, p, data)))
    return out


def _torch_setup(wl: Workload):
    """torch on one thread, and the workload's arrays as float64 tensors sharing the numpy memory."""
    with warnings.catch_warnings():
        # torch's first forward-mode product loads its decompositions and warns that their
        # loader is deprecated: a notice about torch, not about this comparison.
        warnings.simplefilter("ignore", FutureWarning)
        import torch
        import torch.func
        torch.func.jvp(torch.sin, (torch.zeros(1),), (torch.ones(1),))
    torch.set_num_threads(1)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:  # settable once per process, before any parallel work
        pass
    loss, names = TASK_LOSSES[_family_kind(wl)]
    t = lambda a: torch.from_numpy(np.ascontiguousarray(a, dtype=np.float64))  # noqa: E731  (shares memory)
    data = tuple(t(getattr(wl.family, n)) for n in names)
    return (torch, loss, data, t(wl.w), t(hvp_directions(wl)), t(wl.deltas), t(wl.family.probabilities))


def _torch_autograd(wl: Workload):
    """torch.autograd: gradients by backward passes over the summed task losses, products by double backward."""
    torch, loss, data, w, V, deltas, p = _torch_setup(wl)
    T, d, alpha, beta = wl.n_tasks, wl.d, wl.alpha, wl.beta

    def grads(W, data):
        # The tasks are separate terms of sum_i f_i(W_i), so one backward pass gives every row.
        W = W.detach().requires_grad_(True)
        return torch.autograd.grad(loss(W, *data).sum(), W)[0]

    def hvps(W, V, data):
        # Double backward: grad_W <grad f_i(W_i), v_i> = grad^2 f_i(W_i) v_i.
        W = W.detach().requires_grad_(True)
        G = torch.autograd.grad(loss(W, *data).sum(), W, create_graph=True)[0]
        return torch.autograd.grad((G * V).sum(), W)[0]

    def rows(w):
        return w.expand(T, d)

    def grad_F():
        # (6) by differentiating F(w) = E_i f_i(w - alpha grad f_i(w)), (2), through the inner step (4).
        x = w.detach().requires_grad_(True)
        W = x.expand(T, d)
        G = torch.autograd.grad(loss(W, *data).sum(), W, create_graph=True)[0]
        return torch.autograd.grad(p @ loss(W - alpha * G, *data), x)[0]

    W = rows(w)
    out = {"meta_gradient": (grad_F, lambda: grad_F().numpy()),
           "hvp": (lambda: hvps(W, V, data), lambda: hvps(W, V, data).numpy())}
    for name, direction in _directions(grads, hvps, rows, alpha).items():
        out[name] = (lambda direction=direction: w - beta * direction(w, deltas, p, data),
                     lambda direction=direction: direction(w, deltas, p, data).numpy())
    return out


def _torch_func(wl: Workload):
    """torch.func: grad, jvp and vmap of the task loss, run eagerly (not compiled)."""
    torch, loss, data, w, V, deltas, p = _torch_setup(wl)
    from torch.func import grad, jvp, vmap
    T, d, alpha, beta = wl.n_tasks, wl.d, wl.alpha, wl.beta
    grad_f = grad(loss)
    task_grads = vmap(grad_f)

    def grads(W, data):
        return task_grads(W, *data)

    def hvps(W, V, data):
        return vmap(lambda x, v, *di: jvp(lambda y: grad_f(y, *di), (x,), (v,))[1])(W, V, *data)

    def rows(w):
        return w.expand(T, d)

    # (6) as the gradient of (2), the inner step (4) differentiated through.
    grad_F = grad(lambda x: p @ vmap(lambda *di: loss(x - alpha * grad_f(x, *di), *di))(*data))
    W = rows(w)
    out = {"meta_gradient": (lambda: grad_F(w), lambda: grad_F(w).numpy()),
           "hvp": (lambda: hvps(W, V, data), lambda: hvps(W, V, data).numpy())}
    for name, direction in _directions(grads, hvps, rows, alpha).items():
        out[name] = (lambda direction=direction: w - beta * direction(w, deltas, p, data),
                     lambda direction=direction: direction(w, deltas, p, data).numpy())
    return out


PEERS = (Peer("JAX jit", "jax", _jax), Peer("torch autograd", "torch", _torch_autograd),
         Peer("torch.func", "torch", _torch_func))


def _installed(module: str) -> bool:
    """Whether ``module`` can be imported here, found without importing it."""
    return importlib.util.find_spec(module) is not None


def missing_reason(peer: Peer) -> str | None:
    """Why ``peer`` cannot run here (its module is not installed), or None.  Does not import the module.

    Short, for a table cell; the command line adds INSTALL_HINT once.
    """
    if not _installed(peer.module):
        return f"{peer.module} not installed"
    return None


# ---------------------------------------------------------------------- agreement, ratios, the table
def relative_error(peer: np.ndarray, project: np.ndarray) -> float:
    """max over rows of ||peer_i - project_i||_inf / ||project_i||_inf (one row for a vector).

    Row by row, so that one task's small product is not judged against another's large one.
    A shape mismatch or a non-finite value is an infinite error.
    """
    peer, project = np.asarray(peer, dtype=np.float64), np.asarray(project, dtype=np.float64)
    if peer.shape != project.shape or not np.all(np.isfinite(peer)):
        return float("inf")
    diff = np.abs(peer - project).max(axis=-1)
    scale = np.maximum(np.abs(project).max(axis=-1), np.finfo(np.float64).tiny)
    return float(np.max(diff / scale))


def per_pass_ratio(num: np.ndarray, den: np.ndarray) -> tuple[float, float, float]:
    """Median and quartiles of num[r] / den[r]: two timings of one round-robin pass, under the same load."""
    num, den = np.asarray(num, dtype=np.float64), np.asarray(den, dtype=np.float64)
    if num.shape != den.shape or num.size == 0:
        raise ParameterError("den", f"needs one timing per pass of num: shapes {num.shape} and {den.shape}")
    r = num / den
    return float(np.median(r)), float(np.quantile(r, 0.25)), float(np.quantile(r, 0.75))


@dataclass
class Comparison:
    """One (family, tasks, d, computation): the project's median seconds and, per peer, a ratio or why none."""

    family: str
    tasks: int
    d: int
    computation: str
    project_seconds: float | None = None
    errors: dict[str, float] = field(default_factory=dict)  # peer -> relative error against the project
    ratios: dict[str, tuple[float, float, float]] = field(default_factory=dict)  # project / peer
    skipped: dict[str, str] = field(default_factory=dict)  # peer -> reason it has no ratio

    def cell(self, peer: str) -> str:
        if peer in self.ratios:
            med, q1, q3 = self.ratios[peer]
            return f"{_fmt(med)} [{_fmt(q1)}, {_fmt(q3)}]"
        return self.skipped.get(peer, "not measured")


def _fmt(x: float) -> str:
    return f"{x:.3g}" if x < 100 else f"{x:.0f}"


def markdown_table(rows: list[Comparison], peers: list[str]) -> str:
    """The ratio table: one line per (family, tasks, d, computation), one column per peer."""
    head = "| family | tasks | d | computation | project | " + " | ".join(f"project / {p}" for p in peers) + " |"
    lines = [head, "|" + "---|" * (5 + len(peers))]
    for r in rows:
        t = "-" if r.project_seconds is None else f"{r.project_seconds * 1e6:.0f} us"
        lines.append(f"| {r.family} | {r.tasks} | {r.d} | {LABELS.get(r.computation, r.computation)} | {t} | "
                     + " | ".join(r.cell(p) for p in peers) + " |")
    return "\n".join(lines)


def _built(peers: list[Peer], wl: Workload) -> tuple[dict, dict[str, str]]:
    """{peer: thunks} for the peers that run here, and {peer: reason} for those that do not."""
    built, absent = {}, {}
    for peer in peers:
        reason = missing_reason(peer)
        if reason is None:
            try:
                built[peer.name] = peer.build(wl)
            except ImportError as exc:  # installed but broken (a missing shared library, say)
                reason = f"{peer.module} could not be imported ({exc})"
        if reason is not None:
            absent[peer.name] = reason
    return built, absent


def compare(family: str, tasks: int, d: int, *, peers: list[Peer] = PEERS, computations=COMPUTATIONS,
            repetitions: int = REPETITIONS, seed: int = 0, say=print, time_it: bool = True) -> list[Comparison]:
    """Agreement, then round-robin timing, of the project and ``peers`` on one workload.

    ``say`` receives the agreement lines as they are found.  ``time_it=False`` checks
    agreement only (the tests' mode); nothing is timed either when no peer runs or agrees.
    """
    rows = [Comparison(family, tasks, d, c) for c in computations]
    why = infeasible(family, tasks, d)
    if why:
        for r in rows:
            r.skipped = {p.name: f"skipped: {why}" for p in peers}
        say(f"{family}, {tasks} tasks, d = {d}: skipped ({why})")
        return rows
    wl = workload(family, tasks, d, seed)
    project = project_thunks(wl)
    built, absent = _built(list(peers), wl)
    thunks = {}
    for r in rows:
        thunks[("project", r.computation)] = project[r.computation][0]
        expected = project[r.computation][1]()
        for peer in peers:
            if peer.name in absent:
                r.skipped[peer.name] = f"not measured ({absent[peer.name]})"
                continue
            timed, value = built[peer.name][r.computation]
            err = relative_error(value(), expected)
            r.errors[peer.name] = err
            agrees = err <= AGREEMENT_RTOL
            say(f"agreement {family}, {tasks} tasks, d = {d}, {r.computation}: {peer.name} max relative error "
                f"{err:.2e}{'' if agrees else f' > {AGREEMENT_RTOL:g}: DISAGREES, not timed'}")
            if agrees:
                thunks[(peer.name, r.computation)] = timed
            else:
                r.skipped[peer.name] = f"disagrees (relative error {err:.1e})"
    if not time_it or len(thunks) == len(rows):  # no peer to compare with: the project alone is not timed
        return rows
    times = interleaved_medians(thunks, repetitions)
    for r in rows:
        base = times[("project", r.computation)]
        r.project_seconds = float(np.median(base))
        for peer in peers:
            key = (peer.name, r.computation)
            if key in times:
                r.ratios[peer.name] = per_pass_ratio(base, times[key])
    return rows


# ---------------------------------------------------------------------- command line
def main(argv: list[str] | None = None, prog: str = "python -m benchmarks.peers") -> int:
    parser = argparse.ArgumentParser(prog=prog, description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help=f"d in {QUICK_DIMS} and {QUICK_REPETITIONS} passes (default: d in {DIMS}, "
                             f"{REPETITIONS} passes)")
    parser.add_argument("--dims", type=positive_int, nargs="+", metavar="D",
                        help="the dimensions d to measure (overrides --quick's)")
    parser.add_argument("--repetitions", type=positive_int, metavar="N",
                        help="round-robin passes per workload (median of per-pass ratios)")
    parser.add_argument("--tasks", type=positive_int, metavar="N", default=MAX_TASKS,
                        help=f"tasks per workload; dense quadratics get fewer where their A_i would not fit. "
                             f"Default: {MAX_TASKS}")
    args = parser.parse_args(argv)
    dims = args.dims or (QUICK_DIMS if args.quick else DIMS)
    repetitions = args.repetitions or (QUICK_REPETITIONS if args.quick else REPETITIONS)
    kept = keep_freed_memory()
    absent = [(p, missing_reason(p)) for p in PEERS]
    for p, reason in absent:
        if reason:
            print(f"{p.name}: skipped, {reason}: {INSTALL_HINT}")
    started, cpu_started = time.perf_counter(), time.process_time()
    rows = []
    for family in FAMILIES:
        for d in dims:
            rows += compare(family, tasks_for(family, d, args.tasks), d, repetitions=repetitions)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    print()
    print(markdown_table(rows, [p.name for p in PEERS]))
    # CPU over wall time near or below 1 says no computation ran on more than one core.
    print(f"\n(project / peer: below 1 the project is faster; median [quartiles] of {repetitions} per-pass ratios. "
          f"Allocator keeps freed memory: {kept}; BLAS threads: {os.environ.get('OPENBLAS_NUM_THREADS')}; "
          f"XLA_FLAGS: {os.environ.get('XLA_FLAGS')}; CPU / wall time {cpu / wall:.2f}; {wall:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
