"""PDFs prepared by the background worker, never in a web request.

A page that offers a PDF asks `pdf_job_for(...)` for the job that makes it: the one already ready or
under way for the same data, or a new one queued now. The worker (`authorities.tasks`) renders it.
Drafts are keyed by a fingerprint of the HTML they are rendered from, so a second download of
unchanged data is served at once, and a change to any figure, the narrative or the "as at" date
makes a new render. Issuing a Cabinet report is a job too: the worker renders and stores the final
PDF and marks the report issued in one transaction, so a report is never half issued.

Each job runs once: a worker claims it by moving it from queued to running, and finishes it only
while it is still running. A job a worker took and never finished (the worker was killed) is
abandoned after PDF_JOB_TIMEOUT seconds, and the page offers to try again.
"""

from __future__ import annotations

import hashlib
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import CabinetReport, PdfJob

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 3
ABANDONED_MESSAGE = "The PDF was not finished: the service stopped while preparing it."
FAILED_MESSAGE = "Something went wrong while preparing the PDF."


def fingerprint(html: str) -> str:
    return hashlib.sha256(html.encode()).hexdigest()


def newest_job(jobs, *, mark_abandoned: bool = True) -> PdfJob | None:
    """The newest of `jobs`, in whatever state. One a worker took and never finished is marked failed
    first, unless `mark_abandoned` is off (a caller holding a lock the worker wants next must not
    wait for the job's row)."""
    job = jobs.first()
    if job is not None and job.is_abandoned and mark_abandoned:
        abandon(job)
        job.refresh_from_db()
    return job


def latest_job(kind: str, subject: str, fingerprint_: str) -> PdfJob | None:
    """The newest job for this PDF and data, in whatever state; an abandoned one is marked failed."""
    return newest_job(PdfJob.objects.for_subject(kind, subject).filter(fingerprint=fingerprint_))


def abandon(job: PdfJob) -> None:
    """Mark a job a worker took and never finished as failed, unless it finished meanwhile.

    On PostgreSQL the UPDATE waits for a worker still holding the job's row and then re-checks the
    state, so a job that was slow rather than dead is left as it finished.
    """
    PdfJob.objects.filter(pk=job.pk, state=PdfJob.State.RUNNING, started_at=job.started_at).update(
        state=PdfJob.State.FAILED, error=ABANDONED_MESSAGE, html="", finished_at=timezone.now()
    )


def pdf_job_for(
    *,
    kind: str,
    authority,
    subject: str,
    html: str,
    filename: str,
    by,
    report: CabinetReport | None = None,
    retry: bool = False,
) -> PdfJob:
    """The job for a draft PDF of `html`: ready or under way, or queued now (once, however many ask).

    A failed job is given back as it is, so its page can say so, unless `retry` asks for another go.
    """
    key = fingerprint(html)
    job = latest_job(kind, subject, key)
    if job is not None and (job.state != PdfJob.State.FAILED or not retry):
        return job
    from .tasks import render_pdf

    try:
        with transaction.atomic():
            job = PdfJob.objects.create(
                kind=kind,
                authority=authority,
                report=report,
                subject=subject,
                fingerprint=key,
                html=html,
                filename=filename,
                requested_by=by if by is not None and by.is_authenticated else None,
            )
            job.task_id = str(render_pdf.enqueue(job.pk).id)
            job.save(update_fields=["task_id"])
    except IntegrityError:
        # Someone asked for the same PDF of the same data a moment ago: theirs is ours.
        job = PdfJob.objects.live().for_subject(kind, subject).filter(fingerprint=key).first()
        if job is None:  # and it was replaced by a newer render in the same moment: ask again
            return pdf_job_for(
                kind=kind,
                authority=authority,
                subject=subject,
                html=html,
                filename=filename,
                by=by,
                report=report,
                retry=retry,
            )
    return job


def claim(job_id: int) -> PdfJob | None:
    """Take a queued job for this worker; None if another worker took it or it was withdrawn."""
    claimed = PdfJob.objects.filter(pk=job_id, state=PdfJob.State.QUEUED).update(
        state=PdfJob.State.RUNNING, started_at=timezone.now()
    )
    return PdfJob.objects.get(pk=job_id) if claimed else None


def fail(job: PdfJob, message: str) -> None:
    PdfJob.objects.filter(pk=job.pk, state=PdfJob.State.RUNNING).update(
        state=PdfJob.State.FAILED, error=message, html="", finished_at=timezone.now()
    )


def render(job_id: int) -> str:
    """The worker's side of a draft: render the job's HTML and store the PDF on the job."""
    from . import pdf

    job = claim(job_id)
    if job is None:
        return "not queued"
    if PdfJob.objects.for_subject(job.kind, job.subject).filter(created_at__gt=job.created_at).exists():
        # The data changed after this was asked for, and the newer render is what people now wait for.
        fail(job, "A newer version of this PDF was asked for.")
        return "superseded"
    try:
        rendered = pdf.html_to_pdf(job.html)
    except Exception:
        logger.exception("Rendering PDF job %s (%s) failed", job.pk, job.get_kind_display())
        fail(job, FAILED_MESSAGE)
        raise
    with transaction.atomic():
        finished = PdfJob.objects.filter(pk=job.pk, state=PdfJob.State.RUNNING).update(
            state=PdfJob.State.READY,
            pdf=rendered.content,
            page_count=rendered.page_count,
            html="",
            finished_at=timezone.now(),
        )
        if finished:
            # Earlier renders of the same thing are out of date: keep the database small.
            PdfJob.objects.for_subject(job.kind, job.subject).filter(
                state__in=(PdfJob.State.READY, PdfJob.State.FAILED), created_at__lt=job.created_at
            ).delete()
    return "ready" if finished else "abandoned"


def progress_message(job: PdfJob) -> str:
    """Where a job has got to, in words for the person waiting for it."""
    if job.state == PdfJob.State.QUEUED:
        ahead = PdfJob.objects.waiting_ahead_of(job)
        if ahead == 0:
            return "It is next in line to be prepared."
        documents = "document" if ahead == 1 else "documents"
        return f"It is waiting for {ahead} other {documents} to be prepared first."
    if job.state == PdfJob.State.RUNNING:
        return "It is being prepared now. A long report takes up to a minute."
    if job.state == PdfJob.State.READY:
        return "It is ready."
    return job.error or FAILED_MESSAGE
