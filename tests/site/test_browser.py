"""The built documentation site, opened in headless Chromium.

The browser test builds the site as ``python -m meanfield_sym.site`` does (Sphinx with
warnings as errors) into a temporary folder, serves it on 127.0.0.1 and opens every derivation
page and the errata page in headless Chromium, driven through the DevTools protocol over a
pipe (``--remote-debugging-pipe``: no driver binary, no extra Python package, no TCP port).
For each page it requires

* no failed request (network error or HTTP status >= 400) and no request leaving the local
  server (the math renderer is shipped with the build, not fetched from a CDN);
* no JavaScript exception;
* every ``.math`` element typeset by MathJax (an ``mjx-container`` inside), no MathJax error
  node, and no raw LaTeX (``\\frac``, ``\\(``, any ``\\command``) left in the visible text
  outside code blocks;

and writes a screenshot to ``docs/_build/screenshots/``.  A fixture derivation script (with a
MISPRINT whose printed form contains a fraction) is documented alongside the real scripts so
that the derivation and errata pages always hold math to check.

Skips with a message when Chromium (Debian: ``apt-get install chromium``) or Sphinx
(``pip install -e '.[docs]'``) is missing.
"""
from __future__ import annotations

import base64
import fcntl
import functools
import http.server
import importlib.util
import json
import os
import re
import select
import shutil
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from meanfield_sym.site import build as site_build

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
SCREENSHOTS = DOCS / "_build" / "screenshots"

#: Seconds allowed for one docs build (Sphinx + every derivation script + kernels); generous
#: because the kernel derivations take ~1 min on a cold cache on 2 shared cores.
BUILD_TIMEOUT = 900
#: Seconds allowed for a page to load and MathJax to typeset it.
PAGE_TIMEOUT = 60
#: Raw TeX in visible text: a backslash command, or the \( \) \[ \] delimiters MathJax consumes.
RAW_TEX = re.compile(r"\\(?:[A-Za-z]{2,}|[()\[\]])")

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--hide-scrollbars",
                  "--window-size=1280,1000"]

FIXTURE_SCRIPT = '''
"""Fixture for the docs test: two printed formulas with fractions (not a real check).

Printed:  I[a, b] = (2/pi) atan(2b / sqrt((1 + 2a)^2 - (2b)^2)), valid for |b| <= a.
"""
import sympy as sp
from meanfield_sym.verdicts.judge import Definition, Reading, Witness, judge
from meanfield_sym.verdicts.record import CheckResult, HOLDS, MISPRINT, run_script

a, b = sp.symbols("a b", positive=True)


def judged():
    """A record made by the judge: a quoted definition, two readings, a witness with numbers."""
    return judge(id="fixture-judged", paper="Fixture paper", equation="(3)",
                 what="a judged misprint with two readings", printed=a / (1 + b),
                 derived=a / (2 + 2 * b), key="(3)",
                 definitions=[Definition("I", "I[a, b] is the expectation of the product",
                                         "Fixture paper, Sec. 1")],
                 readings=[Reading("halved", "I halved", a / (1 + b), a / (2 + 2 * b),
                                   supported_by="Sec. 1"),
                           Reading("doubled", "I doubled", a / (1 + b), 2 * a / (1 + b))],
                 witnesses=[Witness("mpmath", "quadrature at (a, b) = (1, 1/2)", True, True,
                                    {"halved": False, "doubled": False},
                                    {"quadrature": "0.3333333333", "digits": 30.0})])


def checks():
    printed = 2 / sp.pi * sp.atan(2 * b / sp.sqrt((1 + 2 * a) ** 2 - (2 * b) ** 2))
    derived = 2 / sp.pi * sp.asin(2 * b / (1 + 2 * a))
    return [
        CheckResult(id="fixture-holds", paper="Fixture paper", equation="(1)",
                    what="erf two-point kernel, |b| <= a", verdict=HOLDS, printed=printed,
                    derived=derived, evidence="atan and asin forms agree for |b| <= a",
                    digits=30.0, steps=[("Price's theorem", sp.Derivative(derived, b))]),
        CheckResult(id="fixture-misprint", paper="Fixture paper", equation="(2)",
                    what="a misprinted fraction", verdict=MISPRINT, printed=a / (1 + b),
                    derived=a / (2 + 2 * b), corrected=a / (2 * (1 + b)),
                    evidence="a factor 1/2 was dropped"),
        judged(),
    ]


def main():
    return run_script(checks)
'''


# ---------------------------------------------------------------------------------------------
# Headless Chromium through the DevTools protocol over a pipe
# ---------------------------------------------------------------------------------------------
def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class Browser:
    """Headless Chromium driven over ``--remote-debugging-pipe`` (fd 3 in, fd 4 out)."""

    def __init__(self, executable: str, profile: Path):
        r_cmd, self._w = os.pipe()
        self._r, w_out = os.pipe()
        # move the child's ends above 9 so the shell can place them on fds 3 and 4
        r_cmd, w_out = (self._high(fd) for fd in (r_cmd, w_out))
        script = f'exec "$@" 3<&{r_cmd} 4>&{w_out} {r_cmd}<&- {w_out}>&-'
        self._log = open(profile / "chromium.log", "w")
        self.proc = subprocess.Popen(
            ["bash", "-c", script, "bash", executable, *CHROMIUM_FLAGS,
             f"--user-data-dir={profile}", "--remote-debugging-pipe", "about:blank"],
            pass_fds=(r_cmd, w_out), stdin=subprocess.DEVNULL, stdout=self._log,
            stderr=subprocess.STDOUT)
        os.close(r_cmd)
        os.close(w_out)
        self._buf = b""
        self._next = 0
        self.events: list[dict] = []
        self.call("Browser.getVersion")

    @staticmethod
    def _high(fd: int) -> int:
        new = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(fd)
        return new

    def _read(self, deadline: float) -> dict:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._r], [], [], left)[0]:
                raise TimeoutError("Chromium did not answer in time")
            chunk = os.read(self._r, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe (see chromium.log)")
            self._buf += chunk
        msg, self._buf = self._buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float = PAGE_TIMEOUT) -> dict:
        self._next += 1
        msg = {"id": self._next, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_event(self, method: str, session: str, timeout: float = PAGE_TIMEOUT) -> dict:
        deadline = time.monotonic() + timeout
        for k, ev in enumerate(self.events):
            if ev.get("method") == method and ev.get("sessionId") == session:
                return self.events.pop(k)
        while True:
            ev = self._read(deadline)
            if ev.get("method") == method and ev.get("sessionId") == session:
                return ev
            self.events.append(ev)

    def drain(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        try:
            while True:
                self.events.append(self._read(deadline))
        except TimeoutError:
            pass

    def close(self) -> None:
        try:
            self.call("Browser.close", timeout=10)
        except Exception:  # noqa: BLE001 -- killed below anyway
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        os.close(self._w)
        os.close(self._r)
        self._log.close()


#: Runs in the page once MathJax is done: what a reader sees, and what MathJax did.
PAGE_PROBE = r"""
(async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  await document.fonts.ready;
  const body = document.body.cloneNode(true);
  body.querySelectorAll('pre, code, script, style, .highlight, mjx-assistive-mml')
      .forEach(e => e.remove());
  const math = [...document.querySelectorAll('.math')];
  return {
    title: document.title,
    text: body.innerText,
    math: math.length,
    typeset: math.filter(e => e.querySelector('mjx-container')).length,
    merror: document.querySelectorAll('mjx-merror, [data-mjx-error]').length,
    mathjax: window.MathJax && MathJax.version ? MathJax.version : null,
  };
})()
"""


def inspect_page(browser: Browser, url: str, screenshot: Path) -> dict:
    """Open ``url`` in a fresh tab; return the probe, the requests, failures and JS errors."""
    target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.call("Target.attachToTarget",
                           {"targetId": target, "flatten": True})["sessionId"]
    for domain in ("Page", "Network", "Runtime"):
        browser.call(f"{domain}.enable", session=session)
    browser.call("Emulation.setDeviceMetricsOverride",
                 {"width": 1280, "height": 1000, "deviceScaleFactor": 1, "mobile": False},
                 session=session)
    browser.events.clear()
    browser.call("Page.navigate", {"url": url}, session=session)
    browser.wait_event("Page.loadEventFired", session)
    probe = browser.call("Runtime.evaluate", {"expression": PAGE_PROBE, "awaitPromise": True,
                                              "returnByValue": True}, session=session)
    if "exceptionDetails" in probe:
        raise RuntimeError(f"page probe failed on {url}: {probe['exceptionDetails']}")
    browser.drain(0.5)  # late font requests and their outcome
    shot = browser.call("Page.captureScreenshot", {"format": "png"}, session=session)
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    screenshot.write_bytes(base64.b64decode(shot["data"]))
    mine = [e for e in browser.events if e.get("sessionId") == session]
    requests = {e["params"]["requestId"]: e["params"]["request"]["url"]
                for e in mine if e["method"] == "Network.requestWillBeSent"}
    failed = [(requests.get(e["params"]["requestId"]), e["params"].get("errorText"))
              for e in mine if e["method"] == "Network.loadingFailed"]
    failed += [(e["params"]["response"]["url"], e["params"]["response"]["status"])
               for e in mine if e["method"] == "Network.responseReceived"
               and e["params"]["response"]["status"] >= 400]
    errors = [e["params"]["exceptionDetails"].get("exception", {}).get("description")
              or e["params"]["exceptionDetails"].get("text")
              for e in mine if e["method"] == "Runtime.exceptionThrown"]
    browser.call("Target.closeTarget", {"targetId": target})
    return {"probe": probe["result"]["value"], "requests": sorted(set(requests.values())),
            "failed": failed, "errors": errors}


@pytest.fixture(scope="module")
def built_site(tmp_path_factory):
    """Build the docs of this checkout (plus the fixture script) into a temporary folder."""
    if importlib.util.find_spec("sphinx") is None:
        pytest.skip("Sphinx is not installed: pip install -e '.[docs]' to test the docs")
    try:
        site_build.find_mathjax()
    except FileNotFoundError as exc:
        pytest.skip(str(exc))
    tmp = tmp_path_factory.mktemp("docs")
    src = tmp / "docs"
    shutil.copytree(DOCS, src, ignore=shutil.ignore_patterns("_build", "generated"))
    extra = tmp / "extra"
    extra.mkdir()
    (extra / "docs_fixture.py").write_text(textwrap.dedent(FIXTURE_SCRIPT))
    env = dict(os.environ, MEANFIELD_DOCS_EXTRA_DERIVATIONS=str(extra),
               MEANFIELD_DOCS_CACHE=str(DOCS / "_build" / "cache"), MPLBACKEND="Agg")
    out = tmp / "html"
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "meanfield_sym.site", "--docs", str(src),
                           "--out", str(out)], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=BUILD_TIMEOUT)
    seconds = time.perf_counter() - start
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, f"docs build failed (warnings are errors):\n{log[-6000:]}"
    print(f"docs build: {seconds:.1f} s")
    return out, log


@pytest.fixture(scope="module")
def server(built_site):
    out, _ = built_site
    handler = functools.partial(_QuietHandler, directory=str(out))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    exe = _chromium()
    if exe is None:
        pytest.skip("headless Chromium not found: apt-get install chromium to run the "
                    "browser test of the docs")
    b = Browser(exe, tmp_path_factory.mktemp("chromium-profile"))
    yield b
    b.close()


def _pages(out: Path) -> list[str]:
    pages = sorted(p.relative_to(out).as_posix()
                   for p in (out / "generated" / "derivations").glob("*.html"))
    return pages + ["generated/errata.html"]


@pytest.mark.browser
def test_derivation_and_errata_pages_render_in_chromium(built_site, server, browser):
    out, _ = built_site
    pages = _pages(out)
    assert "generated/derivations/docs_fixture.html" in pages
    problems = []
    for page in pages:
        name = page.replace("/", "_").removesuffix(".html")
        got = inspect_page(browser, f"{server}/{page}", SCREENSHOTS / f"{name}.png")
        probe = got["probe"]
        off_site = [u for u in got["requests"] if not u.startswith((server, "data:"))]
        raw = sorted(set(RAW_TEX.findall(probe["text"])))
        if got["failed"]:
            problems.append(f"{page}: failed requests {got['failed']}")
        if off_site:
            problems.append(f"{page}: requests leaving the site {off_site}")
        if got["errors"]:
            problems.append(f"{page}: JavaScript errors {got['errors']}")
        if probe["math"] and probe["mathjax"] is None:
            problems.append(f"{page}: math present but MathJax did not load")
        if probe["typeset"] != probe["math"]:
            problems.append(f"{page}: {probe['math'] - probe['typeset']} of {probe['math']} "
                            "formulas not typeset")
        if probe["merror"]:
            problems.append(f"{page}: {probe['merror']} MathJax errors")
        if raw:
            problems.append(f"{page}: raw TeX in the visible text: {raw}")
        if page.endswith("docs_fixture.html") and probe["math"] < 6:
            problems.append(f"{page}: expected the fixture's formulas, found {probe['math']}")
        if page.endswith("errata.html") and "fixture-misprint" not in probe["text"]:
            problems.append("errata page does not list the fixture's misprint")
        if page.endswith("errata.html") and "Readings under which the printed form would " \
                "hold" not in probe["text"]:
            problems.append("errata page does not show the readings of the judged misprint")
        if page.endswith("docs_fixture.html"):
            for part in ("Definitions used", "“I[a, b] is the expectation of the product”",
                         "Readings", "printed = derived", "Witnesses", "Numbers of witness 1",
                         "0.3333333333", "Candidate forms", "Equation key"):
                if part not in probe["text"]:
                    problems.append(f"{page}: the judged record does not show {part!r}")
    assert not problems, "\n".join(problems)
    assert (SCREENSHOTS / "generated_errata.png").stat().st_size > 10_000


@pytest.mark.browser
def test_front_pages_render_in_chromium(built_site, server, browser):
    """Index, getting started, tutorial, an activation page and the API: also load cleanly."""
    out, _ = built_site
    for page in ("index.html", "getting_started.html", "tutorial.html", "checking.html",
                 "generated/bibliography.html", "generated/derivations/index.html",
                 "generated/activations/erf.html", "generated/api.html"):
        name = page.replace("/", "_").removesuffix(".html")
        got = inspect_page(browser, f"{server}/{page}", SCREENSHOTS / f"{name}.png")
        assert not got["failed"], (page, got["failed"])
        assert not got["errors"], (page, got["errors"])
        assert got["probe"]["typeset"] == got["probe"]["math"], page
        assert not RAW_TEX.findall(got["probe"]["text"]), page


def test_built_site_holds_the_generated_parts(built_site):
    """Without a browser: the tutorial shows the phase diagram, the API covers every layer."""
    out, log = built_site
    assert (out / "_images" / "phase_diagram.png").is_file() or \
        "phase_diagram.png" in (out / "tutorial.html").read_text(encoding="utf-8")
    assert "meanfield_sym.meanfield.phase.phase_diagram" in \
        (out / "tutorial.html").read_text(encoding="utf-8")
    api = (out / "generated" / "api.html").read_text(encoding="utf-8")
    for layer in ("activation", "kernels", "meanfield", "codegen", "generated", "witnesses",
                  "verdicts", "cli", "site"):
        assert f'id="meanfield-sym-{layer}"' in api, layer
    assert "Modules that did not import" not in api
    assert "0 errors)" in log
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="generated/bibliography.html"' in index and 'href="checking.html"' in index
    bib = (out / "generated" / "bibliography.html").read_text(encoding="utf-8")
    assert 'id="ref-chosaul2009"' in bib and "Computing with infinite networks" in bib
    checking = (out / "checking.html").read_text(encoding="utf-8")
    for part in ("USER:relu:two_point", "USER-erf-two_point", "MISPRINT", "corrected:",
                 "Corrected form:"):
        assert part in checking, part
    summary = (out / "generated" / "derivations" / "index.html").read_text(encoding="utf-8")
    assert "distinct equations" in summary and "bad input" in summary
