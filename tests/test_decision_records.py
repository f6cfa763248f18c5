"""After a meeting the clerk records its decision in Stockton's format, read by all on screen or as a PDF."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from authorities import services as decisions
from authorities.models import Decision, Meeting
from responses.cabinet import services
from responses.cabinet.content import plural

from .helpers import visible_text
from .pdftools import pdf_info, pdf_outline, pdf_text, squeeze
from .worker import fetch_pdf

STOCKTON_SECTIONS = [
    "Title of Item/Report",
    "Record of the Decision",
    "Reasons for the Decision",
    "Alternative Options Considered and Rejected",
    "Declared (Cabinet Member) Conflicts of Interest",
    "Details of any Dispensations",
    "Date and Time by which Call In must be executed",
]


def stockton_url(name="authorities:decision"):
    return reverse(
        name, args=["stockton-on-tees", Meeting.objects.get(authority__slug="stockton-on-tees").pk]
    )


@pytest.fixture
def april_cabinet(darlington):
    """Darlington's Cabinet of 28 April 2009 (a Tuesday), which has no decision record."""
    return Meeting.objects.get(authority=darlington, date=datetime.date(2009, 4, 28))


def record_url(meeting, name="authorities:decision_record"):
    return reverse(name, args=[meeting.authority.slug, meeting.pk])


def decision_post(**changes):
    data = {
        "record": "Consideration was given to a report on Lord Laming's report.\n\nMembers discussed it.",
        "decisions": "The report be noted.\nA further report be received in the autumn.",
        "reasons": "To keep Members informed of the response to the recommendations.",
        "alternatives_rejected": "",
        "conflicts_of_interest": "",
        "dispensations": "Not Applicable",
        "published_on_day": "1",
        "published_on_month": "5",
        "published_on_year": "2009",
        "call_in_date_day": "8",
        "call_in_date_month": "5",
        "call_in_date_year": "2009",
    }
    data.update(changes)
    return data


def test_stocktons_decision_record_shows_every_section_of_the_seed(client, outsider):
    client.force_login(outsider)
    page = visible_text(client.get(stockton_url()))
    assert "Stockton-on-Tees Borough Council Cabinet Decision: 11 June 2009 Cabinet Decision Record" in page
    for heading in STOCKTON_SECTIONS:
        assert heading in page
    assert "Lord Laming's Progress Report: Protection of Children in England" in page
    assert (
        "1. Cabinet note Lord Laming’s findings and recommendations" in page
        or "Cabinet note Lord Laming’s findings and recommendations" in page
    )
    assert "Details of any Dispensations Not Applicable" in page
    assert "By Midnight, Friday, 19th June 2009" in page
    assert "Date of Publication: 16 June 2009" in page
    assert "Correct this record" not in page


def test_stocktons_decision_record_downloads_as_a_tagged_pdf_in_the_same_order(client, outsider):
    client.force_login(outsider)
    reply = fetch_pdf(client, stockton_url("authorities:decision_pdf"))
    assert 'filename="stockton-on-tees-decision-record-2009-06-11.pdf"' in reply["Content-Disposition"]
    info = pdf_info(reply.content)
    assert info["Tagged"] == "yes"
    assert info["Title"] == "Cabinet Decision Record: Stockton-on-Tees Cabinet, 11 June 2009"
    text = pdf_text(reply.content)
    positions = [text.index(heading) for heading in STOCKTON_SECTIONS]
    assert positions == sorted(positions)
    assert "1. Cabinet note Lord Laming’s findings" in text
    assert "2. Cabinet receive a further report" in text
    assert squeeze("By Midnight, Friday, 19th June 2009") in squeeze(text)
    assert "Date of Publication: 16 June 2009" in text
    assert pdf_outline(reply.content) == STOCKTON_SECTIONS


def test_clerk_records_a_decision_after_the_meeting(client, clerk_darlington, april_cabinet):
    client.force_login(clerk_darlington)
    reply = client.post(record_url(april_cabinet), decision_post())
    assert reply.status_code == 302
    assert reply["Location"] == record_url(april_cabinet, "authorities:decision")
    decision = Decision.objects.get(meeting=april_cabinet)
    assert decision.recorded_by == clerk_darlington
    assert decision.decision_lines() == [
        "The report be noted.",
        "A further report be received in the autumn.",
    ]
    assert decision.published_on == datetime.date(2009, 5, 1)
    london = zoneinfo.ZoneInfo("Europe/London")
    assert decision.call_in_deadline == datetime.datetime(2009, 5, 8, 23, 59, 59, tzinfo=london)
    assert decision.call_in_wording == "By midnight, Friday 8 May 2009"

    page = visible_text(client.get(reply["Location"]))
    assert "Darlington Borough Council Cabinet Decision: 28 April 2009" in page
    assert "The report be noted. A further report be received in the autumn." in page
    assert "Alternative Options Considered and Rejected Declared (Cabinet Member) Conflicts" in page
    assert "Date and Time by which Call In must be executed By midnight, Friday 8 May 2009" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"record": ""}, "Enter record of the decision"),
        ({"reasons": ""}, "Enter reasons for the decision"),
        (
            {"call_in_date_day": "", "call_in_date_month": "", "call_in_date_year": ""},
            "Enter the call-in deadline",
        ),
        (
            {"call_in_date_month": "4", "call_in_date_day": "28"},
            "Call-in deadline must be after the meeting, 28 April 2009",
        ),
        (
            {"call_in_date_month": "4", "call_in_date_day": "1"},
            "Call-in deadline must be after the meeting, 28 April 2009",
        ),
        ({"call_in_date_day": "1"}, "Call-in deadline must be after the date of publication"),
        (
            {"published_on_month": "4", "published_on_day": "27"},
            "Date of publication must be on or after the meeting",
        ),
        ({"published_on_day": "31", "published_on_month": "2"}, "Date of publication must be a real date"),
    ],
)
def test_the_decision_form_explains_each_problem_and_saves_nothing(
    client, clerk_darlington, april_cabinet, changes, message
):
    client.force_login(clerk_darlington)
    reply = client.post(record_url(april_cabinet), decision_post(**changes))
    assert reply.status_code == 200
    page = visible_text(reply)
    assert "There is a problem" in page
    assert message in page
    assert not Decision.objects.filter(meeting=april_cabinet).exists()


def test_a_decision_cannot_be_recorded_before_the_meeting_has_taken_place(
    client, clerk_darlington, darlington
):
    future = Meeting.objects.create(
        authority=darlington,
        kind=Meeting.Kind.CABINET,
        date=datetime.date.today() + datetime.timedelta(days=7),
        report_title="Next month",
    )
    client.force_login(clerk_darlington)
    day = future.date + datetime.timedelta(days=1)
    reply = client.post(
        record_url(future),
        decision_post(
            published_on_day=str(future.date.day),
            published_on_month=str(future.date.month),
            published_on_year=str(future.date.year),
            call_in_date_day=str(day.day),
            call_in_date_month=str(day.month),
            call_in_date_year=str(day.year),
        ),
    )
    assert "record its decision once it has taken place" in visible_text(reply)
    assert not Decision.objects.filter(meeting=future).exists()


def test_a_published_decision_record_cannot_be_changed(client, clerk_darlington, request):
    meeting = Meeting.objects.get(authority__slug="stockton-on-tees")
    before = Decision.objects.filter(meeting=meeting).values().get()
    clerk = request.getfixturevalue("administrator")
    client.force_login(clerk)
    for reply in (client.get(record_url(meeting)), client.post(record_url(meeting), decision_post())):
        assert reply.status_code == 302
        assert reply["Location"] == record_url(meeting, "authorities:decision")
    assert Decision.objects.filter(meeting=meeting).values().get() == before
    with pytest.raises(decisions.DecisionPublishedError):
        decisions.record_decision(
            meeting=meeting,
            by=clerk,
            record="x",
            decisions="y",
            reasons="z",
            alternatives_rejected="",
            conflicts_of_interest="",
            dispensations="",
            call_in_date=datetime.date(2009, 6, 19),
            published_on=datetime.date(2009, 6, 16),
        )


def test_a_record_not_yet_published_can_be_corrected(client, clerk_darlington, april_cabinet):
    client.force_login(clerk_darlington)
    later = datetime.date.today() + datetime.timedelta(days=3)
    call_in = later + datetime.timedelta(days=3)
    dates = {
        "published_on_day": str(later.day),
        "published_on_month": str(later.month),
        "published_on_year": str(later.year),
        "call_in_date_day": str(call_in.day),
        "call_in_date_month": str(call_in.month),
        "call_in_date_year": str(call_in.year),
    }
    client.post(record_url(april_cabinet), decision_post(**dates))
    page = visible_text(client.get(record_url(april_cabinet, "authorities:decision")))
    assert "This record is not yet published" in page
    assert "Correct this record" in page
    form = visible_text(client.get(record_url(april_cabinet)))
    assert "Correct the decision record" in form
    client.post(record_url(april_cabinet), decision_post(reasons="Corrected reasons.", **dates))
    assert Decision.objects.get(meeting=april_cabinet).reasons == "Corrected reasons."


def test_a_meeting_without_a_decision_has_no_record_to_show(client, outsider, april_cabinet):
    client.force_login(outsider)
    assert client.get(record_url(april_cabinet, "authorities:decision")).status_code == 404
    assert client.get(record_url(april_cabinet, "authorities:decision_pdf")).status_code == 404


def test_the_decisions_are_suggested_from_the_report_issued_to_the_meeting(
    client, clerk_darlington, darlington, april_cabinet
):
    report = services.create_report(
        authority=darlington, by=clerk_darlington, title="April", meeting=april_cabinet
    )
    services.issue_report(report=report, by=clerk_darlington, expected_version=report.version)
    client.force_login(clerk_darlington)
    form = client.get(record_url(april_cabinet)).content.decode()
    assert "The report be noted;\nMembers receive a further report on the recommendations" in form
    client.post(record_url(april_cabinet), decision_post())
    page = visible_text(client.get(record_url(april_cabinet, "authorities:decision")))
    assert "Report considered: April, issued" in page


@pytest.mark.parametrize("persona", ["officer_newcastle", "chair_darlington", "outsider"])
def test_people_who_may_not_prepare_darlingtons_papers_cannot_record_its_decisions(
    client, request, april_cabinet, persona
):
    client.force_login(request.getfixturevalue(persona))
    assert client.post(record_url(april_cabinet), decision_post()).status_code == 403
    assert not Decision.objects.filter(meeting=april_cabinet).exists()


def test_a_signed_out_post_is_sent_to_sign_in_and_records_nothing(client, april_cabinet):
    reply = client.post(record_url(april_cabinet), decision_post())
    assert reply.status_code == 302 and reply["Location"].startswith(reverse("login"))
    assert not Decision.objects.filter(meeting=april_cabinet).exists()


def test_a_meeting_of_another_council_is_not_found_under_this_one(client, clerk_darlington):
    client.force_login(clerk_darlington)
    stockton = Meeting.objects.get(authority__slug="stockton-on-tees")
    assert (
        client.get(reverse("authorities:decision_record", args=["darlington", stockton.pk])).status_code
        == 404
    )
    assert client.get(reverse("authorities:decision", args=["darlington", stockton.pk])).status_code == 404


def test_the_admin_cannot_change_a_published_decision_record(client, administrator):
    decision = Decision.objects.get(meeting__authority__slug="stockton-on-tees")
    assert decision.is_published
    client.force_login(administrator)
    page = client.get(reverse("admin:authorities_meeting_change", args=[decision.meeting.pk]))
    assert page.status_code == 200
    assert b'name="decision-0-reasons"' not in page.content


def test_an_empty_post_to_record_a_decision_shows_the_errors_and_records_nothing(
    client, clerk_darlington, april_cabinet
):
    client.force_login(clerk_darlington)
    reply = client.post(record_url(april_cabinet), {})
    assert reply.status_code == 200
    assert "There is a problem" in visible_text(reply)
    assert not Decision.objects.filter(meeting=april_cabinet).exists()


def test_a_published_record_offers_its_clerk_no_correction(db, client):
    """Stockton's record was published on 16 June 2009: final, so not even its clerk is offered a change."""
    from authorities.models import Authority, Membership

    from .conftest import make_user

    clerk = make_user(
        "clerk.test-stockton", Authority.objects.get(slug="stockton-on-tees"), Membership.Role.CLERK
    )
    client.force_login(clerk)
    assert "Correct this record" not in visible_text(client.get(stockton_url()))


def test_a_decision_can_be_recorded_on_the_day_of_the_meeting_but_not_the_day_before(
    client, clerk_darlington, darlington
):
    today = timezone.localdate()
    client.force_login(clerk_darlington)
    for day, offered in ((today, True), (today + datetime.timedelta(days=1), False)):
        meeting = Meeting.objects.create(
            authority=darlington, kind=Meeting.Kind.CABINET, date=day, report_title=f"Meeting of {day}"
        )
        page = client.get(reverse("authorities:reports", args=["darlington"])).content.decode()
        assert (reverse("authorities:decision_record", args=["darlington", meeting.pk]) in page) is offered, (
            day
        )


def test_a_plural_says_none_as_zero_things():
    assert (plural(0, "response"), plural(1, "response"), plural(2, "response")) == (
        "0 responses",
        "1 response",
        "2 responses",
    )


@pytest.mark.parametrize("published_day", [28, 29])
def test_a_decision_published_on_the_day_of_the_meeting_or_after_it_is_saved(
    client, clerk_darlington, april_cabinet, published_day
):
    """The day before the meeting is refused (above); the meeting's own day and the day after are not."""
    client.force_login(clerk_darlington)
    reply = client.post(
        record_url(april_cabinet), decision_post(published_on_month="4", published_on_day=str(published_day))
    )
    assert reply.status_code == 302, visible_text(reply)
    assert Decision.objects.get(meeting=april_cabinet).published_on == datetime.date(2009, 4, published_day)
