"""Every page's query count is pinned and does not grow with the number of councils."""

import pytest
from django.db import transaction
from django.urls import reverse

from authorities.models import Authority
from fixtures.reference.keys import DARLINGTON_APRIL_CABINET_MEETING, STOCKTON_CABINET_MEETING
from recommendations.models import Recommendation
from responses.models import LocalResponse, ProgressUpdate, Status


def add_councils(count):
    """More councils, each answering every recommendation with a two-entry timeline (three inserts)."""
    recommendations = list(Recommendation.objects.all())
    authorities = Authority.objects.bulk_create(
        Authority(name=f"Test Council {index}", short_name=f"Test {index}", slug=f"test-{index}")
        for index in range(count)
    )
    responses = LocalResponse.objects.bulk_create(
        LocalResponse(
            authority=authority, recommendation=rec, text="Local response.", status=Status.IN_PROGRESS
        )
        for authority in authorities
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
    # session, user, recommendations with themes, parts, council count, councils answering each and
    # councils at each status (counted in SQL), the filter form's themes, bodies and councils
    reverse("recommendations:list"): 10,
    # session, user, recommendation with theme, parts, bodies, commitment links with commitments,
    # the page's councils and how many councils there are, their responses with parts and latest update
    reverse("recommendations:detail", args=[51]): 9,
    # session, user, the councils' slugs and names, memberships (whose council to show: the officer's
    # own), commitments, their links with recommendations, council count, every council's responses to
    # the linked recommendations counted by status and the councils answering each, the chosen council's
    # responses
    reverse("recommendations:commitments"): 10,
    # session, user, the councils' slugs and names, the chosen council, commitments, links, council count,
    # the two counts, the chosen council's responses
    "/commitments/?council=darlington": 10,
    # session, user, how many councils, a page of them with answered counts, recommendation count,
    # memberships (may they add councils?)
    reverse("authorities:list"): 6,
    # session, user, council, its implications table, its responses with latest update, recommendations
    # with themes, parts, commitments, their links, recent updates, memberships (may they edit?),
    # its issued Cabinet reports
    reverse("authorities:detail", args=["darlington"]): 13,
    # session, user, council, recommendation, parts, responses with parts and editors, their timelines,
    # their assurance steps, their evidence documents, memberships of the user (may they edit? see
    # OFFICIAL-SENSITIVE documents?)
    reverse("responses:detail", args=["central-bedfordshire", 2]): 10,
    # session, user, memberships of the user with their councils (may they edit? the council is among
    # them), recommendation, the response, parts (for the recommendation text)
    reverse("responses:edit", args=["darlington", 51]): 6,
    # session, user, memberships with their councils, the part with its recommendation, the response
    reverse("responses:edit_part", args=["darlington", 2, "c"]): 5,
    # session, user, recommendations with themes, how many councils and the page of them, the page's
    # councils' statuses and assurance (their summary rows and the matrix), every council's totals by
    # status and assurance, the recommendations they answered, the filter form's themes, bodies and councils
    reverse("responses:comparison"): 11,
    # session, user, the filter form's themes, bodies and councils, the chosen theme and council
    # (checking the filters), the matching recommendations, how many councils and the page of them, the
    # statuses, the two totals
    "/dashboard/?theme=support-for-children&status=awaiting_national&council=darlington": 13,
    # session, user, the filter form's themes, bodies and councils, the recommendations, how many councils
    # and the page of them, their statuses, the two totals (the region needs no query of its own)
    "/dashboard/?region=north_east": 11,
    # as /dashboard/, with the statuses as at 2009: the responses (their assurance then a subquery), then
    # the updates in effect then
    "/dashboard/?as_at=2009-07-01": 9,
    # as a council dashboard, with the responses as at 2009 in two queries (responses, their updates)
    "/authorities/darlington/?as_at=2009-07-01": 13,
    # session, user, response count, the filter form's councils, themes and bodies, a page of responses
    reverse("responses:list"): 7,
    # as above, plus the chosen council looked up when the filters are checked
    "/responses/?q=chair&council=darlington&overdue=no": 8,
    # as above; the assurance filter's choices are fixed and need no query
    "/responses/?assurance=assured&assurance=not_requested&council=darlington": 8,
    # session, user, the filter form's councils, themes and bodies (checking the filters), the responses
    "/responses/export.csv?status=partner_agency": 6,
    # session, user, council, its responses, recommendations with themes, parts
    reverse("responses:council_export", args=["darlington", "csv"]): 6,
    reverse("responses:council_export", args=["darlington", "xlsx"]): 6,
    # session, user, the filter form's themes, bodies and councils, the chosen council, the matching
    # recommendations with themes, parts, council count, the two counts of councils
    "/recommendations/?q=chaired&working_together=yes&council=newcastle": 11,
    # session, user, council, memberships (may they prepare papers?), its reports without their PDFs,
    # its meetings with their decisions
    reverse("authorities:reports", args=["darlington"]): 6,
    # session, user, memberships with their councils (the council among them), its meetings (the choices)
    reverse("authorities:report_new", args=["darlington"]): 4,
    # session, user, the meeting (Stockton's Cabinet of 11 June 2009) with its council and
    # decision, the reports issued to it, memberships (may they correct it?)
    reverse("authorities:decision", args=["stockton-on-tees", STOCKTON_CABINET_MEETING]): 5,
    # session, user, memberships with their councils (the council among them), the meeting (Darlington's
    # Cabinet of 28 April 2009) with any decision, the report issued to it (to suggest the decisions)
    reverse("authorities:decision_record", args=["darlington", DARLINGTON_APRIL_CABINET_MEETING]): 5,
    # session, user, the person record (reminder preference), memberships of the user
    reverse("account"): 4,
}


@pytest.fixture(scope="module", params=[0, 36], ids=["4 councils", "40 councils"])
def extra_councils(request, django_db_setup, django_db_blocker):
    """0, or 36 councils more, added once for this module's tests (pytest runs each value's tests
    together) in a transaction each test's own runs inside, and rolled back after them."""
    if not request.param:
        yield 0
        return
    with django_db_blocker.unblock(), transaction.atomic():
        add_councils(request.param)
        yield request.param
        transaction.set_rollback(True)


@pytest.mark.parametrize(("url", "queries"), PAGE_QUERIES.items())
def test_page_query_count_is_pinned_whatever_the_number_of_councils(
    officer_client, django_assert_num_queries, url, queries, extra_councils
):
    assert Authority.objects.count() == 4 + extra_councils
    with django_assert_num_queries(queries):
        assert officer_client.get(url).status_code == 200
