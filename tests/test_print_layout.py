"""Papers print as a clerk would send them (templates/pdf/base.html): a long unbroken word wraps and is
printed whole, even in an issued PDF; no heading is left alone at a page foot; the running header is
one line however long the council's name and the title; and a long row of Appendix 1 runs on to the
next page rather than leave the page before it nearly blank.

Darlington's report is rendered once for the module, with a 300-character word where officers and
clerks type, the longest council name and title the fields allow, and recommendations 1 and 2
answered as a whole (2 then lists its ten parts): laid out by WeasyPrint for its boxes, and issued
for the stored PDF a reader downloads. Nothing it writes is kept.

Dashboards and lists print too (static/css/app.css, "Print"), from a browser's Print: without the
menu, filters, pagination links or buttons, and with every table's columns inside the page. They are
laid out here by WeasyPrint with the app's own stylesheets, for print, as a browser would; the
comparison of twelve councils with the longest status in every cell is the widest.
"""

import datetime
import fcntl
import functools
import json
import re
from dataclasses import asdict, dataclass

import pytest
import weasyprint
from django.conf import settings
from django.db import transaction
from django.template import engines
from django.test import Client
from django.urls import reverse

from authorities import pdf
from authorities.models import Authority, Decision, Meeting, Membership
from recommendations.models import Recommendation
from responses.cabinet import services
from responses.cabinet.content import build_report
from responses.models import LocalResponse, Rag, Status
from responses.services import record_progress

from .conftest import make_user
from .layout import (
    blank_before_a_table_runs_on,
    headings_at_page_foot,
    hollow_rows,
    last_rows,
    margin_lines,
    overflowing,
    render,
    split_rows,
    text_of,
    words_past_the_margin,
)
from .pdftools import pdf_info, pdf_text, squeeze
from .test_query_counts import add_councils

WORD = "Safeguarding" * 25  # 300 characters and nowhere a line may break
LONGEST_NAME = ("The Royal Borough of Kensington and Chelsea and the City of Westminster " * 3)[:150]
LONGEST_TITLE = ("The Protection of Children in England: progress on Lord Laming's recommendations " * 4)[
    :250
]


def answer(authority, by, number, text):
    """The council answers recommendation `number` as a whole (or changes its answer), In progress."""
    recommendation = Recommendation.objects.get(number=number)
    existing = LocalResponse.objects.filter(
        authority=authority, recommendation=recommendation, part=None
    ).first()
    record_progress(
        authority=authority,
        recommendation=recommendation,
        part=None,
        by=by,
        expected_version=existing.version if existing else 0,
        text=text,
        status=Status.IN_PROGRESS,
        rag=Rag.AMBER,
        lead_officer="Jenni Cooke",
        target_date=None,
        target_date_reason="",
        evidence="",
        note="Testing the print layout.",
    )


@pytest.fixture(scope="module")
def darlington_papers(django_db_setup, django_db_blocker):
    """Darlington's report laid out and issued, and a decision record laid out, each holding WORD."""
    with django_db_blocker.unblock(), transaction.atomic():
        authority = Authority.objects.get(slug="darlington")
        authority.name = LONGEST_NAME
        authority.save()
        clerk = make_user("clerk.layout", authority, Membership.Role.CLERK)
        answer(authority, clerk, 1, "Answered as a whole.")
        answer(authority, clerk, 2, "Answered as a whole.")
        answer(authority, clerk, 51, f"Chair appointed: {WORD} (see the LSCB's minutes).")
        report = services.create_report(
            authority=authority,
            by=clerk,
            title=LONGEST_TITLE,
            new_meeting_kind=Meeting.Kind.CABINET,
            new_meeting_date=datetime.date.today() + datetime.timedelta(days=7),
        )
        report.purpose = f"This report updates Members. {WORD} is a 300-character word."
        report.implications[0]["text"] = f"Implication {WORD} end."
        report.save()
        laid_out = render(pdf.report_html(build_report(report)))
        issued = services.issue_report(report=report, by=clerk, expected_version=report.version)
        decision = Decision(
            meeting=Meeting.objects.get(authority=authority, date=datetime.date(2009, 4, 28)),
            record=f"Consideration was given to {WORD}.",
            decisions=f"1. The report be noted.\n2. {WORD} be received.",
            reasons=f"Because {WORD}.",
            published_on=datetime.date(2009, 5, 1),
        )
        decision_html = pdf.decision_html(decision, [])
        transaction.set_rollback(True)
    return {
        "report": laid_out,
        "issued": bytes(issued.pdf),
        "decision": render(decision_html),
        "decision_pdf": pdf.html_to_pdf(decision_html).content,
    }


@pytest.fixture
def papers(db, darlington_papers):
    """Asking for `db` has these tests run with the other database tests (see test_report_pdf.py)."""
    return darlington_papers


# Long words


def test_a_300_character_word_wraps_in_the_report_and_nothing_runs_off_the_page(papers):
    report = papers["report"]
    assert overflowing(report) == []
    # In the purpose, in an implications cell and in Appendix 1's response cell: whole each time.
    assert text_of(report).count(WORD) == 3


def test_the_issued_pdf_prints_the_long_word_whole_and_within_the_margins(papers):
    issued = papers["issued"]
    assert words_past_the_margin(issued) == []
    text = squeeze(pdf_text(issued))
    assert f"This report updates Members. {WORD} is a".replace(" ", "") in text
    assert f"Implication{WORD}end." in text


def test_a_300_character_word_wraps_in_a_decision_record_and_is_printed_whole(papers):
    assert overflowing(papers["decision"]) == []
    assert text_of(papers["decision"]).count(WORD) == 3
    assert words_past_the_margin(papers["decision_pdf"]) == []
    text = squeeze(pdf_text(papers["decision_pdf"]))
    assert f"Considerationwasgivento{WORD}." in text
    assert f"2.{WORD}bereceived." in text


# The running header


def test_the_running_header_is_one_line_with_the_longest_council_name_and_title(papers):
    report = papers["report"]
    assert len(report.pages) > 5
    for page in report.pages[1:]:
        left = margin_lines(page, "@top-left")
        right = margin_lines(page, "@top-right")
        assert len(left) == 1, left
        assert left[0][0].startswith(LONGEST_NAME + "\u2002·\u2002The Protection")
        assert [text for text, _, _ in right] == ["Draft: not issued"]
    assert pdf_text(papers["issued"], page=2).startswith(LONGEST_NAME[:60])


HEADER_ONLY = """{% extends "pdf/base.html" %}{% block body %}
<p class="running-council">Darlington Borough Council</p><h1 class="running-title">Report</h1>
<p class="running-status">STATUS</p><p style="break-before: page">The second page.</p>
{% endblock %}"""


@pytest.mark.parametrize("status", ["Issued 30 September 2009", "Draft: not issued", "30 September 2009"])
def test_the_running_headers_status_is_printed_whole(status):
    """What the right of the header shows: an issued report's date, a draft's warning, a decision's date."""
    html = engines["django"].from_string(HEADER_ONLY.replace("STATUS", status)).render({})
    [(text, width, room)] = margin_lines(render(html).pages[1], "@top-right")
    assert text == status
    assert width <= room


# Headings and long rows


def test_no_heading_is_left_alone_at_a_page_foot_in_the_report_or_the_decision(papers):
    assert headings_at_page_foot(papers["report"]) == []
    assert headings_at_page_foot(papers["decision"]) == []


LINE = "A line of the report's text that fills the width of the page and then some more."
SECTIONS = """{% extends "pdf/base.html" %}{% block body %}<div class="report">
{% for lines in lengths %}
<h3>Section {{ forloop.counter }}</h3><h4>What it says</h4>
<p>{% for _ in lines %}{{ line }} {% endfor %}</p>
<table><caption>Table {{ forloop.counter }}</caption>
<tr><th>Row</th><td>One</td></tr><tr><th>Row</th><td>Two</td></tr></table>
{% endfor %}</div>{% endblock %}"""


def test_headings_and_captions_go_over_with_what_follows_them():
    """Sections of every length from one line to twelve put a heading near each page foot in turn."""
    html = (
        engines["django"]
        .from_string(SECTIONS)
        .render({"lengths": [range(n % 12 + 1) for n in range(60)], "line": LINE})
    )
    document = render(html)
    assert len(document.pages) > 8
    assert headings_at_page_foot(document) == []


def test_a_long_row_runs_on_to_the_next_page_rather_than_leave_this_one_blank(papers):
    """Recommendation 2, answered as a whole, lists its ten parts: almost a page on its own."""
    report = papers["report"]
    runs_on = blank_before_a_table_runs_on(report)
    assert runs_on, "Appendix 1 runs on from page to page"
    assert [(page, blank) for page, blank in runs_on if blank > 0.3] == []
    pages = int(pdf_info(papers["issued"])["Pages"])
    text = [pdf_text(papers["issued"], page=page) for page in range(1, pages + 1)]
    starts = next(
        number for number, page in enumerate(text) if "A National Safeguarding Delivery Unit" in page
    )
    assert "(j) commissioning training" not in text[starts], "recommendation 2 splits across two pages"
    assert "(j) commissioning training" in text[starts + 1]


def test_only_long_rows_split_and_short_rows_stay_whole_on_a_page(papers):
    split = split_rows(papers["report"])
    assert split, "recommendation 2's row, at least, runs on"
    assert {row.get("class") for row in split} == {"may-split"}
    assert "2" in [row[0].text for row in split]
    assert hollow_rows(papers["report"]) == []


STEMS = """{% extends "pdf/base.html" %}{% block body %}<div class="report">{% for lines in lengths %}
<p>{% for _ in lines %}{{ line }} {% endfor %}</p>
<table><tr class="stem"><th>2</th><td>A National Safeguarding Delivery Unit should be established.</td></tr>
<tr><th>2(a)</th><td>working with the Cabinet Sub-Committee<br>on Families and Young People</td></tr>
</table>
{% endfor %}</div>{% endblock %}"""


def test_the_words_before_a_recommendations_parts_go_over_with_its_first_part():
    """Appendix 1's stem row (a council answering part by part) is never the last row on a page."""
    html = (
        engines["django"]
        .from_string(STEMS)
        .render({"lengths": [range(n % 9 + 1) for n in range(60)], "line": LINE})
    )
    document = render(html)
    assert len(document.pages) > 8
    assert last_rows(document, "stem") == []


ROWS = """{% extends "pdf/base.html" %}{% block body %}<div class="report">{% for lines in lengths %}
<p>{% for _ in lines %}{{ line }} {% endfor %}</p>
<table class="appendix-1"><thead><tr><th class="col-no">No.</th><th>Recommendation and local response</th>
<th class="col-status">Status</th></tr></thead>
<tbody><tr class="may-split"><th>19</th><td><p>{{ line }} {{ line }}</p>
<ul>{% for letter in "abc" %}<li>({{ letter }}) {{ line }} {{ line }} {{ line }}</li>{% endfor %}</ul>
<p>Local response</p><p>{{ line }} {{ line }} {{ line }}</p></td><td>Awaiting national guidance or action</td>
</tr></tbody></table>{% endfor %}</div>{% endblock %}"""


def test_a_long_row_begun_at_a_page_foot_starts_its_words_beside_its_number():
    """Long rows after paragraphs of every length from one line to twelve: wherever one begins, its
    words begin there too, never all of them on the next page beside its number and status."""
    html = (
        engines["django"]
        .from_string(ROWS)
        .render({"lengths": [range(n % 12 + 1) for n in range(30)], "line": LINE})
    )
    document = render(html)
    assert len(split_rows(document)) > 5, "long rows run on from page to page"
    assert hollow_rows(document) == []


# Dashboards and lists, printed from the browser

PRINTED = {
    "comparison": reverse("responses:comparison"),
    "council": reverse("authorities:detail", args=["darlington"]),
    "responses": reverse("responses:list"),
    "recommendations": reverse("recommendations:list"),
    "commitments": reverse("recommendations:commitments") + "?council=darlington",
}
# Twelve councils fill a page of the comparison's matrix (ComparisonView.councils_per_page): the eight
# added have long names and the longest status in every cell, the widest the matrix can be.
LONG_NAMES = [
    "Bournemouth, Christchurch and Poole",
    "Kensington and Chelsea",
    "Redcar and Cleveland",
    "Richmond upon Thames",
    "North East Lincolnshire",
    "Windsor and Maidenhead",
    "Hammersmith and Fulham",
    "Barking and Dagenham",
]


STYLESHEET = re.compile(r'<link rel="stylesheet" href="/static/([^"]+)">')


@functools.cache
def stylesheet(name):
    """A static stylesheet, parsed once for the module: GOV.UK Frontend's takes a second each time."""
    return weasyprint.CSS(filename=str(settings.STATICFILES_DIRS[0] / name))


def printed(content: bytes):
    """The page as a browser prints it: laid out for print media with the stylesheets it links."""
    html = content.decode()
    sheets = [stylesheet(name) for name in STYLESHEET.findall(html)]
    document = weasyprint.HTML(
        string=STYLESHEET.sub("", html), base_url=pdf.base_url(), url_fetcher=pdf.StaticFilesOnlyFetcher()
    )
    return document.render(stylesheets=sheets, **pdf.PDF_OPTIONS)


def page_text(document):
    return squeeze(text_of(document))


@dataclass
class Printout:
    """What the tests read off a printed page: each sheet's size in CSS pixels, what runs past the
    right margin, and the words (squeezed)."""

    sizes: list
    overflowing: list
    text: str

    @classmethod
    def of(cls, document):
        return cls(
            [(round(page.width), round(page.height)) for page in document.pages],
            overflowing(document),
            page_text(document),
        )


def print_every_page():
    """Each page of PRINTED as an officer of Darlington prints it, with twelve councils on record."""
    with transaction.atomic():
        add_councils(len(LONG_NAMES))
        for index, name in enumerate(LONG_NAMES):
            Authority.objects.filter(slug=f"test-{index}").update(name=f"{name} Council", short_name=name)
        LocalResponse.objects.filter(authority__slug__startswith="test-").update(
            status=Status.AWAITING_NATIONAL, rag=Rag.AMBER
        )
        client = Client()
        client.force_login(make_user("officer.print", Authority.objects.get(slug="darlington"), "officer"))
        printouts = {}
        for name, url in PRINTED.items():
            response = client.get(url)
            assert response.status_code == 200
            printouts[name] = asdict(Printout.of(printed(response.content)))
        transaction.set_rollback(True)
    return printouts


@pytest.fixture(scope="module")
def printed_pages(django_db_setup, django_db_blocker, tmp_path_factory):
    """print_every_page(), done once for the whole run: laying out the pages takes about 25 s, so the
    first pytest-xdist worker to need them keeps what it read in the run's shared temporary folder, and
    a worker that needs them meanwhile waits for it (a lock) rather than lay them out again."""
    shared = tmp_path_factory.getbasetemp().parent / "printouts.json"
    with open(shared.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not shared.exists():
            with django_db_blocker.unblock():
                shared.write_text(json.dumps(print_every_page()))
        printouts = json.loads(shared.read_text())
    return {name: Printout(**printout) for name, printout in printouts.items()}


@pytest.fixture
def printed_page(db, printed_pages, request):
    return printed_pages[request.param]


@pytest.mark.parametrize("printed_page", PRINTED, indirect=True)
def test_no_printed_dashboard_or_list_runs_past_the_pages_right_margin(printed_page):
    assert len(printed_page.sizes) >= 1
    assert printed_page.overflowing == []


@pytest.mark.parametrize("printed_page", PRINTED, indirect=True)
def test_printing_leaves_out_the_menu_filters_forms_buttons_and_contents(printed_page):
    text = printed_page.text
    for left_out in [
        "Government commitments Your account Sign out",  # the menu
        "Words from the recommendation or a response",  # the filter panel's search
        "Show the figures as at an earlier date",  # the "as at" form (its "As at ..." line stays)
        "Show one council's responses",  # the commitments' council chooser
        "Clear filters",
        "Contents",
        "Skip to main content",
        "Accessibility statement",  # the footer
    ]:
        assert squeeze(left_out) not in text, left_out


def test_the_printed_comparison_is_landscape_and_shows_every_councils_column(printed_pages):
    printout = printed_pages["comparison"]
    assert printout.sizes[0] == [1123, 794]  # A4 landscape, in CSS pixels
    text = printout.text
    assert squeeze("Councils 1 to 12 of 12") not in text  # one page of councils: no pagination
    for name in ["Central Bedfordshire", "Darlington", "Newcastle", "Stockton-on-Tees", *LONG_NAMES]:
        # Each council heads a column of the matrix and a row of the summary table.
        assert text.count(squeeze(name)) >= 2, name
    assert text.count(squeeze("Awaiting national guidance or action")) > 8 * 58


def test_the_other_printed_pages_are_portrait(printed_pages):
    for name in ["council", "responses", "recommendations", "commitments"]:
        assert printed_pages[name].sizes[0] == [794, 1123], name


def test_a_printed_list_says_which_of_its_pages_it_is_without_the_links_to_the_others(printed_pages):
    text = printed_pages["responses"].text
    # 12 councils answering 58 recommendations (and Central Bedfordshire's parts) at 50 a page.
    pages = re.search(r"Page1of(\d+)", text)
    assert pages and int(pages.group(1)) >= 12
    assert "Next" not in text and "Previous" not in text


def test_the_printed_council_page_keeps_its_figures_and_every_status_column(printed_pages):
    text = printed_pages["council"].text
    assert squeeze("As at") in text
    assert squeeze("Responses by delivery status and theme") in text
    # The status table's last column, and its totals row.
    assert squeeze("Not applicable No response") in text
    assert squeeze("All themes") in text
