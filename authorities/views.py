from itertools import groupby

from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from recommendations.models import Recommendation
from responses.models import LocalResponse

from .models import Authority


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


class AuthorityDetailView(DetailView):
    """A council and its responses to every recommendation, grouped by theme."""

    template_name = "authorities/authority_detail.html"
    context_object_name = "authority"

    def get_object(self, queryset=None):
        return get_object_or_404(
            Authority.objects.prefetch_related("implication_rows"), slug=self.kwargs["slug"]
        )

    def get_context_data(self, **kwargs):
        responses_by_rec = {}
        for response in LocalResponse.objects.for_authority(self.object):
            responses_by_rec.setdefault(response.recommendation_id, []).append(response)
        recommendations = list(Recommendation.objects.for_list())
        for recommendation in recommendations:
            recommendation.council_responses = responses_by_rec.get(recommendation.pk, [])
        themes = [(theme, list(recs)) for theme, recs in groupby(recommendations, key=lambda r: r.theme)]
        return super().get_context_data(
            themes=themes,
            answered_count=len(responses_by_rec),
            recommendation_count=len(recommendations),
            nav="authorities",
            **kwargs,
        )
