"""Reminders: each officer's weekly digest of what needs attention in their council's responses, how
often it goes, stopping it from the mail, and the chairs' mail when a Cabinet report is issued.

A digest names each item by number and short title, links to its edit page, and carries no response
text. It is recorded only once the mail server has accepted it: a refused digest goes on the next run,
and a second run the same day sends nothing.
"""

import datetime
import re
import smtplib
import socket
import threading
import time
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core import mail, signing
from django.core.mail.backends import locmem
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from authorities import pdf
from authorities.models import Authority, CabinetReport, Meeting, Membership, Person
from recommendations.models import Recommendation, RecommendationPart
from responses.cabinet import services
from responses.models import LocalResponse, ReminderDigest, Status, end_of
from responses.reminders import send_digests, unsubscribe_token

from .conftest import load_reference_data_if_flushed, make_user
from .helpers import visible_text
from .test_concurrency import race
from .test_reports import MEETING_DAY, pdf_naming_its_html
from .worker import run_queued_tasks

SITE = "https://tracker.example.gov.uk"
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
# What Darlington has answered in the reference data (recommendation 2 it has not).
DARLINGTON_ANSWERS = {11, 18, 19, 24, 51, 52, 53, 54}


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE
    settings.REMINDER_INTERVAL_DAYS = 7


@pytest.fixture
def officer(officer_darlington):
    officer_darlington.email = "officer@darlington.example.gov.uk"
    officer_darlington.save()
    return officer_darlington


def title(number, letter=None):
    """ "Recommendation 24. Children's social work workforce", as the digest names it."""
    if letter:
        return (
            "Recommendation "
            + RecommendationPart.objects.get(recommendation__number=number, letter=letter).numbered_title
        )
    return "Recommendation " + Recommendation.objects.get(number=number).numbered_title


def darlington_response(number):
    return LocalResponse.objects.get(authority__slug="darlington", recommendation__number=number, part=None)


def set_darlington(number, **values):
    LocalResponse.objects.filter(authority__slug="darlington", recommendation__number=number).update(**values)


def nothing_to_report(slug):
    """The council's responses all up to date, with no target dates: only its unanswered ones remain."""
    LocalResponse.objects.filter(authority__slug=slug).update(
        updated_at=timezone.now() - DAY, target_date=None
    )


@pytest.fixture
def darlington_to_remind(darlington, officer):
    """Darlington's responses on each side of every rule: one past its target date, two due within 30
    days and one a day beyond, a settled one past its date; and updates 89 days, a minute either side
    of 90 days, and 91 days ago. Recommendation 2 is answered in part (a) alone."""
    now = timezone.now()
    nothing_to_report("darlington")
    set_darlington(24, target_date=TODAY - DAY, updated_at=now - datetime.timedelta(days=91))
    set_darlington(51, target_date=TODAY)  # due today: not yet past it
    set_darlington(52, target_date=TODAY + datetime.timedelta(days=30))
    set_darlington(11, target_date=TODAY + datetime.timedelta(days=31))
    set_darlington(53, target_date=TODAY - DAY)  # Ongoing: settled, so never overdue
    set_darlington(18, updated_at=now - datetime.timedelta(days=89))
    set_darlington(19, updated_at=now - datetime.timedelta(days=90) + datetime.timedelta(minutes=1))
    set_darlington(54, updated_at=now - datetime.timedelta(days=90) - datetime.timedelta(minutes=1))
    LocalResponse.objects.create(
        authority=darlington,
        recommendation=Recommendation.objects.get(number=2),
        part=RecommendationPart.objects.get(recommendation__number=2, letter="a"),
        text="Timescales agreed with the Children's Trust Board.",
        status=Status.IN_PROGRESS,
        updated_at=now,
    )
    assert darlington_response(53).status == Status.ONGOING
    return officer


def send_reminders(*args):
    """Run the command as cron does: what it printed, and the error it exited with (None if none)."""
    out = StringIO()
    try:
        call_command("send_reminders", *args, stdout=out)
    except CommandError as error:
        return out.getvalue(), str(error)
    return out.getvalue(), None


def sections(body):
    """{heading: [(title, link)]} from a digest's plain text: a heading "Past the target date (1)", then
    an item a line "- title" followed by its indented details, the last of them its link."""
    found, items = {}, None
    for line in body.splitlines():
        heading = re.fullmatch(r"([A-Z][^-].*) \((\d+)\)", line)
        if heading:
            items = found.setdefault(heading[1], [])
        elif line.startswith("- ") and items is not None:
            items.append([line[2:], None])
        elif line.startswith("  http") and items:
            items[-1][1] = line.strip()
        elif not line.strip():
            items = None
    return {heading: [tuple(item) for item in items] for heading, items in found.items()}


def edit_link(number, letter=None):
    if letter:
        return f"{SITE}/authorities/darlington/recommendations/{number}/parts/{letter}/edit/"
    return f"{SITE}/authorities/darlington/recommendations/{number}/edit/"


# What the digest lists


def test_an_officers_digest_lists_each_rule_by_number_and_short_title_with_links_to_edit_pages(
    darlington_to_remind, mailoutbox
):
    printed, failed = send_reminders()
    assert failed is None
    assert printed.splitlines()[-1] == (
        "Sent 1 digest; 0 failed; 0 people had nothing to report; 0 people had a digest in the last 7 days"
    )
    (digest,) = mailoutbox
    assert digest.to == ["officer@darlington.example.gov.uk"]
    assert digest.subject == "[Laming Tracker] Weekly summary for Darlington: responses that need attention"
    listed = sections(digest.body)
    assert listed["Past the target date"] == [(title(24), edit_link(24))]
    # The target date itself is due, not past; day 30 is in, day 31 out.
    assert listed["Due in the next 30 days"] == [(title(51), edit_link(51)), (title(52), edit_link(52))]
    # 89 days and a minute short of 90 are not stale; a minute past 90 days and 91 days are.
    assert listed["Not updated for 90 days"] == [(title(24), edit_link(24)), (title(54), edit_link(54))]
    # Recommendation 2 is answered part by part, so its other nine parts are named, not the whole.
    unanswered = []
    for number in range(1, 59):
        if number == 2:
            unanswered += [(title(2, letter), edit_link(2, letter)) for letter in "bcdefghij"]
        elif number not in DARLINGTON_ANSWERS:
            unanswered.append((title(number), edit_link(number)))
    assert listed["No response yet"] == unanswered
    assert len(unanswered) == 49 + 9
    assert "DARLINGTON BOROUGH COUNCIL" in digest.body
    assert f"In progress; target date {TODAY - DAY:%-d %B %Y}" in digest.body
    assert "Past the target date (1)" in digest.body and "No response yet (58)" in digest.body
    assert ReminderDigest.objects.get(user=darlington_to_remind).counts == {
        "darlington": {"overdue": 1, "due_soon": 2, "stale": 2, "unanswered": 58}
    }


def test_a_part_past_its_target_date_links_to_that_parts_edit_page(darlington_to_remind, mailoutbox):
    LocalResponse.objects.filter(authority__slug="darlington", recommendation__number=2).update(
        target_date=TODAY - DAY
    )
    send_reminders()
    (digest,) = mailoutbox
    assert sections(digest.body)["Past the target date"] == [
        (title(2, "a"), edit_link(2, "a")),
        (title(24), edit_link(24)),
    ]


def test_the_digest_names_titles_statuses_and_dates_but_never_a_responses_text(
    darlington_to_remind, mailoutbox
):
    response = darlington_response(24)
    send_reminders()
    (digest,) = mailoutbox
    (html, _type) = digest.alternatives[0]
    assert _type == "text/html"
    for body in (digest.body, html):
        assert "Children&#x27;s social work workforce" in body or "Children's social work workforce" in body
        assert response.text[:40] not in body
        assert "Timescales agreed" not in body
        assert edit_link(24) in body and edit_link(2, "b") in body
    # Every link in the mail is absolute.
    assert 'href="/' not in html


def test_an_officer_with_nothing_to_report_gets_no_mail(darlington, officer, mailoutbox):
    nothing_to_report("darlington")
    for number in range(1, 59):
        if number not in DARLINGTON_ANSWERS:
            LocalResponse.objects.create(
                authority=darlington,
                recommendation=Recommendation.objects.get(number=number),
                text="Answered.",
                updated_at=timezone.now(),
            )
    printed, _ = send_reminders()
    assert mailoutbox == []
    assert "Sent 0 digests; 0 failed; 1 person had nothing to report" in printed
    assert not ReminderDigest.objects.exists()


def test_only_active_officers_with_an_address_who_want_reminders_are_sent_one(
    darlington_to_remind, darlington, chair_darlington, clerk_darlington, mailoutbox
):
    for user in (chair_darlington, clerk_darlington):
        user.email = f"{user.username}@example.org"
        user.save()
    make_user(
        "officer.gone-darlington",
        darlington,
        Membership.Role.OFFICER,
        email="gone@example.org",
        is_active=False,
    )
    make_user("officer.no-address-darlington", darlington, Membership.Role.OFFICER)
    off = make_user("officer.off-darlington", darlington, Membership.Role.OFFICER, email="off@example.org")
    Person.objects.create(user=off, reminders=Person.Reminders.OFF)
    send_reminders()
    assert [message.to for message in mailoutbox] == [["officer@darlington.example.gov.uk"]]


def test_an_officer_of_two_councils_gets_one_digest_naming_each(darlington_to_remind, newcastle, mailoutbox):
    Membership.objects.create(user=darlington_to_remind, authority=newcastle, role=Membership.Role.OFFICER)
    send_reminders()
    (digest,) = mailoutbox
    assert digest.subject == (
        "[Laming Tracker] Weekly summary for Darlington and Newcastle: responses that need attention"
    )
    assert "DARLINGTON BOROUGH COUNCIL" in digest.body and "NEWCASTLE CITY COUNCIL" in digest.body
    assert f"{SITE}/authorities/newcastle/recommendations/" in digest.body
    assert set(ReminderDigest.objects.get().counts) == {"darlington", "newcastle"}


def test_a_dry_run_says_who_would_get_what_and_sends_nothing(darlington_to_remind, mailoutbox):
    printed, _ = send_reminders("--dry-run")
    assert printed.splitlines() == [
        "Would send officer.test-darlington <officer@darlington.example.gov.uk>: Darlington: 1 past the "
        "target date, 2 due in the next 30 days, 2 not updated for 90 days, 58 with no response yet",
        "Would send 1 digest; 0 people had nothing to report; 0 people had a digest in the last 7 days",
    ]
    assert mailoutbox == [] and not ReminderDigest.objects.exists()


# How often


def test_a_second_run_the_same_day_sends_nothing(darlington_to_remind, mailoutbox):
    send_reminders()
    printed, _ = send_reminders()
    assert len(mailoutbox) == 1
    assert ReminderDigest.objects.count() == 1
    assert printed.splitlines()[-1].endswith("1 person had a digest in the last 7 days")


@pytest.mark.parametrize(
    ("sent_at", "sends"),
    [
        (lambda: end_of(TODAY - 6 * DAY) - datetime.timedelta(seconds=1), False),
        (lambda: end_of(TODAY - 7 * DAY) - datetime.timedelta(seconds=1), True),
        (lambda: end_of(TODAY - 8 * DAY), True),
    ],
    ids=["6 days ago, just before midnight", "7 days ago, just before midnight", "7 days ago, just after"],
)
def test_the_next_digest_goes_seven_days_after_the_last_not_six(
    darlington_to_remind, mailoutbox, sent_at, sends
):
    """Counted in days, not hours: a digest sent late on a Monday does not hold up next Monday's."""
    ReminderDigest.objects.create(user=darlington_to_remind, sent_at=sent_at(), counts={})
    send_reminders()
    assert len(mailoutbox) == (1 if sends else 0)


def test_the_interval_is_a_setting(darlington_to_remind, mailoutbox, settings):
    settings.REMINDER_INTERVAL_DAYS = 1  # daily: one yesterday, and one today
    yesterday_evening = end_of(TODAY - DAY) - datetime.timedelta(hours=1)
    ReminderDigest.objects.create(user=darlington_to_remind, sent_at=yesterday_evening, counts={})
    send_reminders()
    send_reminders()
    assert len(mailoutbox) == 1


# When the mail server refuses


@pytest.fixture
def refusing_smtp_server(settings):
    """A real SMTP server on loopback that refuses every connection with 554, as a server that will
    not take mail does: Django's SMTP backend is pointed at it. Yields the count of connections."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    stop = threading.Event()
    connections = []

    def serve():
        while not stop.is_set():
            try:
                conversation, _ = listener.accept()
            except TimeoutError:
                continue
            with conversation:
                conversation.sendall(b"554 5.3.2 mail.example.gov.uk is not accepting mail\r\n")
                connections.append(1)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = listener.getsockname()
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield connections
    stop.set()
    thread.join(timeout=5)
    listener.close()


def test_a_digest_the_mail_server_refuses_is_not_recorded_and_goes_on_the_next_run(
    darlington_to_remind, refusing_smtp_server, settings, caplog
):
    printed, failed = send_reminders()
    assert refusing_smtp_server == [1]
    assert not ReminderDigest.objects.exists()
    assert printed.splitlines()[-1].startswith("Sent 0 digests; 1 failed;")
    assert (
        failed == "1 digest could not be sent: see the log above. They will be tried again on the next run."
    )
    assert "The reminder digest to officer.test-darlington was not sent" in caplog.text
    assert "SMTPConnectError" in caplog.text

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    printed, failed = send_reminders()
    assert failed is None and len(mail.outbox) == 1
    assert ReminderDigest.objects.filter(user=darlington_to_remind).count() == 1


REFUSED = "refused@newcastle.example.gov.uk"


class RefusesOneAddress(locmem.EmailBackend):
    """The test outbox, but a server that says the one address above does not exist."""

    def send_messages(self, messages):
        for message in messages:
            if REFUSED in message.to:
                raise smtplib.SMTPRecipientsRefused({REFUSED: (550, b"5.1.1 No such user")})
        return super().send_messages(messages)


def test_one_persons_refused_digest_does_not_stop_the_others(
    darlington_to_remind, newcastle, settings, mailoutbox
):
    refused = make_user("officer.refused-newcastle", newcastle, Membership.Role.OFFICER, email=REFUSED)
    settings.EMAIL_BACKEND = "tests.test_reminders.RefusesOneAddress"
    printed, failed = send_reminders()
    assert [message.to for message in mailoutbox] == [["officer@darlington.example.gov.uk"]]
    assert printed.splitlines()[-1].startswith("Sent 1 digest; 1 failed;")
    assert "Failed to send officer.refused-newcastle's digest" in printed
    assert failed.startswith("1 digest could not be sent")
    assert not ReminderDigest.objects.filter(user=refused).exists()
    assert ReminderDigest.objects.filter(user=darlington_to_remind).exists()


# Two runs at once


class SlowOutbox(locmem.EmailBackend):
    """The test outbox behind a slow server: long enough for a second run to catch up with the first."""

    def send_messages(self, messages):
        time.sleep(0.5)
        return super().send_messages(messages)


@pytest.mark.usefixtures("reference_data_put_back")
def test_two_runs_at_once_send_each_officer_one_digest(transactional_db, settings):
    assert connection.vendor == "postgresql", "the concurrency tests must run on PostgreSQL"
    load_reference_data_if_flushed()
    darlington = Authority.objects.get(slug="darlington")
    officer = make_user(
        "officer.race-darlington", darlington, Membership.Role.OFFICER, email="race@example.org"
    )
    settings.EMAIL_BACKEND = "tests.test_reminders.SlowOutbox"
    mail.outbox = []

    outcomes = race(lambda: send_digests(say=lambda line: None), lambda: send_digests(say=lambda line: None))
    assert [error for _, error in outcomes] == [None, None]
    assert sorted((outcome.sent, outcome.recent) for outcome, _ in outcomes) == [(0, 1), (1, 0)]
    assert len(mail.outbox) == 1
    assert ReminderDigest.objects.filter(user=officer).count() == 1


# Stopping reminders from the mail


def unsubscribe_path(digest):
    header = digest.extra_headers["List-Unsubscribe"]
    assert header.startswith(f"<{SITE}/reminders/unsubscribe/") and header.endswith("/>")
    return header[len(SITE) + 1 : -1]


def test_every_digest_has_one_click_unsubscribe_headers_and_links(darlington_to_remind, mailoutbox):
    send_reminders()
    (digest,) = mailoutbox
    assert digest.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    path = unsubscribe_path(digest)
    message = digest.message()
    assert message["List-Unsubscribe"] == f"<{SITE}{path}>"
    assert f"Stop these emails: {SITE}{path}" in digest.body
    assert f"Change how often you get it: {SITE}/account/" in digest.body


def test_opening_the_unsubscribe_link_changes_nothing_and_its_button_stops_the_digests(
    darlington_to_remind, mailoutbox
):
    send_reminders()
    path = unsubscribe_path(mailoutbox[0])
    browser = Client(enforce_csrf_checks=True)  # signed out, as a mail reader is
    page = browser.get(path)
    assert page.status_code == 200
    assert "Stop reminder emails" in visible_text(page)
    assert Person.of(darlington_to_remind).reminders == Person.Reminders.WEEKLY

    stopped = browser.post(path)
    assert stopped.status_code == 200
    assert "You have stopped reminder emails" in visible_text(stopped)
    assert Person.of(darlington_to_remind).reminders == Person.Reminders.OFF
    ReminderDigest.objects.all().delete()
    printed, _ = send_reminders()
    assert len(mailoutbox) == 1
    assert printed.splitlines()[-1].startswith("Sent 0 digests")


def test_a_mail_programs_one_click_post_unsubscribes_without_a_csrf_token(darlington_to_remind, mailoutbox):
    send_reminders()
    path = unsubscribe_path(mailoutbox[0])
    reply = Client(enforce_csrf_checks=True).post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert reply.status_code == 200
    assert Person.of(darlington_to_remind).reminders == Person.Reminders.OFF


@pytest.mark.parametrize(
    "token",
    [
        lambda user: unsubscribe_token(user)[:-2] + "xx",
        lambda user: signing.dumps(user.pk),  # signed, but not as an unsubscribe link
        lambda user: "not-a-token",
    ],
    ids=["altered", "another kind of signature", "nonsense"],
)
def test_an_altered_unsubscribe_link_is_refused_and_changes_nothing(officer, token):
    path = reverse("reminders_unsubscribe", args=[token(officer)])
    for method in ("get", "post"):
        reply = getattr(Client(), method)(path)
        assert reply.status_code == 400
        assert "This link to stop reminder emails is not valid" in visible_text(reply)
    assert Person.of(officer).reminders == Person.Reminders.WEEKLY


def test_an_unsubscribe_link_for_an_account_that_has_gone_is_refused(officer):
    path = reverse("reminders_unsubscribe", args=[unsubscribe_token(officer)])
    get_user_model().objects.filter(pk=officer.pk).delete()
    assert Client().post(path).status_code == 400


# Chairs told of an issued Cabinet report


@pytest.fixture
def draft(darlington, clerk_darlington):
    """A draft report of Darlington's to a Cabinet four weeks ahead, ready to issue."""
    return services.create_report(
        authority=darlington,
        by=clerk_darlington,
        title="Laming: progress in Darlington",
        new_meeting_kind=Meeting.Kind.CABINET,
        new_meeting_date=MEETING_DAY,
    )


@pytest.fixture
def chairs(chair_darlington, newcastle):
    chair_darlington.email = "chair@darlington.example.gov.uk"
    chair_darlington.save()
    make_user(
        "chair.test-newcastle", newcastle, Membership.Role.CHAIR, email="chair@newcastle.example.gov.uk"
    )
    # Darlington's former chair, whose account has been deactivated, and a chair with no address.
    make_user(
        "chair.former-darlington",
        chair_darlington.memberships.get().authority,
        Membership.Role.CHAIR,
        email="former.chair@darlington.example.gov.uk",
        is_active=False,
    )
    make_user(
        "chair.no-address-darlington", chair_darlington.memberships.get().authority, Membership.Role.CHAIR
    )
    return chair_darlington


def test_the_councils_chairs_are_mailed_once_when_its_report_is_issued(
    clerk_client, draft, chairs, officer, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(pdf, "html_to_pdf", pdf_naming_its_html)
    clerk_client.post(
        reverse("authorities:report_issue", args=["darlington", draft.pk]), {"version": draft.version}
    )
    assert mailoutbox == []  # the worker has not issued it yet
    with django_capture_on_commit_callbacks(execute=True):
        assert run_queued_tasks() == 1
    report = CabinetReport.objects.get(pk=draft.pk)
    assert report.status == CabinetReport.Status.ISSUED
    (notice,) = mailoutbox
    assert notice.to == ["chair@darlington.example.gov.uk"]
    assert notice.subject == "[Laming Tracker] Cabinet report issued: Laming: progress in Darlington"
    assert "Title: Laming: progress in Darlington" in notice.body
    assert f"Meeting: Darlington Cabinet, {draft.meeting.date:%-d %B %Y}" in notice.body
    assert f"Issued: {timezone.localdate(report.issued_at):%-d %B %Y}" in notice.body
    assert f"Read the report: {SITE}/authorities/darlington/reports/{report.pk}/" in notice.body
    assert f'href="{SITE}/authorities/darlington/reports/{report.pk}/"' in notice.alternatives[0][0]


def test_no_one_is_mailed_when_an_issue_is_rolled_back(
    draft, chairs, clerk_darlington, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    """As when the worker cannot finish the job it issued the report in: the issue rolls back with it."""
    monkeypatch.setattr(pdf, "html_to_pdf", pdf_naming_its_html)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.issue_report(report=draft, by=clerk_darlington, expected_version=draft.version)
        raise RuntimeError("the job could not be finished")
    assert callbacks == [] and mailoutbox == []
    assert CabinetReport.objects.get(pk=draft.pk).status == CabinetReport.Status.DRAFT


def test_no_one_is_mailed_when_an_issue_is_refused(
    draft, chairs, clerk_darlington, mailoutbox, django_capture_on_commit_callbacks
):
    CabinetReport.objects.filter(pk=draft.pk).update(director_name="")
    draft.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(services.ReportIncompleteError):
        services.issue_report(report=draft, by=clerk_darlington, expected_version=draft.version)
    assert mailoutbox == []


def test_a_chair_the_mail_server_refuses_is_logged_and_the_report_stays_issued(
    clerk_client, draft, chairs, monkeypatch, settings, caplog, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(pdf, "html_to_pdf", pdf_naming_its_html)
    monkeypatch.setattr("tests.test_reminders.REFUSED", "chair@darlington.example.gov.uk")
    settings.EMAIL_BACKEND = "tests.test_reminders.RefusesOneAddress"
    clerk_client.post(
        reverse("authorities:report_issue", args=["darlington", draft.pk]), {"version": draft.version}
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert run_queued_tasks() == 1
    report = CabinetReport.objects.get(pk=draft.pk)
    assert report.status == CabinetReport.Status.ISSUED
    assert report.pdf_jobs.get().state == "ready"
    assert f"Telling chair.test-darlington that Cabinet report {report.pk} was issued failed" in caplog.text
