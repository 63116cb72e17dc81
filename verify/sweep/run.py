"""The sweep's client: hand each seed (or each shard of a seed's run) to Dask, write each record as it arrives.

Without a scheduler address it starts a Dask LocalCluster on this machine: one worker
process per core, one thread each, since every task is a whole pytest run in its own
subprocess.  With an address it submits to that cluster's scheduler, whose workers must
each have the suite installed from a checkout and run one task per thread (start them with
``--nthreads 1``).

Dask reschedules a task whose worker died on another worker (up to its
``distributed.scheduler.allowed-failures``, 3 by default); a task that keeps killing its
workers comes back as an error and is recorded as crashed, like a run that crashed by itself.
"""
from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from .merge import false_alarms
from .plan import collect, expected_durations, split
from .store import (CONFIG_KEYS, SweepDir, SweepDirError, completed_record, crashed_record, merge_shards,
                    write_merged_report)
from .task import TaskSpec, project_root, run_task

# How long to wait for a scheduler to answer: one that is up answers within a second on a LAN.
CONNECT_TIMEOUT_S = 10


@dataclass
class Options:
    """A sweep: its seeds and directory, where it runs, and ``run``, what every seed's run is (its seed aside)."""

    seeds: list[int]
    out: Path
    run: TaskSpec = field(default_factory=lambda: TaskSpec(seed=0))
    workers: int | None = None
    scheduler: str | None = None
    retry_crashed: bool = False

    def config(self) -> dict:
        return {k: list(v) if isinstance(v, tuple) else v
                for k, v in ((k, getattr(self.run, k)) for k in CONFIG_KEYS)}


@dataclass
class Outcome:
    """What a sweep did: the seeds it ran now, the ones it found already done, and whether it was interrupted."""

    ran: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    crashed: list[int] = field(default_factory=list)
    interrupted: bool = False


def plan_tasks(opts: Options, todo: list[int], sweep: SweepDir, say: Callable[[str], None]) -> list[TaskSpec]:
    base = opts.run
    if base.shards == 1:
        return [replace(base, seed=s) for s in todo]
    groups = sweep.shard_plan()
    if groups is None:
        nodes = collect(project_root(), base.paths, base.profile, base.select)
        groups = split(nodes, base.shards, expected_durations(base.profile))
        if len(groups) < base.shards:
            raise SweepDirError(f"--shards: {base.shards} shards asked for {len(nodes)} tests; give at most {len(nodes)}")
        # Kept, so that a resumed sweep completes a seed's shards with the same split as its finished ones.
        sweep.write_shard_plan(groups)
    say(f"sweep: {sum(map(len, groups))} tests in {len(groups)} shards per seed")
    tasks = []
    for s in todo:
        done = sweep.finished_shards(s, base.shards)
        tasks += [replace(base, seed=s, shard=k, nodes=g) for k, g in enumerate(groups) if k not in done]
    return tasks


def _client(opts: Options):
    from dask.distributed import Client, LocalCluster

    if opts.scheduler:
        try:
            return Client(opts.scheduler, timeout=CONNECT_TIMEOUT_S), None
        except (OSError, TimeoutError) as exc:
            raise SweepDirError(f"--scheduler: cannot reach a Dask scheduler at {opts.scheduler} ({exc})") from None
    # ":0": the scheduler's HTTP endpoints on a free port, so that two sweeps on one machine do not contend for 8787.
    cluster = LocalCluster(n_workers=opts.workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                           silence_logs=logging.ERROR)
    return Client(cluster), cluster


def _say(message: str) -> None:
    print(message, flush=True)


def sweep(opts: Options, say: Callable[[str], None] = _say) -> Outcome:
    """Run every seed of ``opts`` not already recorded in ``opts.out``; each record is on disk once it arrives."""
    from dask.distributed import as_completed

    store = SweepDir(opts.out)
    config = store.open(opts.config())
    done = store.records()
    outcome = Outcome()
    todo = []
    for s in opts.seeds:
        rec = done.get(s)
        if rec is not None and not (opts.retry_crashed and rec["status"] == "crashed"):
            outcome.skipped.append(s)
        else:
            todo.append(s)
    if outcome.skipped:
        say(f"sweep: {len(outcome.skipped)} seeds already recorded in {store.seeds_dir}, skipped")
    if not todo:
        return outcome
    tasks = plan_tasks(opts, todo, store, say)
    client, cluster = _client(opts)
    began = time.monotonic()
    futures = {}
    try:
        token = uuid.uuid4().hex[:8]
        for spec in tasks:
            key = f"verify-sweep-{token}-{spec.seed}-{spec.shard}"
            futures[client.submit(run_task, spec, key=key, pure=False)] = spec
        say(f"sweep: {len(todo)} seeds ({len(tasks)} tasks) on {len(client.scheduler_info()['workers'])} workers")
        for future in as_completed(futures):
            spec = futures[future]
            try:
                result = future.result()
            except Exception as exc:  # KilledWorker after its retries, or an error in the task itself
                result = {"seed": spec.seed, "shard": spec.shard, "shards": spec.shards, "status": "crashed",
                          "exit_status": None, "duration_s": 0.0, "host": "?",
                          "reason": f"{type(exc).__name__}: {exc}", "tail": ""}
            _arrived(result, spec, store, config, outcome, say, began)
    except KeyboardInterrupt:
        outcome.interrupted = True
        say(f"sweep: interrupted; {len(outcome.ran)} seeds finished in this run are on disk in {store.seeds_dir}; "
            "run the same command again to resume")
    finally:
        for f in futures:
            f.cancel()
        client.close()
        if cluster is not None:
            cluster.close()
    return outcome


def _arrived(result: dict, spec: TaskSpec, store: SweepDir, config: dict, outcome: Outcome,
             say: Callable[[str], None], began: float) -> None:
    elapsed = time.monotonic() - began
    if spec.shards == 1:
        task = {**result, "hosts": [result.get("host", "?")]}
        if result["status"] == "completed":
            record = completed_record(task, result["compliance"], config)
        else:
            record = crashed_record(task, config)
        _finish(record, store, outcome, say, elapsed)
        return
    if result["status"] == "crashed":
        # One crashed shard makes the seed's run incomplete: recorded as crashed, its finished
        # shards kept for a resumed sweep (--retry-crashed) to complete.
        task = {**result, "hosts": [result.get("host", "?")],
                "reason": f"shard {spec.shard + 1}/{spec.shards}: {result['reason']}"}
        _finish(crashed_record(task, config), store, outcome, say, elapsed)
        return
    store.write_shard(result)
    shards = store.finished_shards(spec.seed, spec.shards)
    say(f"sweep: {spec.label} done in {result['duration_s']:.0f} s ({len(shards)}/{spec.shards} shards, "
        f"{elapsed:.0f} s elapsed)")
    if len(shards) < spec.shards or spec.seed in outcome.crashed:
        return
    parts = [shards[k] for k in range(spec.shards)]
    doc, outcomes = merge_shards(parts, config, spec.seed, project_root())
    report = write_merged_report(store, spec.seed, doc, outcomes)
    failed = [o.nodeid for o in outcomes if o.outcome in ("failed", "error")]
    task = {"seed": spec.seed, "exit_status": max(p["exit_status"] for p in parts),
            "duration_s": sum(p["duration_s"] for p in parts), "hosts": [p.get("host", "?") for p in parts],
            "tests": doc["run"]["tests"], "failed_tests": failed}
    _finish(completed_record(task, doc, config, report=str(report.relative_to(store.root))), store, outcome, say,
            elapsed)
    store.drop_shards(spec.seed)


def _finish(record: dict, store: SweepDir, outcome: Outcome, say: Callable[[str], None], elapsed: float) -> None:
    if record["seed"] in outcome.crashed:  # another shard of a seed already recorded as crashed
        say(f"sweep: seed {record['seed']} also: {record.get('reason', '')}")
        return
    store.write_record(record)
    outcome.ran.append(record["seed"])
    if record["status"] == "crashed":
        outcome.crashed.append(record["seed"])
        say(f"sweep: seed {record['seed']} CRASHED: {record['reason']}")
        return
    alarms = false_alarms(record)
    say(f"sweep: seed {record['seed']} done in {record['duration_s']:.0f} s: {len(record['results'])} results, "
        f"false alarms: {', '.join(alarms) or 'none'}; failed tests: {len(record['failed_tests'])} "
        f"({elapsed:.0f} s elapsed)")
