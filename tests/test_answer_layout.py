"""A council answers a recommendation as a whole or part by part, and every place that lists its
answers lays them out by the one rule (responses.models.answer_layout): its response page, its
spreadsheet export and Appendix 1 of its Cabinet report. Recommendation 2 has ten parts, (a) to (j)."""

import pytest
from django.urls import reverse

from recommendations.models import Recommendation
from responses.cabinet.content import build_report, default_report
from responses.exports import COLUMNS, NO_RESPONSE, rows_for_council
from responses.models import LocalResponse, Status

PARTS = "abcdefghij"
WHOLE = ""


def answer(authority, *letters):
    """Darlington's answers to recommendation 2 are exactly these ("" for the whole), each In progress."""
    recommendation = Recommendation.objects.get(number=2)
    LocalResponse.objects.filter(authority=authority, recommendation=recommendation).delete()
    for letter in letters:
        LocalResponse.objects.create(
            authority=authority,
            recommendation=recommendation,
            part=recommendation.parts.get(letter=letter) if letter else None,
            text=f"Answer {letter or 'whole'}.",
            status=Status.IN_PROGRESS,
        )


def on_the_page(client, authority):
    page = client.get(reverse("responses:detail", args=[authority.slug, 2]))
    return [
        (part.letter if part else WHOLE, response is not None) for part, response in page.context["sections"]
    ]


def in_the_export(authority):
    rows = rows_for_council(authority, LocalResponse.objects.for_authority(authority))
    status = COLUMNS.index("Status")
    return [(row[2], row[status] != NO_RESPONSE) for row in rows if row[1] == 2]


def in_appendix_1(authority):
    """Recommendation 2 in Appendix 1 of a report that lists all 58 (by default only those answered)."""
    report = default_report(authority)
    report.list_all_recommendations = True
    content = build_report(report)
    rows = [row for _, rows in content.appendix for row in rows if row.recommendation.number == 2]
    return [
        (row.part.letter if row.part else WHOLE, row.response is not None)
        for row in rows
        if not row.stem_only
    ]


@pytest.mark.parametrize(
    ("answered", "laid_out"),
    [
        # Not answered at all: the recommendation, with no response.
        ((), [(WHOLE, False)]),
        # As a whole: the recommendation alone.
        ((WHOLE,), [(WHOLE, True)]),
        # As a whole, and one part on its own as well: that part follows; the others are not listed.
        ((WHOLE, "c"), [(WHOLE, True), ("c", True)]),
        # One part only: answered part by part, so every part is listed and the gaps are named.
        (("c",), [(letter, letter == "c") for letter in PARTS]),
        # Every part.
        (tuple(PARTS), [(letter, True) for letter in PARTS]),
    ],
)
def test_the_page_the_export_and_the_report_lay_out_a_councils_answers_alike(
    officer_client, darlington, answered, laid_out
):
    answer(darlington, *answered)
    assert on_the_page(officer_client, darlington) == laid_out
    assert in_the_export(darlington) == laid_out
    assert in_appendix_1(darlington) == laid_out
    # By default Appendix 1 lists only what the council answered, and names the rest in a paragraph.
    listed_by_default = build_report(default_report(darlington))
    in_appendix = any(
        row.recommendation.number == 2 for _, rows in listed_by_default.appendix for row in rows
    )
    named_as_unanswered = 2 in [rec.number for rec in listed_by_default.unlisted]
    assert (in_appendix, named_as_unanswered) == ((True, False) if answered else (False, True))


def test_appendix_1_puts_the_words_before_the_parts_above_a_part_by_part_answer(darlington):
    answer(darlington, "a", "b")
    content = build_report(default_report(darlington))
    rows = [row for _, rows in content.appendix for row in rows if row.recommendation.number == 2]
    assert [row.label for row in rows] == ["2"] + [f"2({letter})" for letter in PARTS]
    assert rows[0].stem_only
