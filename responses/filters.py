"""Filters for lists of recommendations and of responses. The state lives in the URL."""

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

import django_filters
from django import forms
from django.db.models import Q

from authorities.models import Authority
from recommendations.models import Body, Commitment, Recommendation, RecommendationPart, Theme

from .models import Assurance, LocalResponse, Rag, Status, overdue_q
from .search import matches, matching

NOT_RATED = "not_rated"
RAG_FILTER_CHOICES = [(NOT_RATED if value == "" else value, label) for value, label in Rag.choices]
# "Not requested" is stored as "", which a URL cannot carry as a chosen value.
NOT_REQUESTED = "not_requested"
ASSURANCE_FILTER_CHOICES = [
    (NOT_REQUESTED if value == "" else value, label) for value, label in Assurance.choices
]
YES_NO = [("yes", "Yes"), ("no", "No")]
# What free-text search reads in a response; on PostgreSQL the trigger of migration 0003 keeps these,
# in this order, in LocalResponse.search_vector.
RESPONSE_SEARCH_FIELDS = ["text", "evidence", "lead_officer"]


def rag_values(values):
    return ["" if value == NOT_RATED else value for value in values]


def assurance_values(values):
    return ["" if value == NOT_REQUESTED else value for value in values]


# Multiple-choice filters name records by slug in the URL (?theme=legal), and django-filter matches
# the slug itself, so each filters on the slug field ("theme__slug").
#
# None of them selects DISTINCT (django-filter's default for multiple choices): each follows only
# foreign keys, so the rows are already unique, and a body addressed, the one many-to-many, is matched
# by a subquery (addressed_to). DISTINCT made PostgreSQL run the list's last-update subqueries for every
# matching row, in the count and in the page: 500 ms at national size against 41 ms without it.


class FilterSet(django_filters.FilterSet):
    """A FilterSet whose lists of councils, themes and bodies are each read once, as `choice_list`
    on the form field: a model field's own `choices` runs a query every time it is counted or drawn.
    Councils, themes and bodies are named by their name (each model's __str__) and chosen by slug, so they
    are read as (slug, name) pairs: building 600 councils' records for the choices took longer than the
    page's queries."""

    @property
    def form(self):
        if not hasattr(self, "_form"):
            for field in super().form.fields.values():
                if isinstance(field, forms.ModelMultipleChoiceField):
                    field.choice_list = list(field.queryset.values_list(field.to_field_name or "pk", "name"))
                elif hasattr(field, "choices"):
                    field.choice_list = list(field.choices)
        return self._form


# A council choice needs only its slug and name: the choices are every council (600 at the benchmark's
# size), and building whole council records for them cost the filter panel more than drawing it.
COUNCIL_CHOICES = Authority.objects.order_by("name").only("slug", "name")


def by_slug(label, queryset, field_name=None, **extra):
    """Pick councils, themes or bodies by slug, which is what the URL carries (?theme=legal)."""
    return django_filters.ModelMultipleChoiceFilter(
        label=label,
        field_name=field_name,
        to_field_name="slug",
        queryset=queryset,
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
        **extra,
    )


def statuses(**extra):
    return django_filters.MultipleChoiceFilter(
        label="Delivery status",
        choices=Status.choices,
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
        **extra,
    )


def rags(method):
    return django_filters.MultipleChoiceFilter(
        label="RAG rating",
        choices=RAG_FILTER_CHOICES,
        method=method,
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
    )


def either(label, choices, method):
    return django_filters.ChoiceFilter(label=label, choices=choices, method=method, empty_label="Any")


def addressed_to(bodies):
    """Recommendations addressed to any of `bodies`, as a subquery: each once, however many it names."""
    return Recommendation.objects.filter(addressed_to__in=bodies).values("pk")


def needing_action_by(level):
    """Recommendations addressed to at least one national (or local) body."""
    return Recommendation.objects.filter(addressed_to__level=level).values("pk")


def in_working_together():
    return Recommendation.objects.filter(
        commitment_links__commitment__source=Commitment.Source.WORKING_TOGETHER
    ).values("pk")


class ResponseFilterSet(FilterSet):
    """Filter councils' responses by council, theme, status, RAG, assurance, body addressed, lateness
    and text."""

    q = django_filters.CharFilter(label="Search", method="filter_q")
    council = by_slug("Council", COUNCIL_CHOICES, "authority__slug")
    theme = by_slug("Theme", Theme.objects.order_by("number"), "recommendation__theme__slug")
    status = statuses()
    rag = rags("filter_rag")
    assurance = django_filters.MultipleChoiceFilter(
        label="Assurance",
        choices=ASSURANCE_FILTER_CHOICES,
        method="filter_assurance",
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
    )
    body = by_slug("Addressed to", Body.objects.order_by("name"), method="filter_body")
    action = either("Action needed", Body.Level.choices, "filter_action")
    overdue = either("Past target date", YES_NO, "filter_overdue")
    working_together = either("In the Working Together revision", YES_NO, "filter_working_together")

    class Meta:
        model = LocalResponse
        fields = []

    def filter_q(self, queryset, name, value):
        # The response's own words on the row itself (stored in search_vector), checked only on the rows the
        # other filters keep; the recommendation's and part's words matched table by table, each text once.
        own = matches(RESPONSE_SEARCH_FIELDS, value, stored_vector="search_vector")
        recs = matching(Recommendation.objects.all(), ["text"], value).values("pk")
        parts = matching(RecommendationPart.objects.all(), ["text"], value).values("pk")
        return queryset.filter(own | Q(recommendation__in=recs) | Q(part__in=parts))

    def filter_rag(self, queryset, name, value):
        return queryset.filter(rag__in=rag_values(value)) if value else queryset

    def filter_assurance(self, queryset, name, value):
        return queryset.filter(assurance__in=assurance_values(value)) if value else queryset

    def filter_body(self, queryset, name, value):
        return queryset.filter(recommendation__in=addressed_to(value)) if value else queryset

    def filter_action(self, queryset, name, value):
        return queryset.filter(recommendation__in=needing_action_by(value))

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(overdue_q()) if value == "yes" else queryset.exclude(overdue_q())

    def filter_working_together(self, queryset, name, value):
        if value == "yes":
            return queryset.filter(recommendation__in=in_working_together())
        return queryset.exclude(recommendation__in=in_working_together())


class RecommendationFilterSet(FilterSet):
    """Filter the 58 recommendations; status, RAG and lateness match any council's response
    (or the chosen councils' responses when councils are chosen)."""

    q = django_filters.CharFilter(label="Search", method="filter_q")
    theme = by_slug("Theme", Theme.objects.order_by("number"), "theme__slug")
    body = by_slug("Addressed to", Body.objects.order_by("name"), method="filter_body")
    action = either("Action needed", Body.Level.choices, "filter_action")
    working_together = either("In the Working Together revision", YES_NO, "filter_working_together")
    council = by_slug("Council", COUNCIL_CHOICES, method="filter_responses")
    region = django_filters.MultipleChoiceFilter(
        label="Region",
        choices=Authority.Region.choices,
        method="filter_responses",
        widget=forms.CheckboxSelectMultiple,
        distinct=False,
    )
    status = statuses(method="filter_responses")
    rag = rags("filter_responses")
    overdue = either("Past target date", YES_NO, "filter_responses")

    class Meta:
        model = Recommendation
        fields = []

    # Councils (or a region) chosen alone keep the recommendations they have answered.
    councils_alone_filter = True

    def filter_q(self, queryset, name, value):
        recs = matching(Recommendation.objects.all(), ["text"], value).values("pk")
        parts = matching(RecommendationPart.objects.all(), ["text"], value).values("recommendation_id")
        responses = matching(
            LocalResponse.objects.all(), RESPONSE_SEARCH_FIELDS, value, stored_vector="search_vector"
        ).values("recommendation_id")
        return queryset.filter(Q(pk__in=recs) | Q(pk__in=parts) | Q(pk__in=responses))

    def filter_body(self, queryset, name, value):
        return queryset.filter(pk__in=addressed_to(value)) if value else queryset

    def filter_action(self, queryset, name, value):
        return queryset.filter(pk__in=needing_action_by(value))

    def filter_working_together(self, queryset, name, value):
        if value == "yes":
            return queryset.filter(pk__in=in_working_together())
        return queryset.exclude(pk__in=in_working_together())

    def filter_responses(self, queryset, name, value):
        # Council, status, RAG and lateness describe one response together: "recommendations where
        # Darlington's response is overdue", not "overdue anywhere and answered by Darlington".
        # So they are applied once, together, whichever of them is set.
        if getattr(self, "_responses_filtered", False):
            return queryset
        self._responses_filtered = True
        data = self.form.cleaned_data
        matching = any(data.get(name) for name in ("status", "rag", "overdue"))
        if not (matching or self.councils_alone_filter):
            return queryset
        responses = LocalResponse.objects.all()
        if data.get("council"):
            responses = responses.filter(authority__in=data["council"])
        if data.get("region"):
            responses = responses.filter(authority__region__in=data["region"])
        if data.get("status"):
            responses = responses.filter(status__in=data["status"])
        if data.get("rag"):
            responses = responses.filter(rag__in=rag_values(data["rag"]))
        if data.get("overdue") == "yes":
            responses = responses.filter(overdue_q())
        elif data.get("overdue") == "no":
            responses = responses.exclude(overdue_q())
        return queryset.filter(pk__in=responses.values("recommendation_id"))


class ComparisonFilterSet(RecommendationFilterSet):
    """The comparison's filters: the councils and regions chosen are its columns, so choosing them alone
    keeps every recommendation, and a council's gaps show as "No response" (a council that has only
    just joined has nothing else). With a status, RAG or lateness, the chosen councils' responses must
    match it, as on the list of recommendations."""

    councils_alone_filter = False


# What the URL has applied, for the "Filters applied" summary (the Ministry of Justice "filter a list"
# pattern): a tag for each value, which takes just that value away.


def query_pairs(request):
    """The request's query string as (name, value) pairs, in the order they came."""
    return parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True)


def without_empty_parameters(request):
    """The request's query string without its empty parameters (?q=&action=&theme=legal gives
    theme=legal), the rest in the order they came; None when it has none to leave out."""
    pairs = query_pairs(request)
    kept = [(name, value) for name, value in pairs if value.strip()]
    return None if len(kept) == len(pairs) else urlencode(kept)


@dataclass(frozen=True)
class AppliedFilter:
    """One value of one filter, and the address of the same page without that value."""

    label: str  # the filter's label: "Theme"
    value: str  # the value as the form names it: "Children's workforce"
    url: str


@dataclass
class AppliedFilters:
    tags: list  # [AppliedFilter], in the form's order, each filter's values in the URL's order
    clear_url: str  # the page with no filters

    def __bool__(self):
        return bool(self.tags)


def applied_filters(filterset, request):
    """The filters the URL applies, one tag per value, each with the same address without that one
    value; and the address without any of them. Both keep what is not a filter (?as_at=), and leave
    out the page number: the results they lead to are different ones."""
    pairs = query_pairs(request)
    fields = filterset.form.fields

    def address(kept):
        query = urlencode([(name, value) for name, value in kept if name != "page"])
        return f"{request.path}?{query}" if query else request.path

    tags = []
    for name, field in fields.items():
        # choice_list is read once per request (FilterSet.form): naming the values runs no query.
        named = {str(value): label for value, label in getattr(field, "choice_list", [])}
        for value in dict.fromkeys(value for key, value in pairs if key == name and value.strip()):
            tags.append(
                AppliedFilter(
                    label=field.label,
                    value=named.get(value, value),
                    url=address([pair for pair in pairs if pair != (name, value)]),
                )
            )
    return AppliedFilters(tags=tags, clear_url=address([pair for pair in pairs if pair[0] not in fields]))
