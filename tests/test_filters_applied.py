"""Filtering a list as the Ministry of Justice "filter a list" pattern has it, without JavaScript: the
address keeps only what was chosen, a "Filters applied" summary names each value with a link that takes
away just that one, and the filter panel folds away so that the results come first on a narrow screen."""

import html
import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.urls import reverse

from recommendations.models import Recommendation
from responses.filters import ComparisonFilterSet

from .helpers import normalise, visible_text

COMPARISON = reverse("responses:comparison")
LISTS = [COMPARISON, reverse("responses:list"), reverse("recommendations:list")]
TAG = re.compile(r'<a class="app-filter-tag" href="([^"]*)">(.*?)</a>', re.S)


@pytest.fixture
def chair(client, chair_darlington):
    client.force_login(chair_darlington)
    return client


def tags(response):
    """Each "Filters applied" tag as (its text as a screen reader reads it, the address it leads to)."""
    return [
        (normalise(html.unescape(re.sub(r"<[^>]+>", " ", text))), html.unescape(href))
        for href, text in TAG.findall(response.content.decode())
    ]


def pairs(url):
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


# Empty parameters are left out of the address


@pytest.mark.parametrize("page", LISTS)
def test_a_filter_form_sent_with_empty_fields_is_redirected_to_the_address_without_them(chair, page):
    # As the form sends it: every field, chosen or not, and a search of spaces alone.
    sent = (
        f"{page}?q=+&theme=childrens-workforce&action=&status=in_progress&working_together="
        "&status=awaiting_national&overdue="
    )
    response = chair.get(sent)
    assert response.status_code == 302
    assert (
        response["Location"]
        == f"{page}?theme=childrens-workforce&status=in_progress&status=awaiting_national"
    )


@pytest.mark.parametrize("page", LISTS)
def test_a_form_sent_with_nothing_chosen_is_redirected_to_the_plain_page(chair, page):
    response = chair.get(f"{page}?q=&action=&working_together=&overdue=")
    assert (response.status_code, response["Location"]) == (302, page)


def test_the_redirect_keeps_the_other_parameters_in_the_order_they_came(chair):
    response = chair.get(
        f"{COMPARISON}?status=complete&as_at=&council=newcastle&theme=legal&q=&council=darlington"
    )
    assert (
        response["Location"]
        == f"{COMPARISON}?status=complete&council=newcastle&theme=legal&council=darlington"
    )


def test_an_address_without_empty_parameters_is_shown_as_it_is(chair):
    assert chair.get(f"{COMPARISON}?theme=legal&as_at=2009-07-01").status_code == 200


# "Filters applied"


def test_each_tag_names_one_value_and_leads_to_the_page_without_exactly_that_value(chair):
    url = (
        f"{COMPARISON}?status=in_progress&theme=childrens-workforce&as_at=2009-07-01"
        "&status=awaiting_national&council=darlington&q=social+worker"
    )
    response = chair.get(url)
    found = tags(response)
    # In the form's order (search, theme, ... council, status), each status in the order it came.
    assert [text for text, _ in found] == [
        "Remove this filter Search: social worker",
        "Remove this filter Theme: Children's workforce",
        "Remove this filter Council: Darlington Borough Council",
        "Remove this filter Delivery status: In progress",
        "Remove this filter Delivery status: Awaiting national guidance or action",
    ]
    sent = pairs(url)
    removed = [("q", "social worker"), ("theme", "childrens-workforce"), ("council", "darlington")]
    removed += [("status", "in_progress"), ("status", "awaiting_national")]
    for (_, href), value in zip(found, removed, strict=True):
        assert urlsplit(href).path == COMPARISON
        assert pairs(href) == [pair for pair in sent if pair != value]  # the rest, in order, as_at too
    assert "Filters applied" in visible_text(response)
    assert 'href="/dashboard/?as_at=2009-07-01">Clear filters</a>' in response.content.decode()


def test_following_a_tag_shows_the_counts_of_the_filters_that_are_left(chair):
    def shown(url):
        return re.search(r"(\d+) recommendations?, (\d+) councils?", visible_text(chair.get(url))).groups()

    def counted(**params):
        return str(ComparisonFilterSet(params, queryset=Recommendation.objects.all()).qs.count())

    url = f"{COMPARISON}?theme=childrens-workforce&status=in_progress&status=awaiting_national"
    assert shown(url) == (
        counted(theme=["childrens-workforce"], status=["in_progress", "awaiting_national"]),
        "4",
    )
    assert shown(url) == ("7", "4")
    (theme, in_progress, awaiting) = [href for _, href in tags(chair.get(url))]
    assert shown(theme) == (counted(status=["in_progress", "awaiting_national"]), "4")
    assert shown(in_progress) == (counted(theme=["childrens-workforce"], status=["awaiting_national"]), "4")
    assert shown(awaiting) == (counted(theme=["childrens-workforce"], status=["in_progress"]), "4")


def test_a_tag_drops_the_page_number_as_its_results_are_different_ones(chair):
    found = tags(chair.get(reverse("responses:list") + "?council=central-bedfordshire&page=2"))
    assert found == [("Remove this filter Council: Central Bedfordshire Council", reverse("responses:list"))]


def test_a_value_the_filter_does_not_know_is_named_as_typed_and_can_be_removed(chair):
    response = chair.get(f"{COMPARISON}?status=finished&theme=legal")
    assert "There is a problem" in visible_text(response)
    assert ("Remove this filter Delivery status: finished", f"{COMPARISON}?theme=legal") in tags(response)


@pytest.mark.parametrize("page", LISTS)
def test_without_filters_there_is_no_summary(chair, page):
    assert "Filters applied" not in visible_text(chair.get(page))


def test_the_as_at_date_alone_is_not_a_filter(chair):
    assert "Filters applied" not in visible_text(chair.get(f"{COMPARISON}?as_at=2009-07-01"))


def test_the_recommendations_and_responses_lists_show_the_summary_too(chair):
    recommendations = chair.get(reverse("recommendations:list") + "?working_together=yes&region=north_east")
    assert tags(recommendations) == [
        ("Remove this filter In the Working Together revision: Yes", "/recommendations/?region=north_east"),
        ("Remove this filter Region: North East", "/recommendations/?working_together=yes"),
    ]
    assert "17 recommendations" in visible_text(chair.get("/recommendations/?working_together=yes"))
    responses = chair.get(reverse("responses:list") + "?rag=not_rated&overdue=yes")
    assert tags(responses) == [
        ("Remove this filter RAG rating: Not rated", "/responses/?overdue=yes"),
        ("Remove this filter Past target date: Yes", "/responses/?rag=not_rated"),
    ]
    assert "3 responses" in visible_text(responses)


# The panel folds away


def test_the_filter_panel_is_closed_so_the_results_follow_it_on_a_narrow_screen(chair):
    page = chair.get(f"{COMPARISON}?theme=legal").content.decode()
    assert '<details class="govuk-details app-filter-panel" id="filter-panel">' in page
    assert "Filter (1 applied)" in visible_text(chair.get(f"{COMPARISON}?theme=legal"))
    # The skip link and the results it leads to.
    assert (
        '<a class="govuk-link govuk-visually-hidden-focusable app-skip-to-results" href="#results">' in page
    )
    assert 'id="results"' in page


def test_the_filter_panel_opens_when_the_form_has_a_problem(chair):
    page = chair.get(f"{COMPARISON}?status=finished").content.decode()
    assert '<details class="govuk-details app-filter-panel" id="filter-panel" open>' in page


def test_applying_filters_keeps_the_as_at_date(chair):
    page = chair.get(f"{COMPARISON}?as_at=2009-07-01&theme=legal").content.decode()
    form = page[page.index('class="app-filter"') : page.index("Apply filters")]
    assert '<input type="hidden" name="as_at" value="2009-07-01">' in form
