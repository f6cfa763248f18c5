from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.generic import TemplateView

from authorities.access import can_edit_responses, get_authority_for_user
from authorities.models import Authority
from recommendations.models import Recommendation, RecommendationPart

from .forms import ResponseForm
from .models import LocalResponse, ProgressUpdate
from .services import StaleResponseError, record_progress


class ResponseDetailView(TemplateView):
    """One council's response to one recommendation (or to each of its parts) with the progress timeline."""

    template_name = "responses/response_detail.html"

    def get_context_data(self, **kwargs):
        authority = get_object_or_404(Authority, slug=self.kwargs["slug"])
        recommendation = get_object_or_404(
            Recommendation.objects.prefetch_related("parts"), number=self.kwargs["number"]
        )
        responses = {
            response.part_id: response
            for response in LocalResponse.objects.filter(authority=authority, recommendation=recommendation)
            .select_related("part", "updated_by")
            .prefetch_related(Prefetch("updates", queryset=ProgressUpdate.objects.timeline()))
        }
        # A council answers a recommendation as a whole or part by part. Show whichever it did, and
        # when it answers by parts, name each part it has not answered rather than leave a gap.
        parts = list(recommendation.parts.all())
        if not parts or None in responses or not responses:
            sections = [(None, responses.get(None))]
            sections += [(part, responses[part.pk]) for part in parts if part.pk in responses]
        else:
            sections = [(part, responses.get(part.pk)) for part in parts]
        return super().get_context_data(
            authority=authority,
            recommendation=recommendation,
            sections=sections,
            can_edit=can_edit_responses(self.request.user, authority),
            nav="authorities",
            **kwargs,
        )


def edit_response(request, slug, number, letter=None):
    """An officer records their council's position on a recommendation, or on one part of it."""
    authority = get_authority_for_user(request, slug, write=True)
    recommendation = get_object_or_404(Recommendation, number=number)
    part = (
        get_object_or_404(RecommendationPart, recommendation=recommendation, letter=letter)
        if letter
        else None
    )
    response = (
        LocalResponse.objects.filter(authority=authority, recommendation=recommendation, part=part)
        .select_related("updated_by")
        .first()
    )
    form = ResponseForm(request.POST or None, response=response)
    other_changes = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = record_progress(
                authority=authority,
                recommendation=recommendation,
                part=part,
                by=request.user,
                expected_version=data["version"],
                text=data["text"],
                status=data["status"],
                rag=data["rag"],
                lead_officer=data["lead_officer"],
                target_date=data["target_date"],
                target_date_reason=data["target_date_reason"],
                evidence=data["evidence"],
                note=data["note"],
            )
        except StaleResponseError as stale:
            # Keep what the officer typed, show what changed underneath them, and base the form on
            # the version now saved: saving again is then a decision made with both in view.
            response = stale.current
            other_changes = (
                list(response.updates.timeline().filter(response_version__gt=data["version"]))
                if response
                else []
            )
            resubmit = request.POST.copy()
            resubmit["version"] = response.version if response else 0
            form = ResponseForm(resubmit, response=response)
            form.is_valid()
            form.add_error(
                None,
                "Someone else saved a change to this response while you were editing it. "
                "Check their change below. Your text has been kept: save again if it should replace theirs.",
            )
        else:
            messages.success(request, f"Your update to {saved.label.lower()} has been saved.")
            url = reverse("responses:detail", args=[authority.slug, recommendation.number])
            return redirect(f"{url}#part-{part.letter}" if part else url)
    return render(
        request,
        "responses/response_form.html",
        {
            "authority": authority,
            "recommendation": recommendation,
            "part": part,
            "response": response,
            "form": form,
            "other_changes": other_changes,
            "nav": "authorities",
        },
    )
