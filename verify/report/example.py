"""A sample report from a synthetic ledger: every part of the page filled in, without running the checks.

    python -m verify.report.example DIR      writes DIR/index.html, compliance.json, junit.xml

For looking at the page while changing the template, and for the tests of the
report itself (tests/test_report*.py, tests/test_browser*.py).  The evidence is
invented (its families say "sample"), the statements and findings are the real ones.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from verify.judge.evidence import Evidence, Instance, Ledger, Verdict
from .compliance import build, run_metadata
from .junit import TestOutcome
from .writer import Written, write_report

SEED = 20240607
FINDING = "h1-hessian-batch-condition-not-scale-invariant"


def sample_ledger(seed: int = SEED) -> Ledger:
    """One record of each verdict, a recorded finding, an unrecorded violation, histograms and a figure."""
    from bounds import BOUNDS

    rng = np.random.default_rng(seed)
    ledger = Ledger()

    def record(bound_id, family, verdict, ratios=(), **kw):
        b = BOUNDS[bound_id]
        ratios = [float(r) for r in ratios]
        worst = max(ratios) if ratios else None
        inst = Instance(f"{bound_id}[{family}]", int(rng.integers(2 ** 31)), {"d": 3, "n": 4, "alpha_frac": 1.0})
        ledger.record(Evidence(
            b.id, b.reference, b.kind.value, family, verdict, instances=kw.pop("instances", len(ratios) or 1),
            admitted=kw.pop("admitted", len(ratios) or 1), worst_ratio=worst,
            worst_lhs=None if worst is None else worst * 2.0, worst_rhs=None if worst is None else 2.0,
            worst_instance=inst if ratios else None, seed=seed, ratios=ratios, **kw))

    record("lemma_4_8", "quadratic, indefinite (sample)", Verdict.HOLDS, rng.beta(2, 5, 300) * 0.9,
           negative_control="constant 4L replaced by 0.5 L", negative_control_caught=True)
    record("lemma_4_8", "trigonometric (sample)", Verdict.HOLDS, rng.beta(5, 2, 120) * 0.99,
           negative_control="constant 4L replaced by 0.5 L", negative_control_caught=True)
    record("eq_30b_descent_lemma", "rank-one on a ball (sample)", Verdict.VIOLATED,
           np.append(rng.uniform(0.2, 0.95, 80), [1.3, 1.05]), negative_control="term dropped",
           negative_control_caught=True, note="sample of an unrecorded violation")
    record("corollary_a_1", "quadratic, concave (sample)", Verdict.PRECONDITION_FAILED, instances=40, admitted=0)
    record("lemma_4_9_first_moment", "regression (sample)", Verdict.INCONCLUSIVE, rng.normal(0.97, 0.02, 60),
           note="confidence interval straddles the bound")
    record("appendix_i_w_star", "symbolic quadratic tasks (sample)", Verdict.HOLDS,
           negative_control="w_FO substituted", negative_control_caught=True, note="proved in exact arithmetic")
    record("theorem_h_1_accuracy", "units (sample)", Verdict.VIOLATED, finding=FINDING)
    ledger.note_run(error_budget=1e-3, sample=True)

    from matplotlib.figure import Figure

    fig = Figure(figsize=(5, 2.6))
    ax = fig.add_subplot()
    k = np.arange(200)
    for name, rate in (("MAML", 0.03), ("FO-MAML", 0.01), ("HF-MAML", 0.028)):
        ax.semilogy(k, np.exp(-rate * k) + 0.02 * (name == "FO-MAML"), label=name)
    ax.set_xlabel("iteration k")
    ax.set_ylabel("||grad F(w_k)||")
    ax.legend()
    ledger.add_figure("Convergence (sample)", "Figure 2 (a): exact gradients", fig,
                      caption="invented curves, to show where the convergence figures go")
    return ledger


def write_sample(report_dir: Path, seed: int = SEED) -> Written:
    ledger = sample_ledger(seed)
    outcomes = [TestOutcome("verify/checks/test_sample.py::test_sample", "passed", 0.01)]
    run = run_metadata(profile="ci", seed=seed, started_at="2024-06-07T00:00:00+00:00", duration_s=0.0,
                       workers=0, exit_status=0, tests={"passed": 1}, root=Path(__file__).resolve().parents[2],
                       facts=ledger.run_facts)
    return write_report(Path(report_dir), build(ledger, run, figures=ledger.figures), outcomes)


def main(argv: list[str] | None = None) -> int:
    """Write a sample report, from invented evidence, into a directory."""
    import argparse

    from .writer import ReportWriteError

    parser = argparse.ArgumentParser(prog="python -m verify.report.example", description=main.__doc__)
    parser.add_argument("directory", nargs="?", type=Path, default=Path("reports-sample"),
                        help="where to write compliance.json, index.html and junit.xml. Default: reports-sample")
    target = parser.parse_args(sys.argv[1:] if argv is None else argv).directory
    try:
        written = write_sample(target)
    except ReportWriteError as exc:
        print(f"example: {exc}", file=sys.stderr)
        return 2
    print("example: wrote " + ", ".join(str(p) for p in written.paths))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
