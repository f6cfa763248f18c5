"""The rules behind the figures, each tested on both sides of its boundary: overdue (the day before,
of and after the target date), not updated for 90 days (89, 90 and 91 days), a commitment past its
due date; and the places that use each rule agree (the model, the database filter, the pages)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from authorities.models import Authority
from recommendations.models import Commitment, Recommendation
from responses.dashboards import council_dashboard, share
from responses.models import STALE_AFTER, LocalResponse, Status, overdue_q
from tests.helpers import visible_text

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def response_51(darlington):
    """Darlington's response to recommendation 51, In progress."""
    response = LocalResponse.objects.get(authority=darlington, recommendation__number=51, part=None)
    assert response.status == Status.IN_PROGRESS
    return response


def set_response(response, **values):
    LocalResponse.objects.filter(pk=response.pk).update(**values)
    response.refresh_from_db()
    return response


def listed_as_overdue(client):
    """Recommendation numbers /responses/ lists for Darlington with "Past target date: Yes"."""
    page = client.get(reverse("responses:list"), {"council": "darlington", "overdue": "yes"})
    return {response.recommendation.number for response in page.context["object_list"]}


@pytest.mark.parametrize(
    ("target_date", "overdue"),
    [(TODAY - DAY, True), (TODAY, False), (TODAY + DAY, False)],
    ids=["the day after the target date", "on the target date", "the day before it"],
)
def test_a_response_is_overdue_from_the_day_after_its_target_date(
    officer_client, darlington, response_51, target_date, overdue
):
    set_response(response_51, target_date=target_date)
    assert response_51.is_overdue is overdue
    assert LocalResponse.objects.filter(overdue_q(), pk=response_51.pk).exists() is overdue
    assert (response_51 in LocalResponse.objects.worklist(darlington)["overdue"]) is overdue
    assert (51 in listed_as_overdue(officer_client)) is overdue


@pytest.mark.parametrize("status", list(Status))
def test_only_an_unsettled_response_is_overdue(officer_client, response_51, status):
    set_response(response_51, target_date=TODAY - DAY, status=status)
    overdue = status not in (Status.COMPLETE, Status.ONGOING, Status.NOT_APPLICABLE)
    assert response_51.is_overdue is overdue
    assert LocalResponse.objects.filter(overdue_q(), pk=response_51.pk).exists() is overdue
    assert (51 in listed_as_overdue(officer_client)) is overdue


@pytest.mark.parametrize(
    ("age", "stale"),
    [
        (datetime.timedelta(days=89), False),
        (STALE_AFTER - datetime.timedelta(minutes=1), False),
        (STALE_AFTER + datetime.timedelta(minutes=1), True),
        (datetime.timedelta(days=91), True),
    ],
    ids=["89 days", "a minute short of 90 days", "a minute past 90 days", "91 days"],
)
def test_a_response_is_not_updated_for_90_days_once_90_days_have_passed(
    officer_client, darlington, response_51, age, stale
):
    assert datetime.timedelta(days=90) == STALE_AFTER
    set_response(response_51, updated_at=timezone.now() - age)
    assert response_51.is_stale is stale
    assert (response_51 in LocalResponse.objects.worklist(darlington)["stale"]) is stale
    home = officer_client.get(reverse("home"))
    (worklist,) = home.context["worklists"]
    assert (response_51 in worklist["stale"]) is stale


def test_a_response_never_updated_in_the_tracker_is_not_updated_for_90_days(darlington, response_51):
    set_response(response_51, updated_at=None)
    assert response_51.is_stale


@pytest.mark.parametrize(
    ("due_date", "past_due"),
    [(TODAY - DAY, True), (TODAY, False), (TODAY + DAY, False)],
    ids=["the day after it was due", "the day it is due", "the day before"],
)
def test_a_commitment_is_past_due_from_the_day_after_its_due_date(darlington, due_date, past_due):
    commitment = Commitment.objects.filter(links__isnull=False).first()
    Commitment.objects.exclude(pk=commitment.pk).update(due_date=None)
    Commitment.objects.filter(pk=commitment.pk).update(due_date=due_date)
    commitment.refresh_from_db()
    assert commitment.is_past_due is past_due
    shown = [item.commitment.pk for item in council_dashboard(darlington)["past_due"]]
    assert shown == ([commitment.pk] if past_due else [])


def test_a_moved_target_date_left_as_it_is_needs_no_new_reason(officer_client, response_51):
    """The rule is about moving the current target date, not about differing from the original."""
    set_response(
        response_51,
        original_target_date=TODAY - 30 * DAY,
        target_date=TODAY + 30 * DAY,
        target_date_reason="Moved once already.",
    )
    target = response_51.target_date
    post = {
        "text": response_51.text,
        "status": response_51.status,
        "rag": response_51.rag,
        "lead_officer": response_51.lead_officer,
        "target_date_day": str(target.day),
        "target_date_month": str(target.month),
        "target_date_year": str(target.year),
        "target_date_reason": "",
        "evidence": response_51.evidence,
        "note": "Evidence added; the date stands.",
        "version": str(response_51.version),
    }
    assert officer_client.post(reverse("responses:edit", args=["darlington", 51]), post).status_code == 302


def test_the_councils_page_counts_recommendations_answered_not_responses(client, outsider, darlington):
    recommendation = Recommendation.objects.get(number=2)
    LocalResponse.objects.filter(authority=darlington, recommendation=recommendation).delete()
    for part in recommendation.parts.all()[:3]:
        LocalResponse.objects.create(
            authority=darlington, recommendation=recommendation, part=part, text="Part."
        )
    answered = LocalResponse.objects.filter(authority=darlington).values("recommendation").distinct().count()
    assert LocalResponse.objects.filter(authority=darlington).count() > answered
    client.force_login(outsider)
    page = client.get(reverse("authorities:list"))
    (shown,) = [a for a in page.context["authorities"] if a.pk == darlington.pk]
    assert shown.recommendations_answered == answered
    assert f"{answered} of 58" in visible_text(page)


def test_no_response_counts_only_councils_that_gave_none(darlington):
    """Where every council answers, with whatever statuses, no council is left without a response."""
    recommendation = Recommendation.objects.get(number=51)
    for index, authority in enumerate(Authority.objects.all()):
        if not LocalResponse.objects.filter(authority=authority, recommendation=recommendation).exists():
            LocalResponse.objects.create(
                authority=authority,
                recommendation=recommendation,
                text="Answered.",
                status=[Status.COMPLETE, Status.IN_PROGRESS][index % 2],
            )
    councils = Authority.objects.count()
    summary = LocalResponse.objects.status_summaries(councils)[recommendation.pk]
    assert summary.no_response == 0
    assert sum(count for _, count in summary.counts) == councils
    Authority.objects.create(name="Testshire County Council", short_name="Testshire", slug="testshire")
    assert LocalResponse.objects.status_summaries(councils + 1)[recommendation.pk].no_response == 1


def test_a_council_answering_part_by_part_with_two_statuses_is_one_council_with_a_response(darlington):
    """Recommendation 2 answered by Darlington in parts (a) complete and (b) in progress: Darlington
    counts under both statuses, but once among the councils that answered."""
    recommendation = Recommendation.objects.get(number=2)
    councils = Authority.objects.count()
    before = LocalResponse.objects.status_summaries(councils)[recommendation.pk]
    assert not LocalResponse.objects.filter(authority=darlington, recommendation=recommendation).exists()
    for letter, status in (("a", Status.COMPLETE), ("b", Status.IN_PROGRESS)):
        LocalResponse.objects.create(
            authority=darlington,
            recommendation=recommendation,
            part=recommendation.parts.get(letter=letter),
            text="Answered.",
            status=status,
        )
    summary = LocalResponse.objects.status_summaries(councils)[recommendation.pk]
    counts, counted_before = dict(summary.counts), dict(before.counts)
    assert counts[Status.COMPLETE] == counted_before.get(Status.COMPLETE, 0) + 1
    assert counts[Status.IN_PROGRESS] == counted_before.get(Status.IN_PROGRESS, 0) + 1
    assert summary.no_response == before.no_response - 1


def test_commitments_are_grouped_in_the_order_the_government_made_them(client, outsider):
    client.force_login(outsider)
    page = client.get(reverse("recommendations:commitments"))
    headings = [group["heading"] for group in page.context["groups"]]
    sources = [label for label in Commitment.Source.labels]
    firsts = [
        next(i for i, heading in enumerate(headings) if heading.startswith(source)) for source in sources
    ]
    assert firsts == sorted(firsts)


@pytest.mark.parametrize(
    ("count", "total", "words"),
    [
        (0, 152, "0%"),
        (1, 1000, "under 1%"),
        (5, 1000, "1%"),  # half a per cent rounds up
        (1, 3, "33%"),
        (1, 2, "50%"),
        (994, 1000, "99%"),
        (995, 1000, "over 99%"),  # rounds to 100 but is not all
        (152, 152, "100%"),
        (1, 1, "100%"),
    ],
)
def test_a_share_is_a_whole_percentage_and_says_100_only_of_all(count, total, words):
    assert share(count, total) == words


def test_a_council_answering_two_parts_with_the_same_status_counts_once_under_it(darlington):
    """Recommendation 2 answered by Darlington in parts (a) and (b), both complete: one more council says
    complete, not two."""
    recommendation = Recommendation.objects.get(number=2)
    councils = Authority.objects.count()
    before = dict(LocalResponse.objects.status_summaries(councils)[recommendation.pk].counts)
    for letter in ("a", "b"):
        LocalResponse.objects.create(
            authority=darlington,
            recommendation=recommendation,
            part=recommendation.parts.get(letter=letter),
            text="Answered.",
            status=Status.COMPLETE,
        )
    after = LocalResponse.objects.status_summaries(councils)[recommendation.pk]
    assert dict(after.counts)[Status.COMPLETE] == before.get(Status.COMPLETE, 0) + 1
