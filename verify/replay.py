"""Replay one recorded instance of any check: ``python -m verify.replay '<instance JSON>'``.

The JSON is what a failing check or the report prints (check id, seed, parameters);
the instance is rebuilt from its seed and judged by the registry's Bound again.
Statistical checks replay with their Monte Carlo draws (same seed, same draws) at the
error level given by REPLAY_DELTA.
"""
from __future__ import annotations

import sys

from verify.checks.pointwise import case_for, confirm_precisely, evaluate_instance
from verify.judge.statistics import REPLAY_DELTA

def main(argv: list[str] | None = None, prog: str = "python -m verify.replay") -> int:
    from verify.judge.cli import parse_replay

    argv = sys.argv[1:] if argv is None else argv
    inst = parse_replay(prog, __doc__, argv).instance
    from verify.checks.convergence import case_for as convergence_case, main as replay_convergence

    if convergence_case(inst.check) is not None:
        # The convergence checks (Theorems F.1, G.1, H.1) replay their runs themselves.
        return replay_convergence(argv)
    from verify.checks.h1_counterexample import CASES_BY_ID as H1_CASES_BY_ID, main as replay_h1

    if inst.check in H1_CASES_BY_ID:
        # Theorem H.1 (124) and Corollary H.2 at HF-MAML's fixed point: verify/checks/h1_counterexample.py.
        return replay_h1(argv)
    from verify.checks.table_1_scaling import SCALING_BOUND_IDS, main as replay_table_1

    if inst.check.split("@")[0] in SCALING_BOUND_IDS:
        # Table 1's accuracy, iteration, sample and K-shot columns: verify/checks/table_1_scaling.py.
        return replay_table_1(argv)
    from verify.checks.corollaries import CASES_BY_ID as COROLLARY_CASES_BY_ID, main as replay_corollary

    if inst.check in COROLLARY_CASES_BY_ID:
        # Corollaries 4.13, 4.16, H.2 and the iteration bounds (77), (107), (125): verify/checks/corollaries.py.
        return replay_corollary(argv)
    if inst.check.startswith("figure_2_"):
        from verify.checks.figure_2 import main as replay_figure_2

        return replay_figure_2(argv)
    from verify.checks.bias import BIAS_CASES_BY_ID, main as replay_bias

    if inst.check in BIAS_CASES_BY_ID:
        # The bias displays (80)-(81), (116)-(118), (140) and identities (112), (139): verify/checks/bias.py.
        return replay_bias(argv)
    from verify.checks.descent import case_for as descent_case, run_descent
    from verify.checks.expectation import STAT_CASES_BY_ID
    from verify.checks.moments import MOMENT_CASES_BY_ID

    case = descent_case(inst.check)
    if case is not None:
        out = run_descent(case, inst, REPLAY_DELTA)
        print(f"{case.bound.id} [{case.bound.reference}] on {case.family}: {out.verdict.value} ({out.note})\n"
              f"mean change of F = {out.estimate:.10g} in [{out.lower:.10g}, {out.upper:.10g}]\nrhs = {out.rhs:.10g}")
        return 1 if out.verdict.value == "violated" else 0

    stat = STAT_CASES_BY_ID.get(inst.check) or MOMENT_CASES_BY_ID.get(inst.check)
    if stat is not None:
        run = __import__("verify.checks.expectation" if inst.check in STAT_CASES_BY_ID else "verify.checks.moments",
                         fromlist=["run_instance"]).run_instance
        out = run(stat, inst, REPLAY_DELTA)
        b = stat.bound
        print(f"{b.id} [{b.reference}] on {stat.family}: {out.verdict.value} ({out.method}; {out.note})\n"
              f"lhs estimate = {out.estimate:.10g} in [{out.lower:.10g}, {out.upper:.10g}]\nrhs = {out.rhs:.10g}")
        return 1 if out.verdict.value == "violated" else 0
    case = case_for(inst.check)
    if case is None:
        print(f"replay: no check named {inst.check!r}", file=sys.stderr)
        return 2
    out = evaluate_instance(case, inst)
    b = case.bound
    print(f"{b.id} [{b.reference}] on {case.family}: {out.status} {out.note}")
    if out.status == "evaluated":
        violated = out.margin > out.slack and confirm_precisely(b, out)
        print(f"lhs = {out.lhs:.17g}\nrhs = {out.rhs:.17g}\nratio = {out.ratio:.6g}\n"
              f"rounding allowance = {out.slack:.3g}\nviolated = {violated}")
        return 1 if violated else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
