"""Table 1's "Runtime/iteration" column: MAML O(d^2) (explicit Hessians), FO-MAML and HF-MAML O(d), measured.

Three measurements of one iteration on the rank-one tasks (159), each with its own
verdict, because they differ in what noise they carry:

* oracle calls per task (``verify.model.algorithms.run``'s Trace): exact counts, checked
  against Algorithms 1-3 (MAML 2 gradients + 1 Hessian, FO-MAML 2 gradients,
  HF-MAML 4 gradients and no Hessian, per task of B_k);
* floats returned by the oracles in one iteration (family "rank-one (oracle floats)"):
  deterministic, so its fitted exponent decides a verdict with a tolerance for
  lower-order terms only;
* wall-clock seconds (family "rank-one (wall clock)"), measured in a subprocess
  (``python -m verify.checks.table_1_cost``) on a machine other processes share: its
  exponent has a bootstrap interval, and the decision rule below leaves room for
  caches and fixed per-call costs, so that a verdict that noise could flip is
  ``inconclusive`` rather than a pass or a violation.

Peak traced memory of one HF-MAML iteration (tracemalloc) is fitted the same way
(deterministic) and must grow like d, not d^2.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bounds import BOUNDS
from verify.model.algorithms import run
from verify.model.errors import ALL_TASKS, EXACT
from verify.judge.evidence import Evidence, Verdict
from verify.checks.workloads import TABLE_1_TASKS as TASKS, RankOneTasks, fit_exponent, oracle_floats, peak_bytes, workload

# The measuring subprocess imports verify from where this process does (a checkout or site-packages).
ROOT = Path(__file__).resolve().parents[2]
REPLAY = "python -m pytest verify/checks/test_table_1_cost.py"

# Table 1's claimed exponent of d per algorithm, read from the registry (rhs d**2 or d).
CLAIMED = {alg: float(BOUNDS[f"table_1_{alg}_runtime"].rhs.as_poly(BOUNDS[f"table_1_{alg}_runtime"].settings["in"])
                      .degree()) for alg in ("maml", "fo_maml", "hf_maml")}
# The falsified variant every fit must reject: MAML with explicit Hessians at O(d).
NEGATIVE_CONTROL = ("maml", 1.0)

# --- oracle floats (deterministic) ---------------------------------------------------------
FLOAT_DIMS = {"maml": (64, 128, 256, 512, 1024), "fo_maml": (64, 256, 1024, 4096, 16384),
              "hf_maml": (64, 256, 1024, 4096, 16384)}
# Lower-order terms (MAML's 2Bd gradient floats beside B d^2 Hessian floats) bend the
# log-log slope at the top of the grid by 2/(d+2) < 0.01; nothing else moves it.
FLOAT_EXPONENT_TOLERANCE = 0.05
# Peak traced bytes of one HF-MAML iteration: fixed buffers (a few hundred bytes per
# task) bend the slope at d = 1024 by well under 0.1.
MEMORY_DIMS = (1024, 2048, 4096, 8192, 16384)
MEMORY_EXPONENT_TOLERANCE = 0.1

# --- wall clock (noisy) --------------------------------------------------------------------
# Exponents are fitted over the largest d of each grid: MAML's explicit Hessians (4 tasks,
# chunks of 16 MiB) leave the 32 MiB L3 cache from d = 724 (below, the slope from 512 to
# 1024 was up to 2.9 here: cache misses, not arithmetic); FO-MAML's and HF-MAML's O(d)
# work outweighs the ~0.2 ms fixed cost per call only from d ~ 2000.
FIT_TOP = {"maml": 3, "fo_maml": 4, "hf_maml": 4}
CONFIDENCE = 0.95
# A claim O(d^p) is refuted (violated) when the whole interval of the fitted exponent lies
# above p + 1/2: the data then prefer d^(p+1) to d^p, which neither caches (+0.9 at most
# over one doubling, measured) nor fixed costs (which flatten slopes) produce when fitted
# over the asymptotic end.  It holds when it is not refuted and the estimate itself is at
# most p + 1/2.  Otherwise (an estimate above p + 1/2 whose interval still reaches below)
# it is inconclusive: noise on a shared machine cannot decide it.
REFUTE_MARGIN = 0.5
# An undecided claim triggers another round of this many repetitions, pooled with the
# earlier ones, up to EXTRA_ROUNDS times (as the statistical checks draw more samples).
EXTRA_ROUNDS = 2
MEASURE_TIMEOUT_S = 300


# ---------------------------------------------------------------------------- exact counts
# Per task of B_k and per iteration: (gradient evaluations, Hessian or Hessian-vector
# products) as Algorithms 1-3 state them: MAML (5) evaluates grad~ f_i at w_k (D_in) and
# at w_{k+1}^i (D_o) and grad~^2 f_i(w_k, D_h); FO-MAML (8) drops the Hessian; HF-MAML
# (10)-(11) adds the two gradients at w_k +- delta v_i instead.
ORACLE_CALLS_PER_TASK = {"maml": (2, 1), "fo_maml": (2, 0), "hf_maml": (4, 0)}


def _per_iteration(trace, name):
    return np.diff(getattr(trace, name))


@pytest.mark.parametrize("algorithm", sorted(ORACLE_CALLS_PER_TASK))
@pytest.mark.parametrize("B", [ALL_TASKS, 5])
def test_oracle_calls_per_iteration_are_those_of_algorithms_1_to_3(algorithm, B):
    fam = RankOneTasks.at(3, 6, seed=1)
    D_in, D_o, D_h = (EXACT, EXACT, EXACT) if B == ALL_TASKS else (2, 3, 4)
    trace = run(algorithm, fam, np.full(6, 0.1), 0.1 / fam.constants.L.value, 3, rng=np.random.default_rng(0),
                B=B, D_in=D_in, D_o=D_o, D_h=D_h, beta=1e-3, delta=1e-3)
    assert trace.outcome == "completed"
    tasks = fam.n_tasks if B == ALL_TASKS else B
    grads, hessians = ORACLE_CALLS_PER_TASK[algorithm]
    assert list(_per_iteration(trace, "gradient_evaluations")) == [grads * tasks] * 3
    assert list(_per_iteration(trace, "hessian_vector_products")) == [hessians * tasks] * 3
    if B != ALL_TASKS:
        # Per-sample evaluations: B (D_in + D_o), plus 2 B D_h gradients (HF) or B D_h Hessians (MAML).
        extra_grad_samples = 2 * tasks * D_h if algorithm == "hf_maml" else 0
        assert list(_per_iteration(trace, "gradient_samples")) == [tasks * (D_in + D_o) + extra_grad_samples] * 3
        assert list(_per_iteration(trace, "hessian_samples")) == [tasks * D_h * hessians] * 3


# ---------------------------------------------------------------------------- verdict rules
def _float_verdict(exponent: float, claimed: float) -> Verdict:
    return Verdict.HOLDS if exponent <= claimed + FLOAT_EXPONENT_TOLERANCE else Verdict.VIOLATED


def _time_verdict(fit, claimed: float) -> Verdict:
    if fit.lower > claimed + REFUTE_MARGIN:
        return Verdict.VIOLATED
    if fit.exponent <= claimed + REFUTE_MARGIN:
        return Verdict.HOLDS
    return Verdict.INCONCLUSIVE


def _record(ledger, algorithm, family, verdict, lhs, rhs, *, instances, control_caught, note, ratios=(),
            gated=True):
    b = BOUNDS[f"table_1_{algorithm}_runtime"]
    control = ("Table 1 with MAML's entry O(d^2) replaced by O(d), decided by the same fit and rule"
               if algorithm == NEGATIVE_CONTROL[0] else "")
    ledger.record(Evidence(
        b.id, b.reference, b.kind.value, family, verdict, instances=instances, admitted=instances,
        worst_ratio=lhs / rhs, worst_lhs=lhs, worst_rhs=rhs, seed=0, negative_control=control,
        negative_control_caught=control_caught if control else None, ratios=list(ratios), note=note,
        gated=gated))


# ---------------------------------------------------------------------------- oracle floats
def test_table_1_runtime_oracle_floats_and_hf_maml_memory(ledger):
    fits, counts = {}, {}
    for alg, dims in FLOAT_DIMS.items():
        counts[alg] = []
        for d in dims:
            wl = workload("rank-one", TASKS, d)
            counts[alg].append(oracle_floats(wl.family, wl.iteration(alg)))
        fits[alg] = fit_exponent(dims, np.array([counts[alg]], dtype=float), top=3)
    memory = [peak_bytes(workload("rank-one", TASKS, d).iteration("hf_maml")) for d in MEMORY_DIMS]
    memory_fit = fit_exponent(MEMORY_DIMS, np.array([memory], dtype=float), top=len(MEMORY_DIMS))

    control_alg, control_claim = NEGATIVE_CONTROL
    control_caught = _float_verdict(fits[control_alg].exponent, control_claim) == Verdict.VIOLATED
    verdicts = {}
    for alg, fit in fits.items():
        verdicts[alg] = _float_verdict(fit.exponent, CLAIMED[alg])
        grads, hessians = ORACLE_CALLS_PER_TASK[alg]
        note = (f"floats returned by the oracles in one iteration, {TASKS} tasks, exact oracles: "
                + ", ".join(f"d={d}: {c}" for d, c in zip(FLOAT_DIMS[alg], counts[alg]))
                + f"; exponent {fit.exponent:.4f} over d in {fit.dims} (deterministic), claimed "
                f"{CLAIMED[alg]:g}, holds if <= claimed + {FLOAT_EXPONENT_TOLERANCE}; oracle calls per task "
                f"per iteration (Trace of verify.model.algorithms.run): {grads} gradients, {hessians} Hessian"
                + ("s (formed as d x d matrices)" if alg == "maml" else "s"))
        if alg == "hf_maml":
            note += ("; peak traced memory of one iteration: "
                     + ", ".join(f"d={d}: {m} B" for d, m in zip(MEMORY_DIMS, memory))
                     + f", exponent {memory_fit.exponent:.3f}")
        _record(ledger, alg, "rank-one (oracle floats)", verdicts[alg], fit.exponent, CLAIMED[alg],
                instances=len(FLOAT_DIMS[alg]), control_caught=control_caught, note=note)
    assert all(v == Verdict.HOLDS for v in verdicts.values()), (
        f"Table 1 cost: oracle-float exponents {({a: round(f.exponent, 3) for a, f in fits.items()})} exceed the "
        f"claimed {CLAIMED}; replay with `{REPLAY}`")
    assert control_caught, (
        f"negative control: MAML's oracle floats grow like d^{fits['maml'].exponent:.3f}, not caught as above O(d)")
    assert abs(memory_fit.exponent - 1) <= MEMORY_EXPONENT_TOLERANCE, (
        f"peak memory of one HF-MAML iteration grows like d^{memory_fit.exponent:.3f}, not d: {memory} bytes at "
        f"d = {MEMORY_DIMS}; replay with `{REPLAY}`")


# ---------------------------------------------------------------------------- wall clock
def _measure(profile: str) -> dict:
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    out = subprocess.run([sys.executable, "-m", "verify.checks.table_1_cost", "--profile", profile],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=MEASURE_TIMEOUT_S)
    if out.returncode != 0:
        raise RuntimeError(f"`python -m verify.checks.table_1_cost --profile {profile}` failed:\n{out.stderr}")
    return json.loads(out.stdout)


def _fits(doc: dict) -> dict:
    return {alg: fit_exponent(v["dims"], np.array(v["seconds"]), top=FIT_TOP[alg], confidence=CONFIDENCE)
            for alg, v in doc["algorithms"].items()}


def _decided(fits) -> bool:
    control_alg, control_claim = NEGATIVE_CONTROL
    return (all(_time_verdict(f, CLAIMED[a]) != Verdict.INCONCLUSIVE for a, f in fits.items())
            and _time_verdict(fits[control_alg], control_claim) == Verdict.VIOLATED)


def _figure(doc: dict, fits: dict):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 3.6))
    ax = fig.add_subplot()
    colours = {"maml": "#b2182b", "fo_maml": "#2166ac", "hf_maml": "#1b7837"}
    labels = {"maml": "MAML (explicit Hessians)", "fo_maml": "FO-MAML", "hf_maml": "HF-MAML"}
    for alg, v in doc["algorithms"].items():
        dims = np.array(v["dims"], dtype=float)
        S = np.array(v["seconds"])
        med = np.median(S, axis=0)
        lo, hi = np.quantile(S, 0.25, axis=0), np.quantile(S, 0.75, axis=0)
        f = fits[alg]
        ax.errorbar(dims, med, yerr=[med - lo, hi - med], fmt="o", ms=3, color=colours[alg], capsize=2,
                    label=f"{labels[alg]}: d^{f.exponent:.2f} [{f.lower:.2f}, {f.upper:.2f}]")
        top = dims >= min(f.dims)
        anchor = np.exp(np.mean(np.log(med[top]) - f.exponent * np.log(dims[top])))
        ax.plot(dims[top], anchor * dims[top] ** f.exponent, "-", color=colours[alg], lw=1)
        ax.plot(dims[top], med[top][-1] * (dims[top] / dims[top][-1]) ** CLAIMED[alg], ":", color=colours[alg],
                lw=1)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("dimension d")
    ax.set_ylabel("seconds per iteration (median)")
    ax.legend(fontsize=7, loc="upper left", frameon=False)
    ax.grid(True, which="major", lw=0.3, alpha=0.5)
    fig.tight_layout()
    return fig


def test_table_1_runtime_wall_clock(ledger, profile):
    doc = _measure(profile)
    fits = _fits(doc)
    rounds = 1
    while not _decided(fits) and rounds <= EXTRA_ROUNDS:
        more = _measure(profile)
        for alg, v in doc["algorithms"].items():
            v["seconds"] += more["algorithms"][alg]["seconds"]
        doc["repetitions"] += more["repetitions"]
        doc["elapsed_s"] += more["elapsed_s"]
        fits = _fits(doc)
        rounds += 1

    control_alg, control_claim = NEGATIVE_CONTROL
    control_caught = _time_verdict(fits[control_alg], control_claim) == Verdict.VIOLATED
    verdicts = {}
    for alg, fit in fits.items():
        claimed = CLAIMED[alg]
        verdicts[alg] = _time_verdict(fit, claimed)
        med = np.median(np.array(doc["algorithms"][alg]["seconds"]), axis=0)
        note = (f"median seconds per iteration over {doc['repetitions']} round-robin repetitions ({rounds} "
                f"round(s)), {doc['tasks']} rank-one tasks: "
                + ", ".join(f"d={d}: {m:.3g}" for d, m in zip(doc["algorithms"][alg]["dims"], med))
                + f"; exponent {fit.exponent:.3f}, {CONFIDENCE:.0%} bootstrap interval [{fit.lower:.3f}, "
                f"{fit.upper:.3f}] over d in {fit.dims}; claimed {claimed:g}: violated if the interval lies above "
                f"{claimed + REFUTE_MARGIN:g}, holds if the estimate is at most {claimed + REFUTE_MARGIN:g}, else "
                f"inconclusive; lhs/rhs = estimate / claimed; allocator keeps freed memory: "
                f"{doc['allocator_keeps_freed_memory']}, BLAS threads: {doc['blas_threads']}")
        _record(ledger, alg, "rank-one (wall clock)", verdicts[alg], fit.exponent, claimed,
                instances=doc["repetitions"] * len(doc["algorithms"][alg]["dims"]),
                control_caught=control_caught, note=note, gated=False)
    try:
        fig = _figure(doc, fits)
    except ImportError:  # matplotlib is the report extra; the evidence stands without the figure
        fig = None
    if fig is not None:
        ledger.add_figure(
            "Table 1: cost per iteration", f"Seconds per iteration against d, {doc['tasks']} rank-one tasks", fig,
            caption=(f"Medians (bars: quartiles) of {doc['repetitions']} round-robin repetitions, measured by "
                     f"`python -m verify.checks.table_1_cost --profile {profile}`. Solid: the exponent fitted over the "
                     f"largest d of each grid, with its {CONFIDENCE:.0%} bootstrap interval; dotted: Table 1's "
                     f"claimed slope (d^2 for MAML, d for FO-MAML and HF-MAML) through the last point."))
    # Wall-clock time on a shared machine is evidence, never a verdict that fails the run: the
    # records above are ungated and the report shows them (verdicts, the control) as measured.
    # Timing claims are gated by benchmarks/speed_gate.py, as ratios within one run; the cost
    # claims themselves by the oracle-float counts (test_table_1_runtime_oracle_floats_and_hf_maml_memory), which
    # are deterministic.  What this test does require is that the measurement happened.
    assert all(np.isfinite([f.exponent, f.lower, f.upper]).all() for f in fits.values()), (
        f"a wall-clock fit is not finite: {fits}; replay with `{REPLAY}`")
