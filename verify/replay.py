"""Replay one recorded instance of a pointwise check: ``python -m verify.replay '<instance JSON>'``.

The JSON is what a failing check or the report prints (check id, seed, parameters);
the instance is rebuilt from its seed and judged by the registry's Bound again.
"""
from __future__ import annotations

import sys

from .evidence import Instance
from .pointwise import CASES_BY_ID, confirm_precisely, evaluate_instance


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    try:
        inst = Instance.from_json(argv[0])
    except (ValueError, KeyError, TypeError) as exc:
        print(f"replay: not an instance record ({exc})", file=sys.stderr)
        return 2
    case = CASES_BY_ID.get(inst.check)
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
