from django.contrib import messages
from django.db.models import Count, OuterRef, Subquery
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods
from django.views.generic import ListView

from laming.forms import bound_data
from recommendations.models import Recommendation

from . import documents, pdf, services
from .access import can_prepare_papers, get_authority_for_papers, is_administrator
from .forms import DecisionForm
from .models import Authority, CabinetReport, Meeting, PdfJob, lettered


def recommendations_answered():
    """How many recommendations a council has answered (wholly or in part), as a subquery: worked out only
    for the councils on the page, not grouped over every council's responses first."""
    return Subquery(
        Authority.objects.filter(pk=OuterRef("pk"))
        .order_by()
        .annotate(count=Count("responses__recommendation", distinct=True))
        .values("count")
    )


class AuthorityListView(ListView):
    """The councils by name, fifty to a page, with how many recommendations each has answered."""

    template_name = "authorities/authority_list.html"
    context_object_name = "authorities"
    paginate_by = 50
    queryset = Authority.objects.annotate(recommendations_answered=recommendations_answered()).order_by(
        "name", "pk"
    )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            recommendation_count=Recommendation.objects.count(),
            can_add_councils=is_administrator(self.request.user),
            nav="authorities",
            **kwargs,
        )


# Committee papers: Cabinet reports and decision records. Who may do what is decided in access.py.


def pdf_response(content: bytes, filename: str, *, issued_checksum: str = "") -> HttpResponse:
    """A PDF. Drafts are never cached (the records move under them) and open in the browser, so the
    page that waited for one becomes the PDF; an issued report's bytes never change, so its checksum
    is its ETag, and it downloads as the file that went to the meeting."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(bool(issued_checksum), filename)
    if issued_checksum:
        response["ETag"] = f'"{issued_checksum}"'
        response["Cache-Control"] = "private, max-age=3600"
    else:
        response["Cache-Control"] = "private, no-store"
    return response


def wants_json(request) -> bool:
    """The waiting page's script asks for the job's state as JSON; browsers and scripts that accept
    anything (or ask for PDF) get the PDF."""
    return (
        request.get_preferred_type(["application/pdf", "text/html", "application/json"]) == "application/json"
    )


def prepared_pdf(request, *, kind, authority, subject, html, filename, what, back, report=None):
    """What every PDF address answers: the PDF, when a render of the data as it stands is ready;
    otherwise 202 Accepted with Retry-After and a page saying what is being prepared, which refreshes
    itself until the PDF is ready (the render is queued once, however many people ask). A POST asks
    for another go after a failure."""
    retry = request.method == "POST"
    job = documents.pdf_job_for(
        kind=kind,
        authority=authority,
        subject=subject,
        html=html,
        filename=filename,
        by=request.user,
        report=report,
        retry=retry,
    )
    if retry:
        return redirect(request.get_full_path())
    if job.state == PdfJob.State.READY:
        response = (
            JsonResponse({"state": job.state, "message": "The PDF is ready."})
            if wants_json(request)
            else pdf_response(bytes(job.pdf), filename)
        )
        patch_vary_headers(response, ["Accept"])
        return response
    status = 202 if job.is_pending else 503
    message = documents.progress_message(job)
    if wants_json(request):
        response = JsonResponse({"state": job.state, "message": message}, status=status)
    else:
        context = {"authority": authority, "job": job, "message": message, "what": what, "back": back}
        response = render(
            request, "authorities/pdf_job.html", {**context, "nav": "authorities"}, status=status
        )
    if job.is_pending:
        response["Retry-After"] = str(documents.RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    patch_vary_headers(response, ["Accept"])
    return response


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


@require_http_methods(["GET", "HEAD", "POST"])
def decision_pdf(request, slug, pk):
    context = decision_context(request, get_meeting(slug, pk))
    meeting = context["meeting"]
    when = f"{meeting.date:%Y-%m-%d}" if meeting.date else str(meeting.pk)
    return prepared_pdf(
        request,
        kind=PdfJob.Kind.DECISION,
        authority=meeting.authority,
        subject=f"meeting:{meeting.pk}",
        html=pdf.decision_html(context["decision"], context["reports"]),
        filename=f"{meeting.authority.slug}-decision-record-{when}.pdf",
        what=f"the decision record of {meeting}",
        back=(
            reverse("authorities:decision", args=[meeting.authority.slug, meeting.pk]),
            "Back to the decision",
        ),
    )


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
        bound_data(request), meeting=meeting, decision=decision, suggested_decisions=suggested
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
