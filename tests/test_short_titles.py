"""Short titles: a few words naming each recommendation and part wherever its number alone would stand.

They are editorial (the report gives none), shipped in the reference data and correctable by an
administrator in the admin.
"""

import pytest

from recommendations.models import Recommendation, RecommendationPart

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
