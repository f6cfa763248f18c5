"""Every page's query count is pinned and does not grow with the number of councils."""

import pytest
from django.urls import reverse

from authorities.models import Authority
from recommendations.models import Recommendation
from responses.models import LocalResponse, ProgressUpdate, Status


def add_councils(count):
    """More councils, each answering every recommendation with a two-entry timeline."""
    recommendations = list(Recommendation.objects.all())
    for index in range(count):
        authority = Authority.objects.create(
            name=f"Test Council {index}", short_name=f"Test {index}", slug=f"test-{index}"
        )
        responses = LocalResponse.objects.bulk_create(
            LocalResponse(
                authority=authority, recommendation=rec, text="Local response.", status=Status.IN_PROGRESS
            )
            for rec in recommendations
        )
        ProgressUpdate.objects.bulk_create(
            ProgressUpdate(response=response, by_name="Test", status_after=Status.IN_PROGRESS, note=note)
            for response in responses
            for note in ("First.", "Second.")
        )


# Each page's queries, named; every request first loads the session and the signed-in user.
PAGE_QUERIES = {
    # session, user, memberships of the user, recommendations the council has not answered,
    # the council's responses for its worklist
    reverse("home"): 5,
    # session, user, council count, response statuses, recommendations with themes, parts
    reverse("recommendations:list"): 6,
    # session, user, recommendation with theme, parts, bodies, commitment links with commitments,
    # responses with parts and latest update, councils
    reverse("recommendations:detail", args=[51]): 8,
    # session, user, commitments, their links with recommendations
    reverse("recommendations:commitments"): 4,
    # session, user, councils with answered counts, recommendation count
    reverse("authorities:list"): 4,
    # session, user, council, its implications table, its responses with parts and latest update,
    # recommendations with themes, parts
    reverse("authorities:detail", args=["darlington"]): 7,
    # session, user, council, recommendation, parts, responses with parts and editors, their timelines,
    # memberships of the user (may they edit?)
    reverse("responses:detail", args=["central-bedfordshire", 2]): 8,
    # session, user, council, memberships of the user, recommendation, the response with its editor,
    # parts (for the recommendation text)
    reverse("responses:edit", args=["darlington", 51]): 7,
    # session, user, council, memberships, recommendation, part, the response with its editor
    reverse("responses:edit_part", args=["darlington", 2, "c"]): 7,
}


@pytest.mark.parametrize(("url", "queries"), PAGE_QUERIES.items())
@pytest.mark.parametrize("extra_councils", [0, 36])
def test_page_query_count_is_pinned_whatever_the_number_of_councils(
    officer_client, django_assert_num_queries, url, queries, extra_councils
):
    add_councils(extra_councils)
    with django_assert_num_queries(queries):
        assert officer_client.get(url).status_code == 200
