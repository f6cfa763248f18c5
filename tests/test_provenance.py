"""Where a record came from, in words a reader can follow: the document and the place in it.

The seed's file name stays in the data (source_document) and shows in the admin only; every page
cites the document by name (recommendations/sources.py). tests/test_access.py checks that no page
the URL walk opens shows a file name.
"""

import pytest
from django.urls import reverse

from recommendations.models import Commitment, Recommendation
from recommendations.sources import DOCUMENT_NAMES
from responses.models import LocalResponse

from .helpers import visible_text

CENTRAL_BEDFORDSHIRE_51 = (
    "Source: Central Bedfordshire Council, Appendix 1 (summary of actions in the Laming Report), "
    "response to recommendation 51"
)
DARLINGTON_51 = "Source: Darlington Borough Council, Cabinet report, main report paragraphs 11 and 12"
LAMING_24 = "Source: Lord Laming, The Protection of Children in England (March 2009), recommendation 24"


def test_a_recommendation_cites_lord_lamings_report_not_the_council_document_it_was_taken_from(
    officer_client,
):
    page = officer_client.get(reverse("recommendations:detail", args=[24]))
    text = visible_text(page)
    assert LAMING_24 in text
    assert ".txt" not in page.content.decode()


def test_the_recommendation_page_cites_each_councils_response_by_document_and_paragraph(officer_client):
    page = officer_client.get(reverse("recommendations:detail", args=[51]))
    text = visible_text(page)
    assert CENTRAL_BEDFORDSHIRE_51 in text
    assert DARLINGTON_51 in text
    assert (
        "Source: Stockton-on-Tees Borough Council, Cabinet decision record of 11 June 2009, record of the "
        "decision, paragraph 2 (the recommendations it names) and its 'Locally' paragraph, and decision 2"
    ) in text
    assert (
        "Source: Newcastle Safeguarding Children Board, presentation on Lord Laming's report, slide "
        "'Progress in Newcastle', item 3"
    ) in text
    assert ".txt" not in page.content.decode()


def test_a_response_page_cites_the_response_and_its_first_timeline_entry_by_document(officer_client):
    page = officer_client.get(reverse("responses:detail", args=["darlington", 51]))
    text = visible_text(page)
    assert text.count(DARLINGTON_51) == 2  # the response, and the progress update taken from the report
    assert ".txt" not in page.content.decode()


def test_the_commitments_page_cites_darlingtons_appendix_and_the_working_together_consultation(
    officer_client,
):
    text = visible_text(officer_client.get(reverse("recommendations:commitments")))
    assert (
        "Source: Darlington Borough Council, Cabinet report, Appendix 1, Action Plan section (a), item 1"
        in text
    )
    assert (
        "Source: Department for Children, Schools and Families, consultation on the revised Working "
        "Together to Safeguard Children, opening summary, section 2.1 (the 17 recommendations) and "
        "section 5.1 (results)"
    ) in text


@pytest.mark.django_db
def test_the_file_name_stays_in_the_data():
    response = LocalResponse.objects.get(authority__slug="darlington", recommendation__number=51)
    assert response.source_document == "000_f2379ec1b9ddf4ad.txt"
    assert response.source_reference == "main report paragraphs 11 and 12"
    assert Recommendation.objects.get(number=24).source_document == "001_0595a2620ba36ceb.txt"


@pytest.mark.django_db
def test_every_shipped_record_cites_a_named_document_and_no_file_name():
    for model in (Recommendation, Commitment, LocalResponse):
        for record in model.objects.all():
            assert record.source_document in DOCUMENT_NAMES
            assert ".txt" not in record.source_citation, record


def test_an_administrator_sees_the_file_name_in_the_admin(client, administrator):
    client.force_login(administrator)
    response = LocalResponse.objects.get(authority__slug="darlington", recommendation__number=51)
    page = client.get(reverse("admin:responses_localresponse_change", args=[response.pk]))
    assert page.status_code == 200
    assert "000_f2379ec1b9ddf4ad.txt" in page.content.decode()
