"""No lost updates: two saves based on the same version, made at the same moment, on PostgreSQL.

Each save runs in its own thread with its own database connection, so the row lock in
record_progress (SELECT ... FOR UPDATE) and the unique constraints are what stand between the two
officers; for a Cabinet report, the row locks in update_report and issue_report stand between two
clerks, and between an edit and the issue. These tests commit for real (transaction=True), so they
load the reference data themselves: the flush after a transactional test empties every table.
"""

import contextlib
import datetime
import hashlib
import re
import threading
import time
from functools import partial

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse

from authorities import pdf
from authorities.models import Authority, CabinetReport, Meeting, Membership
from recommendations.models import Recommendation
from responses.cabinet import services as cabinet
from responses.models import Assurance, LocalResponse, ProgressUpdate, Status
from responses.services import StaleResponseError, record_progress

from .conftest import load_reference_data_if_flushed, make_user

ROUNDS = 5

pytestmark = pytest.mark.usefixtures("reference_data_put_back")


@pytest.fixture
def reference_data(transactional_db):
    # On SQLite the whole database is locked for each write, so the race would pass vacuously.
    assert connection.vendor == "postgresql", "the concurrency tests must run on PostgreSQL"
    load_reference_data_if_flushed()


@pytest.fixture
def darlington_officers(reference_data):
    darlington = Authority.objects.get(slug="darlington")
    return [
        make_user(
            f"officer.race-{n}-darlington", darlington, Membership.Role.OFFICER, first_name=f"Officer {n}"
        )
        for n in (1, 2)
    ]


def race(*calls):
    """Run each call in its own thread and connection, released together; (returned, raised) for each."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            connection.ensure_connection()  # connect first, so that neither starts late
            barrier.wait(timeout=10)
            outcomes[index] = (call(), None)
        except BaseException as error:  # whatever it was, the test looks at it
            outcomes[index] = (None, error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), (
        "a save never finished: a lock was never released"
    )
    return outcomes


def save(*, authority, recommendation, by, expected_version, text, note):
    return lambda: record_progress(
        authority=authority,
        recommendation=recommendation,
        part=None,
        by=by,
        expected_version=expected_version,
        text=text,
        status="in_progress",
        rag="amber",
        lead_officer="",
        target_date=None,
        target_date_reason="",
        evidence="",
        note=note,
    )


def one_winner(outcomes):
    """The index of the one call that returned; the other must have been refused as stale."""
    winners = [index for index, (_, raised) in enumerate(outcomes) if raised is None]
    losers = [raised for _, raised in outcomes if raised is not None]
    assert len(winners) == 1, f"expected exactly one save to go through, got {outcomes}"
    assert len(losers) == 1
    assert isinstance(losers[0], StaleResponseError), (
        f"the loser raised {losers[0]!r}, not StaleResponseError"
    )
    return winners[0], losers[0]


@pytest.mark.django_db(transaction=True)
def test_two_saves_of_the_same_version_at_once_keep_one_and_refuse_the_other(darlington_officers):
    darlington = Authority.objects.get(slug="darlington")
    recommendation = Recommendation.objects.get(number=51)
    for round_ in range(ROUNDS):
        response = LocalResponse.objects.get(authority=darlington, recommendation=recommendation, part=None)
        version = response.version
        updates = list(response.updates.values_list("pk", flat=True))
        texts = [f"Round {round_}: text from officer {n}." for n in (1, 2)]
        notes = [f"Round {round_}: note from officer {n}." for n in (1, 2)]

        outcomes = race(
            *[
                save(
                    authority=darlington,
                    recommendation=recommendation,
                    by=officer,
                    expected_version=version,
                    text=text,
                    note=note,
                )
                for officer, text, note in zip(darlington_officers, texts, notes, strict=True)
            ]
        )

        winner, stale = one_winner(outcomes)
        response.refresh_from_db()
        assert response.version == version + 1
        assert response.text == texts[winner]
        assert response.updated_by == darlington_officers[winner]
        assert stale.current is not None and stale.current.version == version + 1
        new_updates = list(response.updates.exclude(pk__in=updates))
        assert len(new_updates) == 1, f"round {round_}: {len(new_updates)} progress updates written"
        assert new_updates[0].note == notes[winner]
        assert new_updates[0].by == darlington_officers[winner]
        assert new_updates[0].response_version == version + 1


@pytest.mark.django_db(transaction=True)
def test_two_first_answers_to_an_unanswered_recommendation_at_once_create_one_response(darlington_officers):
    darlington = Authority.objects.get(slug="darlington")
    # One unanswered recommendation a round: once answered it is no longer a first answer.
    unanswered = list(Recommendation.objects.unanswered_by(darlington)[:ROUNDS])
    assert len(unanswered) == ROUNDS and unanswered[0].number == 1
    for recommendation in unanswered:
        updates = ProgressUpdate.objects.count()
        texts = [f"First answer to {recommendation.number} from officer {n}." for n in (1, 2)]

        outcomes = race(
            *[
                save(
                    authority=darlington,
                    recommendation=recommendation,
                    by=officer,
                    expected_version=0,
                    text=text,
                    note="First response recorded.",
                )
                for officer, text in zip(darlington_officers, texts, strict=True)
            ]
        )

        assert not any(isinstance(raised, IntegrityError) for _, raised in outcomes)
        winner, stale = one_winner(outcomes)
        responses = LocalResponse.objects.filter(authority=darlington, recommendation=recommendation)
        assert responses.count() == 1
        (response,) = responses
        assert response.text == texts[winner]
        assert response.version == 1
        assert stale.current is not None and stale.current.pk == response.pk
        assert ProgressUpdate.objects.count() == updates + 1
        assert response.updates.get().by == darlington_officers[winner]


def loaded_version(client, url):
    """The version the edit form hands out, as a browser would post it back."""
    page = client.get(url)
    assert page.status_code == 200
    return re.search(r'name="version" value="(\d+)"', page.content.decode()).group(1)


def web_save(client, url, version, text):
    return lambda: client.post(
        url,
        {
            "text": text,
            "status": "in_progress",
            "rag": "amber",
            "note": f"Saved by {text}",
            "version": version,
        },
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("number, rounds", [(51, 3), (48, 1)], ids=["answered", "unanswered"])
def test_two_officers_saving_the_same_form_at_once_get_one_save_and_one_warning(
    darlington_officers, number, rounds
):
    url = reverse("responses:edit", args=["darlington", number])
    detail = reverse("responses:detail", args=["darlington", number])
    browsers = []
    for officer in darlington_officers:
        browser = Client()
        browser.force_login(officer)
        browsers.append(browser)
    for round_ in range(rounds):
        updates = ProgressUpdate.objects.count()
        versions = [loaded_version(browser, url) for browser in browsers]
        assert versions[0] == versions[1]
        texts = [f"round {round_}, officer {n}" for n in (1, 2)]

        outcomes = race(*[web_save(b, url, versions[0], t) for b, t in zip(browsers, texts, strict=True)])

        assert all(raised is None for _, raised in outcomes), outcomes
        pages = [page for page, _ in outcomes]
        assert sorted(page.status_code for page in pages) == [200, 302]
        winner = next(index for index, page in enumerate(pages) if page.status_code == 302)
        loser = pages[1 - winner]
        assert pages[winner]["Location"] == detail
        assert "Someone else saved a change" in loser.content.decode()
        assert "There is a problem" in loser.content.decode()
        assert texts[1 - winner] in loser.content.decode()  # the loser's text is kept for them
        assert ProgressUpdate.objects.count() == updates + 1
        response = LocalResponse.objects.get(authority__slug="darlington", recommendation__number=number)
        assert response.text == texts[winner]
        assert response.version == int(versions[0]) + 1


def test_the_database_refuses_to_change_or_delete_a_progress_update(db):
    """Even raw SQL, which goes round the model and its manager, cannot rewrite the audit trail."""
    assert connection.vendor == "postgresql", "the audit trail's trigger exists only on PostgreSQL"
    update = ProgressUpdate.objects.order_by("pk").first()
    before = ProgressUpdate.objects.filter(pk=update.pk).values().get()
    count = ProgressUpdate.objects.count()

    with (
        pytest.raises(DatabaseError, match="audit trail"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE responses_progressupdate SET note = 'x'")
    with (
        pytest.raises(DatabaseError, match="audit trail"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM responses_progressupdate WHERE id = %s", [update.pk])

    assert ProgressUpdate.objects.filter(pk=update.pk).values().get() == before
    assert ProgressUpdate.objects.count() == count
    assert not ProgressUpdate.objects.filter(note="x").exists()


# Cabinet reports: two clerks saving one draft, an edit racing the issue, two issues at once


@pytest.fixture
def darlington_clerks(reference_data):
    darlington = Authority.objects.get(slug="darlington")
    return [
        make_user(f"clerk.race-{n}-darlington", darlington, Membership.Role.CLERK, first_name=f"Clerk {n}")
        for n in (1, 2)
    ]


@pytest.fixture
def slow_writes(monkeypatch):
    """Widen each race's window as a busy server would: a moment between reading the report and
    saving it (update_report checks the report with full_clean in between), and a render that
    takes a while (issue_report renders with the report locked). The PDF is a stand-in."""
    check = CabinetReport.full_clean

    def slow_check(self, *args, **kwargs):
        time.sleep(0.1)
        return check(self, *args, **kwargs)

    def slow_render(html):
        time.sleep(0.3)
        return pdf.RenderedPDF(b"%PDF-1.7 stand-in " + hashlib.sha256(html.encode()).hexdigest().encode(), 1)

    monkeypatch.setattr(CabinetReport, "full_clean", slow_check)
    monkeypatch.setattr(pdf, "html_to_pdf", slow_render)


def new_draft(by, day):
    """A draft of Darlington's for a Cabinet on `day` July 2009, complete enough to issue."""
    return cabinet.create_report(
        authority=Authority.objects.get(slug="darlington"),
        by=by,
        title=f"Laming: progress in Darlington, {day} July",
        new_meeting_kind=Meeting.Kind.CABINET,
        new_meeting_date=datetime.date(2009, 7, day),
    )


def narrative_of(report):
    return {name: getattr(report, name) for name in CabinetReport.NARRATIVE_FIELDS}


def edit(report, *, by, expected_version, purpose):
    """A clerk saves the draft's narrative with a new purpose, as the edit form does."""
    return lambda: cabinet.update_report(
        report=report,
        by=by,
        expected_version=expected_version,
        implications=report.implications,
        **{**narrative_of(report), "purpose": purpose},
    )


def issue(report, *, by, expected_version):
    return lambda: cabinet.issue_report(report=report, by=by, expected_version=expected_version)


@pytest.mark.django_db(transaction=True)
def test_two_clerks_saving_the_same_draft_at_once_keep_one_and_refuse_the_other(
    darlington_clerks, slow_writes
):
    report = new_draft(darlington_clerks[0], 21)
    for round_ in range(ROUNDS):
        report.refresh_from_db()
        version = report.version
        purposes = [f"Round {round_}: purpose from clerk {n}." for n in (1, 2)]

        outcomes = race(
            *[
                edit(report, by=clerk, expected_version=version, purpose=purpose)
                for clerk, purpose in zip(darlington_clerks, purposes, strict=True)
            ]
        )

        winners = [index for index, (_, raised) in enumerate(outcomes) if raised is None]
        assert len(winners) == 1, f"round {round_}: expected exactly one save to go through, got {outcomes}"
        (loser,) = [raised for _, raised in outcomes if raised is not None]
        assert isinstance(loser, cabinet.StaleReportError), f"the loser raised {loser!r}"
        report.refresh_from_db()
        assert report.version == version + 1
        assert report.purpose == purposes[winners[0]]


@pytest.mark.django_db(transaction=True)
def test_an_edit_racing_the_issue_never_leaves_an_issued_report_that_differs_from_the_saved_draft(
    darlington_clerks, slow_writes
):
    """Either the edit is saved and the issue refused as stale (the clerk must look again), or the
    report is issued as it stood and the edit refused: never an edit accepted and then lost, nor a
    snapshot that is not the narrative saved."""
    editor, issuer = darlington_clerks
    for round_ in range(ROUNDS):
        report = new_draft(issuer, 21 + round_)
        version = report.version
        before = narrative_of(report)
        edited = f"Round {round_}: purpose revised while the report was being issued."

        (edit_outcome, issue_outcome) = race(
            edit(report, by=editor, expected_version=version, purpose=edited),
            issue(report, by=issuer, expected_version=version),
        )

        report.refresh_from_db()
        if edit_outcome[1] is None:
            assert isinstance(issue_outcome[1], cabinet.StaleReportError), (
                f"round {round_}: the edit was saved, but the issue gave {issue_outcome}"
            )
            assert report.status == CabinetReport.Status.DRAFT
            assert report.purpose == edited
            assert report.version == version + 1
        else:
            assert issue_outcome[1] is None, (
                f"round {round_}: neither went through: {edit_outcome, issue_outcome}"
            )
            assert isinstance(edit_outcome[1], cabinet.ReportIssuedError), (
                f"round {round_}: the report was issued, but the edit gave {edit_outcome[1]!r}"
            )
            assert report.status == CabinetReport.Status.ISSUED
            assert narrative_of(report) == before
            assert {
                name: report.snapshot["narrative"][name] for name in CabinetReport.NARRATIVE_FIELDS
            } == before


@pytest.mark.django_db(transaction=True)
def test_two_reports_issued_at_once_are_taken_one_at_a_time(darlington_clerks, slow_writes):
    """Each issued report's "changes since" is measured against the one issued just before it."""
    for round_ in range(ROUNDS):
        drafts = [new_draft(clerk, 1 + 2 * round_ + n) for n, clerk in enumerate(darlington_clerks)]
        previous = (
            CabinetReport.objects.issued().filter(authority__slug="darlington").order_by("-issued_at").first()
        )

        outcomes = race(
            *[
                issue(draft, by=clerk, expected_version=draft.version)
                for draft, clerk in zip(drafts, darlington_clerks, strict=True)
            ]
        )

        assert all(raised is None for _, raised in outcomes), outcomes
        first, second = sorted((issued for issued, _ in outcomes), key=lambda report: report.issued_at)
        assert first.compared_with == previous
        assert second.compared_with == first, (
            f"round {round_}: the second report issued compares with {second.compared_with}, not the first"
        )


@pytest.mark.django_db(transaction=True)
def test_two_clerks_creating_the_same_new_meeting_at_once_get_one_meeting_and_a_clear_message(
    darlington_clerks, monkeypatch
):
    """Both ask for "A new meeting": Cabinet on the same day. A moment between the check that it is new
    and the insert lets both pass the check, so the database's constraint decides: one meeting, one
    report, and the other clerk is told to choose it from the list, never a server error."""
    check, save = Meeting.full_clean, Meeting.save
    lost = []

    def slow_check(self, *args, **kwargs):
        time.sleep(0.2)
        return check(self, *args, **kwargs)

    def counted_save(self, *args, **kwargs):
        try:
            return save(self, *args, **kwargs)
        except IntegrityError:
            lost.append(self.date)
            raise

    monkeypatch.setattr(Meeting, "full_clean", slow_check)
    monkeypatch.setattr(Meeting, "save", counted_save)
    url = reverse("authorities:report_new", args=["darlington"])
    browsers = []
    for clerk in darlington_clerks:
        browser = Client()
        browser.force_login(clerk)
        browsers.append(browser)
    for round_ in range(ROUNDS):
        day = datetime.date(2009, 8, 3 + round_)
        meetings, reports = Meeting.objects.count(), CabinetReport.objects.count()
        posts = [
            {
                "meeting": "new",
                "new_meeting_kind": "cabinet",
                "new_meeting_date_day": str(day.day),
                "new_meeting_date_month": str(day.month),
                "new_meeting_date_year": str(day.year),
                "title": f"Laming: report of clerk {n}",
            }
            for n in (1, 2)
        ]

        outcomes = race(*[partial(b.post, url, post) for b, post in zip(browsers, posts, strict=True)])

        assert all(raised is None for _, raised in outcomes), outcomes
        pages = [page for page, _ in outcomes]
        assert sorted(page.status_code for page in pages) == [200, 302]
        loser = next(page for page in pages if page.status_code == 200).content.decode()
        assert "There is a problem" in loser
        assert f"There is already a meeting of Cabinet on {day:%-d %B %Y}. Choose it from the list" in loser
        assert f"Darlington Cabinet, {day:%-d %B %Y}" in loser  # in the list now, to choose
        (meeting,) = Meeting.objects.filter(authority__slug="darlington", kind="cabinet", date=day)
        assert Meeting.objects.count() == meetings + 1
        assert CabinetReport.objects.count() == reports + 1
        assert CabinetReport.objects.get(meeting=meeting).title in {post["title"] for post in posts}
    assert lost, "no round reached the database's constraint: the race was not run"


def dashboard_totals(client):
    """The figures of the comparison's "All N councils" row, as the page shows them: the number of councils,
    then one a status (in Status order), no response, assured."""
    page = client.get(reverse("responses:comparison")).content.decode()
    row = re.search(r"<tfoot.*?</tfoot>", page, re.S).group(0)
    councils = int(re.search(r"All (\d+) councils", row).group(1))
    return [councils, *(int(cell) for cell in re.findall(r"numeric\">(\d+)</td>", row))]


def recount():
    """The same figures counted again from the responses themselves, one by one, in Python."""
    responses = list(LocalResponse.objects.all())
    councils, recommendations = Authority.objects.count(), Recommendation.objects.count()
    answered = {(response.authority_id, response.recommendation_id) for response in responses}
    return [
        councils,
        *(sum(response.status == status for response in responses) for status in Status),
        councils * recommendations - len(answered),
        sum(response.assurance == Assurance.ASSURED for response in responses),
    ]


@pytest.mark.django_db(transaction=True)
def test_the_national_totals_equal_a_recount_after_many_saves_at_once(reference_data):
    """The totals are counted from the responses on every request, not kept apart: after eight officers'
    saves at the same moment (status changes, first answers to whole recommendations and to parts) the
    dashboard's row for every council is what a recount of the responses gives."""
    councils = list(Authority.objects.order_by("name"))
    officers = [
        make_user(f"officer.totals-{n}", council, Membership.Role.OFFICER)
        for n, council in enumerate(councils * 2)
    ]
    recommendations = list(Recommendation.objects.prefetch_related("parts").order_by("number"))
    viewer = Client()
    viewer.force_login(officers[0])
    before = dashboard_totals(viewer)
    assert before == recount()

    def saves(officer, offset):
        council = officer.memberships.get().authority
        for step in range(6):
            recommendation = recommendations[(offset * 7 + step * 5) % len(recommendations)]
            parts = list(recommendation.parts.all())
            part = parts[step % len(parts)] if parts and step % 2 else None
            current = LocalResponse.objects.filter(
                authority=council, recommendation=recommendation, part=part
            ).first()
            # The other officer of the council may save it first: refused, nothing written.
            with contextlib.suppress(StaleResponseError):
                record_progress(
                    authority=council,
                    recommendation=recommendation,
                    part=part,
                    by=officer,
                    expected_version=current.version if current else 0,
                    text=f"Saved by {officer.username} at step {step}.",
                    status=list(Status)[(offset + step) % len(Status)].value,
                    rag="",
                    lead_officer="",
                    target_date=current.target_date if current else None,
                    target_date_reason="",
                    evidence="",
                    note="Changed at once with others.",
                )
        return True

    outcomes = race(*[partial(saves, officer, offset) for offset, officer in enumerate(officers)])
    assert [raised for _, raised in outcomes] == [None] * len(officers)
    after = dashboard_totals(viewer)
    assert after == recount()
    assert after != before  # the saves changed what the row shows
