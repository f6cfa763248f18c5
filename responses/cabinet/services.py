"""Writes to a council's Cabinet reports: create a draft, save its narrative, issue it.

Each function checks what it is given, writes inside one transaction, and refuses rather than
half-does. Who may call them is decided in authorities.access, by the views.
"""

from __future__ import annotations

import datetime
from functools import partial

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from authorities import pdf
from authorities.models import Authority, CabinetReport, Meeting

from . import word
from .content import build_report, default_report, snapshot
from .notices import tell_chairs_report_issued


class ReportIssuedError(Exception):
    """The report has been issued: what Cabinet was told does not change."""


class StaleReportError(Exception):
    """The report changed after the form was loaded; saving would overwrite someone's work."""


class MeetingExistsError(Exception):
    """The "new" meeting is one the council already has (same kind, same date): choose that one."""

    def __init__(self, meeting: Meeting):
        super().__init__(f"{meeting} already exists.")
        self.meeting = meeting


class ReportIncompleteError(Exception):
    """The report cannot be issued until these are filled in."""

    def __init__(self, missing: list[str]):
        super().__init__("; ".join(missing))
        self.missing = missing


def create_report(
    *,
    authority: Authority,
    by,
    title: str,
    meeting: Meeting | None = None,
    new_meeting_kind: str | None = None,
    new_meeting_date: datetime.date | None = None,
) -> CabinetReport:
    """Start a draft report for a meeting of the council, its narrative prefilled from the council's
    records. Give an existing `meeting`, or the kind and date of a new one to create with it: one the
    council already has raises MeetingExistsError, even when another clerk created it a moment ago."""
    if meeting is not None and meeting.authority_id != authority.pk:
        raise ValidationError("That meeting is another council's.")
    if meeting is None and not (new_meeting_kind and new_meeting_date):
        raise ValidationError("Choose a meeting, or give the kind and date of a new one.")
    with transaction.atomic():
        if meeting is None:
            meeting = _new_meeting(authority, new_meeting_kind, new_meeting_date, title)
        report = default_report(authority, meeting=meeting)
        report.title = title
        report.created_by = by
        report.full_clean()
        report.save()
    return report


def _new_meeting(authority, kind, date, title) -> Meeting:
    same = {"authority": authority, "kind": kind, "date": date}
    existing = Meeting.objects.filter(**same).first()
    if existing is not None:
        raise MeetingExistsError(existing)
    meeting = Meeting(**same, report_title=title)
    # The one-meeting-a-day constraint was checked just above, and the database holds it against a race.
    meeting.full_clean(validate_constraints=False)
    try:
        # A savepoint, so that losing the race to create it is a refusal, not a broken transaction.
        with transaction.atomic():
            meeting.save()
    except IntegrityError:
        existing = Meeting.objects.filter(**same).first()
        if existing is None:
            raise
        raise MeetingExistsError(existing) from None
    return meeting


def update_report(
    *, report: CabinetReport, by, expected_version: int, implications: list[dict], **narrative
) -> CabinetReport:
    """Save the clerk's narrative on a draft: `narrative` holds every one of CabinetReport.NARRATIVE_FIELDS
    (title, purpose ... outcome_of_consultation), and `implications` the table's rows. Refuses an issued
    report, or a draft someone else saved since `expected_version` was loaded."""
    if set(narrative) != set(CabinetReport.NARRATIVE_FIELDS):
        raise TypeError(f"update_report() needs exactly {', '.join(CabinetReport.NARRATIVE_FIELDS)}")
    headings = [row["heading"] for row in report.implications]
    if [row["heading"] for row in implications] != headings:
        raise ValidationError("The implications table's rows do not match the report's.")
    with transaction.atomic():
        locked = CabinetReport.objects.without_pdf().select_for_update(no_key=True).get(pk=report.pk)
        if locked.is_issued:
            raise ReportIssuedError("This report has been issued and can no longer be changed.")
        if locked.version != expected_version:
            raise StaleReportError("Someone else saved a change to this report while you were editing it.")
        for name in CabinetReport.NARRATIVE_FIELDS:
            setattr(locked, name, narrative[name])
        locked.implications = [
            {"heading": row["heading"], "text": row["text"].strip()} for row in implications
        ]
        locked.version += 1
        locked.full_clean()
        locked.save()
    return locked


def issue_report(*, report: CabinetReport, by, expected_version: int) -> CabinetReport:
    """Freeze a draft as what the meeting is told: render its PDF and its Word version from the records
    as they stand, and store both, each with its SHA-256 checksum, and the data they were built from.
    Nothing changes it after.

    The council's chairs are told by email once the issue has committed (notices.py).

    Issues for one council are taken one at a time, so each report's "changes since the last issued
    report" is measured against the one issued just before it.
    """
    with transaction.atomic():
        # FOR NO KEY UPDATE: the render runs under these locks for seconds, and a plain FOR UPDATE
        # would hold up every insert that refers to the council or the report (a new response, a
        # PDF job) until it is done. These locks still serialise issues and edits of the report.
        Authority.objects.select_for_update(no_key=True).filter(pk=report.authority_id).first()
        locked = (
            CabinetReport.objects.without_pdf()
            .select_for_update(of=("self",), no_key=True)
            .select_related("authority", "meeting")
            .get(pk=report.pk)
        )
        if locked.is_issued:
            raise ReportIssuedError("This report has already been issued.")
        if locked.version != expected_version:
            raise StaleReportError(
                "The report changed after you last looked at it. Check it again before issuing."
            )
        missing = locked.missing_for_issue()
        if missing:
            raise ReportIncompleteError(missing)

        locked.status = CabinetReport.Status.ISSUED
        locked.issued_at = timezone.now()
        locked.issued_by = by
        content = build_report(locked)
        previous = content.previous if locked.include_changes else None
        locked.compared_with = previous.report if previous else None
        rendered = pdf.html_to_pdf(pdf.report_html(content))
        locked.pdf = rendered.content
        locked.pdf_sha256 = rendered.sha256
        locked.page_count = rendered.page_count
        locked.docx = word.report_docx(content)
        locked.docx_sha256 = pdf.checksum(locked.docx)
        locked.snapshot = snapshot(content)
        locked.version += 1
        locked.save()
        # Once the issue has committed (with the worker's job, which may wrap this), never before: an
        # issue that rolls back mails no one. Robust: a failure is logged and the report stays issued.
        transaction.on_commit(partial(tell_chairs_report_issued, locked.pk), robust=True)
    return locked


class IssuedReportCorruptedError(Exception):
    """The stored PDF no longer matches the checksum taken when it was issued."""


def issued_pdf(report: CabinetReport) -> bytes:
    """The issued report's PDF exactly as issued, checked against its checksum."""
    content = bytes(report.pdf)
    if pdf.checksum(content) != report.pdf_sha256:
        raise IssuedReportCorruptedError(f"Stored PDF of report {report.pk} does not match its checksum.")
    return content


def issued_docx(report: CabinetReport) -> bytes | None:
    """The issued report's Word version exactly as issued, checked against its checksum; None for a
    report issued before Word versions were kept."""
    if report.docx is None:
        return None
    content = bytes(report.docx)
    if pdf.checksum(content) != report.docx_sha256:
        raise IssuedReportCorruptedError(
            f"Stored Word document of report {report.pk} does not match its checksum."
        )
    return content


# Decision records
