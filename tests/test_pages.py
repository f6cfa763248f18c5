"""The browsing pages: what a signed-in user sees, and what anyone else does not."""

import re

import pytest
from django.urls import reverse

from authorities.models import Authority
from recommendations.models import Commitment, Recommendation
from responses.models import LocalResponse, ProgressUpdate, Status

from .helpers import normalise, visible_text

PAGES = [
    reverse("home"),
    reverse("recommendations:list"),
    reverse("recommendations:detail", args=[51]),
    reverse("recommendations:commitments"),
    reverse("authorities:list"),
    reverse("authorities:detail", args=["central-bedfordshire"]),
    reverse("responses:detail", args=["central-bedfordshire", 2]),
]


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitor_is_sent_to_sign_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("url", PAGES)
def test_every_page_shows_for_a_signed_in_user_without_a_role(client, outsider, url):
    client.force_login(outsider)
    assert client.get(url).status_code == 200


def test_sign_in_page_signs_in_a_demo_style_account(client, officer_darlington):
    response = client.post(
        reverse("login"), {"username": officer_darlington.username, "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_sign_in_with_a_wrong_password_shows_a_problem(client, officer_darlington):
    response = client.post(reverse("login"), {"username": officer_darlington.username, "password": "wrong"})
    assert response.status_code == 200
    text = visible_text(response)
    assert "There is a problem" in text
    assert "Enter a correct username and password" in text


def test_sign_in_with_empty_fields_asks_for_each(client, db):
    text = visible_text(client.post(reverse("login"), {"username": "", "password": ""}))
    assert "Enter your username" in text
    assert "Enter your password" in text


def test_recommendation_list_groups_all_58_under_the_seven_themes_in_report_order(officer_client):
    text = visible_text(officer_client.get(reverse("recommendations:list")))
    themes = [
        "Leadership and accountability",
        "Support for children",
        "Interagency working",
        "Children's workforce",
        "Improvement and challenge",
        "Organisation and finance",
        "Legal",
    ]
    positions = [text.index(f"{number}. {name}") for number, name in enumerate(themes, start=1)]
    assert positions == sorted(positions)
    response = officer_client.get(reverse("recommendations:list"))
    for number in range(1, 59):
        assert reverse("recommendations:detail", args=[number]) in response.content.decode()


def test_recommendation_list_summarises_where_the_councils_stand(officer_client):
    text = visible_text(officer_client.get(reverse("recommendations:list")))
    # Recommendation 42 is answered only by Central Bedfordshire ("This is a matter for Ofsted").
    assert LocalResponse.objects.filter(recommendation__number=42).count() == 1
    assert "A matter for a partner agency 1 council No response: 3 councils" in text


def test_recommendation_51_shows_its_text_and_every_councils_position_with_its_source(officer_client):
    recommendation = Recommendation.objects.get(number=51)
    text = visible_text(officer_client.get(reverse("recommendations:detail", args=[51])))
    assert normalise(recommendation.text) in text
    for authority in Authority.objects.all():
        assert authority.name in text
        responses = LocalResponse.objects.filter(authority=authority, recommendation=recommendation)
        for response in responses:
            for paragraph in response.text.split("\n\n"):
                assert normalise(paragraph) in text
            assert f"Source: {response.source_citation}" in text
            assert response.get_status_display() in text
    answered = LocalResponse.objects.filter(recommendation=recommendation).values("authority").distinct()
    assert text.count("No response recorded") == Authority.objects.count() - answered.count()


def test_a_council_that_has_not_answered_is_named_plainly(officer_client):
    # Darlington's paragraphs speak to no Serious Case Review recommendation such as 47.
    assert not LocalResponse.objects.filter(authority__slug="darlington", recommendation__number=47).exists()
    response = officer_client.get(reverse("responses:detail", args=["darlington", 47]))
    assert "No response recorded" in visible_text(response)


def test_recommendation_detail_lists_the_commitments_that_answer_it(officer_client):
    text = visible_text(officer_client.get(reverse("recommendations:detail", args=[51])))
    commitments = Commitment.objects.filter(recommendations__number=51)
    assert commitments.exists()
    for commitment in commitments:
        assert normalise(commitment.text) in text
    assert "Stated in a source" in text


def test_recommendation_detail_shows_lettered_parts(officer_client):
    recommendation = Recommendation.objects.get(number=19)
    text = visible_text(officer_client.get(recommendation.get_absolute_url()))
    for part in recommendation.parts.all():
        assert f"({part.letter}) {normalise(part.text)}" in text


def test_unknown_recommendation_and_council_are_not_found(officer_client):
    assert officer_client.get("/recommendations/59/").status_code == 404
    assert officer_client.get("/authorities/haringey/").status_code == 404
    assert officer_client.get("/authorities/darlington/recommendations/0/").status_code == 404


def test_council_page_lists_every_recommendation_and_its_responses_by_theme(officer_client):
    response = officer_client.get(reverse("authorities:detail", args=["central-bedfordshire"]))
    text = visible_text(response)
    assert "Responses recorded 58 of 58 recommendations" in text
    # The section's heading, not the contents list's link to it at the top of the page.
    listing = text[text.rindex("Responses by theme") :]
    assert (
        listing.count("Awaiting national guidance or action")
        == LocalResponse.objects.filter(
            authority__slug="central-bedfordshire", status=Status.AWAITING_NATIONAL
        ).count()
    )


def test_council_response_page_shows_each_part_with_its_timeline(officer_client):
    response = officer_client.get(reverse("responses:detail", args=["central-bedfordshire", 2]))
    text = visible_text(response)
    assert text.count("Progress timeline") == 10
    for update in ProgressUpdate.objects.filter(
        response__authority__slug="central-bedfordshire", response__recommendation__number=2
    ):
        assert normalise(update.note) in text


def test_commitments_page_shows_due_wording_and_linked_recommendations(officer_client):
    response = officer_client.get(reverse("recommendations:commitments"))
    text = visible_text(response)
    for commitment in Commitment.objects.all():
        if commitment.due_wording:
            assert commitment.due_wording in text
    working_together = Commitment.objects.get(source=Commitment.Source.WORKING_TOGETHER)
    for number in working_together.recommendations.values_list("number", flat=True):
        assert reverse("recommendations:detail", args=[number]) in response.content.decode()


def test_council_page_shows_its_own_implications_table_rows(officer_client):
    text = visible_text(officer_client.get(reverse("authorities:detail", args=["darlington"])))
    assert "One Darlington: Perfectly Placed" in text
    assert "S17 Crime and Disorder" in text


# Edit links: only for those who may edit the council's responses

DARLINGTON_EDIT_LINK = re.compile(
    r'href="(/authorities/darlington/recommendations/\d+/(?:parts/\w+/)?edit/)"'
)


def darlington_edit_links(page):
    assert page.status_code == 200
    return set(DARLINGTON_EDIT_LINK.findall(page.content.decode()))


def test_the_edit_link_pattern_matches_the_edit_pages_addresses():
    """So that finding no edit link below means there is none, not that the addresses moved."""
    for url in (
        reverse("responses:edit", args=["darlington", 51]),
        reverse("responses:edit_part", args=["darlington", 2, "a"]),
    ):
        assert DARLINGTON_EDIT_LINK.findall(f'<a href="{url}">') == [url]


DARLINGTON_PAGES = {
    "home": reverse("home"),
    "council dashboard": reverse("authorities:detail", args=["darlington"]),
    "response to 51": reverse("responses:detail", args=["darlington", 51]),
    "response to 2, not yet answered": reverse("responses:detail", args=["darlington", 2]),
    "recommendation 51": reverse("recommendations:detail", args=[51]),
    "recommendation 2": reverse("recommendations:detail", args=[2]),
}


@pytest.mark.parametrize("page", DARLINGTON_PAGES)
@pytest.mark.parametrize("persona", ["chair_darlington", "clerk_darlington", "officer_newcastle", "outsider"])
def test_people_who_may_not_edit_darlington_see_no_link_to_edit_it(client, request, persona, page):
    client.force_login(request.getfixturevalue(persona))
    assert darlington_edit_links(client.get(DARLINGTON_PAGES[page])) == set()


@pytest.mark.parametrize("persona", ["officer_darlington", "administrator", "administrator_not_superuser"])
def test_darlington_editors_see_the_links_to_edit_its_responses(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    get = client.get
    assert darlington_edit_links(get(DARLINGTON_PAGES["response to 51"])) == {
        reverse("responses:edit", args=["darlington", 51])
    }
    # Unanswered, with parts (a) to (j): answer it whole, or part by part.
    parts = Recommendation.objects.get(number=2).parts.values_list("letter", flat=True)
    assert darlington_edit_links(get(DARLINGTON_PAGES["response to 2, not yet answered"])) == {
        reverse("responses:edit", args=["darlington", 2]),
        *(reverse("responses:edit_part", args=["darlington", 2, letter]) for letter in parts),
    }
    # The dashboard's worklist: Darlington's shipped responses are all past their 2009 target dates.
    dashboard = darlington_edit_links(get(DARLINGTON_PAGES["council dashboard"]))
    assert reverse("responses:edit", args=["darlington", 51]) in dashboard


def test_darlingtons_officer_is_sent_from_the_home_page_worklist_to_the_edit_pages(officer_client):
    links = darlington_edit_links(officer_client.get(reverse("home")))
    assert reverse("responses:edit", args=["darlington", 51]) in links
    assert reverse("responses:edit", args=["darlington", 47]) in links  # "No response yet"
