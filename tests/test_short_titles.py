"""Short titles: a few words naming each recommendation and part wherever its number alone would stand.

They are editorial (the report gives none), shipped in the reference data and correctable by an
administrator in the admin.
"""

import pytest
from django.urls import reverse

from recommendations.models import Recommendation, RecommendationPart

from .helpers import visible_text

PART_COUNTS = {2: 10, 19: 3, 24: 4, 26: 3}


@pytest.mark.django_db
def test_every_recommendation_and_part_has_a_short_title_of_its_own_under_80_characters():
    titles = list(Recommendation.objects.values_list("short_title", flat=True))
    titles += list(RecommendationPart.objects.values_list("short_title", flat=True))
    assert len(titles) == 58 + sum(PART_COUNTS.values())
    assert all(title.strip() for title in titles)
    assert len(set(titles)) == len(titles)
    assert max(len(title) for title in titles) < 80


@pytest.mark.django_db
def test_numbered_titles_name_the_number_and_the_short_title():
    assert Recommendation.objects.get(number=24).numbered_title == "24. Children's social work workforce"
    part = RecommendationPart.objects.get(recommendation__number=24, letter="a")
    assert part.numbered_title == "24(a). National social worker supply strategy"


@pytest.mark.django_db
def test_an_administrator_sees_and_can_edit_short_titles_in_the_admin(client, administrator):
    client.force_login(administrator)
    listing = client.get("/admin/recommendations/recommendation/").content.decode()
    assert "Children&#x27;s social work workforce" in listing
    assert 'name="form-23-short_title"' in listing  # editable in the list (row 24, counting from 0)
    change = client.get("/admin/recommendations/recommendation/24/change/").content.decode()
    assert 'name="short_title"' in change
    assert 'name="parts-0-short_title"' in change
    assert "National social worker supply strategy" in change


# Pages name a recommendation by its number and short title wherever its number alone stood.

R24 = "24. Children's social work workforce"


def test_the_worklist_names_darlingtons_24_by_number_and_short_title(officer_client):
    page = visible_text(officer_client.get(reverse("home")))
    # Darlington's response to 24 has not changed for 90 days (it is taken from the 2009 report).
    assert f"Update recommendation {R24}" in page
    assert "Update recommendation 24 " not in page


def test_a_chairs_worklist_names_it_without_offering_an_update(client, chair_darlington):
    client.force_login(chair_darlington)
    page = visible_text(client.get(reverse("home")))
    assert f"Recommendation {R24}" in page
    assert "Update recommendation" not in page


def test_the_recommendations_list_names_each_by_number_and_short_title(officer_client):
    page = visible_text(officer_client.get(reverse("recommendations:list")))
    for recommendation in Recommendation.objects.all():
        assert recommendation.numbered_title in page
    assert R24 in page


def test_the_councils_responses_are_listed_by_number_and_short_title(officer_client):
    dashboard = visible_text(officer_client.get(reverse("authorities:detail", args=["central-bedfordshire"])))
    assert f"{R24} Awaiting national guidance or action" in dashboard
    assert "2(a). Timescales for implementing the recommendations" in dashboard
    assert "19(c). Resolving professional disagreements" in dashboard
    listing = visible_text(officer_client.get(reverse("responses:list") + "?council=darlington"))
    assert f"Darlington {R24}" in listing


def test_the_response_page_is_headed_by_number_and_short_title(officer_client):
    page = visible_text(officer_client.get(reverse("responses:detail", args=["darlington", 24])))
    assert f"Darlington Borough Council Recommendation {R24}" in page
    parts = visible_text(officer_client.get(reverse("responses:detail", args=["central-bedfordshire", 19])))
    assert "Part 19(b). All professionals in meetings and decisions" in parts
    form = visible_text(officer_client.get(reverse("responses:edit_part", args=["darlington", 2, "a"])))
    assert "Update recommendation 2(a). Timescales for implementing the recommendations" in form


def test_the_response_page_links_to_every_councils_responses_by_number_and_short_title(officer_client):
    page = visible_text(officer_client.get(reverse("responses:detail", args=["darlington", 24])))
    assert f"See all councils' responses to recommendation {R24}" in page


def test_an_unanswered_recommendation_offers_each_part_by_number_and_short_title(officer_client):
    page = visible_text(officer_client.get(reverse("responses:detail", args=["darlington", 2])))
    assert (
        "Or answer each part separately: Part 2(a). Timescales for implementing the recommendations "
        "Part 2(b). Challenge and support for Children's Trusts" in page
    )


def test_the_commitments_page_names_the_recommendations_each_answers_by_number_and_short_title(
    officer_client,
):
    page = visible_text(officer_client.get(reverse("recommendations:commitments")))
    # The National Safeguarding Delivery Unit answers 2 and 21, by judgement (DOMAIN.md).
    assert (
        "2. National Safeguarding Delivery Unit (inferred) "
        "21. Guidance on children affected by adult problems (inferred)" in page
    )
