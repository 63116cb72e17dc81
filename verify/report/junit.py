"""junit.xml: the run in the JUnit XML dialect that CI systems read.

Two suites: "bound compliance", one test case per (result, family) of
compliance.json plus one per result no check reaches yet, and "pytest", one per
test of the run, so a CI page shows both which results failed and which tests did.
A recorded finding is a passing case (the run does not fail on it) that says so.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Iterable, NamedTuple

from .compliance import NOT_CHECKED


class TestOutcome(NamedTuple):
    """One pytest test as the plugin saw it: its node id, outcome, duration and failure text."""

    nodeid: str
    outcome: str  # passed, failed, skipped, error
    duration: float
    message: str = ""


def render(doc: dict, outcomes: Iterable[TestOutcome] = ()) -> str:
    root = ET.Element("testsuites", name="pytest verify")
    root.append(_compliance_suite(doc))
    outcomes = list(outcomes)
    if outcomes:
        root.append(_pytest_suite(outcomes))
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _compliance_suite(doc: dict) -> ET.Element:
    suite = ET.Element("testsuite", name="bound compliance")
    failures = skipped = tests = 0
    for r in doc["results"]:
        case = ET.SubElement(suite, "testcase", classname=f"bounds.{r['bound_id']}", name=r["family"], time="0")
        tests += 1
        detail = (f"{r.get('reference', '')}: worst lhs/rhs {r.get('worst_ratio')} over "
                  f"{r.get('admitted')}/{r.get('instances')} instances; replay: {r.get('replay') or '-'}")
        if r["verdict"] == "violated" and not r.get("finding"):
            ET.SubElement(case, "failure", message=f"violated: {r['bound_id']} on {r['family']}").text = detail
            failures += 1
        elif r.get("negative_control_caught") is False:
            ET.SubElement(case, "failure", message=f"negative control not caught: {r.get('negative_control')}"
                          ).text = detail
            failures += 1
        elif r["verdict"] in ("inconclusive", "precondition_failed"):
            ET.SubElement(case, "skipped", message=r["verdict"].replace("_", " ")).text = detail
            skipped += 1
        elif r["verdict"] == "violated":
            ET.SubElement(case, "system-out").text = f"known finding {r['finding']}. {detail}"
    for b in doc["bounds"]:
        if b["verdict"] == NOT_CHECKED:
            case = ET.SubElement(suite, "testcase", classname=f"bounds.{b['id']}", name="(no family)", time="0")
            ET.SubElement(case, "skipped", message="not checked yet").text = b["reference"]
            tests += 1
            skipped += 1
    suite.set("tests", str(tests))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", str(skipped))
    return suite


def _pytest_suite(outcomes: list[TestOutcome]) -> ET.Element:
    suite = ET.Element("testsuite", name="pytest")
    counts = {"failed": 0, "error": 0, "skipped": 0}
    for o in sorted(outcomes):
        module, _, name = o.nodeid.partition("::")
        case = ET.SubElement(suite, "testcase", classname=module.removesuffix(".py").replace("/", "."),
                             name=name or module, time=f"{o.duration:.3f}")
        if o.outcome in counts:
            counts[o.outcome] += 1
        tag = {"failed": "failure", "error": "error", "skipped": "skipped"}.get(o.outcome)
        if tag:
            ET.SubElement(case, tag, message=o.message.splitlines()[0][:200] if o.message else o.outcome
                          ).text = o.message
    suite.set("tests", str(len(outcomes)))
    suite.set("failures", str(counts["failed"]))
    suite.set("errors", str(counts["error"]))
    suite.set("skipped", str(counts["skipped"]))
    return suite
