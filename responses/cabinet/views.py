"""The pages of a council's Cabinet reports: the list, a new draft, its narrative, the preview, the
PDFs, the Word versions and the issue. Who may do what is decided in authorities.access."""

import logging

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_POST

from authorities import documents, pdf
from authorities.access import can_prepare_papers, get_authority_for_papers, get_report_for_user
from authorities.models import CabinetReport, Meeting, PdfJob
from authorities.views import pdf_response, prepared_pdf, wants_json
from laming.forms import as_at_of, bound_data

from . import issuing, services, word
from .content import build_report, clerk_warnings, default_report, report_as_at
from .forms import NEW_MEETING, NewReportForm, ReportForm, meeting_exists_message

# What was issued must stay what was issued: a stored PDF that no longer matches its checksum is
# logged here, for whoever watches the logs (and, as a server error, mailed to ADMINS).
integrity_log = logging.getLogger("laming.integrity")


def report_list(request, slug):
    """A council's issued reports (what each meeting was told), its drafts and its meetings."""
    authority = get_authority_for_papers(request, slug)
    can_prepare = can_prepare_papers(request.user, authority)
    reports = list(CabinetReport.objects.for_list(authority))
    return render(
        request,
        "authorities/report_list.html",
        {
            "authority": authority,
            "can_prepare": can_prepare,
            "issued": [report for report in reports if report.is_issued],
            "drafts": [report for report in reports if not report.is_issued] if can_prepare else [],
            "meetings": list(Meeting.objects.for_papers(authority)),
            "nav": "authorities",
        },
    )


def new_report(request, slug):
    """A clerk starts a report for a meeting; its narrative is prefilled from the council's records."""
    authority = get_authority_for_papers(request, slug, prepare=True)
    form = NewReportForm(bound_data(request), authority=authority)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = services.create_report(
                authority=authority,
                by=request.user,
                title=data["title"],
                meeting=data["existing_meeting"],
                new_meeting_kind=data["new_meeting_kind"] or None,
                new_meeting_date=data["new_meeting_date"],
            )
        except services.MeetingExistsError as exists:
            # Told, not quietly reused: a date typed wrong would otherwise put the report to a meeting the
            # clerk did not mean. The form is built again so that its list has the meeting, even one
            # another clerk created a moment ago.
            form = NewReportForm(request.POST, authority=authority)
            form.is_valid()
            form.add_error("meeting", meeting_exists_message(exists.meeting))
        else:
            messages.success(
                request, "Your draft report has been created. Check and edit its narrative below."
            )
            return redirect("authorities:report_edit", authority.slug, report.pk)
    return render(
        request,
        "authorities/report_new.html",
        {
            "authority": authority,
            "form": form,
            "new_meeting": NEW_MEETING,
            "nav": "authorities",
        },
    )


def report_detail(request, slug, pk):
    """A report: an issued one's record and download; a draft's state, what it still needs, and issue."""
    report = get_report_for_user(
        request,
        slug,
        pk,
        queryset=CabinetReport.objects.without_pdf()
        .with_pdf_size()
        .select_related("meeting__authority", "meeting__decision", "issued_by", "created_by", "compared_with")
        .defer("compared_with__pdf", "compared_with__docx", "compared_with__snapshot"),
    )
    return render_report_detail(request, report)


def issue_jobs(report, *, issue_errors=None):
    """A draft's issue in hand and its last failed one: (the job waiting or under way, or None; the job
    that failed last, unless the page already names what stops the issue, or None). One query."""
    issue_job = failed_issue = None
    if not report.is_issued:
        last = issuing.last_issue_job(report)
        if last is not None and last.is_pending:
            issue_job = last
        elif last is not None and last.state == PdfJob.State.FAILED and not issue_errors:
            failed_issue = last
    return issue_job, failed_issue


def render_report_detail(request, report, *, issue_errors=None, status=200):
    issue_job, failed_issue = issue_jobs(report, issue_errors=issue_errors)
    if wants_json(request):
        # The waiting page's script: has the issue finished?
        state = "issued" if report.is_issued else (issue_job.state if issue_job else "failed")
        message = documents.progress_message(issue_job) if issue_job else ""
        response = JsonResponse({"state": state, "message": message})
        patch_vary_headers(response, ["Accept"])
        return response
    as_at = report_as_at(report)
    response = render(
        request,
        "authorities/report_detail.html",
        {
            "authority": report.authority,
            "report": report,
            "can_prepare": can_prepare_papers(request.user, report.authority),
            "missing": [] if report.is_issued else report.missing_for_issue(),
            "issue_errors": issue_errors or [],
            "issue_job": issue_job,
            "issue_message": documents.progress_message(issue_job) if issue_job else "",
            "failed_issue": failed_issue,
            "as_at": as_at,
            "warnings": [] if report.is_issued else clerk_warnings(report, as_at),
            "retry_after": documents.RETRY_AFTER_SECONDS,
            "nav": "authorities",
        },
        status=status,
    )
    patch_vary_headers(response, ["Accept"])
    return response


def edit_report(request, slug, pk):
    """The clerk edits a draft's narrative: every section the council writes itself."""
    report = get_report_for_user(
        request,
        slug,
        pk,
        prepare=True,
        queryset=CabinetReport.objects.without_pdf().select_related("meeting__authority"),
    )
    if report.is_issued:
        messages.info(request, "This report has been issued and can no longer be changed.")
        return redirect(report)
    if issuing.pending_issue(report) is not None:
        messages.info(request, "This report is being issued and can no longer be changed.")
        return redirect(report)
    form = ReportForm(bound_data(request), report=report)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_report(
                report=report,
                by=request.user,
                expected_version=data["version"],
                implications=form.implications(),
                **{name: data[name] for name in CabinetReport.NARRATIVE_FIELDS},
            )
        except services.ReportIssuedError as error:
            messages.info(request, str(error))
            return redirect(report)
        except services.StaleReportError:
            form.add_error(
                None,
                "Someone else saved a change to this report while you were editing it. "
                "Open the report again to see their change, then make yours.",
            )
        else:
            messages.success(request, "Your changes to the report have been saved.")
            return redirect(report)
    return render(
        request,
        "authorities/report_form.html",
        {
            "authority": report.authority,
            "report": report,
            "form": form,
            "warnings": clerk_warnings(report, report_as_at(report)),
            "nav": "authorities",
        },
    )


def preview_report(request, slug, pk):
    """The draft as the PDF will show it, built from the records as they stand now."""
    report = get_report_for_user(
        request, slug, pk, queryset=CabinetReport.objects.without_pdf().select_related("meeting")
    )
    if report.is_issued:
        # An issued report is its PDF; rebuilding it from today's records would show something else.
        return redirect(report)
    # Whoever may see a draft may issue it (get_report_for_user): the preview offers the issue as the
    # report's page does, with the same warning and the same check that nobody changed it since.
    issue_job, failed_issue = issue_jobs(report)
    content = build_report(report)
    return render(
        request,
        "authorities/report_preview.html",
        {
            "authority": report.authority,
            "report": report,
            "content": content,
            "warnings": clerk_warnings(report, content.as_at),
            "can_prepare": can_prepare_papers(request.user, report.authority),
            "missing": report.missing_for_issue(),
            "issue_job": issue_job,
            "failed_issue": failed_issue,
            "nav": "authorities",
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def report_pdf(request, slug, pk):
    """An issued report's PDF exactly as issued, or a draft's, rendered by the worker from the records
    as they stand now (202 and a page that waits until it is ready)."""
    report = get_report_for_user(
        request, slug, pk, queryset=CabinetReport.objects.defer("snapshot", "docx").select_related("meeting")
    )
    if report.is_issued:
        try:
            content = services.issued_pdf(report)
        except services.IssuedReportCorruptedError as error:
            integrity_log.error("Integrity error: %s", error)
            context = {"authority": report.authority, "report": report, "nav": "authorities"}
            return render(request, "authorities/report_corrupted.html", context, status=500)
        return pdf_response(content, report.filename(), issued_checksum=report.pdf_sha256)
    return prepared_pdf(
        request,
        kind=PdfJob.Kind.REPORT_DRAFT,
        authority=report.authority,
        subject=f"report:{report.pk}",
        html=pdf.report_html(build_report(report)),
        filename=report.filename(),
        report=report,
        what=f"the draft of \u201c{report.title}\u201d",
        back=(report.get_absolute_url(), "Back to the report"),
    )


@require_POST
def issue_report(request, slug, pk):
    """Issue a draft: the worker renders its PDF once and stores it with its checksum; it never changes
    after. The clerk is sent to the report's page, which shows how the issue is going."""
    report = get_report_for_user(request, slug, pk, prepare=True)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    try:
        issuing.request_issue(report=report, by=request.user, expected_version=version)
    except services.ReportIssuedError as error:
        messages.info(request, str(error))
        return redirect(report)
    except (services.StaleReportError, services.ReportIncompleteError) as error:
        problems = error.missing if isinstance(error, services.ReportIncompleteError) else [str(error)]
        report = get_report_for_user(
            request,
            slug,
            pk,
            queryset=CabinetReport.objects.without_pdf().select_related(
                "meeting__authority", "meeting__decision", "created_by"
            ),
        )
        return render_report_detail(request, report, issue_errors=problems)
    return redirect(report)


def quick_draft(request, authority):
    """The quick draft's content as at `?as_at=` (today without one), or the page that refuses a date
    it cannot use: (content, None) or (None, 400 response)."""
    as_at = as_at_of(request)
    if as_at.error:
        problem = f"{as_at.error}: the date goes in the address as ?as_at=2009-07-01."
        return None, render(request, "400.html", {"problem": problem}, status=400)
    report = default_report(authority)
    report.as_at = as_at.day
    return build_report(report), None


@require_http_methods(["GET", "HEAD", "POST"])
def draft_cabinet_report_pdf(request, slug):
    """The quick draft: the council's report now, with the default narrative, not saved as a report."""
    authority = get_authority_for_papers(request, slug, prepare=True)
    content, refusal = quick_draft(request, authority)
    if refusal:
        return refusal
    return prepared_pdf(
        request,
        kind=PdfJob.Kind.QUICK_DRAFT,
        authority=authority,
        subject=f"authority:{authority.pk}",
        html=pdf.report_html(content),
        filename=f"{authority.slug}-cabinet-report-draft-as-at-{content.as_at:%Y-%m-%d}.pdf",
        what=f"{authority.short_name}\u2019s Cabinet report as it stands",
        back=(reverse("authorities:reports", args=[authority.slug]), "Back to the council\u2019s reports"),
    )


# Word versions. A report takes well under a second to write as .docx (Central Bedfordshire's, the
# longest, about half a second), so the request writes it rather than the worker.


def docx_response(content: bytes, filename: str, *, issued_checksum: str = "") -> HttpResponse:
    """A Word document, always downloaded. As for the PDF, an issued report's never changes, so its
    checksum is its ETag; a draft's is never cached."""
    response = HttpResponse(content, content_type=word.CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    if issued_checksum:
        response["ETag"] = f'"{issued_checksum}"'
        response["Cache-Control"] = "private, max-age=3600"
    else:
        response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "HEAD"])
def report_docx(request, slug, pk):
    """An issued report's Word version exactly as issued, or a draft's, written from the records as they
    stand now."""
    report = get_report_for_user(
        request, slug, pk, queryset=CabinetReport.objects.defer("snapshot", "pdf").select_related("meeting")
    )
    filename = word.filename(report)
    if not report.is_issued:
        return docx_response(word.report_docx(build_report(report)), filename)
    try:
        content = services.issued_docx(report)
    except services.IssuedReportCorruptedError as error:
        integrity_log.error("Integrity error: %s", error)
        context = {"authority": report.authority, "report": report, "nav": "authorities"}
        return render(request, "authorities/report_corrupted.html", context, status=500)
    if content is None:
        # Issued before Word versions were kept: writing one now would not be what was issued.
        raise Http404("This report was issued before Word versions were kept. Its PDF is the record.")
    return docx_response(content, filename, issued_checksum=report.docx_sha256)


@require_http_methods(["GET", "HEAD"])
def draft_cabinet_report_docx(request, slug):
    """The quick draft as a Word document: the council's report now, with the default narrative."""
    authority = get_authority_for_papers(request, slug, prepare=True)
    content, refusal = quick_draft(request, authority)
    if refusal:
        return refusal
    return docx_response(
        word.report_docx(content),
        f"{authority.slug}-cabinet-report-draft-as-at-{content.as_at:%Y-%m-%d}.docx",
    )
