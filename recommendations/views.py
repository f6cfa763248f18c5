from itertools import groupby

from django.http import Http404
from django.views.generic import ListView, TemplateView

from authorities.models import Authority
from responses.models import LocalResponse

from .models import Commitment, Recommendation


class RecommendationListView(TemplateView):
    """The 58 recommendations grouped by theme, each with where the councils stand on it."""

    template_name = "recommendations/recommendation_list.html"

    def get_context_data(self, **kwargs):
        council_count = Authority.objects.count()
        summaries = LocalResponse.objects.status_summaries(council_count)
        recommendations = list(Recommendation.objects.for_list())
        for recommendation in recommendations:
            recommendation.status_summary = summaries.get(recommendation.pk)
        themes = [(theme, list(recs)) for theme, recs in groupby(recommendations, key=lambda rec: rec.theme)]
        return super().get_context_data(
            themes=themes, council_count=council_count, nav="recommendations", **kwargs
        )


class RecommendationDetailView(TemplateView):
    """One recommendation: text and parts, bodies addressed, commitments and every council's response."""

    template_name = "recommendations/recommendation_detail.html"

    def get_context_data(self, **kwargs):
        try:
            recommendation = Recommendation.objects.for_detail().get(number=self.kwargs["number"])
        except Recommendation.DoesNotExist:
            raise Http404("No recommendation has that number.") from None
        responses = (
            LocalResponse.objects.filter(recommendation=recommendation)
            .select_related("part")
            .with_last_update()
            .order_by("part__letter")
        )
        by_authority = {}
        for response in responses:
            by_authority.setdefault(response.authority_id, []).append(response)
        councils = [
            (authority, by_authority.get(authority.pk, []))
            for authority in Authority.objects.order_by("name")
        ]
        return super().get_context_data(
            recommendation=recommendation, councils=councils, nav="recommendations", **kwargs
        )


class CommitmentListView(ListView):
    """The Government's commitments by source and section, with the recommendations each answers."""

    template_name = "recommendations/commitment_list.html"
    context_object_name = "commitments"
    queryset = Commitment.objects.for_list()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["groups"] = [
            {"heading": heading, "commitments": list(items)}
            for heading, items in groupby(context["commitments"], key=Commitment.group_heading)
        ]
        context["nav"] = "commitments"
        return context
