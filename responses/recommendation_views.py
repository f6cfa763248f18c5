"""The recommendation pages: the 58 by theme, one recommendation, and the Government's commitments,
each with where the councils' responses stand (so they live with the responses, not the reference data)."""

from itertools import groupby

from django.core.paginator import Paginator
from django.http import Http404
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.views.generic import ListView, TemplateView

from authorities.access import memberships_of
from authorities.models import Authority
from recommendations.models import Commitment, Recommendation

from .dashboards import commitment_tracker
from .filters import RecommendationFilterSet, applied_filters
from .models import LocalResponse
from .views import AsAtMixin, WithoutEmptyParametersMixin


class RecommendationListView(WithoutEmptyParametersMixin, TemplateView):
    """The 58 recommendations grouped by theme, filtered by the URL, each with where the councils stand."""

    template_name = "recommendations/recommendation_list.html"

    def get_context_data(self, **kwargs):
        filterset = RecommendationFilterSet(
            self.request.GET or None, queryset=Recommendation.objects.for_list()
        )
        valid = not filterset.is_bound or filterset.is_valid()
        recommendations = list(filterset.qs) if valid else []
        council_count = Authority.objects.count()
        summaries = LocalResponse.objects.status_summaries(council_count)
        for recommendation in recommendations:
            recommendation.status_summary = summaries.get(recommendation.pk)
        themes = [(theme, list(recs)) for theme, recs in groupby(recommendations, key=lambda rec: rec.theme)]
        return super().get_context_data(
            filter=filterset,
            applied=applied_filters(filterset, self.request),
            themes=themes,
            recommendation_count=len(recommendations),
            council_count=council_count,
            nav="recommendations",
            **kwargs,
        )


class RecommendationDetailView(TemplateView):
    """One recommendation: text and parts, bodies addressed, commitments and each council's response, twenty
    councils to a page (at national size there are 152 or more)."""

    template_name = "recommendations/recommendation_detail.html"
    councils_per_page = 20

    def get_context_data(self, **kwargs):
        try:
            recommendation = Recommendation.objects.for_detail().get(number=self.kwargs["number"])
        except Recommendation.DoesNotExist:
            raise Http404("No recommendation has that number.") from None
        page = Paginator(Authority.objects.order_by("name", "pk"), self.councils_per_page).get_page(
            self.request.GET.get("page")
        )
        responses = (
            LocalResponse.objects.filter(recommendation=recommendation, authority__in=list(page))
            .select_related("part")
            .with_last_update()
            .order_by("part__letter")
        )
        by_authority = {}
        for response in responses:
            by_authority.setdefault(response.authority_id, []).append(response)
        councils = [(authority, by_authority.get(authority.pk, [])) for authority in page]
        return super().get_context_data(
            recommendation=recommendation,
            councils=councils,
            page_obj=page,
            nav="recommendations",
            **kwargs,
        )


class CommitmentListView(AsAtMixin, ListView):
    """The Government's commitments by source and section: when each was due, whether that date has
    passed, the recommendations it answers and how councils' responses to them stand."""

    template_name = "recommendations/commitment_list.html"
    context_object_name = "commitments"
    queryset = Commitment.objects.for_list()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Every council for the choice, as (slug, name): 600 councils' whole records cost the page more than
        # its counts. The chosen one is read whole; by default a member's own, with their memberships.
        councils = list(Authority.objects.order_by("name").values_list("slug", "name"))
        if self.request.GET.get("council"):
            authority = Authority.objects.filter(slug=self.request.GET["council"]).first()
        else:
            authority = next((m.authority for m in memberships_of(self.request.user) if m.authority), None)
        progress = commitment_tracker(context["commitments"], authority, self.as_at.day)
        context["groups"] = [
            {"heading": heading, "items": list(items)}
            for heading, items in groupby(progress, key=lambda p: p.commitment.group_heading())
        ]
        context.update(
            council_options=format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                (
                    (council, mark_safe(" selected") if authority and council == authority.slug else "", name)
                    for council, name in councils
                ),
            ),
            authority=authority,
            unknown_council=bool(self.request.GET.get("council")) and authority is None,
            as_at=self.as_at,
            nav="commitments",
        )
        return context
