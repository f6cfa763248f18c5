"""An officer updates a response with the keyboard alone, at 320 px wide (400% zoom): no clicks.

Tab and Shift+Tab to move, the arrow keys within a group of radios (as a browser moves through one),
typing, and Enter. A first try without a progress note is refused: the error summary takes focus,
where a screen reader starts reading, and its link takes the officer to the field.
"""

import pytest

from responses.models import LocalResponse, Status

from .chromium import new_context
from .pages import OFFICER

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reference_data_put_back")]

NOTE = "Both chairs appointed in April; the reciprocal chairing agreement is signed."
MOST_TABS = 80  # a page's Tab stops before the one wanted; more means it is not reachable


def focused(page):
    """What has the keyboard's focus: its tag, name or value, and text, as a test reads it."""
    return page.evaluate(
        """() => {
          const element = document.activeElement;
          return {
            tag: element.tagName.toLowerCase(),
            type: element.type || "",
            name: element.name || "",
            value: element.value || "",
            id: element.id || "",
            classes: element.className || "",
            text: (element.innerText || "").trim().replace(/\\s+/g, " "),
          };
        }"""
    )


def tab_to(page, is_wanted, key="Tab"):
    """Press Tab (or Shift+Tab) until the focus is on what `is_wanted` picks out."""
    for _ in range(MOST_TABS):
        page.keyboard.press(key)
        now = focused(page)
        if is_wanted(now):
            return now
    raise AssertionError(f"{key} never reached it; the focus ended on {focused(page)}")


def update_with_the_keyboard(browser, base_url, session_cookie):
    """The officer's steps; what they saw at each, for the test to check."""
    seen = {}
    context = new_context(browser, base_url, session_cookie)
    page = context.new_page()
    try:
        page.goto("/authorities/darlington/recommendations/51/")
        tab_to(page, lambda now: now["text"] == "Update this recommendation")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        seen["form"] = page.title()

        # First try: save without saying what changed.
        tab_to(page, lambda now: now["text"] == "Save update")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        page.wait_for_load_state("load")
        seen["after the refused save"] = focused(page)
        seen["error summary"] = page.locator(".govuk-error-summary").inner_text()

        # From the summary, its link to the field; then the note, the status, and save.
        seen["summary link"] = tab_to(page, lambda now: now["tag"] == "a")
        page.keyboard.press("Enter")
        seen["after the summary link"] = focused(page)
        page.keyboard.type(NOTE)
        tab_to(page, lambda now: now["name"] == "status", key="Shift+Tab")
        for _ in range(len(Status)):
            if focused(page)["value"] == Status.COMPLETE:
                break
            page.keyboard.press("ArrowDown")
        seen["status chosen"] = focused(page)["value"]
        tab_to(page, lambda now: now["text"] == "Save update")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        seen["after saving"] = page.locator("main").inner_text()
        seen["address after saving"] = page.url.removeprefix(base_url)
    finally:
        context.close()
    return seen


def test_an_officer_updates_a_response_with_the_keyboard_alone(chromium, live_server, personas, signed_in):
    seen = chromium.run(update_with_the_keyboard, live_server.url, signed_in(OFFICER))

    assert seen["form"].startswith("Update recommendation 51. Separate chairs for Trust and LSCB")
    # The refused save: the error summary has the focus, and names the one mistake.
    assert "govuk-error-summary" in seen["after the refused save"]["classes"]
    assert "There is a problem" in seen["error summary"]
    assert "Enter a progress note saying what has changed" in seen["error summary"]
    assert seen["summary link"]["text"] == "Enter a progress note saying what has changed"
    assert seen["after the summary link"]["id"] == "id_note"
    assert seen["status chosen"] == Status.COMPLETE

    assert seen["address after saving"] == "/authorities/darlington/recommendations/51/"
    assert "has been saved" in seen["after saving"]
    response = LocalResponse.objects.get(authority__slug="darlington", recommendation__number=51, part=None)
    assert response.status == Status.COMPLETE
    assert response.updated_by == personas[OFFICER]
    latest = response.updates.order_by("-pk").first()
    assert latest.note == NOTE
    assert latest.by == personas[OFFICER]
