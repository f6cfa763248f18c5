"""The home page leads each person to their work: an officer to what needs doing, an LSCB chair to what
is late and how the council compares, a clerk to the council's papers, a council administrator to its
people, an administrator to the councils. Someone with several roles, or roles at several councils,
sees each."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from authorities.models import Authority, Meeting, Membership
from fixtures.reference.keys import DARLINGTON_APRIL_CABINET_MEETING, STOCKTON_CABINET_MEETING
from responses.cabinet import services
from responses.models import LocalResponse

from .conftest import make_user
from .helpers import visible_text
from .test_editing import darlington_24_due_30_june_2009
from .test_query_counts import add_councils
from .test_reports import draft, issued  # noqa: F401


def home(client, user):
    client.force_login(user)
    return client.get(reverse("home"))


def links(response):
    return response.content.decode()


def council(slug):
    return Authority.objects.get(slug=slug)


# An LSCB chair: what is late, and how the council compares


def test_a_chair_sees_darlingtons_statuses_beside_every_councils(client, chair_darlington):
    text = visible_text(home(client, chair_darlington))
    assert "How Darlington compares" in text
    # Darlington has 8 responses and leaves 50 of the 58 recommendations unanswered (58 in all); the
    # four councils have 94 responses and leave 149 unanswered (243 in all).
    assert (
        "Darlington's responses by delivery status, beside all 4 councils' "
        "Delivery status Darlington All 4 councils "
        "Not started 0 (0%) 25 (10%) "
        "In progress 3 (5%) 15 (6%) "
        "Complete 0 (0%) 1 (under 1%) "
        "Ongoing (embedded in practice) 1 (2%) 4 (2%) "
        "Awaiting national guidance or action 4 (7%) 44 (18%) "
        "A matter for a partner agency 0 (0%) 5 (2%) "
        "Not applicable 0 (0%) 0 (0%) "
        "No response 50 (86%) 149 (61%)" in text
    )
    # Newcastle's three dated responses (13, 23, 53) are the only ones past their target date.
    assert (
        "Past their target date: 0 of Darlington's 8 responses (0%), and 3 of all councils' 94 (3%)." in text
    )


def test_a_chairs_comparison_counts_a_response_past_its_target_date_by_the_overdue_rule(
    client, chair_darlington
):
    darlington_24_due_30_june_2009()
    page = home(client, chair_darlington)
    text = visible_text(page)
    assert (
        "Past their target date: 1 of Darlington's 8 responses (13%), and 4 of all councils' 94 (4%)." in text
    )
    # What is late is listed too, each response linked to its page.
    assert "Past their target date (1)" in text
    assert f'href="{reverse("responses:detail", args=["darlington", 24])}"' in links(page)
    # Complete is settled: a response past its date but complete is not late (overdue_q).
    LocalResponse.objects.filter(authority__slug="darlington", recommendation__number=24).update(
        status="complete"
    )
    text = visible_text(home(client, chair_darlington))
    assert "Past their target date: 0 of Darlington's 8 responses (0%)" in text
    assert "Complete 1 (2%) 2 (1%)" in text


def test_a_chair_is_led_to_compare_darlington_with_its_region_and_with_everycouncil(client, chair_darlington):
    page = home(client, chair_darlington)
    html = links(page)
    text = visible_text(page)
    assert f'href="{reverse("responses:comparison")}?region=north_east"' in html
    assert "Compare Darlington with the other councils in its region, North East" in text
    assert f'href="{reverse("responses:comparison")}"' in html
    assert "Compare Darlington with every council, recommendation by recommendation" in text
    # Every response not updated for 90 days is linked (Darlington's 8 come from its 2009 report).
    assert "Not updated for 90 days (8)" in text
    for number in (11, 18, 19, 24, 51, 52, 53, 54):
        assert f'href="{reverse("responses:detail", args=["darlington", number])}"' in html


def test_an_officer_and_a_clerk_see_no_comparison(client, officer_darlington, clerk_darlington):
    assert "How Darlington compares" not in visible_text(home(client, officer_darlington))
    assert "How Darlington compares" not in visible_text(home(client, clerk_darlington))


# A committee clerk: the council's papers


def test_a_clerk_is_led_to_the_reports_page_and_to_create_a_report(client, clerk_darlington):
    page = home(client, clerk_darlington)
    text = visible_text(page)
    html = links(page)
    assert "Darlington's Cabinet reports and decision records Create a report for Darlington" in text
    assert f'href="{reverse("authorities:report_new", args=["darlington"])}"' in html
    assert "Drafts (0) There are no draft reports." in text
    assert "Latest issued report No report has been issued yet." in text
    # Darlington's Cabinet of 28 April 2009 has taken place and has no decision record yet; the one
    # the Action Plan went to gives no date, so its decision cannot be recorded.
    assert (
        "These meetings have taken place and have no decision record yet: "
        "Record the decision of Darlington Cabinet, 28 April 2009 "
        "All Darlington's Cabinet reports and decision records" in text
    )
    record = reverse("authorities:decision_record", args=["darlington", DARLINGTON_APRIL_CABINET_MEETING])
    assert f'href="{record}"' in html
    assert "All Darlington's Cabinet reports and decision records" in text
    assert f'href="{reverse("authorities:reports", args=["darlington"])}"' in html


def test_a_clerk_sees_each_draft_and_the_latest_issued_report(client, request, clerk_darlington, darlington):
    earlier = request.getfixturevalue("issued")  # test_reports's fixture: its draft, issued
    later = services.create_report(
        authority=darlington,
        by=clerk_darlington,
        title="Laming: the autumn update",
        new_meeting_kind=Meeting.Kind.LSCB,
        new_meeting_date=timezone.localdate() + datetime.timedelta(days=90),
    )
    page = home(client, clerk_darlington)
    text = visible_text(page)
    html = links(page)
    assert f"Drafts (1) Laming: the autumn update , for {later.meeting}" in text
    assert f'href="{reverse("authorities:report", args=["darlington", later.pk])}"' in html
    issued_on = timezone.localtime(earlier.issued_at).strftime("%-d %B %Y")
    assert (
        f"Latest issued report Laming: progress in Darlington , issued {issued_on} for {earlier.meeting}."
        in text
    )
    assert f'href="{reverse("authorities:report", args=["darlington", earlier.pk])}"' in html
    assert f'href="{reverse("authorities:report_pdf", args=["darlington", earlier.pk])}"' in html


def test_a_clerk_is_led_to_the_councils_decision_records(client, db):
    stockton_clerk = make_user("clerk.test-stockton", council("stockton-on-tees"), Membership.Role.CLERK)
    page = home(client, stockton_clerk)
    text = visible_text(page)
    assert "Decision records Decision record of Stockton-on-Tees Cabinet, 11 June 2009" in text
    decision = reverse("authorities:decision", args=["stockton-on-tees", STOCKTON_CABINET_MEETING])
    assert f'href="{decision}"' in links(page)


def test_an_officer_and_a_chair_are_not_shown_the_papers(client, officer_darlington, chair_darlington):
    for user in (officer_darlington, chair_darlington):
        assert "Cabinet reports and decision records" not in visible_text(home(client, user))


# Administrators, and people with several roles


def test_an_administrator_is_led_to_the_councils_and_to_adding_one(client, administrator):
    page = home(client, administrator)
    html = links(page)
    text = visible_text(page)
    assert "Councils As an administrator you can update any council's responses from its pages" in text
    assert "All councils : each council's responses, people, Cabinet reports and decision records" in text
    assert "Add a council , or add several from a spreadsheet" in text
    for url in (reverse("authorities:list"), reverse("authorities:new"), reverse("authorities:upload")):
        assert f'href="{url}"' in html


def test_nobody_else_is_offered_to_add_acouncil(client, council_admin_darlington):
    assert f'href="{reverse("authorities:new")}"' not in links(home(client, council_admin_darlington))


def test_someone_with_roles_at_two_councils_sees_the_work_of_each(client, chair_darlington):
    Membership.objects.create(user=chair_darlington, authority=council("stockton-on-tees"), role="clerk")
    Membership.objects.create(
        user=chair_darlington, authority=council("stockton-on-tees"), role="council_admin"
    )
    text = visible_text(home(client, chair_darlington))
    assert text.count("How Darlington compares") == 2  # in the contents list, and its heading
    assert "How Stockton-on-Tees compares" not in text
    assert "Stockton-on-Tees's Cabinet reports and decision records" in text
    assert "Darlington's Cabinet reports and decision records" not in text
    assert "Stockton-on-Tees's people" in text and "Darlington's people" not in text
    # Council by council, in the order the roles were given; the contents list names each section.
    assert (
        "On this page Darlington's assurance Where Darlington stands How Darlington compares "
        "Stockton-on-Tees's people "
        "Stockton-on-Tees's Cabinet reports and decision records Where Stockton-on-Tees stands" in text
    )
    html = links(home(client, chair_darlington))
    sections = [
        "assurance-darlington",
        "standing-darlington",
        "compared-darlington",
        "people-stockton-on-tees",
    ]
    sections += ["papers-stockton-on-tees", "standing-stockton-on-tees"]
    places = [html.index(f'id="{section}"') for section in sections]
    assert places == sorted(places)


def test_a_page_with_more_than_one_section_opens_with_a_contents_list(
    client, chair_darlington, officer_darlington
):
    page = home(client, chair_darlington)
    assert (
        "On this page Darlington's assurance Where Darlington stands How Darlington compares"
        in visible_text(page)
    )
    # The chair's way to the assurance page, with what waits there.
    assert "No responses wait for your assurance" in visible_text(page)
    for anchor in ("assurance-darlington", "standing-darlington", "compared-darlington"):
        assert f'href="#{anchor}"' in links(page) and f'id="{anchor}"' in links(page)
    # An officer's page has one section: what Darlington needs to do next.
    assert "On this page" not in visible_text(home(client, officer_darlington))


# The queries do not grow with the number of councils


@pytest.mark.parametrize(
    ("persona", "queries"),
    [
        # session, user, memberships, recommendations not answered, the council's responses (its
        # worklist), every council's responses counted by status, the chair's council's by status, the
        # recommendations it answered, the number of councils, of recommendations, the recommendations
        # every council answered, the responses waiting for the chair's assurance
        ("chair_darlington", 12),
        # session, user, memberships, the council's reports without their PDFs, its meetings with
        # their decisions, recommendations not answered, the council's responses
        ("clerk_darlington", 7),
    ],
)
@pytest.mark.parametrize("extra_councils", [0, 36], ids=["4 councils", "40 councils"])
def test_the_home_pages_query_count_does_not_grow_with_the_councils(
    db, client, request, django_assert_num_queries, persona, queries, extra_councils
):
    add_councils(extra_councils)
    client.force_login(request.getfixturevalue(persona))
    with django_assert_num_queries(queries):
        assert client.get(reverse("home")).status_code == 200
