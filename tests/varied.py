"""Test data that exercises the rules, on top of the reference data.

The reference data hides defects: every shipped response is "Not rated", every target date is in 2009
and only a few statuses occur. The `varied` fixture sets Darlington's responses so that together they
hold every status and every RAG rating (not rated too), target dates yesterday, today, tomorrow and
none, last changes 89 and 91 days ago, and recommendation 2 answered part by part with three
different statuses; and it adds Testshire, a council with no responses at all.

What each response should count as (overdue, not updated for 90 days) is written out below by hand,
not worked out by the rules under test, so a test that compares a page with it catches a rule that
drifts as well as a page that miscounts. Use it in a test module with
`from .varied import varied_data  # noqa: F401`, and ask for `varied`.
"""

import datetime
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from authorities.models import Authority
from recommendations.models import Recommendation, RecommendationPart
from responses.models import LocalResponse, Rag, Status
from responses.services import record_progress

YESTERDAY, TODAY, TOMORROW = -1, 0, 1

# Darlington's ten whole responses (recommendation number: status, RAG, target date as days from
# today or None, last changed this many days ago or None for never in the tracker).
WHOLE = {
    6: (Status.NOT_STARTED, Rag.RED, YESTERDAY, 91),
    11: (Status.IN_PROGRESS, Rag.AMBER, TODAY, 89),
    18: (Status.COMPLETE, Rag.GREEN, YESTERDAY, 0),
    19: (Status.ONGOING, Rag.NOT_RATED, YESTERDAY, None),
    24: (Status.AWAITING_NATIONAL, Rag.RED, YESTERDAY, 91),
    51: (Status.PARTNER_AGENCY, Rag.AMBER, None, 89),
    52: (Status.NOT_APPLICABLE, Rag.GREEN, YESTERDAY, 0),
    53: (Status.IN_PROGRESS, Rag.RED, TOMORROW, 0),
    54: (Status.AWAITING_NATIONAL, Rag.NOT_RATED, TODAY, 89),
    55: (Status.NOT_STARTED, Rag.AMBER, None, 91),
}
# Darlington's reference data answers eight of these; the fixture answers 6 and 55 itself, today.
ANSWERED_HERE = {6, 55}
# Recommendation 2 (ten parts), answered part by part through the service, today: (a) to (c) only.
PARTS = {
    "a": (Status.COMPLETE, Rag.GREEN, YESTERDAY),
    "b": (Status.IN_PROGRESS, Rag.AMBER, YESTERDAY),
    "c": (Status.NOT_STARTED, Rag.NOT_RATED, TOMORROW),
}
# Labels as the dashboard's lists name them: "6" for recommendation 6, "2(b)" for part (b) of 2.
OVERDUE = {"6", "24", "2(b)"}  # target passed and not complete, ongoing or not applicable
STALE = {"6", "19", "24", "55"}  # last changed over 90 days ago, or never in the tracker
AWAITING = {"24", "54"}
RECOMMENDATIONS_ANSWERED = 11  # ten whole, and 2 part by part
RESPONSE_COUNT = 13

R24_ORIGINAL_TARGET = datetime.date(2009, 6, 30)  # set below as the original, then moved with a reason
R24_REASON = "The national guidance it waits for has been put back."
R6_LEAD_OFFICER = "Head of Safeguarding and Quality Assurance"


@dataclass
class Varied:
    darlington: Authority
    testshire: Authority
    officer: object
    today: datetime.date

    def day(self, offset):
        return None if offset is None else self.today + datetime.timedelta(days=offset)


def label_of(response):
    return (
        f"{response.recommendation.number}({response.part.letter})"
        if response.part_id
        else (str(response.recommendation.number))
    )


@pytest.fixture(name="varied")
def varied_data(db):
    today = timezone.localdate()
    now = timezone.now()
    darlington = Authority.objects.get(slug="darlington")
    data = Varied(
        darlington=darlington,
        testshire=Authority.objects.create(
            name="Testshire County Council", short_name="Testshire", slug="testshire"
        ),
        officer=get_user_model().objects.create_user(
            username="officer.varied", first_name="Vera", last_name="Ried"
        ),
        today=today,
    )
    shipped = set(
        LocalResponse.objects.filter(authority=darlington).values_list("recommendation__number", flat=True)
    )
    assert shipped == set(WHOLE) - ANSWERED_HERE, (
        "the reference data's Darlington responses have changed: update tests/varied.py"
    )
    for number in sorted(ANSWERED_HERE):
        record_progress(
            authority=darlington,
            recommendation=Recommendation.objects.get(number=number),
            part=None,
            by=data.officer,
            expected_version=0,
            text=f"Darlington's answer to recommendation {number}.",
            status=Status.NOT_STARTED,
            rag=Rag.NOT_RATED,
            lead_officer="",
            target_date=None,
            target_date_reason="",
            evidence="",
            note="Recorded for the test.",
        )
    # Recommendation 53 also changed in the tracker today, after its undated update from the source:
    # its last update is today's.
    r53 = LocalResponse.objects.get(authority=darlington, recommendation__number=53)
    record_progress(
        authority=darlington,
        recommendation=r53.recommendation,
        part=None,
        by=data.officer,
        expected_version=r53.version,
        text=r53.text,
        status=Status.IN_PROGRESS,
        rag=Rag.RED,
        lead_officer=r53.lead_officer,
        target_date=data.day(TOMORROW),
        target_date_reason="",
        evidence=r53.evidence,
        note="Rated red: the protocol is late.",
    )
    for number, (status, rag, target, changed) in WHOLE.items():
        LocalResponse.objects.filter(authority=darlington, recommendation__number=number).update(
            status=status,
            rag=rag,
            target_date=data.day(target),
            updated_at=None if changed is None else now - datetime.timedelta(days=changed),
        )
    LocalResponse.objects.filter(authority=darlington, recommendation__number=24).update(
        original_target_date=R24_ORIGINAL_TARGET, target_date_reason=R24_REASON
    )
    LocalResponse.objects.filter(authority=darlington, recommendation__number=6).update(
        lead_officer=R6_LEAD_OFFICER
    )
    two = Recommendation.objects.get(number=2)
    for letter, (status, rag, target) in PARTS.items():
        record_progress(
            authority=darlington,
            recommendation=two,
            part=RecommendationPart.objects.get(recommendation=two, letter=letter),
            by=data.officer,
            expected_version=0,
            text=f"Darlington's answer to part ({letter}).",
            status=status,
            rag=rag,
            lead_officer=f"Lead for part ({letter})",
            target_date=data.day(target),
            target_date_reason="",
            evidence="",
            note="Recorded for the test.",
        )
    return data
