"""Every page, as each kind of user who may see it, in Chromium: WCAG 2.2 A and AA by axe-core, and
reflow at 320 CSS pixels (400% zoom of a 1280 px window).

For each page state in tests/browser/pages.py the walk reads, on one load: axe-core's violations at
320 px wide, whether the page scrolls sideways there, whether anything that scrolls sideways inside
the page (a wide table) is a labelled region a keyboard user can Tab to, and the size the charts'
text is drawn at, at 320 and 1280 px. An error state also shows "There is a problem" with focus on it,
where a screen reader starts reading.
"""

from collections import defaultdict
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve

from ..test_access import DECISIONS
from .chromium import new_context, read_page
from .pages import (
    ADMINISTRATOR,
    CHAIR,
    CLERK,
    COUNCIL_ADMINISTRATOR,
    NOT_PAGES,
    OFFICER,
    PERSONAS,
    SIGNED_OUT,
    STATES,
    states_for,
)

pytestmark = pytest.mark.browser

SMALLEST_CHART_TEXT = 12  # CSS pixels


def walk(browser, base_url, session_cookie, username, states, ids):
    """Each state in turn in one browser profile: load it, do what the user does, read it."""
    context = new_context(browser, base_url, session_cookie)
    page = context.new_page()
    readings = []
    try:
        for state in states:
            response = page.goto(state.path.format(**ids))
            if state.act:
                response = state.act(page)
            reading = read_page(page, response, state.label, username, wide_axe=state.wide_axe)
            if state.expect:
                reading.problems = state.expect(page)
            readings.append(reading)
    finally:
        context.close()
    return readings


def govuk_radio_with_conditional_reveal(node):
    """GOV.UK Frontend sets aria-expanded on a radio that reveals a question, on purpose: screen readers
    announce it, though ARIA does not list it for radios (alphagov/govuk-frontend#979, open)."""
    return 'class="govuk-radios__input' in node["html"] and all(
        message.startswith("ARIA attribute is not allowed: aria-expanded") for message in node["messages"]
    )


KNOWN_FALSE_POSITIVES = {"aria-allowed-attr": govuk_radio_with_conditional_reveal}


def violations(reading):
    found = []
    for violation in reading.violations:
        exempt = KNOWN_FALSE_POSITIVES.get(violation["rule"], lambda node: False)
        nodes = [node for node in violation["nodes"] if not exempt(node)]
        found.extend(
            f"axe {violation['rule']} ({violation['impact']}): {violation['help']}: {node['target']} "
            f"{node['html'][:160]} {'; '.join(node['messages'])[:200]}"
            for node in nodes
        )
    return found


def problems_with(state, reading):
    problems = []
    if reading.status != state.status:
        problems.append(f"answered {reading.status}, not {state.status} (at {reading.url})")
    if state.heading and reading.heading != state.heading:
        problems.append(f"shows {reading.heading!r}, not {state.heading!r}")
    problems.extend(violations(reading))
    layout = reading.layout
    if layout["scroll_width"] > layout["width"]:
        problems.append(
            f"scrolls sideways at {layout['width']} px: {layout['scroll_width']} px wide "
            f"({', '.join(layout['sticking_out'])})"
        )
    for scroller in layout["scrollers"]:
        if not (scroller["role"] == "region" and scroller["label"] and scroller["tabindex"] == "0"):
            problems.append(
                f"{scroller['element']} scrolls sideways ({scroller['scroll_width']} px in "
                f"{scroller['client_width']}) but is not a labelled region in the Tab order: {scroller}"
            )
    if state.charts and not (reading.chart_text_narrow and reading.chart_text_wide):
        problems.append("draws no chart text to measure")
    for width, chart_text in (("320", reading.chart_text_narrow), ("1280", reading.chart_text_wide)):
        if chart_text and chart_text["smallest"] < SMALLEST_CHART_TEXT:
            problems.append(f"chart text drawn at {chart_text['smallest']:.1f} px at {width} px wide")
    if state.error_summary and not reading.error_summary:
        problems.append("shows no error summary")
    if state.error_summary and "govuk-error-summary" not in reading.focused:
        problems.append(f"the error summary does not have focus ({reading.focused or 'nothing'} has)")
    problems.extend(reading.problems)
    return problems


# Two tests, each walking as three kinds of user: the live server's tests are transactional, and the
# flush and reload after each costs seconds, so a few long walks (which pytest-xdist still shares
# between two workers) rather than a test a page.
WALKS = [
    (SIGNED_OUT, OFFICER, CHAIR),
    (CLERK, COUNCIL_ADMINISTRATOR, ADMINISTRATOR),
]


def test_the_walks_cover_every_kind_of_user():
    assert sorted(persona for walk in WALKS for persona in walk) == sorted(PERSONAS)


@pytest.mark.usefixtures("reference_data_put_back")
@pytest.mark.parametrize("walked", WALKS, ids=", ".join)
def test_every_page_passes_axe_and_reflows_at_320_px(walked, chromium, live_server, world, signed_in):
    problems = []
    count = 0
    for persona in walked:
        states = states_for(persona)
        username = world.users[persona].get_username() if persona in world.users else ""
        readings = chromium.run(walk, live_server.url, signed_in(persona), username, states, world.ids())
        count += len(readings)
        problems.extend(
            f"as {persona}: {state.label}: {problem}"
            for state, reading in zip(states, readings, strict=True)
            for problem in problems_with(state, reading)
        )
    assert not problems, f"{len(problems)} problems in {count} page states:\n" + "\n".join(problems)


def route_of(path):
    try:
        return resolve(urlsplit(path).path).view_name
    except Resolver404:
        return None


def test_every_html_page_is_in_the_walk():
    """A page tests/test_access.py lets someone open is walked here, or listed in NOT_PAGES."""
    any_record = defaultdict(lambda: "1")
    walked = {route_of(state.path.format_map(any_record)) for state in STATES}
    opened = {route for route, (_, outcomes) in DECISIONS.items() if 200 in outcomes.values()}
    missing = sorted(opened - walked - NOT_PAGES)
    assert not missing, f"Add these pages to tests/browser/pages.py (or to NOT_PAGES): {missing}"
