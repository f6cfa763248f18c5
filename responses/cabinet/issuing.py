"""Issuing a Cabinet report in the background: the page asks, the worker renders, stores and
freezes the report, and finishes the job, all in one transaction, so a report is never half issued.

The job is a PdfJob of kind ISSUE (authorities.documents keeps the jobs); this module holds what is
particular to issuing: one live issue job per report and version, and the worker's side.
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from authorities.documents import claim, fail, newest_job
from authorities.models import CabinetReport, PdfJob

logger = logging.getLogger(__name__)


def last_issue_job(report: CabinetReport, *, mark_abandoned: bool = True) -> PdfJob | None:
    """The report's latest issue job, if any (an abandoned one is marked failed first, unless
    `mark_abandoned` is off: the caller holds the report's lock, and the worker takes the job's
    lock before the report's, so waiting here for the job's row could deadlock)."""
    jobs = PdfJob.objects.for_subject(PdfJob.Kind.ISSUE, f"report:{report.pk}").defer("pdf", "html")
    return newest_job(jobs, mark_abandoned=mark_abandoned)


def pending_issue(report: CabinetReport, *, mark_abandoned: bool = True) -> PdfJob | None:
    """The report's issue job if one is waiting or under way (not abandoned)."""
    job = last_issue_job(report, mark_abandoned=mark_abandoned)
    return job if job is not None and job.is_pending else None


def request_issue(*, report: CabinetReport, by, expected_version: int) -> PdfJob:
    """Queue the issue of a draft: checked now, rendered and frozen by the worker.

    Refuses (as `services.issue_report` would) an issued report, a stale version or a report with
    gaps. Asking again while an issue is under way gives back the same job.
    """
    pending_issue(report)  # before the lock below: marking an abandoned job may wait for its worker
    try:
        return queue_issue(report=report, by=by, expected_version=expected_version)
    except IntegrityError:
        # Asked twice at the same moment where rows cannot be locked (SQLite): the first one stands.
        # (Or an abandoned job was still being marked as failed: then this asks once more.)
        under_way = pending_issue(report)
        return under_way or queue_issue(report=report, by=by, expected_version=expected_version)


@transaction.atomic
def queue_issue(*, report: CabinetReport, by, expected_version: int) -> PdfJob:
    from . import services
    from .tasks import issue_report

    locked = CabinetReport.objects.without_pdf().select_for_update(no_key=True).get(pk=report.pk)
    if locked.is_issued:
        raise services.ReportIssuedError("This report has already been issued.")
    under_way = pending_issue(locked, mark_abandoned=False)
    if under_way is not None:
        return under_way
    if locked.version != expected_version:
        raise services.StaleReportError(
            "The report changed after you last looked at it. Check it again before issuing."
        )
    missing = locked.missing_for_issue()
    if missing:
        raise services.ReportIncompleteError(missing)
    job = PdfJob.objects.create(
        kind=PdfJob.Kind.ISSUE,
        authority_id=locked.authority_id,
        report=locked,
        subject=f"report:{locked.pk}",
        fingerprint=str(locked.version),
        requested_by=by,
    )
    job.task_id = str(issue_report.enqueue(job.pk).id)
    job.save(update_fields=["task_id"])
    return job


def issue(job_id: int) -> str:
    """The worker's side of an issue: render, store and freeze the report, all in one transaction
    that also finishes the job, so the report is issued exactly when the job says it is."""
    from . import services

    job = claim(job_id)
    if job is None:
        return "not queued"
    try:
        with transaction.atomic():
            locked = PdfJob.objects.select_for_update().get(pk=job.pk)
            if locked.state != PdfJob.State.RUNNING:
                return "abandoned"
            report = CabinetReport.objects.without_pdf().get(pk=job.report_id)
            issued = services.issue_report(
                report=report, by=job.requested_by, expected_version=int(job.fingerprint)
            )
            locked.state = PdfJob.State.READY
            locked.page_count = issued.page_count
            locked.finished_at = timezone.now()
            locked.save(update_fields=["state", "page_count", "finished_at"])
    except services.StaleReportError:
        fail(job, "The report was changed after it was sent to be issued. Check it, then issue it again.")
        return "stale"
    except services.ReportIssuedError:
        fail(job, "The report had already been issued.")
        return "already issued"
    except services.ReportIncompleteError as error:
        fail(job, "The report is not complete: " + "; ".join(error.missing))
        return "incomplete"
    except Exception:
        logger.exception("Issuing Cabinet report %s failed", job.report_id)
        fail(job, "Something went wrong while preparing the report's PDF. It has not been issued.")
        raise
    return "issued"
