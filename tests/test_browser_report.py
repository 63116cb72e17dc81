"""The HTML report in a real browser: the math is laid out as MathML, the plots are drawn, nothing is fetched.

Headless Chromium (Debian's package; .ci/run installs it) is driven over the Chrome
DevTools protocol on a pipe (--remote-debugging-pipe: no port, no extra Python
package).  The pages are index.html and erratum.html of a sample report built from a synthetic
ledger (verify/report/example.py) with the real registry's statements, and of the real report of
a `pytest verify` run when VERIFY_REPORT_UNDER_TEST names its directory (.ci/run does, after the
main job).  Skipped, with the reason, only where no Chromium is installed or no real report is given.
"""
from __future__ import annotations

import base64
import json
import os
import re
import select
import shutil
import subprocess
import time
from html import unescape
from pathlib import Path

import pytest

from verify.report.example import write_sample

# Chromium's cold start on a busy 2-core machine takes a few seconds; a page load far less.
BROWSER_TIMEOUT_S = 60


def _chromium() -> str | None:
    for name in (os.environ.get("CHROMIUM", ""), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


class DevTools:
    """A headless Chromium and one page of it, spoken to over --remote-debugging-pipe.

    Chromium reads commands on its fd 3 and writes answers and events on its fd 4,
    each message JSON ended by a NUL byte.
    """

    def __init__(self, binary: str, profile_dir: Path) -> None:
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def wire_pipes():  # in the child, before exec: its fd 3 and fd 4 are the two pipes
            os.dup2(to_browser_r, 3)
            os.dup2(from_browser_w, 4)

        self.proc = subprocess.Popen(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
             f"--user-data-dir={profile_dir}", "--no-first-run", "--no-default-browser-check",
             # The browser's own traffic (updates, metrics) is not the page's, and is not wanted here.
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-extensions", "--no-pings", "--window-size=1400,1000", "about:blank"],
            pass_fds=(3, 4), preexec_fn=wire_pipes, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict] = []

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]
            self.events.append(reply)

    def wait_for(self, method: str) -> dict:
        for i, event in enumerate(self.events):
            if event.get("method") == method:
                return self.events.pop(i)
        while True:
            event = self._read()
            if event.get("method") == method:
                return event
            self.events.append(event)

    def _read(self) -> dict:
        deadline = time.monotonic() + BROWSER_TIMEOUT_S
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._from_browser], [], [], max(left, 0))
            if not ready:
                raise TimeoutError(f"Chromium said nothing for {BROWSER_TIMEOUT_S} s")
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                raise RuntimeError(f"Chromium closed the pipe (exit code {self.proc.poll()})")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except (OSError, RuntimeError, TimeoutError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)


# What the page looks like to a reader: every <details> opened (the histograms sit in them),
# then the size of each <math> and each plot, whether the browser lays <math> out as MathML
# (display "block math"/"inline math"), and whether fractions stack (numerator above denominator).
MEASURE = """
(() => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  const box = e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; };
  const maths = [...document.querySelectorAll('math')];
  const fractions = [...document.querySelectorAll('mfrac')].filter(f => f.children.length === 2)
    .map(f => [f.children[0].getBoundingClientRect().bottom, f.children[1].getBoundingClientRect().top]);
  return {
    math: maths.map(box),
    mathDisplay: [...new Set(maths.map(m => getComputedStyle(m).display))],
    fractions: fractions,
    plots: [...document.querySelectorAll('figure.plot svg')].map(box),
    histograms: document.querySelectorAll('figure.histogram svg').length,
    bars: [...document.querySelectorAll('svg.bar')].map(box),
    resources: performance.getEntriesByType('resource').map(e => e.name),
    pageWidth: document.documentElement.scrollWidth,
    scorecardRows: document.querySelectorAll('table.scorecard tr').length - 1,
    scorecardTop: (document.querySelector('#scorecard') || {getBoundingClientRect: () => ({top: 1e9})}).getBoundingClientRect().top,
    summaryTop: (document.querySelector('#summary') || {getBoundingClientRect: () => ({top: -1})}).getBoundingClientRect().top,
    erratumEntries: document.querySelectorAll('article.erratum-entry').length,
    sideBySide: [...document.querySelectorAll('.side-by-side')].map(box),
    windowWidth: window.innerWidth,
    scrolledStatements: [...document.querySelectorAll('.statement')]
      .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent.slice(0, 60)),
    clippedBadges: [...document.querySelectorAll('.verdict')]
      .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5).map(e => e.textContent),
    title: document.title,
  };
})()
"""


# The real report of a `pytest verify` run, where one is given: .ci/run sets it after the main job, so
# that the pages CI generates from every check are the ones measured here.
REAL_REPORT_ENV = "VERIFY_REPORT_UNDER_TEST"
PAGES = ("sample index.html", "sample erratum.html", "real index.html", "real erratum.html")


@pytest.fixture(scope="module")
def sample_report(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("report")
    write_sample(target)
    return target


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    binary = _chromium()
    if binary is None:
        pytest.skip("Chromium is not installed (apt-get install chromium; .ci/run installs it where it can)")
    opened = DevTools(binary, tmp_path_factory.mktemp("chromium-profile"))
    yield opened
    opened.close()


def _open(browser: DevTools, path: Path) -> dict:
    browser.events.clear()
    target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    try:
        for domain in ("Page", "Network", "Log", "Runtime"):
            browser.send(f"{domain}.enable", session=session)
        browser.send("Page.navigate", {"url": path.as_uri()}, session=session)
        browser.wait_for("Page.loadEventFired")
        measured = browser.send("Runtime.evaluate", {"expression": MEASURE, "returnByValue": True},
                                session=session)["result"]["value"]
        shot = browser.send("Page.captureScreenshot", {"format": "png"}, session=session)["data"]
        # Events that arrived up to now: requests the page made, console and CSP messages.
        browser.send("Runtime.evaluate", {"expression": "1"}, session=session)
        events = list(browser.events)
    finally:
        browser.send("Target.closeTarget", {"targetId": target})
    return {"measured": measured, "events": events, "screenshot": shot, "html": path.read_text(), "path": path}


@pytest.fixture(scope="module", params=PAGES)
def page(request, browser, sample_report):
    origin, name = request.param.split(" ")
    if origin == "sample":
        directory = sample_report
    else:
        given = os.environ.get(REAL_REPORT_ENV)
        if not given:
            pytest.skip(f"no real report given: .ci/run sets {REAL_REPORT_ENV}=reports after `pytest verify`")
        directory = Path(given).resolve()
        assert (directory / name).is_file(), f"{REAL_REPORT_ENV}={given}: no {name} there"
    return {"origin": origin, "name": name, **_open(browser, directory / name)}


def test_every_statement_is_laid_out_as_mathml_with_a_size(page):
    m = page["measured"]
    assert m["title"].startswith("Bound compliance" if page["name"] == "index.html" else "Erratum")
    assert len(m["math"]) > (100 if page["name"] == "index.html" else 10), (
        "each result's statement and each hypothesis is a <math> element")
    empty = [i for i, (w, h) in enumerate(m["math"]) if w <= 0 or h <= 0]
    assert not empty, f"{len(empty)} of {len(m['math'])} <math> elements have no size"
    # MathML Core: display "block math" for display="block", "math" for inline; an unsupported
    # <math> would be an unknown element with display "inline".
    assert set(m["mathDisplay"]) <= {"block math", "math", "inline math"}, (
        f"the browser does not lay <math> out as MathML: display {m['mathDisplay']}")
    assert m["fractions"], "the statements have fractions"
    unstacked = [f for f in m["fractions"] if f[0] > f[1] + 0.5]
    assert not unstacked, f"{len(unstacked)} fractions are not drawn numerator over denominator"


def test_nothing_is_wider_than_the_window_or_its_cell_at_1400_px(page):
    # A long badge ("violated: known finding") in the verdict column once pushed the page 12 px past a
    # 1400 px window and clipped 25 badges at its right edge.
    m = page["measured"]
    assert m["windowWidth"] == 1400
    assert m["pageWidth"] <= m["windowWidth"], f"the page is {m['pageWidth'] - m['windowWidth']} px wider than the window"
    assert not m["clippedBadges"], m["clippedBadges"][:5]
    # Each statement has the table's whole width: in the result column alone, long displays such as
    # (157) and (34) needed a scrollbar inside their cell.
    assert not m["scrolledStatements"], m["scrolledStatements"][:5]


def test_the_plots_are_drawn(page):
    m = page["measured"]
    assert all(w > 50 and h > 30 for w, h in m["plots"]), m["plots"]
    if page["name"] != "index.html":
        assert not m["plots"], "the erratum has no plots"
        return
    assert m["histograms"] >= 3, "a ratio histogram for each sample result with ratios"
    assert len(m["plots"]) >= m["histograms"] + (1 if page["origin"] == "sample" else 0), (
        "and the figure added through ledger.add_figure")
    assert m["bars"] and all(w > 0 and h > 0 for w, h in m["bars"])


def test_the_scorecard_and_the_erratum_are_on_the_page(page):
    m = page["measured"]
    if page["name"] == "index.html":
        assert m["scorecardRows"] >= 12, "one row per main-text result, appendix theorem, corollary, Table 1, Figure 2"
        assert m["scorecardTop"] < m["summaryTop"], "the scorecard comes first"
    assert m["erratumEntries"] >= 1, "an erratum entry per finding"
    assert m["sideBySide"] and all(w > 0 and h > 0 for w, h in m["sideBySide"])


def test_nothing_is_requested_from_the_network(page):
    requests = [e["params"]["request"]["url"] for e in page["events"] if e.get("method") == "Network.requestWillBeSent"]
    remote = [u for u in requests + page["measured"]["resources"] if not u.startswith(("file:", "data:", "about:"))]
    assert not remote, f"the page requested {remote}"
    refused = [e["params"]["entry"]["text"] for e in page["events"]
               if e.get("method") == "Log.entryAdded" and "Content Security Policy" in e["params"]["entry"]["text"]]
    assert not refused, f"the page tried to load something its policy forbids: {refused}"


def test_the_page_says_it_fetches_nothing(page):
    html = unescape(page["html"])
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert "<script" not in html
    # Namespace names (xmlns="http://www.w3.org/...") are identifiers, not addresses that are loaded.
    urls = re.findall(r"""(?<!xmlns=")(?<!xmlns:xlink=")https?://[^\s"'<>)]+""", html)
    assert not urls, f"URLs in the page: {sorted(set(urls))[:5]}"


def test_a_screenshot_shows_something(page):
    png = base64.b64decode(page["screenshot"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
