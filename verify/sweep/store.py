"""The sweep's directory: what it was started with, one record per finished seed, the shards of a split run.

    DIR/sweep-config.json          the options that decide what a seed's run is; a resumed sweep must match
    DIR/shard-plan.json            the node ids of each shard of a split run, kept for a resumed sweep
    DIR/seeds/<seed>.json          one seed's record: completed (its verdicts distilled) or crashed (why)
    DIR/shards/<seed>/<k>-of-<n>.json   a finished shard of a split run, until the seed's shards are merged
    DIR/reports/<seed>/            the merged report of a split run: compliance.json, index.html, junit.xml
    DIR/sweep.json, DIR/sweep.html the merge of every seed record (verify.sweep.merge)

Every file is written whole to a temporary beside it and renamed over it, so a sweep
stopped at any moment (Ctrl-C, a killed client) leaves each finished seed on disk, complete,
and nothing half-written that a resumed sweep would trust.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from verify.judge.evidence import Evidence, Figure, Ledger
from verify.report import TestOutcome, build, run_metadata, write_report
from verify.report.files import ReportWriteError, write_atomically

SEED_SCHEMA = "maml-verify/sweep-seed"
SEED_SCHEMA_VERSION = 1
CONFIG = "sweep-config.json"
SHARD_PLAN = "shard-plan.json"
# The options that make two runs of one seed the same run: a sweep resumed with other values
# would mix two experiments in one merge.
CONFIG_KEYS = ("profile", "select", "paths", "withhold_recorded", "shards")
_SEED_FILE = re.compile(r"^(\d+)\.json$")
# What a distilled result keeps of compliance.json's: enough to count verdicts, find the worst
# ratio and replay its instance.
RESULT_FIELDS = ("bound_id", "family", "kind", "verdict", "worst_ratio", "worst_instance", "replay", "finding",
                 "negative_control_caught", "gated")


class SweepDirError(ValueError):
    """The sweep directory cannot be used as asked; the message names the option or the file."""


class SweepDir:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.seeds_dir = self.root / "seeds"
        self.shards_dir = self.root / "shards"
        self.reports_dir = self.root / "reports"

    # ------------------------------------------------------------------ the options
    def open(self, config: dict) -> dict:
        """Check ``config`` against the one this directory was started with (record it on first use)."""
        path = self.root / CONFIG
        mine = {k: config[k] for k in CONFIG_KEYS}
        if path.is_file():
            try:
                theirs = json.loads(path.read_text())
            except (OSError, json.JSONDecodeError) as exc:
                raise SweepDirError(f"--out: {path} is not a sweep's configuration ({exc}); choose another "
                                    "directory") from None
            for key in CONFIG_KEYS:
                if theirs.get(key) != mine[key]:
                    raise SweepDirError(
                        f"--{key.replace('_', '-')}: this sweep directory ({self.root}) was started with "
                        f"{key}={theirs.get(key)!r}, not {mine[key]!r}; resume it with the same options, or give "
                        "another --out")
            return theirs
        for d in (self.root, self.seeds_dir):
            try:
                d.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise SweepDirError(f"--out: cannot create {d}: {exc.strerror or exc}") from None
        self._write(path, mine)
        return mine

    def config(self) -> dict:
        """The options this directory's sweep was started with."""
        path = self.root / CONFIG
        try:
            return json.loads(path.read_text())
        except FileNotFoundError:
            raise SweepDirError(f"{self.root} holds no sweep ({CONFIG} is missing)") from None
        except (OSError, json.JSONDecodeError) as exc:
            raise SweepDirError(f"{path} is not a sweep's configuration ({exc})") from None

    # ------------------------------------------------------------------ seed records
    def records(self) -> dict[int, dict]:
        """Every seed record on disk, by seed (a file that does not parse is not a record)."""
        out = {}
        if not self.seeds_dir.is_dir():
            return out
        for path in sorted(self.seeds_dir.iterdir()):
            m = _SEED_FILE.match(path.name)
            if not m:
                continue
            try:
                rec = json.loads(path.read_text())
            except (OSError, json.JSONDecodeError):
                continue
            if rec.get("schema") == SEED_SCHEMA and rec.get("seed") == int(m.group(1)):
                out[rec["seed"]] = rec
        return out

    def write_record(self, record: dict) -> Path:
        path = self.seeds_dir / f"{record['seed']}.json"
        self.seeds_dir.mkdir(parents=True, exist_ok=True)
        self._write(path, record)
        return path

    # ------------------------------------------------------------------ shards of a split run
    def shard_plan(self) -> list[tuple[str, ...]] | None:
        """The split of a run into shards that this sweep's finished shards were made with, if any."""
        path = self.root / SHARD_PLAN
        try:
            return [tuple(g) for g in json.loads(path.read_text())]
        except FileNotFoundError:
            return None
        except (OSError, json.JSONDecodeError, TypeError) as exc:
            raise SweepDirError(f"{path} cannot be read ({exc}); remove it with the shards/ beside it") from None

    def write_shard_plan(self, groups: list[tuple[str, ...]]) -> None:
        self._write(self.root / SHARD_PLAN, [list(g) for g in groups])

    def shard_path(self, seed: int, shard: int, shards: int) -> Path:
        return self.shards_dir / str(seed) / f"{shard + 1}-of-{shards}.json"

    def write_shard(self, result: dict) -> None:
        path = self.shard_path(result["seed"], result["shard"], result["shards"])
        path.parent.mkdir(parents=True, exist_ok=True)
        self._write(path, result)

    def finished_shards(self, seed: int, shards: int) -> dict[int, dict]:
        out = {}
        for k in range(shards):
            path = self.shard_path(seed, k, shards)
            if path.is_file():
                try:
                    out[k] = json.loads(path.read_text())
                except (OSError, json.JSONDecodeError):
                    continue
        return out

    def drop_shards(self, seed: int) -> None:
        folder = self.shards_dir / str(seed)
        if folder.is_dir():
            for p in folder.iterdir():
                p.unlink()
            folder.rmdir()

    def _write(self, path: Path, data: dict) -> None:
        try:
            write_atomically(path, json.dumps(data, indent=1) + "\n", option="--out")
        except ReportWriteError as exc:
            raise SweepDirError(str(exc)) from None


def completed_record(task: dict, doc: dict, config: dict, report: str | None = None) -> dict:
    """A seed's record from its compliance document: every (Bound, family) verdict, with its worst instance."""
    return {
        "schema": SEED_SCHEMA, "schema_version": SEED_SCHEMA_VERSION, "seed": task["seed"], "status": "completed",
        **{k: config[k] for k in CONFIG_KEYS},
        "exit_status": task["exit_status"], "duration_s": round(task["duration_s"], 3),
        "hosts": sorted(set(task["hosts"])), "commit": doc["run"].get("commit"),
        "commit_dirty": doc["run"].get("commit_dirty"), "tests": task["tests"], "failed_tests": task["failed_tests"],
        "report": report,
        "results": [{k: r.get(k) for k in RESULT_FIELDS} for r in doc["results"]],
    }


def crashed_record(task: dict, config: dict) -> dict:
    return {
        "schema": SEED_SCHEMA, "schema_version": SEED_SCHEMA_VERSION, "seed": task["seed"], "status": "crashed",
        **{k: config[k] for k in CONFIG_KEYS},
        "exit_status": task.get("exit_status"), "duration_s": round(task.get("duration_s", 0.0), 3),
        "hosts": sorted(set(task.get("hosts", []))), "reason": task["reason"], "tail": task.get("tail", ""),
        "results": [],
    }


def merge_shards(shards: list[dict], config: dict, seed: int, root: Path) -> tuple[dict, list[TestOutcome]]:
    """One compliance document from the shards of one seed's run, as the xdist controller merges its workers."""
    ledger = Ledger()
    outcomes: list[TestOutcome] = []
    for s in shards:
        payload = s["payload"]
        for d in payload["evidence"]:
            ledger.record(Evidence.from_dict(d))
        ledger.figures.extend(Figure.from_dict(f) for f in payload["figures"])
        ledger.note_run(**payload["run_facts"])
        outcomes += [TestOutcome(*o) for o in payload["outcomes"]]
    counts = {"passed": 0, "failed": 0, "error": 0, "skipped": 0}
    for o in outcomes:
        counts[o.outcome] = counts.get(o.outcome, 0) + 1
    statuses = [s["exit_status"] for s in shards]
    run = run_metadata(
        profile=config["profile"], seed=seed, started_at=min(s["payload"]["started_at"] for s in shards),
        duration_s=sum(s["payload"]["duration_s"] for s in shards), workers=len(shards),
        exit_status=max(statuses), tests=counts, root=root,
        facts={**ledger.run_facts, "mutations": {}, "interrupted": False,
               "recorded_withheld": config["withhold_recorded"]})
    return build(ledger, run, figures=ledger.figures), outcomes


def write_merged_report(sweep: SweepDir, seed: int, doc: dict, outcomes: list[TestOutcome]) -> Path:
    target = sweep.reports_dir / str(seed)
    try:
        write_report(target, doc, outcomes, option="--out")
    except ReportWriteError as exc:
        raise SweepDirError(str(exc)) from None
    return target
