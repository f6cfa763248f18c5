from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView

from authorities.models import Authority
from recommendations.models import Recommendation

from .models import LocalResponse, ProgressUpdate


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
            nav="authorities",
            **kwargs,
        )
