"""The report's histograms reused by their data: the page is the same with the cache as without it."""
from __future__ import annotations

from pathlib import Path

import pytest

from verify.judge import cache
from verify.report import build, figures, write_report
from verify.report.example import sample_ledger
from verify.report.html import render

RUN = {"profile": "ci", "seed": 0, "exit_status": 0, "tests": {"passed": 1}}


@pytest.fixture(scope="module")
def doc() -> dict:
    sample = sample_ledger()
    return build(sample, RUN, figures=sample.figures)


def _count_drawings(monkeypatch) -> list:
    drawn = []
    real = figures.ratio_histogram

    def counting(series, title=""):
        drawn.append(series)
        return real(series, title)

    monkeypatch.setattr(figures, "ratio_histogram", counting)
    return drawn


def test_a_cached_page_is_the_page_drawn_afresh_and_draws_nothing_again(tmp_path, doc, monkeypatch):
    plain = render(doc)
    drawn = _count_drawings(monkeypatch)
    assert render(doc, tmp_path) == plain
    first = len(drawn)
    assert first > 0 and (tmp_path / f"{figures.HISTOGRAM_CACHE}.pickle").exists()
    assert render(doc, tmp_path) == plain
    assert len(drawn) == first  # every histogram read back, none drawn


def test_changed_data_is_drawn_again_and_only_this_reports_histograms_are_kept(tmp_path, monkeypatch):
    drawn = _count_drawings(monkeypatch)
    one = figures.ratio_histograms({"a": {"f": [0.1, 0.5, 0.9]}, "b": {"f": [0.2, 0.3]}}, tmp_path)
    assert len(drawn) == 2
    two = figures.ratio_histograms({"a": {"f": [0.1, 0.5, 0.9]}, "b": {"f": [0.2, 0.4]}}, tmp_path)
    assert len(drawn) == 3 and two["a"] == one["a"] and two["b"] != one["b"]
    status, stored = cache.read(tmp_path, figures.HISTOGRAM_CACHE, figures._histogram_code_key())
    assert status == "hit" and len(stored) == 2


def test_a_stale_or_damaged_cache_is_redrawn_and_an_unwritable_one_costs_only_time(tmp_path, monkeypatch):
    requests = {"a": {"f": [0.1, 0.5, 0.9]}}
    fresh = figures.ratio_histograms(requests)
    cache.write(tmp_path, figures.HISTOGRAM_CACHE, "another key", {figures._data_key(requests["a"], ""): "<svg/>"})
    assert figures.ratio_histograms(requests, tmp_path) == fresh  # stale: redrawn, not read
    path = tmp_path / f"{figures.HISTOGRAM_CACHE}.pickle"
    path.write_bytes(path.read_bytes()[:-5])
    assert figures.ratio_histograms(requests, tmp_path) == fresh  # damaged: redrawn
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    assert figures.ratio_histograms(requests, blocked) == fresh


def test_the_written_report_fills_its_cache(tmp_path, doc):
    write_report(tmp_path, doc)
    assert (tmp_path / cache.CACHE_DIR_NAME / f"{figures.HISTOGRAM_CACHE}.pickle").exists()
    first = (tmp_path / "index.html").read_bytes()
    write_report(tmp_path, doc)
    assert (tmp_path / "index.html").read_bytes() == first
