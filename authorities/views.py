from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST
from django.views.generic import ListView

from recommendations.models import Recommendation

from . import pdf, services
from .access import can_prepare_papers, get_authority_for_papers, get_report_for_user
from .forms import NEW_MEETING, DecisionForm, NewReportForm, ReportForm
from .models import Authority, CabinetReport, Meeting
from .reports import build_report, default_report, lettered


class AuthorityListView(ListView):
    """The councils, with how many recommendations each has answered."""

    template_name = "authorities/authority_list.html"
    context_object_name = "authorities"
    queryset = Authority.objects.annotate(
        recommendations_answered=Count("responses__recommendation", distinct=True)
    ).order_by("name")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            recommendation_count=Recommendation.objects.count(), nav="authorities", **kwargs
        )


# Committee papers: Cabinet reports and decision records. Who may do what is decided in access.py.


def pdf_response(content: bytes, filename: str, *, issued_checksum: str = "") -> HttpResponse:
    """A PDF download. Drafts are never cached (the records move under them); an issued report's
    bytes never change, so its checksum is its ETag."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    if issued_checksum:
        response["ETag"] = f'"{issued_checksum}"'
        response["Cache-Control"] = "private, max-age=3600"
    else:
        response["Cache-Control"] = "private, no-store"
    return response


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
    form = NewReportForm(request.POST or None, authority=authority)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        report = services.create_report(
            authority=authority,
            by=request.user,
            title=data["title"],
            meeting=data["existing_meeting"],
            new_meeting_kind=data["new_meeting_kind"] or None,
            new_meeting_date=data["new_meeting_date"],
        )
        messages.success(request, "Your draft report has been created. Check and edit its narrative below.")
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
        .defer("compared_with__pdf", "compared_with__snapshot"),
    )
    return render_report_detail(request, report)


def render_report_detail(request, report, *, issue_errors=None, status=200):
    return render(
        request,
        "authorities/report_detail.html",
        {
            "authority": report.authority,
            "report": report,
            "can_prepare": can_prepare_papers(request.user, report.authority),
            "missing": [] if report.is_issued else report.missing_for_issue(),
            "issue_errors": issue_errors or [],
            "nav": "authorities",
        },
        status=status,
    )


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
    form = ReportForm(request.POST or None, report=report)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_report(
                report=report,
                by=request.user,
                expected_version=data["version"],
                implications=form.implications(),
                **{name: data[name] for name in ReportForm.NARRATIVE_FIELDS},
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
        {"authority": report.authority, "report": report, "form": form, "nav": "authorities"},
    )


def preview_report(request, slug, pk):
    """The draft as the PDF will show it, built from the records as they stand now."""
    report = get_report_for_user(
        request, slug, pk, queryset=CabinetReport.objects.without_pdf().select_related("meeting")
    )
    if report.is_issued:
        # An issued report is its PDF; rebuilding it from today's records would show something else.
        return redirect(report)
    return render(
        request,
        "authorities/report_preview.html",
        {
            "authority": report.authority,
            "report": report,
            "content": build_report(report),
            "nav": "authorities",
        },
    )


def report_pdf(request, slug, pk):
    """An issued report's PDF exactly as issued, or a draft's, rendered from the records now."""
    report = get_report_for_user(
        request, slug, pk, queryset=CabinetReport.objects.defer("snapshot").select_related("meeting")
    )
    if report.is_issued:
        return pdf_response(services.issued_pdf(report), report.filename(), issued_checksum=report.pdf_sha256)
    rendered = pdf.html_to_pdf(pdf.report_html(build_report(report)))
    return pdf_response(rendered.content, report.filename())


@require_POST
def issue_report(request, slug, pk):
    """Issue a draft: its PDF is rendered once, stored with its checksum and never changes after."""
    report = get_report_for_user(request, slug, pk, prepare=True)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    try:
        issued = services.issue_report(report=report, by=request.user, expected_version=version)
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
    messages.success(
        request,
        f"The report has been issued. Its PDF is stored and will not change ({issued.page_count} pages).",
    )
    return redirect(issued)


def draft_cabinet_report_pdf(request, slug):
    """The quick draft: the council's report now, with the default narrative, not saved anywhere."""
    authority = get_authority_for_papers(request, slug, prepare=True)
    report = default_report(authority)
    rendered = pdf.html_to_pdf(pdf.report_html(build_report(report)))
    return pdf_response(
        rendered.content, f"{authority.slug}-cabinet-report-draft-{timezone.localdate():%Y-%m-%d}.pdf"
    )


def get_meeting(slug, pk):
    return get_object_or_404(
        Meeting.objects.select_related("authority", "decision"), authority__slug=slug, pk=pk
    )


def decision_context(request, meeting):
    decision = getattr(meeting, "decision", None)
    if decision is None:
        raise Http404("No decision has been recorded for this meeting.")
    return {
        "authority": meeting.authority,
        "meeting": meeting,
        "decision": decision,
        "reports": list(CabinetReport.objects.without_pdf().issued().filter(meeting=meeting)),
    }


def decision_detail(request, slug, pk):
    """A meeting's decision record in Stockton's format, for every signed-in user."""
    context = decision_context(request, get_meeting(slug, pk))
    context["can_prepare"] = can_prepare_papers(request.user, context["authority"])
    return render(request, "authorities/decision_detail.html", {**context, "nav": "authorities"})


def decision_pdf(request, slug, pk):
    context = decision_context(request, get_meeting(slug, pk))
    rendered = pdf.html_to_pdf(pdf.decision_html(context["decision"], context["reports"]))
    meeting = context["meeting"]
    when = f"{meeting.date:%Y-%m-%d}" if meeting.date else str(meeting.pk)
    return pdf_response(rendered.content, f"{meeting.authority.slug}-decision-record-{when}.pdf")


def record_decision(request, slug, pk):
    """A clerk records what a meeting decided, after it, or corrects the record until it is published."""
    authority = get_authority_for_papers(request, slug, prepare=True)
    meeting = get_object_or_404(
        Meeting.objects.select_related("authority", "decision"), authority=authority, pk=pk
    )
    decision = getattr(meeting, "decision", None)
    if decision is not None and decision.is_published:
        messages.info(
            request,
            f"This decision record was published on {decision.published_on:%-d %B %Y} and cannot be changed.",
        )
        return redirect("authorities:decision", authority.slug, meeting.pk)
    suggested = ""
    if decision is None:
        report = CabinetReport.objects.without_pdf().issued().filter(meeting=meeting).first()
        suggested = "\n".join(text for _, text in lettered(report.recommendation_lines())) if report else ""
    form = DecisionForm(
        request.POST or None, meeting=meeting, decision=decision, suggested_decisions=suggested
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.record_decision(meeting=meeting, by=request.user, **form.cleaned_data)
        except services.DecisionPublishedError as error:
            messages.info(request, str(error))
        else:
            messages.success(request, "The decision record has been saved.")
        return redirect("authorities:decision", authority.slug, meeting.pk)
    return render(
        request,
        "authorities/decision_form.html",
        {
            "authority": authority,
            "meeting": meeting,
            "decision": decision,
            "form": form,
            "nav": "authorities",
        },
    )
