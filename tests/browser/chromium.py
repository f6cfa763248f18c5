"""Debian's Chromium, driven by Playwright from a thread of its own, and what a test reads off a page.

Playwright's synchronous API runs an asyncio event loop in the thread that starts it, and Django
refuses database work in a thread with a running loop (SynchronousOnlyOperation). So Chromium lives in
its own thread for the whole test process: a test does its database work in its own thread as usual,
and hands the browser work to `Chromium.run(function, ...)`, which calls `function(browser, ...)` in
the browser's thread and returns its result (or raises what it raised). Playwright objects never
leave that thread; what comes back is plain data.

The browser is Debian's (/usr/bin/chromium, installed by scripts/system-deps): Playwright's own
browser downloads fail on this project's machines, so `playwright install` is never run.
"""

import os
import queue
import threading
from dataclasses import dataclass, field

from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"

# 400% zoom of a 1280 px wide window: WCAG 1.4.10 Reflow asks that nothing scroll sideways at this width.
NARROW = {"width": 320, "height": 800}
WIDE = {"width": 1280, "height": 900}

# WCAG 2.0, 2.1 and 2.2, levels A and AA: what the Public Sector Bodies Accessibility Regulations ask.
# (axe-core files WCAG 2.2's new level A criteria under no tag of their own; target-size is wcag22aa.)
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


class Chromium:
    """One headless Chromium for the test process, in its own thread (see the module docstring)."""

    def __init__(self):
        self._calls = queue.Queue()
        started = queue.Queue()
        self._thread = threading.Thread(target=self._serve, args=(started,), name="chromium", daemon=True)
        self._thread.start()
        failed = started.get()
        if failed:
            raise failed

    def _serve(self, started):
        if not os.path.exists(CHROMIUM):
            started.put(RuntimeError(f"No Chromium at {CHROMIUM}: `make system-deps` installs Debian's"))
            return
        try:
            playwright = sync_playwright().start()
            # No GPU process (there is no GPU; software drawing in the renderer costs less), and
            # scrolling with the keyboard is immediate, not animated, so a test reads where it ends up.
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--disable-gpu", "--disable-smooth-scrolling"]
            )
        except BaseException as error:  # reported to the test that asked for the browser
            started.put(error)
            return
        started.put(None)
        while (call := self._calls.get()) is not None:
            function, args, kwargs, answer = call
            try:
                answer.put((function(browser, *args, **kwargs), None))
            except BaseException as error:  # raised again in the test's thread
                answer.put((None, error))
        browser.close()
        playwright.stop()

    def run(self, function, *args, **kwargs):
        """function(browser, *args, **kwargs), called in the browser's thread."""
        answer = queue.Queue()
        self._calls.put((function, args, kwargs, answer))
        result, error = answer.get()
        if error is not None:
            raise error
        return result

    def close(self):
        self._calls.put(None)
        self._thread.join(timeout=30)


def new_context(browser, base_url, session_cookie=None, viewport=NARROW):
    """A fresh browser profile, signed in when given a session cookie (see conftest.signed_in)."""
    context = browser.new_context(base_url=base_url, viewport=viewport)
    if session_cookie:
        context.add_cookies([{**session_cookie, "url": base_url}])
    # axe-core, bundled by axe-playwright-python, is there on every page before the page's own scripts.
    context.add_init_script(AXE_SCRIPT)
    return context


# What a page looks like to the checks: run in the page after it has loaded.

AXE_RUN = """([tags, contrast]) => axe.run(document, {
  runOnly: {type: "tag", values: tags},
  rules: {"color-contrast": {enabled: contrast}},
  resultTypes: ["violations"],
}).then(results => results.violations.map(violation => ({
  rule: violation.id,
  impact: violation.impact,
  help: violation.help,
  nodes: violation.nodes.map(node => ({
    target: node.target.join(" "),
    html: node.html.slice(0, 300),
    messages: [...node.any, ...node.all, ...node.none].map(check => check.message),
  })),
})))"""

# Reflow: how wide the page is, and every box that scrolls sideways, with what a keyboard or screen
# reader user needs to reach it (a role, a name, a place in the Tab order). What sticks out of the
# window is named (outside any box that scrolls) so a failure says where to look.
LAYOUT = """() => {
  const width = window.innerWidth;
  const describe = element => element.tagName.toLowerCase()
    + (element.id ? "#" + element.id : "")
    + [...element.classList].slice(0, 3).map(name => "." + name).join("");
  const scrollers = [];
  const sticking_out = [];
  for (const element of document.body.querySelectorAll("*")) {
    const style = getComputedStyle(element);
    if (["auto", "scroll"].includes(style.overflowX) && element.scrollWidth > element.clientWidth + 1) {
      scrollers.push({
        element: describe(element),
        role: element.getAttribute("role"),
        label: element.getAttribute("aria-label") || element.getAttribute("aria-labelledby"),
        tabindex: element.getAttribute("tabindex"),
        scroll_width: element.scrollWidth,
        client_width: element.clientWidth,
      });
    }
    // Where the overflow starts: a box that sticks out of the window from inside one that does not.
    const right = element.getBoundingClientRect().right;
    if (sticking_out.length < 5 && right > width + 0.5
        && element.parentElement.getBoundingClientRect().right <= width + 0.5
        && style.display !== "none" && style.visibility !== "hidden") {
      let inside_scroller = false;
      for (let parent = element.parentElement; parent !== document.body; parent = parent.parentElement) {
        if (["auto", "scroll", "hidden"].includes(getComputedStyle(parent).overflowX)) {
          inside_scroller = true;
          break;
        }
      }
      if (!inside_scroller) sticking_out.push(describe(element) + " to " + Math.round(right) + " px");
    }
  }
  return {
    width: width,
    scroll_width: document.documentElement.scrollWidth,
    scrollers: scrollers,
    sticking_out: sticking_out,
  };
}"""

# The smallest text in the SVG charts as drawn, in CSS pixels: its font size times the scale the
# SVG is drawn at (its screen transform), for every text element that is shown.
CHART_TEXT = """() => {
  const sizes = [];
  for (const text of document.querySelectorAll("svg.app-chart text")) {
    if (!text.getClientRects().length) continue;
    const scale = Math.hypot(text.getScreenCTM().a, text.getScreenCTM().b);
    sizes.push(parseFloat(getComputedStyle(text).fontSize) * scale);
  }
  return sizes.length ? {count: sizes.length, smallest: Math.min(...sizes)} : null;
}"""


@dataclass
class PageReading:
    """What the checks read off one page state."""

    url: str
    status: int
    title: str
    heading: str = ""
    violations: list = field(default_factory=list)
    layout: dict = field(default_factory=dict)
    chart_text_narrow: dict | None = None
    chart_text_wide: dict | None = None
    focused: str = ""
    error_summary: bool = False
    problems: list = field(default_factory=list)  # from the state's own expectations


# Everything else read off the page, in one call: what has the focus, the error summary and main
# heading, a digest of the markup (for the axe-core findings below), the layout and the charts' text.
READ = """async username => {
  const element = document.activeElement;
  const classes = element && element.className ? "." + element.className.split(" ").join(".") : "";
  const focused = !element || element === document.body ? "" : element.tagName.toLowerCase() + classes;
  let html = document.documentElement.outerHTML;
  if (username) html = html.split(username).join("");
  html = html.replace(/name="csrfmiddlewaretoken" value="[^"]*"/g, "");
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(html));
  const heading = document.querySelector("h1");
  return {
    focused: focused,
    error_summary: document.querySelector(".govuk-error-summary") !== null,
    heading: heading ? heading.innerText.trim().replace(/\\s+/g, " ") : "",
    digest: [...new Uint8Array(digest)].map(byte => byte.toString(16).padStart(2, "0")).join(""),
    layout: (LAYOUT)(),
    chart_text: (CHART_TEXT)(),
  };
}""".replace("(LAYOUT)", f"({LAYOUT})").replace("(CHART_TEXT)", f"({CHART_TEXT})")

# axe-core's findings on a page's markup at a width, for this test process. The same markup gives the
# same findings, so a page that reads the same for two kinds of user (as most read-only pages do, but
# for the name of who is signed in, and CSRF tokens) goes through axe-core once; any difference in
# the markup runs it again.
#
# Colour contrast, two thirds of axe-core's time on a long page, is checked on the first reading of
# each page state (its path and what was done there) at each width, not again when another kind of
# user sees the same state: colours come from the stylesheets and GOV.UK's classes, and what differs
# between users (an Edit link, a button) is the same component, checked where it first appears.
_axe_findings = {}
_contrast_checked = set()


def axe_violations(page, digest, state_label):
    width = page.viewport_size["width"]
    key = (digest, width)
    if key not in _axe_findings:
        contrast = (state_label, width) not in _contrast_checked
        _contrast_checked.add((state_label, width))
        _axe_findings[key] = page.evaluate(AXE_RUN, [AXE_TAGS, contrast])
    return _axe_findings[key]


def read_page(page, response, state_label, username="", wide_axe=False):
    """At 320 px: axe-core and the reflow measures; then the charts' text at 1280 px, and axe-core again
    there if asked (the header's menu is a row of links at 1280, a button at 320). All on one load."""
    read = page.evaluate(READ, username)
    reading = PageReading(
        url=page.url,
        status=response.status if response else 0,
        title=page.title(),
        heading=read["heading"],
        focused=read["focused"],
        error_summary=read["error_summary"],
        layout=read["layout"],
        chart_text_narrow=read["chart_text"],
    )
    reading.violations = axe_violations(page, read["digest"], state_label)
    if reading.chart_text_narrow or wide_axe:
        page.set_viewport_size(WIDE)
        reading.chart_text_wide = page.evaluate(CHART_TEXT)
        if wide_axe:
            reading.violations = reading.violations + axe_violations(page, read["digest"], state_label)
        page.set_viewport_size(NARROW)
    return reading
