"""PDFs are rendered by the background worker, never in a web request.

Every PDF address answers 202 Accepted with Retry-After and a page saying what is being prepared
until the worker has rendered the data as it stands; then the same address answers the PDF. A render
is queued once however many people ask, reused while nothing in it changes, and run once. Issuing
a Cabinet report is queued the same way, and the report is issued only when its PDF is stored.
"""

import datetime
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from authorities import documents, pdf
from authorities.models import Authority, CabinetReport, Membership, PdfJob
from responses.cabinet import issuing, services
from responses.models import LocalResponse, Rag, Status
from responses.services import record_progress

from .conftest import load_reference_data_if_flushed, make_user
from .helpers import visible_text
from .worker import WORKER, run_queued_tasks

QUICK_DRAFT = reverse("authorities:cabinet_report_pdf", args=["darlington"])
STOCKTON_DECISION = reverse("authorities:decision_pdf", args=["stockton-on-tees", 3])


@pytest.fixture
def renders(monkeypatch):
    """Count the worker's renders; each gives a small PDF naming the HTML it was made from."""
    made = []

    def render(html):
        made.append(html)
        return pdf.RenderedPDF(b"%PDF-1.7 render " + str(len(made)).encode(), 3)

    monkeypatch.setattr(pdf, "html_to_pdf", render)
    return made


def change_response_51(officer, status=Status.COMPLETE):
    response = LocalResponse.objects.select_related("authority", "recommendation").get(
        authority__slug="darlington", recommendation__number=51
    )
    record_progress(
        authority=response.authority,
        recommendation=response.recommendation,
        part=None,
        by=officer,
        expected_version=response.version,
        text=response.text,
        status=status,
        rag=Rag.GREEN,
        lead_officer=response.lead_officer,
        target_date=response.target_date,
        target_date_reason="",
        evidence="",
        note="Changed for the test.",
    )


# The address's contract


def test_a_pdf_is_queued_and_the_address_answers_202_with_retry_after_until_it_is_ready(
    clerk_client, renders
):
    waiting = clerk_client.get(QUICK_DRAFT)
    assert waiting.status_code == 202
    assert waiting["Retry-After"] == "3"
    assert waiting["Cache-Control"] == "no-store"
    text = visible_text(waiting)
    assert "Preparing the PDF" in text
    assert "We are preparing Darlington’s Cabinet report as it stands." in text
    assert "It is next in line to be prepared." in text
    assert '<meta http-equiv="refresh" content="3">' in waiting.content.decode()
    assert renders == []  # nothing was rendered in the request

    assert run_queued_tasks() == 1
    ready = clerk_client.get(QUICK_DRAFT)
    assert ready.status_code == 200
    assert ready["Content-Type"] == "application/pdf"
    assert ready.content == b"%PDF-1.7 render 1"
    assert ready["Content-Disposition"].startswith('inline; filename="darlington-cabinet-report-draft-')


def test_asking_again_while_it_is_prepared_queues_nothing_more(clerk_client, renders, officer_darlington):
    clerk_client.get(QUICK_DRAFT)
    other = Client()
    other.force_login(officer_darlington)
    assert other.get(QUICK_DRAFT).status_code == 202
    assert clerk_client.get(QUICK_DRAFT).status_code == 202
    assert PdfJob.objects.count() == 1
    assert DBTaskResult.objects.count() == 1
    assert run_queued_tasks() == 1
    assert len(renders) == 1


def test_a_second_download_of_unchanged_data_is_served_at_once_without_rendering(clerk_client, renders):
    clerk_client.get(QUICK_DRAFT)
    run_queued_tasks()
    first = clerk_client.get(QUICK_DRAFT)
    second = clerk_client.get(QUICK_DRAFT)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert len(renders) == 1
    assert DBTaskResult.objects.count() == 1


def test_a_change_to_the_councils_responses_makes_a_new_render(clerk_client, renders, officer_darlington):
    clerk_client.get(QUICK_DRAFT)
    run_queued_tasks()
    change_response_51(officer_darlington)
    assert clerk_client.get(QUICK_DRAFT).status_code == 202
    run_queued_tasks()
    reply = clerk_client.get(QUICK_DRAFT)
    assert reply.content == b"%PDF-1.7 render 2"
    assert "Complete" in renders[1] and renders[0] != renders[1]
    # The render made out of date is deleted once the new one is ready.
    assert PdfJob.objects.count() == 1


def test_the_waiting_page_counts_the_documents_ahead_in_the_queue(clerk_client, renders, request):
    for slug in ("newcastle", "stockton-on-tees"):
        client = Client()
        client.force_login(request.getfixturevalue("administrator"))
        client.get(reverse("authorities:cabinet_report_pdf", args=[slug]))
    text = visible_text(clerk_client.get(QUICK_DRAFT))
    assert "It is waiting for 2 other documents to be prepared first." in text


def test_the_waiting_pages_script_is_answered_in_json(clerk_client, renders):
    waiting = clerk_client.get(QUICK_DRAFT, headers={"Accept": "application/json"})
    assert waiting.status_code == 202
    assert waiting["Retry-After"] == "3"
    assert waiting.json() == {"state": "queued", "message": "It is next in line to be prepared."}
    run_queued_tasks()
    ready = clerk_client.get(QUICK_DRAFT, headers={"Accept": "application/json"})
    assert ready.status_code == 200
    assert ready.json()["state"] == "ready"


def test_a_decision_record_pdf_follows_the_same_contract(client, outsider, renders):
    client.force_login(outsider)
    assert client.get(STOCKTON_DECISION).status_code == 202
    run_queued_tasks()
    reply = client.get(STOCKTON_DECISION)
    assert reply.status_code == 200
    assert 'filename="stockton-on-tees-decision-record-2009-06-11.pdf"' in reply["Content-Disposition"]
    assert "Cabinet Decision Record" in renders[0]


def test_a_reports_draft_pdf_follows_the_same_contract(clerk_client, renders, darlington):
    report = CabinetReport.objects.create(authority=darlington, title="Draft for the worker")
    url = reverse("authorities:report_pdf", args=["darlington", report.pk])
    assert clerk_client.get(url).status_code == 202
    run_queued_tasks()
    assert clerk_client.get(url).content == b"%PDF-1.7 render 1"
    assert "Draft for the worker" in renders[0]


def test_a_script_that_accepts_anything_gets_the_pdf_and_the_answer_varies_with_accept(clerk_client, renders):
    clerk_client.get(QUICK_DRAFT)
    run_queued_tasks()
    for accept in ("*/*", "application/pdf", "text/html,application/xhtml+xml,*/*;q=0.8"):
        reply = clerk_client.get(QUICK_DRAFT, headers={"Accept": accept})
        assert reply["Content-Type"] == "application/pdf", accept
        assert "Accept" in reply["Vary"]


def test_a_render_asked_for_before_the_data_changed_is_skipped_for_the_newer_one(
    clerk_client, renders, officer_darlington
):
    clerk_client.get(QUICK_DRAFT)
    change_response_51(officer_darlington)
    clerk_client.get(QUICK_DRAFT)  # the waiting page asks again: the data has changed
    assert run_queued_tasks() == 2
    assert len(renders) == 1  # only the PDF of the data as it now stands
    assert "Complete" in renders[0]
    assert clerk_client.get(QUICK_DRAFT).status_code == 200


def test_the_queue_count_leaves_out_jobs_a_killed_worker_left_behind(
    clerk_client, renders, request, settings
):
    admin = Client()
    admin.force_login(request.getfixturevalue("administrator"))
    admin.get(reverse("authorities:cabinet_report_pdf", args=["newcastle"]))
    documents.claim(PdfJob.objects.get().pk)  # a worker took Newcastle's and died
    assert "It is waiting for 1 other document to be prepared first." in visible_text(
        clerk_client.get(QUICK_DRAFT)
    )
    PdfJob.objects.filter(state=PdfJob.State.RUNNING).update(
        started_at=timezone.now() - datetime.timedelta(seconds=settings.PDF_JOB_TIMEOUT + 1)
    )
    assert "It is next in line to be prepared." in visible_text(clerk_client.get(QUICK_DRAFT))


# Failures, and jobs that never finish


def test_a_failed_render_says_so_and_can_be_tried_again(clerk_client, monkeypatch):
    def broken(html):
        raise RuntimeError("fonts missing")

    monkeypatch.setattr(pdf, "html_to_pdf", broken)
    clerk_client.get(QUICK_DRAFT)
    run_queued_tasks()
    failed = clerk_client.get(QUICK_DRAFT)
    assert failed.status_code == 503
    assert "Retry-After" not in failed
    text = visible_text(failed)
    assert "The PDF could not be prepared" in text
    assert "Something went wrong while preparing the PDF." in text
    assert "fonts missing" not in text
    assert DBTaskResult.objects.get().status == "FAILED"
    # Asking again does not loop on a broken render; "Try again" queues another.
    assert clerk_client.get(QUICK_DRAFT).status_code == 503
    assert PdfJob.objects.count() == 1

    monkeypatch.setattr(pdf, "html_to_pdf", lambda html: pdf.RenderedPDF(b"%PDF-1.7 mended", 1))
    again = clerk_client.post(QUICK_DRAFT)
    assert again.status_code == 302
    assert again["Location"] == QUICK_DRAFT
    assert clerk_client.get(QUICK_DRAFT).status_code == 202
    run_queued_tasks()
    assert clerk_client.get(QUICK_DRAFT).content == b"%PDF-1.7 mended"


def test_a_render_abandoned_by_a_killed_worker_is_shown_with_a_way_to_try_again(
    clerk_client, renders, settings
):
    clerk_client.get(QUICK_DRAFT)
    job = PdfJob.objects.get()
    documents.claim(job.pk)  # a worker took it, then died without finishing
    assert clerk_client.get(QUICK_DRAFT).status_code == 202
    PdfJob.objects.filter(pk=job.pk).update(
        started_at=timezone.now() - datetime.timedelta(seconds=settings.PDF_JOB_TIMEOUT + 1)
    )
    abandoned = clerk_client.get(QUICK_DRAFT)
    assert abandoned.status_code == 503
    assert "the service stopped while preparing it" in visible_text(abandoned)
    clerk_client.post(QUICK_DRAFT)
    assert PdfJob.objects.filter(state=PdfJob.State.QUEUED).count() == 1
    # The dead worker's task, delivered again, does nothing: the job is no longer queued.
    assert documents.render(job.pk) == "not queued"
    run_queued_tasks()
    assert clerk_client.get(QUICK_DRAFT).status_code == 200
    assert len(renders) == 1


def test_a_job_delivered_twice_is_run_once(clerk_client, renders):
    clerk_client.get(QUICK_DRAFT)
    result = DBTaskResult.objects.get()
    result.claim(WORKER.worker_id)
    WORKER.run_task(result)
    result.status = "READY"  # as if the queue handed it out again
    result.save()
    run_queued_tasks()
    assert len(renders) == 1
    assert DBTaskResult.objects.get().return_value == "not queued"


def test_a_worker_that_finishes_after_its_job_was_given_up_stores_nothing(clerk_client, monkeypatch):
    clerk_client.get(QUICK_DRAFT)
    job = PdfJob.objects.get()

    def slow_render(html):
        # While this worker renders, the job is given up as abandoned (it took too long).
        PdfJob.objects.filter(pk=job.pk).update(state=PdfJob.State.FAILED, error=documents.ABANDONED_MESSAGE)
        return pdf.RenderedPDF(b"%PDF-1.7 late", 1)

    monkeypatch.setattr(pdf, "html_to_pdf", slow_render)
    assert documents.render(job.pk) == "abandoned"
    job.refresh_from_db()
    assert (job.state, job.pdf) == (PdfJob.State.FAILED, None)


# Issuing


@pytest.fixture
def issuable(darlington, clerk_darlington):
    meeting = darlington.meetings.get(date="2009-04-28")
    report = services.create_report(
        authority=darlington, by=clerk_darlington, title="Laming: progress", meeting=meeting
    )
    CabinetReport.objects.filter(pk=report.pk).update(
        purpose="To update Cabinet.",
        background="Lord Laming reported.",
        summary="Progress is good.",
        recommendations_to_members="(a) The report be noted.",
        director_name="Murray Rose",
        director_title="Director of Children's Services",
        contact_officer="Jenni Cooke",
        outcome_of_consultation="None needed.",
        implications=[{"heading": "S17 Crime and Disorder", "text": "None."}],
    )
    return CabinetReport.objects.without_pdf().get(pk=report.pk)


def issue_url(report):
    return reverse("authorities:report_issue", args=["darlington", report.pk])


def test_issuing_queues_the_render_and_the_report_is_issued_only_when_its_pdf_is_stored(
    clerk_client, issuable, renders
):
    reply = clerk_client.post(issue_url(issuable), {"version": issuable.version})
    assert reply.status_code == 302
    page = clerk_client.get(issuable.get_absolute_url())
    assert "Being issued" in visible_text(page)
    assert '<meta http-equiv="refresh" content="3">' in page.content.decode()
    assert CabinetReport.objects.get(pk=issuable.pk).status == CabinetReport.Status.DRAFT
    # The draft cannot be edited while it is being issued.
    edit = clerk_client.get(reverse("authorities:report_edit", args=["darlington", issuable.pk]))
    assert edit.status_code == 302
    assert clerk_client.get(issuable.get_absolute_url(), headers={"Accept": "application/json"}).json() == {
        "state": "queued",
        "message": "It is next in line to be prepared.",
    }

    assert run_queued_tasks() == 1
    report = CabinetReport.objects.get(pk=issuable.pk)
    assert report.is_issued
    assert bytes(report.pdf) == b"%PDF-1.7 render 1"
    assert report.pdf_sha256 == pdf.checksum(b"%PDF-1.7 render 1")
    assert "Issued" in visible_text(clerk_client.get(issuable.get_absolute_url()))
    assert clerk_client.get(issuable.get_absolute_url(), headers={"Accept": "application/json"}).json() == {
        "state": "issued",
        "message": "",
    }


def test_asking_to_issue_again_while_it_is_being_issued_makes_no_second_job(clerk_client, issuable, renders):
    for _ in range(3):
        clerk_client.post(issue_url(issuable), {"version": issuable.version})
    assert PdfJob.objects.filter(kind=PdfJob.Kind.ISSUE).count() == 1
    assert run_queued_tasks() == 1
    assert len(renders) == 1


def test_a_report_changed_after_it_was_sent_to_be_issued_is_not_issued(clerk_client, issuable, renders):
    clerk_client.post(issue_url(issuable), {"version": issuable.version})
    CabinetReport.objects.filter(pk=issuable.pk).update(version=issuable.version + 1)  # another save
    run_queued_tasks()
    report = CabinetReport.objects.get(pk=issuable.pk)
    assert not report.is_issued and report.pdf is None
    page = visible_text(clerk_client.get(issuable.get_absolute_url()))
    assert "The report has not been issued" in page
    assert "The report was changed after it was sent to be issued." in page
    assert "Try issuing the report again" in page
    # The waiting page's script is told to stop waiting.
    assert clerk_client.get(issuable.get_absolute_url(), headers={"Accept": "application/json"}).json() == {
        "state": "failed",
        "message": "",
    }


def test_an_issue_that_fails_while_rendering_leaves_the_draft_as_it_was(clerk_client, issuable, monkeypatch):
    def broken(html):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(pdf, "html_to_pdf", broken)
    clerk_client.post(issue_url(issuable), {"version": issuable.version})
    run_queued_tasks()
    report = CabinetReport.objects.get(pk=issuable.pk)
    assert report.status == CabinetReport.Status.DRAFT
    assert (report.pdf, report.pdf_sha256, report.snapshot, report.issued_at) == (None, "", None, None)
    assert "Something went wrong while preparing the report’s PDF. It has not been issued." in visible_text(
        clerk_client.get(issuable.get_absolute_url())
    ).replace("'", "’")


def test_an_issue_abandoned_by_a_killed_worker_can_be_tried_again_and_issues_once(
    clerk_client, issuable, renders, settings
):
    clerk_client.post(issue_url(issuable), {"version": issuable.version})
    job = documents.claim(PdfJob.objects.get().pk)  # the worker took it and was killed
    PdfJob.objects.filter(pk=job.pk).update(
        started_at=timezone.now() - datetime.timedelta(seconds=settings.PDF_JOB_TIMEOUT + 1)
    )
    page = visible_text(clerk_client.get(issuable.get_absolute_url()))
    assert "The report has not been issued" in page
    assert "the service stopped while preparing it" in page
    clerk_client.post(issue_url(issuable), {"version": issuable.version})
    assert issuing.issue(job.pk) == "not queued"  # the dead worker's task, run again: nothing
    run_queued_tasks()
    assert CabinetReport.objects.get(pk=issuable.pk).is_issued
    assert len(renders) == 1
    jobs = PdfJob.objects.filter(kind=PdfJob.Kind.ISSUE).order_by("created_at")
    assert [j.state for j in jobs] == [PdfJob.State.FAILED, PdfJob.State.READY]


# Many people at once, on PostgreSQL


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data_put_back")
def test_many_people_asking_for_the_same_pdf_at_the_same_moment_queue_one_render(renders):
    assert connection.vendor == "postgresql", "the concurrency tests must run on PostgreSQL"
    load_reference_data_if_flushed()
    darlington = Authority.objects.get(slug="darlington")
    clerks = [make_user(f"clerk.{n}", darlington, Membership.Role.CLERK) for n in range(6)]
    start = threading.Barrier(len(clerks))
    answers = []

    def ask(user):
        client = Client()
        client.force_login(user)
        start.wait()
        answers.append(client.get(QUICK_DRAFT).status_code)
        connection.close()

    threads = [threading.Thread(target=ask, args=(user,)) for user in clerks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [202] * len(clerks)
    assert PdfJob.objects.count() == 1
    assert DBTaskResult.objects.count() == 1
