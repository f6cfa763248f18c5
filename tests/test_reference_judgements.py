"""The reference data's judgements, as corrected for issue 10, and each council's own account.

The judgements and their reasons live in fixtures/reference/judgements/; these tests check what a
reader of the shipped data sees. The own accounts are checked against the seeds read here directly,
not through the fixture builder's parsers.
"""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from authorities.models import Authority
from recommendations.models import Body, Commitment, CommitmentLink, Recommendation
from responses.models import LocalResponse, Status

from .helpers import visible_text

pytestmark = pytest.mark.django_db

DARLINGTON_SEED = "000_f2379ec1b9ddf4ad.txt"


def seed_lines(name):
    return (Path(settings.SEEDS_DIR) / name).read_text(encoding="utf-8").splitlines()


def darlington_paragraphs():
    """Darlington's numbered main report paragraphs 7-18, as {number: text}, read from seed 000."""
    paragraphs = {}
    for line in seed_lines(DARLINGTON_SEED):
        match = re.match(r"^(\d{1,2})\. (.*)$", line.strip())
        if match and 7 <= int(match.group(1)) <= 18:
            paragraphs[int(match.group(1))] = match.group(2).strip()
    return paragraphs


def response(slug, number):
    return LocalResponse.objects.filter(authority__slug=slug, recommendation__number=number).first()


# Each council's own account


def test_darlingtons_own_account_is_its_main_report_paragraphs_7_to_18_whole_and_in_order():
    seed = darlington_paragraphs()
    assert sorted(seed) == list(range(7, 19))
    darlington = Authority.objects.get(slug="darlington")
    paragraphs = darlington.own_account.split("\n\n")
    assert len(paragraphs) == len(seed) == 12
    assert darlington.own_account.startswith("The Action Plan has a focus on systems and processes")
    assert darlington.own_account.endswith("to ensure high quality services are maintained.")
    assert paragraphs == [seed[number] for number in range(7, 19)]
    assert darlington.own_account_source == (
        "Darlington Borough Council, Cabinet report on the Action Plan, main report paragraphs 7 to 18 "
        "(Implications for Darlington)"
    )


def test_newcastles_own_account_is_its_progress_slide_an_item_to_a_paragraph():
    newcastle = Authority.objects.get(slug="newcastle")
    paragraphs = newcastle.own_account.split("\n\n")
    assert len(paragraphs) == 13
    assert paragraphs[0] == "A great deal of progress already as a result of Every Child Matters"
    assert paragraphs[7] == (
        "Awaiting revised Working Together guidance (Dec 2009)\n"
        "- Review of SCR process\n"
        "- Revised multi-agency roles & responsibilities"
    )
    assert paragraphs[-1] == "Development of an integrated supervision framework"
    assert "Progress in Newcastle" in newcastle.own_account_source


def test_stocktons_own_account_is_its_record_of_the_decision_without_the_call_in_details():
    stockton = Authority.objects.get(slug="stockton-on-tees")
    account = stockton.own_account
    assert account.startswith("Consideration was given to a report that summarised")
    assert account.endswith("on the detailed implications for the Council locally in the near future.")
    assert "Key points from the response included:-\n• Detail about the way" in account
    assert len(account.split("\n\n")) == 5
    for boilerplate in ("Call In", "Midnight", "Date of Publication", "Cabinet note Lord Laming"):
        assert boilerplate not in account
    assert stockton.own_account_source == (
        "Stockton-on-Tees Borough Council, Cabinet decision record of 11 June 2009, record of the decision"
    )


def test_central_bedfordshire_has_no_own_account_to_prefill():
    central_bedfordshire = Authority.objects.get(slug="central-bedfordshire")
    assert central_bedfordshire.own_account == ""
    assert central_bedfordshire.own_account_source == ""


# Darlington's responses


def test_darlington_has_not_answered_6_or_55():
    # Paragraph 17 is about the volume of referrals, not a review of referral points (6); paragraph 16
    # says nothing of early intervention (55).
    assert response("darlington", 6) is None
    assert response("darlington", 55) is None


def test_darlingtons_54_rests_on_paragraph_16_as_waiting_on_national_action():
    r54 = response("darlington", 54)
    assert r54.source_reference == "main report paragraph 16"
    assert r54.status == Status.AWAITING_NATIONAL
    assert "there is no focussed resource" in r54.text


def test_darlingtons_staffing_date_is_not_a_target_date_for_recommendation_24(officer_client):
    r24 = response("darlington", 24)
    assert r24.target_date is None and r24.original_target_date is None
    assert "fully staffed by 'permanent' social workers by June 2009" in r24.text
    page = visible_text(officer_client.get(reverse("responses:detail", args=["darlington", 24])))
    assert "Target date Not set" in page
    assert "Overdue" not in page


# Newcastle's responses


def test_newcastle_has_not_answered_14_or_24_with_a_bare_heading():
    assert response("newcastle", 14) is None
    assert response("newcastle", 24) is None


def test_newcastles_2009_is_stored_as_31_december_and_the_timeline_says_the_source_gives_only_the_year(
    officer_client,
):
    r13 = response("newcastle", 13)
    assert r13.target_date == datetime.date(2009, 12, 31)
    page = visible_text(officer_client.get(reverse("responses:detail", args=["newcastle", 13])))
    assert (
        "Target date set: 31 December 2009 Initial status taken from the source, which reports work under "
        'way: "Implementation of Contactpoint & CAF (2009)".'
    ) in page
    assert 'Target date 31 December 2009: the source gives only "2009", so the last day of that year.' in page
    r53 = response("newcastle", 53)
    assert 'the source gives only "July 2009", so the last day of that month.' in r53.updates.get().note


# Commitments


def test_39_41_and_43_are_linked_to_the_working_together_revision_as_stated_in_their_own_text():
    revisions = Commitment.objects.filter(text__startswith="Revision of ‘Working Together’")
    assert revisions.count() == 2  # the Immediate Response's and the Action Plan's
    for number in (39, 41, 43):
        assert (
            "revise Working Together to Safeguard Children" in Recommendation.objects.get(number=number).text
        )
        links = CommitmentLink.objects.filter(commitment__in=revisions, recommendation__number=number)
        assert links.count() == 2
        for link in links:
            assert link.basis == CommitmentLink.Basis.STATED
            assert link.basis_note.startswith("Stated in the recommendation's own text")
    # The consultation itself still addresses exactly the 17 it names (tests/test_seed_fidelity.py).
    consultation = Commitment.objects.get(source=Commitment.Source.WORKING_TOGETHER)
    assert not consultation.links.filter(recommendation__number__in=[39, 41, 43]).exists()


def test_no_heading_dates_the_working_together_consultation_to_a_month_no_seed_gives(officer_client):
    text = visible_text(officer_client.get(reverse("recommendations:commitments")))
    assert "December 2009" not in text
    assert "Working Together revision: DCSF consultation" in text
    consultation = Commitment.objects.get(source=Commitment.Source.WORKING_TOGETHER)
    assert consultation.due_wording == "March 2010"


# Bodies addressed


def addressed(number):
    return sorted(Recommendation.objects.get(number=number).addressed_to.values_list("slug", flat=True))


def test_bodies_only_acted_on_or_receiving_are_not_addressed():
    assert addressed(5) == ["department-of-health"]
    assert addressed(32) == ["department-of-health"]
    assert not Body.objects.filter(name="Strategic Health Authorities").exists()


def test_no_body_is_stored_that_the_text_does_not_name(officer_client):
    assert addressed(4) == ["government"]
    assert Body.objects.get(slug="government").name == "The Government (no department named)"
    assert addressed(45) == ["dcsf"]
    assert addressed(56) == []
    page = visible_text(officer_client.get(reverse("recommendations:detail", args=[56])))
    assert "Addressed to No body named" in page
