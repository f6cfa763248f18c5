"""Filtering lists of recommendations and responses: each filter, one line each."""

import pytest
from django.urls import reverse

from recommendations.models import Body, Recommendation
from responses.filters import RecommendationFilterSet, ResponseFilterSet
from responses.models import LocalResponse, Status

from .helpers import visible_text


def responses(**params):
    return ResponseFilterSet(params, queryset=LocalResponse.objects.all()).qs.count()


def recommendations(**params):
    return RecommendationFilterSet(params, queryset=Recommendation.objects.all()).qs.count()


def test_response_filters_each_narrow_the_list(db):
    assert responses() == 98
    assert responses(council=["central-bedfordshire"]) == 69
    assert responses(council=["darlington", "newcastle"]) == 25
    assert responses(theme=["legal"]) == LocalResponse.objects.filter(recommendation__number__gte=57).count()
    assert responses(status=[Status.PARTNER_AGENCY]) == 5
    assert responses(rag=["not_rated"]) == 98
    assert responses(rag=["red"]) == 0
    assert (
        responses(body=["ofsted"])
        == LocalResponse.objects.filter(recommendation__addressed_to__slug="ofsted").count()
    )
    local = (
        LocalResponse.objects.filter(recommendation__addressed_to__level=Body.Level.LOCAL)
        .values("pk")
        .distinct()
    )
    assert responses(action="local") == local.count()
    # Every target date in the sources (2009) has passed; none of those responses is complete.
    assert responses(overdue="yes") == LocalResponse.objects.exclude(target_date=None).count() == 4
    assert responses(overdue="yes") + responses(overdue="no") == 98
    working_together = LocalResponse.objects.filter(
        recommendation__number__in=[6, 7, 9, 11, 13, 14, 16, 19, 20, 22, 23, 25, 29, 30, 51, 52, 53]
    ).count()
    assert responses(working_together="yes") == working_together
    assert responses(q="Ofsted") >= 5


def test_response_search_finds_stemmed_words_on_postgresql(db):
    # "chairing" and "chair" share a stem: full-text search finds both spellings.
    assert responses(q="chairing") == responses(q="chair")
    assert responses(q="chair -independent") < responses(q="chair")


def test_recommendation_filters_each_narrow_the_list(db):
    assert recommendations() == 58
    assert recommendations(theme=["childrens-workforce"]) == 13
    assert (
        recommendations(body=["ofsted"]) == Recommendation.objects.filter(addressed_to__slug="ofsted").count()
    )
    assert recommendations(working_together="yes") == 17
    assert recommendations(working_together="no") == 41
    assert recommendations(council=["central-bedfordshire"]) == 58
    assert recommendations(council=["stockton-on-tees"]) == 4
    assert recommendations(council=["darlington"], status=[Status.AWAITING_NATIONAL]) == 5
    assert recommendations(status=[Status.COMPLETE]) == 1
    assert recommendations(q="Serious Case Review") >= 5
    assert recommendations(q="Loughborough") == 1


@pytest.mark.parametrize("url_name", ["recommendations:list", "responses:list", "responses:comparison"])
def test_filter_state_lives_in_the_url_and_shows_in_the_form(officer_client, url_name):
    response = officer_client.get(reverse(url_name) + "?status=awaiting_national&q=guidance")
    html = response.content.decode()
    assert 'value="awaiting_national" checked' in html
    assert 'value="guidance"' in html
    assert 'role="status" aria-live="polite"' in html


@pytest.mark.parametrize("url_name", ["recommendations:list", "responses:list", "responses:comparison"])
def test_bad_filter_values_show_a_problem_not_an_error(officer_client, url_name):
    response = officer_client.get(reverse(url_name) + "?status=finished&theme=nowhere&overdue=maybe")
    assert response.status_code == 200
    assert "There is a problem" in visible_text(response)


def test_responses_list_counts_what_it_shows_and_pages_through_them(officer_client):
    text = visible_text(officer_client.get(reverse("responses:list")))
    assert "98 responses" in text
    assert "Page 1 of 2" in text
    assert officer_client.get(reverse("responses:list") + "?page=2").status_code == 200
    assert officer_client.get(reverse("responses:list") + "?page=9").status_code == 404


def test_search_finds_words_an_officer_has_just_saved(officer_client):
    response = LocalResponse.objects.get(authority__slug="darlington", recommendation__number=51)
    assert responses(q="reciprocal chairing agreements") == 0
    officer_client.post(
        reverse("responses:edit", args=["darlington", 51]),
        {
            "text": "Reciprocal chairing agreements signed with Stockton.",
            "status": response.status,
            "note": "Agreements signed.",
            "version": response.version,
        },
    )
    # Stemmed: "agreement" finds "agreements".
    assert responses(q="reciprocal agreement") == 1
