"""Pages that list councils show a page of them at a time, so they stay light at national size (152
councils, or 600): each council's response to a recommendation, twenty councils to a page."""

import re

import pytest
from django.urls import reverse

from authorities.models import Authority
from responses.models import LocalResponse, Status

from .helpers import visible_text


def add_councils(count):
    """`count` councils named "Zedshire 01" onwards (after the four real ones by name), each answering
    recommendation 51 with its own words."""
    added = Authority.objects.bulk_create(
        Authority(name=f"Zedshire {n:02} Council", short_name=f"Zedshire {n:02}", slug=f"zedshire-{n:02}")
        for n in range(1, count + 1)
    )
    LocalResponse.objects.bulk_create(
        LocalResponse(
            authority=authority,
            recommendation_id=LocalResponse.objects.filter(recommendation__number=51)
            .first()
            .recommendation_id,
            status=Status.IN_PROGRESS,
            text=f"The answer of {authority.short_name}.",
            version=1,
        )
        for authority in added
    )


@pytest.mark.django_db
def test_a_recommendations_page_lists_twenty_councils_a_page_by_name(client, officer_darlington):
    add_councils(21)  # 25 councils in all: the four real ones come first by name
    client.force_login(officer_darlington)
    url = reverse("recommendations:detail", args=[51])
    first, second = visible_text(client.get(url)), visible_text(client.get(url + "?page=2"))
    assert "Councils 1 to 20 of 25, by name." in first
    assert "Councils 21 to 25 of 25, by name." in second
    assert "The answer of Zedshire 16." in first and "The answer of Zedshire 17." not in first
    assert "The answer of Zedshire 17." in second and "The answer of Zedshire 21." in second
    assert "Darlington Borough Council" in first and "Darlington Borough Council" not in second
    assert 'href="?page=2#local-responses"' in client.get(url).content.decode()
    # A page past the end shows the last; a page that is not a number, the first.
    assert "Councils 21 to 25 of 25" in visible_text(client.get(url + "?page=9"))
    assert "Councils 1 to 20 of 25" in visible_text(client.get(url + "?page=last-one"))


@pytest.mark.django_db
def test_with_twenty_councils_or_fewer_there_is_one_page_and_no_page_links(client, officer_darlington):
    add_councils(16)
    client.force_login(officer_darlington)
    page = client.get(reverse("recommendations:detail", args=[51]))
    assert "Councils 1 to" not in visible_text(page)
    assert "The answer of Zedshire 16." in visible_text(page)
    assert "govuk-pagination" not in page.content.decode()


@pytest.mark.django_db
def test_the_councils_page_lists_fifty_councils_a_page_each_with_what_it_has_answered(
    client, officer_darlington
):
    add_councils(50)  # 54 councils in all
    client.force_login(officer_darlington)
    url = reverse("authorities:list")
    first, second = visible_text(client.get(url)), visible_text(client.get(url + "?page=2"))
    assert "Councils 1 to 50 of 54, by name." in first
    assert "Councils 51 to 54 of 54, by name." in second
    assert "Zedshire 46 Council" in first and "Zedshire 47 Council" in second
    answered = LocalResponse.objects.filter(authority__slug="darlington").values("recommendation").distinct()
    assert 1 < answered.count() < 58
    assert re.search(r"Darlington Borough Council .*? (\d+) of 58", first).group(1) == str(answered.count())
    # Each new council has answered recommendation 51 only.
    assert "Zedshire 50 Council Not recorded Not recorded Not recorded 1 of 58" in second
