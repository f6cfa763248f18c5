"""Long pages open with a "Contents" list of links to their sections: a council's page, a report's preview
and help. Every link leads to a heading on the page, in the order the page shows them, and each of the
page's main sections is in the list.
"""

import datetime
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from authorities.models import Meeting
from recommendations.models import Theme
from responses.cabinet import services

from .helpers import normalise


def contents(page):
    """The contents list's links as (target id, text), in order."""
    nav = re.search(r'<nav class="app-contents-list" aria-label="Contents">(.*?)</nav>', page, re.S).group(1)
    return [
        (target, normalise(html.unescape(re.sub(r"<[^>]+>", "", text))))
        for target, text in re.findall(r'<a class="govuk-link" href="#([^"]+)">(.*?)</a>', nav, re.S)
    ]


def heading_ids(page, levels="h2|h3"):
    """The ids of the page's headings at `levels`, in order, after the contents list."""
    after = page[page.index("</nav>", page.index('aria-label="Contents"')) :]
    return re.findall(rf'<(?:{levels})\b[^>]* id="([^"]+)"', after)


def assert_leads_to_headings_in_order(page, levels="h2|h3|h4"):
    targets = [target for target, _ in contents(page)]
    ids = heading_ids(page, levels)
    missing = [target for target in targets if target not in ids]
    assert missing == [], f"links to no heading: {missing}"
    assert targets == sorted(targets, key=ids.index), "the list is not in the page's order"
    assert len(set(ids)) == len(ids), "two headings share an id"


# The council's page


@pytest.fixture
def council_page(client, outsider):
    client.force_login(outsider)
    return client.get(reverse("authorities:detail", args=["darlington"])).content.decode()


def test_the_council_page_lists_its_sections_and_themes_in_order(council_page):
    themes = [f"{theme.number}. {theme.name}" for theme in Theme.objects.order_by("number")]
    assert [text for _, text in contents(council_page)] == [
        "Cabinet reports",
        "Delivery status by theme",
        "RAG rating by theme",
        "Assurance by the LSCB chair",
        "What needs attention",
        "Recently changed",
        "The 17 recommendations of the Working Together revision",
        "Government commitments past their due date",
        "Responses by theme",
        *themes,
    ]
    assert len(themes) == 7


def test_every_link_in_the_council_pages_contents_leads_to_a_heading_in_the_pages_order(council_page):
    assert_leads_to_headings_in_order(council_page)


def test_every_section_heading_of_the_council_page_is_in_its_contents(council_page):
    listed = {target for target, _ in contents(council_page)}
    sections = re.findall(r'<h2 class="govuk-heading-[lm]" id="([^"]+)"', council_page)
    assert len(sections) == 8
    assert set(sections) <= listed


# A report's preview


@pytest.fixture
def draft(darlington, clerk_darlington):
    return services.create_report(
        authority=darlington,
        by=clerk_darlington,
        title="Laming: progress in Darlington",
        new_meeting_kind=Meeting.Kind.CABINET,
        new_meeting_date=timezone.localdate() + datetime.timedelta(days=28),
    )


@pytest.fixture
def preview(clerk_client, draft):
    return clerk_client.get(
        reverse("authorities:report_preview", args=["darlington", draft.pk])
    ).content.decode()


def test_the_preview_lists_the_reports_parts_and_appendix_1s_themes(preview):
    assert [text for _, text in contents(preview)] == [
        "Summary Report",
        "Purpose of the Report",
        "Background",
        "Summary",
        "Recommendations",
        "Background Papers",
        "Main Report",
        "Information and Analysis",
        "Outcome of Consultation",
        "Appendix 1: Lord Laming's recommendations and Darlington's local response",
        # Appendix 1 lists the themes in which Darlington has responded to something.
        "2. Support for children",
        "3. Interagency working",
        "4. Children's workforce",
        "6. Organisation and finance",
        "Appendix 2: The Government's commitments and where Darlington stands",
        "Issue the report",
    ]


def test_every_link_in_the_previews_contents_leads_to_a_heading_in_the_pages_order(preview):
    assert_leads_to_headings_in_order(preview)


# Help


def test_every_link_in_helps_contents_leads_to_a_section_in_order(client, db):
    page = client.get(reverse("help")).content.decode()
    assert len(contents(page)) == 8
    assert_leads_to_headings_in_order(page, levels="h2")
    assert [target for target, _ in contents(page)] == heading_ids(page, levels="h2")[:8]
