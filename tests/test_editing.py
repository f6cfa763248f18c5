"""Officers keep their own council's responses up to date; every save leaves a progress update."""

import datetime

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from authorities.models import Authority, Membership
from responses.forms import ResponseForm
from responses.models import LocalResponse, ProgressUpdate, Status
from responses.services import record_progress

from .conftest import make_user
from .helpers import visible_text


def edit_url(slug, number, letter=None):
    if letter:
        return reverse("responses:edit_part", args=[slug, number, letter])
    return reverse("responses:edit", args=[slug, number])


def form_data(response=None, **changes):
    """What the edit form would post: the response as it stands, with the given changes."""
    data = {
        "text": response.text if response else "Our response.",
        "status": response.status if response else Status.NOT_STARTED,
        "rag": response.rag if response else "",
        "lead_officer": response.lead_officer if response else "",
        "target_date_day": str(response.target_date.day) if response and response.target_date else "",
        "target_date_month": str(response.target_date.month) if response and response.target_date else "",
        "target_date_year": str(response.target_date.year) if response and response.target_date else "",
        "target_date_reason": "",
        "evidence": response.evidence if response else "",
        "note": "Reviewed.",
        "version": str(response.version) if response else "0",
    }
    data.update(changes)
    return data


def darlington_response(number, letter=None):
    return LocalResponse.objects.get(
        authority__slug="darlington", recommendation__number=number, part__letter=letter
    )


JUNE_30 = datetime.date(2009, 6, 30)


def darlington_24_due_30_june_2009():
    """Darlington's response to 24 with a target date of 30 June 2009, as if an officer had set it.
    (The reference data gives it none: the report's "by June 2009" is for Darlington's own staffing.)"""
    LocalResponse.objects.filter(authority__slug="darlington", recommendation__number=24).update(
        target_date=JUNE_30, original_target_date=JUNE_30
    )
    return darlington_response(24)


def snapshot(response):
    response.refresh_from_db()
    return (
        response.text,
        response.status,
        response.rag,
        response.target_date,
        response.version,
        response.updates.count(),
    )


def test_officer_records_a_status_change_that_shows_on_the_timeline_and_the_recommendation_page(
    officer_client, officer_darlington
):
    response = darlington_response(51)
    before_status = response.get_status_display()
    reply = officer_client.post(
        edit_url("darlington", 51),
        form_data(response, status=Status.COMPLETE, rag="green", note="Independent LSCB chair appointed."),
    )
    assert reply.status_code == 302
    assert reply["Location"] == reverse("responses:detail", args=["darlington", 51])

    response.refresh_from_db()
    assert response.status == Status.COMPLETE
    assert response.updated_by == officer_darlington
    update = response.updates.timeline().first()
    assert (update.status_before, update.status_after) == (Status.IN_PROGRESS, Status.COMPLETE)
    assert (update.rag_before, update.rag_after) == ("", "green")
    assert update.by == officer_darlington
    assert update.dated == datetime.date.today()

    timeline = visible_text(officer_client.get(reverse("responses:detail", args=["darlington", 51])))
    assert "Your update to recommendation 51. Separate chairs for Trust and LSCB has been saved." in timeline
    assert f"Status: {before_status} to Complete" in timeline
    assert "Independent LSCB chair appointed." in timeline
    # Newest first: today's entry comes before the one taken from the 2009 report.
    entries = timeline[timeline.index("Progress timeline") :]
    assert entries.index("Independent LSCB chair appointed.") < entries.index("main report paragraphs")

    overview = visible_text(officer_client.get(reverse("recommendations:detail", args=[51])))
    darlington_part = overview[overview.index("Darlington Borough Council") :]
    assert darlington_part.index("Complete") < darlington_part.index("Newcastle City Council")
    assert "Green" in darlington_part


def test_officer_cannot_open_or_post_another_councils_edit_page(officer_client):
    response = LocalResponse.objects.get(authority__slug="newcastle", recommendation__number=51)
    before = snapshot(response)
    assert officer_client.get(edit_url("newcastle", 51)).status_code == 403
    reply = officer_client.post(edit_url("newcastle", 51), form_data(response, text="Overwritten"))
    assert reply.status_code == 403
    assert snapshot(response) == before


@pytest.mark.parametrize("persona", ["chair_darlington", "clerk_darlington", "outsider"])
def test_people_who_are_not_officers_cannot_edit(db, client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    response = darlington_response(51)
    before = snapshot(response)
    assert client.get(edit_url("darlington", 51)).status_code == 403
    assert client.post(edit_url("darlington", 51), form_data(response, text="Changed")).status_code == 403
    assert snapshot(response) == before


def test_administrator_can_update_any_council(client, administrator):
    client.force_login(administrator)
    response = LocalResponse.objects.get(authority__slug="newcastle", recommendation__number=51)
    reply = client.post(edit_url("newcastle", 51), form_data(response, note="Corrected by admin."))
    assert reply.status_code == 302
    assert response.updates.filter(note="Corrected by admin.", by=administrator).exists()


# A save refused because someone else saved first: tests/test_edit_conflicts.py.


def test_moving_the_target_date_needs_a_reason_and_keeps_the_original(officer_client):
    response = darlington_24_due_30_june_2009()
    assert response.target_date == datetime.date(2009, 6, 30)
    moved = form_data(response, target_date_day="30", target_date_month="9", target_date_year="2009")
    reply = officer_client.post(edit_url("darlington", 24), moved)
    assert "Give a reason for moving the target date from 30 June 2009" in visible_text(reply)
    assert snapshot(response)[3] == datetime.date(2009, 6, 30)

    moved["target_date_reason"] = "Two agency social workers left in May."
    assert officer_client.post(edit_url("darlington", 24), moved).status_code == 302
    response.refresh_from_db()
    assert response.target_date == datetime.date(2009, 9, 30)
    assert response.original_target_date == datetime.date(2009, 6, 30)
    timeline = visible_text(officer_client.get(reverse("responses:detail", args=["darlington", 24])))
    assert (
        "Target date moved from 30 June 2009 to 30 September 2009: Two agency social workers left in May."
        in (timeline)
    )
    assert "originally 30 June 2009" in timeline


def test_officer_records_a_first_response_to_an_unanswered_recommendation(officer_client):
    assert not LocalResponse.objects.filter(authority__slug="darlington", recommendation__number=47).exists()
    page = officer_client.get(edit_url("darlington", 47))
    assert "has not recorded a response to this recommendation yet" in visible_text(page)
    reply = officer_client.post(
        edit_url("darlington", 47),
        form_data(text="A matter for Ofsted; we will ask for the reports.", status=Status.PARTNER_AGENCY),
    )
    assert reply.status_code == 302
    response = darlington_response(47)
    assert response.version == 1
    update = response.updates.get()
    assert (update.status_before, update.status_after) == ("", Status.PARTNER_AGENCY)


def test_officer_answers_a_lettered_part(client, db):
    officer = make_user(
        "officer.test-cb", Authority.objects.get(slug="central-bedfordshire"), Membership.Role.OFFICER
    )
    client.force_login(officer)
    response = LocalResponse.objects.get(
        authority__slug="central-bedfordshire", recommendation__number=2, part__letter="c"
    )
    reply = client.post(edit_url("central-bedfordshire", 2, "c"), form_data(response, status=Status.COMPLETE))
    assert reply.status_code == 302
    assert reply["Location"].endswith("#part-c")
    response.refresh_from_db()
    assert response.status == Status.COMPLETE
    other_part = LocalResponse.objects.get(
        authority__slug="central-bedfordshire", recommendation__number=2, part__letter="d"
    )
    assert other_part.status != Status.COMPLETE
    assert client.get(edit_url("central-bedfordshire", 2, "z")).status_code == 404
    assert client.get(edit_url("central-bedfordshire", 51, "a")).status_code == 404


def test_forged_council_and_recommendation_in_the_post_are_ignored(officer_client):
    response = darlington_response(51)
    newcastle = LocalResponse.objects.get(authority__slug="newcastle", recommendation__number=51)
    newcastle_before = snapshot(newcastle)
    forged = form_data(
        response,
        text="Darlington only.",
        authority="newcastle",
        authority_id=str(newcastle.authority_id),
        recommendation="52",
        part="3",
    )
    assert officer_client.post(edit_url("darlington", 51), forged).status_code == 302
    response.refresh_from_db()
    assert response.text == "Darlington only."
    assert snapshot(newcastle) == newcastle_before


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"text": "   "}, "Enter the council's response"),
        ({"note": ""}, "Enter a progress note saying what has changed"),
        ({"text": "x" * 10_001}, "Local response must be 10,000 characters or fewer"),
        ({"lead_officer": "x" * 151}, "Lead officer must be 150 characters or fewer"),
        ({"status": "finished"}, "Select a delivery status from the list"),
        ({"status": ""}, "Select a delivery status"),
        ({"rag": "purple"}, "Select a RAG rating from the list"),
        (
            {"target_date_day": "31", "target_date_month": "2", "target_date_year": "2010"},
            "Target date must be a real date",
        ),
        (
            {"target_date_day": "1", "target_date_month": "", "target_date_year": "2010"},
            "must include a month",
        ),
        (
            {"target_date_day": "1", "target_date_month": "4", "target_date_year": "1999"},
            "between 2009 and 2100",
        ),
        (
            {"target_date_day": "one", "target_date_month": "4", "target_date_year": "2010"},
            "must be a real date",
        ),
        ({"version": "abc"}, "The form could not be checked. Reload the page and try again"),
        ({"text": "bad\x00text"}, "Null characters are not allowed."),
    ],
)
def test_bad_input_shows_an_error_summary_and_changes_nothing(officer_client, changes, message):
    response = darlington_response(51)
    before = snapshot(response)
    reply = officer_client.post(edit_url("darlington", 51), form_data(response, **changes))
    assert reply.status_code == 200
    text = visible_text(reply)
    assert "There is a problem" in text
    assert message in text
    assert snapshot(response) == before


def test_a_form_without_a_csrf_token_is_refused(client, officer_darlington):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(officer_darlington)
    response = darlington_response(51)
    before = snapshot(response)
    assert (
        csrf_client.post(edit_url("darlington", 51), form_data(response, text="No token")).status_code == 403
    )
    assert snapshot(response) == before


def test_officer_home_page_lists_what_needs_doing_next_with_edit_links(officer_client):
    page = officer_client.get(reverse("home"))
    text = visible_text(page)
    html = page.content.decode()
    assert "What Darlington needs to do next" in text
    # Darlington's report gives no target date for any recommendation (its "by June 2009" is for its
    # own staffing), so nothing is past its target date until an officer sets one.
    assert "Past their target date (0)" in text
    darlington_24_due_30_june_2009()
    page = officer_client.get(reverse("home"))
    text = visible_text(page)
    html = page.content.decode()
    assert "Past their target date (1)" in text
    assert edit_url("darlington", 24) in html
    unanswered = 58 - LocalResponse.objects.filter(authority__slug="darlington").count()
    assert f"No response yet ({unanswered})" in text
    assert edit_url("darlington", 47) in html
    awaiting = LocalResponse.objects.filter(
        authority__slug="darlington", status=Status.AWAITING_NATIONAL
    ).count()
    assert f"Awaiting national guidance or action ({awaiting})" in text
    stale = LocalResponse.objects.filter(authority__slug="darlington").count()
    assert f"Not updated for 90 days ({stale})" in text


def test_a_fresh_update_leaves_the_not_updated_list(officer_client):
    response = darlington_response(53)
    officer_client.post(edit_url("darlington", 53), form_data(response, note="Annual report published."))
    text = visible_text(officer_client.get(reverse("home")))
    stale = LocalResponse.objects.filter(authority__slug="darlington").count() - 1
    assert f"Not updated for 90 days ({stale})" in text


def test_chair_home_page_shows_where_the_council_stands_without_edit_links(client, chair_darlington):
    client.force_login(chair_darlington)
    page = client.get(reverse("home"))
    assert "Where Darlington stands" in visible_text(page)
    assert "/edit/" not in page.content.decode()


def test_response_page_offers_the_edit_button_only_to_those_who_may_edit(
    client, officer_darlington, officer_newcastle
):
    url = reverse("responses:detail", args=["darlington", 51])
    client.force_login(officer_darlington)
    assert edit_url("darlington", 51) in client.get(url).content.decode()
    client.force_login(officer_newcastle)
    assert edit_url("darlington", 51) not in client.get(url).content.decode()


def test_progress_update_count_grows_by_one_per_save(officer_client):
    count = ProgressUpdate.objects.count()
    response = darlington_response(51)
    officer_client.post(edit_url("darlington", 51), form_data(response))
    assert ProgressUpdate.objects.count() == count + 1


# The rule for moving a target date, on both sides of its boundary: the form words it, the service
# enforces it, and both ask responses.models.target_move_problem.


@pytest.mark.parametrize(
    ("new_date", "needs_reason"),
    [
        (datetime.date(2009, 6, 29), True),  # a day earlier
        (JUNE_30, False),  # unchanged
        (datetime.date(2009, 7, 1), True),  # a day later
        (None, True),  # cleared
    ],
)
def test_the_service_refuses_a_moved_target_date_without_a_reason(
    db, officer_darlington, new_date, needs_reason
):
    response = darlington_24_due_30_june_2009()
    assert response.target_date == JUNE_30
    before = snapshot(response)

    def save(reason):
        return record_progress(
            authority=response.authority,
            recommendation=response.recommendation,
            part=None,
            by=officer_darlington,
            expected_version=response.version,
            text=response.text,
            status=response.status,
            rag=response.rag,
            lead_officer=response.lead_officer,
            target_date=new_date,
            target_date_reason=reason,
            evidence=response.evidence,
            note="Checked.",
        )

    if needs_reason:
        with pytest.raises(ValidationError) as refused:
            save("   ")  # spaces are no reason
        assert refused.value.message_dict == {
            "target_date_reason": ["Give a reason for moving the target date from 30 June 2009"]
        }
        assert snapshot(response) == before
        save("Staff left.")
    else:
        save("")
    assert snapshot(response)[3] == new_date
    assert snapshot(response)[4] == before[4] + 1


def test_setting_the_first_target_date_needs_no_reason(officer_client):
    response = darlington_response(51)
    assert response.target_date is None
    first = form_data(response, target_date_day="31", target_date_month="3", target_date_year="2010")
    assert officer_client.post(edit_url("darlington", 51), first).status_code == 302
    assert snapshot(response)[3] == datetime.date(2010, 3, 31)


def test_a_move_the_form_let_through_is_refused_on_the_form_not_with_a_server_error(
    officer_client, monkeypatch
):
    monkeypatch.setattr(ResponseForm, "clean", forms.Form.clean)  # as if the form forgot the rule
    response = darlington_24_due_30_june_2009()
    before = snapshot(response)
    moved = form_data(response, target_date_day="1", target_date_month="7", target_date_year="2009")
    reply = officer_client.post(edit_url("darlington", 24), moved)
    assert reply.status_code == 200
    assert "Give a reason for moving the target date from 30 June 2009" in visible_text(reply)
    assert snapshot(response) == before
