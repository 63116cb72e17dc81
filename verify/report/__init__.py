"""The bound-compliance report of ``pytest verify``: compliance.json, index.html, junit.xml, and the gate that reads them.

``build`` turns the ledger into the versioned compliance document; ``write_report``
writes the three files atomically; ``html.render`` draws the page from the JSON
alone; ``gate`` compares a report with the committed baseline
(``python -m verify.report.gate``, ``--update`` to accept a new one on purpose).
Figures for the report are handed to the ledger: ``ledger.add_figure(section, title, fig)``.
"""
from .compliance import NOT_CHECKED, SCHEMA, SCHEMA_VERSION, ComplianceError, build, load, run_metadata
from .junit import TestOutcome
from .writer import ReportWriteError, Written, check_writable, write_report

__all__ = [
    "NOT_CHECKED",
    "SCHEMA",
    "SCHEMA_VERSION",
    "ComplianceError",
    "ReportWriteError",
    "TestOutcome",
    "Written",
    "build",
    "check_writable",
    "load",
    "run_metadata",
    "write_report",
]
