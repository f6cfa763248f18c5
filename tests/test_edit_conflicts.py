"""A save refused because someone else saved first: the officer sees, field by field, what the other
person saved and what they typed, and chooses for each; nothing is taken from either side unseen.

Each test drives the page as a browser would: it posts back what the page carries (its hidden inputs
and text boxes, read from the HTML) with the radios the officer picks.
"""

import datetime
import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from authorities.models import Membership
from recommendations.models import Recommendation
from responses.models import LocalResponse, ProgressUpdate, Status
from responses.services import record_progress

from .conftest import make_user
from .helpers import visible_text

JUNE_30, SEPTEMBER_30, DECEMBER_31 = (
    datetime.date(2009, 6, 30),
    datetime.date(2009, 9, 30),
    datetime.date(2009, 12, 31),
)
FIELDS = ("status", "rag", "lead_officer", "target_date", "text", "evidence")
URL = reverse("responses:edit", args=["darlington", 24])
DETAIL = reverse("responses:detail", args=["darlington", 24])


@pytest.fixture
def officers(darlington):
    """Anne, Bob and Carol, officers of Darlington, each in their own browser."""
    browsers = {}
    for first, last in (("Anne", "Wood"), ("Bob", "Smith"), ("Carol", "Hall")):
        user = make_user(
            f"{first.lower()}.test-darlington",
            darlington,
            Membership.Role.OFFICER,
            first_name=first,
            last_name=last,
        )
        browser = Client()
        browser.force_login(user)
        browser.user = user
        browsers[first] = browser
    return browsers


@pytest.fixture
def response_24(darlington, administrator):
    """Darlington's response to 24 with every field filled in, as an officer saved it."""
    record_progress(
        authority=darlington,
        recommendation=Recommendation.objects.get(number=24),
        part=None,
        by=administrator,
        expected_version=LocalResponse.objects.get(authority=darlington, recommendation__number=24).version,
        text="Workforce plan agreed.",
        status=Status.IN_PROGRESS,
        rag="amber",
        lead_officer="Jenni Cooke, Safeguarding Manager",
        target_date=JUNE_30,
        target_date_reason="",
        evidence="Minutes of March 2009.",
        note="Set up for the test.",
    )
    return LocalResponse.objects.get(authority=darlington, recommendation__number=24)


def loaded(browser):
    """The edit form as the officer opened it: what a browser would post back unchanged."""
    return page_form(browser.get(URL))


class FormReader(HTMLParser):
    """The named inputs and text boxes of the page's form, as a browser would post them (radios only if
    checked)."""

    def __init__(self):
        super().__init__()
        self.values, self.textarea = {}, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name") and attrs.get("type") != "submit":
            if attrs.get("type") in ("radio", "checkbox") and "checked" not in attrs:
                return
            self.values[attrs["name"]] = attrs.get("value", "")
        elif tag == "textarea":
            self.textarea = attrs["name"]
            self.values[self.textarea] = ""

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.values[self.textarea] += data


def page_form(reply):
    assert reply.status_code == 200, reply.status_code
    reader = FormReader()
    reader.feed(reply.content.decode())
    reader.values.pop("csrfmiddlewaretoken", None)
    return reader.values


def typed(form, **changes):
    """The edit form with what the officer changed: target_date=date fills the three boxes."""
    form = dict(form)
    day = changes.pop("target_date", "unchanged")
    if day != "unchanged":
        form.update(
            target_date_day=str(day.day) if day else "",
            target_date_month=str(day.month) if day else "",
            target_date_year=str(day.year) if day else "",
        )
    form.update(changes)
    return form


def state(response):
    response.refresh_from_db()
    return (
        response.status,
        response.rag,
        response.lead_officer,
        response.target_date,
        response.text,
        response.evidence,
        response.version,
        response.updates.count(),
    )


def radios(reply):
    """Every radio on the page: (name, value, label, checked)."""
    body = reply.content.decode()
    found = []
    for match in re.finditer(r'<input class="govuk-radios__input" id="([^"]+)" name="([^"]+)"[^>]*>', body):
        tag, id_ = match.group(0), match.group(1)
        label = re.search(rf'<label [^>]*for="{id_}">([^<]*)</label>', body).group(1)
        value = re.search(r'value="([^"]*)"', tag).group(1)
        found.append((match.group(2), value, label.replace("&#x27;", "'"), " checked" in tag))
    return found


ANNE = dict(
    status=Status.COMPLETE,
    rag="green",
    lead_officer="Anne Wood, Head of Safeguarding",
    target_date=SEPTEMBER_30,
    target_date_reason="Two social workers left in May.",
    text="Anne's text: the plan is in place.",
    evidence="Anne's evidence: the plan.",
    note="Anne's note.",
)
BOB = dict(
    status=Status.ONGOING,
    rag="red",
    lead_officer="Bob Smith, Assistant Director",
    target_date=DECEMBER_31,
    target_date_reason="Recruitment runs to December.",
    text="Bob's text: recruitment continues.",
    evidence="Bob's evidence: the vacancy list.",
    note="Bob's note.",
)


def anne_saves_then_bob_is_refused(officers, anne=ANNE, bob=BOB):
    bobs_form = loaded(officers["Bob"])
    saved = officers["Anne"].post(URL, typed(loaded(officers["Anne"]), **anne))
    assert saved.status_code == 302, visible_text(saved)
    return officers["Bob"].post(URL, typed(bobs_form, **bob))


def test_a_refused_save_shows_each_field_both_ways_with_nothing_chosen(officers, response_24):
    reply = anne_saves_then_bob_is_refused(officers)
    after_anne = state(response_24)
    text = visible_text(reply)

    assert reply.status_code == 200
    assert text.startswith("Error: Choose what to keep: recommendation 24.")
    assert "There is a problem" in text
    assert "Someone else saved a change to this response while you were editing it." in text
    # Who, when (today, as the server saved it) and their note: only Anne's save, not the one Bob loaded.
    assert text.count("saved a change on") == 1
    assert f"Anne Wood saved a change on {datetime.date.today():%-d %B %Y} at" in text
    assert "Their note: Anne's note." in text
    assert radios(reply) == [
        ("choose_status", "theirs", "Keep theirs: Complete", False),
        ("choose_status", "yours", "Use yours: Ongoing (embedded in practice)", False),
        ("choose_rag", "theirs", "Keep theirs: Green", False),
        ("choose_rag", "yours", "Use yours: Red", False),
        ("choose_lead_officer", "theirs", "Keep theirs: Anne Wood, Head of Safeguarding", False),
        ("choose_lead_officer", "yours", "Use yours: Bob Smith, Assistant Director", False),
        ("choose_target_date", "theirs", "Keep theirs: 30 September 2009", False),
        ("choose_target_date", "yours", "Use yours: 31 December 2009", False),
        ("choose_text", "theirs", "Keep theirs", False),
        ("choose_text", "yours", "Use yours", False),
        ("choose_evidence", "theirs", "Keep theirs", False),
        ("choose_evidence", "yours", "Use yours", False),
    ]
    # The long ones under their radios; Anne's reason for moving the date beside her date.
    assert (
        "Keep theirs Anne's text: the plan is in place. Use yours Bob's text: recruitment continues." in text
    )
    assert "Keep theirs Anne's evidence: the plan. Use yours Bob's evidence: the vacancy list." in text
    assert "Their reason for moving it: Two social workers left in May." in text
    assert text.count("You both changed this.") == 6
    # Bob's note and his reason are carried, ready to save; nothing of his is saved yet.
    form = page_form(reply)
    assert form["note"].strip() == "Bob's note."
    assert form["target_date_reason"].strip() == "Recruitment runs to December."
    assert (form["loaded_version"], form["version"]) == (str(after_anne[6] - 1), str(after_anne[6]))
    assert state(response_24) == after_anne


def test_saving_without_choosing_names_each_choice_and_changes_nothing(officers, response_24):
    conflict = page_form(anne_saves_then_bob_is_refused(officers))
    before = state(response_24)

    reply = officers["Bob"].post(URL, conflict)

    assert reply.status_code == 200
    text = visible_text(reply)
    assert text.startswith("Error: Choose what to keep")
    summary = re.search(
        r'<ul class="govuk-list govuk-error-summary__list">(.*?)</ul>', reply.content.decode(), re.S
    )
    assert re.findall(r'<a href="([^"]+)">([^<]+)</a>', summary.group(1)) == [
        ("#id_choose_status", "Choose whose status to keep"),
        ("#id_choose_rag", "Choose whose RAG rating to keep"),
        ("#id_choose_lead_officer", "Choose whose lead officer to keep"),
        ("#id_choose_target_date", "Choose whose target date to keep"),
        ("#id_choose_text", "Choose whose response text to keep"),
        ("#id_choose_evidence", "Choose whose evidence to keep"),
    ]
    # Each link lands on the first radio of its choice, which says the same beside it.
    for name in FIELDS:
        assert f'id="id_choose_{name}"' in reply.content.decode()
        assert f'id="id_choose_{name}-error"' in reply.content.decode()
    assert state(response_24) == before
    # A choice that is neither theirs nor yours is no choice.
    reply = officers["Bob"].post(URL, {**conflict, "choose_status": "both"})
    assert "Choose whose status to keep" in visible_text(reply)
    assert state(response_24) == before


def test_each_choice_lands_exactly_and_the_timeline_says_so(officers, response_24):
    conflict = page_form(anne_saves_then_bob_is_refused(officers))
    anne_version = state(response_24)[6]
    chosen = dict(
        choose_status="yours",
        choose_rag="theirs",
        choose_lead_officer="yours",
        choose_target_date="yours",
        choose_text="theirs",
        choose_evidence="yours",
    )

    reply = officers["Bob"].post(URL, {**conflict, **chosen})

    assert reply.status_code == 302
    assert reply["Location"] == DETAIL
    response_24.refresh_from_db()
    assert state(response_24)[:7] == (
        Status.ONGOING,  # his
        "green",  # hers
        "Bob Smith, Assistant Director",  # his
        DECEMBER_31,  # his
        "Anne's text: the plan is in place.",  # hers
        "Bob's evidence: the vacancy list.",  # his
        anne_version + 1,
    )
    assert response_24.target_date_reason == "Recruitment runs to December."
    assert response_24.original_target_date == JUNE_30
    assert response_24.updated_by == officers["Bob"].user
    bob, anne = response_24.updates.order_by("-response_version")[:2]
    assert (anne.by, anne.note, anne.status_after) == (officers["Anne"].user, "Anne's note.", Status.COMPLETE)
    assert (bob.by, bob.note, bob.response_version) == (officers["Bob"].user, "Bob's note.", anne_version + 1)
    assert (bob.status_before, bob.status_after) == (Status.COMPLETE, Status.ONGOING)
    assert (bob.rag_before, bob.rag_after) == ("green", "green")
    assert (bob.target_date_before, bob.target_date_after) == (SEPTEMBER_30, DECEMBER_31)
    assert bob.target_date_reason == "Recruitment runs to December."
    assert (bob.text_after, bob.lead_officer_after, bob.evidence_after) == (
        "Anne's text: the plan is in place.",
        "Bob Smith, Assistant Director",
        "Bob's evidence: the vacancy list.",
    )
    timeline = visible_text(officers["Bob"].get(DETAIL))
    assert "Your update to recommendation 24. Children's social work workforce has been saved." in timeline
    assert "Target date moved from 30 September 2009 to 31 December 2009: Recruitment runs to December." in (
        timeline
    )


def test_keeping_every_one_of_theirs_saves_their_values_with_your_note(officers, response_24):
    conflict = page_form(anne_saves_then_bob_is_refused(officers))
    after_anne = state(response_24)
    theirs = {f"choose_{name}": "theirs" for name in FIELDS}

    reply = officers["Bob"].post(URL, {**conflict, **theirs, "target_date_reason": ""})

    assert reply.status_code == 302
    assert state(response_24)[:6] == after_anne[:6]
    assert state(response_24)[6:] == (after_anne[6] + 1, after_anne[7] + 1)
    update = response_24.updates.get(response_version=after_anne[6] + 1)
    assert (update.note, update.target_date_reason) == ("Bob's note.", "")
    assert not update.target_date_moved


def test_using_your_target_date_over_theirs_needs_a_reason(officers, response_24):
    conflict = page_form(anne_saves_then_bob_is_refused(officers))
    before = state(response_24)
    chosen = {f"choose_{name}": "theirs" for name in ("status", "rag", "lead_officer", "text", "evidence")}

    reply = officers["Bob"].post(
        URL, {**conflict, **chosen, "choose_target_date": "yours", "target_date_reason": "  "}
    )

    assert "Give a reason for moving the target date from 30 September 2009" in visible_text(reply)
    assert '<a href="#id_target_date_reason">' in reply.content.decode()
    # What he chose is still chosen, and the reason box shows under his date.
    assert ("choose_target_date", "yours", "Use yours: 31 December 2009", True) in radios(reply)
    assert ("choose_status", "theirs", "Keep theirs: Complete", True) in radios(reply)
    assert 'class="govuk-radios__conditional" id="conditional-target-date-reason"' in reply.content.decode()
    assert state(response_24) == before


def test_a_field_you_did_not_change_keeps_theirs_and_one_only_you_changed_is_asked(officers, response_24):
    """Anne changes the status, the lead officer and the target date; Bob, from the same form, changes
    the response text and the RAG rating. Her changes are kept (and said to be): his form's target date,
    the one he loaded, is not a move that needs his reason. His two are asked, as she saved the rest of
    the response in between."""
    reply = anne_saves_then_bob_is_refused(
        officers,
        anne=dict(
            status=Status.COMPLETE,
            lead_officer="Anne Wood",
            target_date=SEPTEMBER_30,
            target_date_reason="Moved.",
            note="Done.",
        ),
        bob=dict(text="Bob's text.", rag="red", note="Text updated."),
    )
    text = visible_text(reply)
    assert "Their changes kept" in text
    assert "Status Kept their change: Complete" in text
    assert "Lead officer Kept their change: Anne Wood" in text
    assert "Target date Kept their change: 30 September 2009" in text
    assert "Give a reason" not in text
    assert [(name, label) for name, _, label, _ in radios(reply)] == [
        ("choose_rag", "Keep theirs: Amber"),
        ("choose_rag", "Use yours: Red"),
        ("choose_text", "Keep theirs"),
        ("choose_text", "Use yours"),
    ]
    assert text.count("Only you changed this.") == 2
    assert "Workforce plan agreed." in text  # their text (unchanged since Bob loaded it)

    nothing = officers["Bob"].post(URL, page_form(reply))
    assert (
        re.findall(r"Choose whose [a-zA-Z ]+? to keep", visible_text(nothing))
        == [
            "Choose whose RAG rating to keep",
            "Choose whose response text to keep",
        ]
        * 2
    )  # in the summary and beside each

    saved = officers["Bob"].post(URL, {**page_form(reply), "choose_rag": "yours", "choose_text": "yours"})

    assert saved.status_code == 302
    assert state(response_24)[:6] == (
        Status.COMPLETE,
        "red",
        "Anne Wood",
        SEPTEMBER_30,
        "Bob's text.",
        "Minutes of March 2009.",
    )
    assert response_24.updates.order_by("-response_version").first().note == "Text updated."


def test_a_third_save_while_choosing_shows_the_conflict_again_against_the_newest(officers, response_24):
    conflict = page_form(anne_saves_then_bob_is_refused(officers))
    # Carol saves while Bob is choosing: the status to "Not started", nothing else.
    carol = officers["Carol"].post(
        URL, typed(loaded(officers["Carol"]), status=Status.NOT_STARTED, note="Reset.")
    )
    assert carol.status_code == 302
    after_carol = state(response_24)
    chosen = {f"choose_{name}": "theirs" for name in ("status", "rag", "lead_officer", "target_date", "text")}

    again = officers["Bob"].post(
        URL, {**conflict, **chosen, "choose_evidence": "yours", "note": "Bob, edited."}
    )

    assert again.status_code == 200
    text = visible_text(again)
    assert "Someone else saved another change to this response while you were choosing." in text
    assert state(response_24) == after_carol
    # Both saves since Bob loaded the form, oldest first, and the status against Carol's now.
    assert text.count("saved a change on") == 2
    assert text.index("Their note: Anne's note.") < text.index("Their note: Reset.")
    assert ("choose_status", "theirs", "Keep theirs: Not started", False) in radios(again)
    assert not any(checked for *_, checked in radios(again))  # chosen against Anne's: choose again
    form = page_form(again)
    assert (form["version"], form["note"].strip()) == (str(after_carol[6]), "Bob, edited.")

    chosen["choose_status"] = "yours"
    reply = officers["Bob"].post(URL, {**form, **chosen, "choose_evidence": "yours"})

    assert reply.status_code == 302
    assert state(response_24)[:7] == (
        Status.ONGOING,
        "green",
        "Anne Wood, Head of Safeguarding",
        SEPTEMBER_30,
        "Anne's text: the plan is in place.",
        "Bob's evidence: the vacancy list.",
        after_carol[6] + 1,
    )
    update = response_24.updates.get(response_version=after_carol[6] + 1)
    assert (update.status_before, update.status_after, update.note) == (
        Status.NOT_STARTED,
        Status.ONGOING,
        "Bob, edited.",
    )


def test_two_first_answers_to_an_unanswered_recommendation_are_chosen_between(officers):
    url = reverse("responses:edit", args=["darlington", 47])
    bobs_form = page_form(officers["Bob"].get(url))
    assert bobs_form["version"] == "0"
    anne = typed(page_form(officers["Anne"].get(url)), text="Anne's first answer.", note="First.")
    assert officers["Anne"].post(url, anne).status_code == 302

    reply = officers["Bob"].post(url, typed(bobs_form, text="Bob's first answer.", rag="amber", note="Mine."))

    # Neither changed the status from "Not started": nothing to choose there.
    assert [(name, label) for name, _, label, _ in radios(reply)] == [
        ("choose_rag", "Keep theirs: Not rated"),
        ("choose_rag", "Use yours: Amber"),
        ("choose_text", "Keep theirs"),
        ("choose_text", "Use yours"),
    ]
    saved = officers["Bob"].post(url, {**page_form(reply), "choose_rag": "yours", "choose_text": "theirs"})
    assert saved.status_code == 302
    response = LocalResponse.objects.get(authority__slug="darlington", recommendation__number=47)
    assert (response.text, response.rag, response.version) == ("Anne's first answer.", "amber", 2)
    assert list(response.updates.order_by("response_version").values_list("note", flat=True)) == [
        "First.",
        "Mine.",
    ]


@pytest.mark.parametrize(
    "spoilt",
    [
        {"loaded_version": "abc"},
        {"version": ""},
        {"loaded_version": "999"},  # ahead of the response: never loaded
        {"version": "999"},
        {"yours-status": "finished"},
        {"yours-target_date_month": "13"},
    ],
)
def test_a_conflict_page_whose_hidden_values_were_altered_saves_nothing(officers, response_24, spoilt):
    conflict = page_form(anne_saves_then_bob_is_refused(officers))
    before = state(response_24)
    chosen = {f"choose_{name}": "yours" for name in FIELDS}

    reply = officers["Bob"].post(URL, {**conflict, **chosen, **spoilt})

    assert reply.status_code == 400
    assert "The form could not be checked. Reload the page and try again" in visible_text(reply)
    assert state(response_24) == before


def test_a_form_from_a_version_the_response_never_had_is_refused_as_broken(officers, response_24):
    before = state(response_24)
    reply = officers["Bob"].post(URL, typed(loaded(officers["Bob"]), version=str(before[6] + 5), note="x"))
    assert reply.status_code == 200
    assert "The form could not be checked. Reload the page and try again" in visible_text(reply)
    assert "Choose what to keep" not in visible_text(reply)
    assert state(response_24) == before


def test_only_the_councils_officers_reach_the_conflict_page(client, officers, response_24, officer_newcastle):
    conflict = page_form(anne_saves_then_bob_is_refused(officers))
    before = state(response_24)
    client.force_login(officer_newcastle)
    chosen = {f"choose_{name}": "yours" for name in FIELDS}
    assert client.post(URL, {**conflict, **chosen}).status_code == 403
    assert state(response_24) == before
    assert ProgressUpdate.objects.filter(by=officer_newcastle).count() == 0


def test_when_their_saves_moved_the_target_date_twice_the_latest_reason_is_shown(officers, response_24):
    """Anne moves it to 30 September, then Carol to 31 December, while Bob has the form open: Bob's choice
    between their date and his names Carol's reason, the one for the date he would keep."""
    bobs_form = loaded(officers["Bob"])
    assert officers["Anne"].post(URL, typed(loaded(officers["Anne"]), **ANNE)).status_code == 302
    carol = dict(
        ANNE, target_date=DECEMBER_31, target_date_reason="The panel meets in December.", note="Carol."
    )
    assert officers["Carol"].post(URL, typed(loaded(officers["Carol"]), **carol)).status_code == 302
    reply = officers["Bob"].post(URL, typed(bobs_form, **dict(BOB, target_date=datetime.date(2010, 3, 31))))
    text = visible_text(reply)
    assert "Their reason for moving it: The panel meets in December." in text
    assert "Two social workers left in May." not in text
