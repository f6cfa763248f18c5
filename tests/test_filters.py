"""Filtering lists of recommendations and responses: each filter, one line each."""

import re

import pytest
from django.db.models import Count
from django.urls import reverse

from authorities.models import Authority
from recommendations.models import Body, Recommendation, Theme
from responses.filters import RecommendationFilterSet, ResponseFilterSet
from responses.models import LocalResponse, Rag, Status

from .helpers import visible_text
from .varied import OVERDUE, label_of, varied_data  # noqa: F401


def responses(**params):
    return ResponseFilterSet(params, queryset=LocalResponse.objects.all()).qs.count()


def recommendations(**params):
    return RecommendationFilterSet(params, queryset=Recommendation.objects.all()).qs.count()


def test_response_filters_each_narrow_the_list(db):
    assert responses() == 94
    assert responses(council=["central-bedfordshire"]) == 69
    assert responses(council=["darlington", "newcastle"]) == 8 + 13
    assert responses(theme=["legal"]) == LocalResponse.objects.filter(recommendation__number__gte=57).count()
    assert responses(status=[Status.PARTNER_AGENCY]) == 5
    assert responses(rag=["not_rated"]) == 94
    assert responses(rag=["red"]) == 0
    assert (
        responses(body=["ofsted"])
        == LocalResponse.objects.filter(recommendation__addressed_to__slug="ofsted").count()
    )
    # A recommendation addressed to both bodies chosen is listed once, not once per body.
    two_bodies = (
        Body.objects.annotate(n=Count("recommendations")).order_by("-n").values_list("slug", flat=True)[:2]
    )
    either = LocalResponse.objects.filter(recommendation__addressed_to__slug__in=list(two_bodies))
    assert either.count() > either.distinct().count(), "no recommendation is addressed to both bodies"
    assert responses(body=list(two_bodies)) == either.distinct().count()
    local = (
        LocalResponse.objects.filter(recommendation__addressed_to__level=Body.Level.LOCAL)
        .values("pk")
        .distinct()
    )
    assert responses(action="local") == local.count()
    # Every target date in the sources (2009) has passed; none of those responses is complete. Only
    # Newcastle's give dates: 13 and 23 ("(2009)") and 53 ("July 2009").
    assert responses(overdue="yes") == LocalResponse.objects.exclude(target_date=None).count() == 3
    assert responses(overdue="yes") + responses(overdue="no") == 94
    working_together = LocalResponse.objects.filter(
        recommendation__number__in=[6, 7, 9, 11, 13, 14, 16, 19, 20, 22, 23, 25, 29, 30, 51, 52, 53]
    ).count()
    assert responses(working_together="yes") == working_together
    assert responses(q="Ofsted") >= 5


def test_response_search_finds_stemmed_words_on_postgresql(db):
    # "chairing" and "chair" share a stem: full-text search finds both spellings.
    assert responses(q="chairing") == responses(q="chair")
    assert responses(q="chair -independent") < responses(q="chair")


def test_recommendation_filters_each_narrow_the_list(db):
    assert recommendations() == 58
    assert recommendations(theme=["childrens-workforce"]) == 13
    assert (
        recommendations(body=["ofsted"]) == Recommendation.objects.filter(addressed_to__slug="ofsted").count()
    )
    assert recommendations(working_together="yes") == 17
    assert recommendations(working_together="no") == 41
    assert recommendations(council=["central-bedfordshire"]) == 58
    assert recommendations(council=["stockton-on-tees"]) == 4
    assert recommendations(council=["darlington"], status=[Status.AWAITING_NATIONAL]) == 4  # 11, 18, 19, 54
    assert recommendations(status=[Status.COMPLETE]) == 1
    assert recommendations(q="Serious Case Review") >= 5
    assert recommendations(q="Loughborough") == 1


@pytest.mark.parametrize("url_name", ["recommendations:list", "responses:list", "responses:comparison"])
def test_filter_state_lives_in_the_url_and_shows_in_the_form(officer_client, url_name):
    response = officer_client.get(reverse(url_name) + "?status=awaiting_national&q=guidance")
    html = response.content.decode()
    assert 'value="awaiting_national" checked' in html
    assert 'value="guidance"' in html
    assert 'role="status" aria-live="polite"' in html


@pytest.mark.parametrize("url_name", ["recommendations:list", "responses:list", "responses:comparison"])
def test_bad_filter_values_show_a_problem_not_an_error(officer_client, url_name):
    response = officer_client.get(reverse(url_name) + "?status=finished&theme=nowhere&overdue=maybe")
    assert response.status_code == 200
    assert "There is a problem" in visible_text(response)


def test_responses_list_counts_what_it_shows_and_pages_through_them(officer_client):
    page = officer_client.get(reverse("responses:list"))
    assert "94 responses" in visible_text(page)
    assert "Page 1 of 2" in visible_text(page)
    # GOV.UK pagination: the current page, then a link to the other.
    assert 'aria-label="Page 1" aria-current="page">1</a>' in page.content.decode()
    assert 'href="?page=2" aria-label="Page 2">2</a>' in page.content.decode()
    assert officer_client.get(reverse("responses:list") + "?page=2").status_code == 200
    assert officer_client.get(reverse("responses:list") + "?page=9").status_code == 404


def test_search_finds_words_an_officer_has_just_saved(officer_client):
    response = LocalResponse.objects.get(authority__slug="darlington", recommendation__number=51)
    assert responses(q="reciprocal chairing agreements") == 0
    officer_client.post(
        reverse("responses:edit", args=["darlington", 51]),
        {
            "text": "Reciprocal chairing agreements signed with Stockton.",
            "status": response.status,
            "note": "Agreements signed.",
            "version": response.version,
        },
    )
    # Stemmed: "agreement" finds "agreements".
    assert responses(q="reciprocal agreement") == 1


def test_search_words_follow_each_change_to_the_text_evidence_or_lead_officer_and_only_those(officer_client):
    url = reverse("responses:edit", args=["darlington", 51])

    def save(**changes):
        response = LocalResponse.objects.get(authority__slug="darlington", recommendation__number=51)
        fields = {"text": response.text, "status": response.status, "evidence": response.evidence}
        fields |= {"lead_officer": response.lead_officer, "note": "Changed.", "version": response.version}
        assert officer_client.post(url, fields | changes).status_code == 302

    save(text="Reciprocal chairing agreements signed with Stockton.")
    # A save that changes only the status keeps the words: the database works them out again only when
    # the words change (migration 0010), and this save leaves them as they were.
    save(status=Status.COMPLETE)
    assert responses(q="reciprocal") == 1
    save(evidence="Minutes of the joint board.")
    assert (responses(q="reciprocal"), responses(q="joint board minutes")) == (1, 1)
    save(text="A protocol with Stockton.")
    assert (responses(q="reciprocal"), responses(q="protocol"), responses(q="minutes")) == (0, 1, 1)
    save(lead_officer="Jenni Cooke, Safeguarding Manager")
    assert responses(q="Cooke") == 1
    # Changed outside the form, by an update of the column alone: the words follow too.
    LocalResponse.objects.filter(authority__slug="darlington", recommendation__number=51).update(
        evidence="Audit report."
    )
    assert (responses(q="minutes"), responses(q="audit"), responses(q="protocol")) == (0, 1, 1)


# With varied data (tests/varied.py): Darlington's responses hold every status and RAG, target dates
# either side of today and recommendation 2 answered part by part; Testshire has no responses.


def test_each_response_filter_counts_what_the_database_holds(varied):
    total = LocalResponse.objects.count()
    # The reference data's 94, Darlington's answers to 6 and 55 and to parts (a) to (c) of 2.
    assert responses() == total == 94 + 2 + 3
    for status in Status:
        expected = LocalResponse.objects.filter(status=status).count()
        assert responses(status=[status]) == expected, status
        assert LocalResponse.objects.filter(authority=varied.darlington, status=status).exists()
    assert responses(status=[Status.COMPLETE, Status.ONGOING]) == (
        LocalResponse.objects.filter(status__in=[Status.COMPLETE, Status.ONGOING]).count()
    )
    for rag in Rag:
        expected = LocalResponse.objects.filter(rag=rag).count()
        assert responses(rag=[rag.value or "not_rated"]) == expected, rag
    assert responses(rag=["not_rated"]) == 86 + 3  # the others' 86, and Darlington's 2(c), 19, 54
    assert responses(rag=["red"]) == 3
    assert responses(rag=["red", "not_rated"]) == 3 + 89
    assert responses(council=["darlington"]) == 13
    assert responses(council=["testshire"]) == 0
    for theme in Theme.objects.all():
        assert (
            responses(theme=[theme.slug]) == LocalResponse.objects.filter(recommendation__theme=theme).count()
        )
    assert responses(theme=["leadership-and-accountability"], council=["darlington"]) == 4


def test_overdue_filter_takes_yesterday_and_not_today_tomorrow_or_a_settled_status(varied):
    # Darlington's: 6 (not started) and 24 (awaiting) and 2(b) (in progress), each due yesterday; not
    # 18, 19, 52 or 2(a), also due yesterday but complete, ongoing or not applicable; not those due
    # today or tomorrow. The other councils' three 2009 dates, all in progress, are overdue too.
    others = LocalResponse.objects.exclude(authority=varied.darlington).exclude(target_date=None)
    assert others.count() == 3
    assert not others.filter(status__in=Status.settled()).exists()
    assert responses(overdue="yes", council=["darlington"]) == len(OVERDUE) == 3
    assert responses(overdue="no", council=["darlington"]) == 13 - 3
    assert responses(overdue="yes") == 3 + 3
    assert responses(overdue="no") == LocalResponse.objects.count() - 6
    overdue = ResponseFilterSet({"overdue": "yes", "council": ["darlington"]}, queryset=LocalResponse.objects)
    assert {label_of(r) for r in overdue.qs.select_related("recommendation", "part")} == OVERDUE


def test_each_recommendation_filter_counts_what_the_database_holds(varied):
    darlington = LocalResponse.objects.filter(authority=varied.darlington)
    for status in Status:
        expected = darlington.filter(status=status).values("recommendation").distinct().count()
        assert recommendations(council=["darlington"], status=[status]) == expected, status
    # Recommendation 2 is in progress (part b) and not started (part c): it counts under each.
    assert recommendations(council=["darlington"], status=[Status.NOT_STARTED]) == 3  # 2, 6, 55
    for rag in Rag:
        expected = darlington.filter(rag=rag).values("recommendation").distinct().count()
        assert recommendations(council=["darlington"], rag=[rag.value or "not_rated"]) == expected, rag
    assert recommendations(council=["darlington"], rag=["not_rated"]) == 3  # 2(c), 19, 54
    assert recommendations(council=["darlington"], overdue="yes") == 3  # 2, 6, 24
    assert (
        recommendations(council=["darlington"], overdue="no") == 9
    )  # 2 (parts a and c), 11, 18, 19, 51 to 55
    assert recommendations(council=["darlington"]) == 11
    assert recommendations(council=["testshire"]) == 0
    assert recommendations(council=["testshire"], overdue="no") == 0
    assert recommendations(council=["darlington"], status=[Status.COMPLETE], overdue="yes") == 0
    for theme in Theme.objects.all():
        assert recommendations(theme=[theme.slug]) == Recommendation.objects.filter(theme=theme).count()


def test_responses_list_says_how_many_match_the_filters(officer_client, varied):
    url = reverse("responses:list")
    assert "3 responses" in visible_text(officer_client.get(url + "?council=darlington&overdue=yes"))
    assert "0 responses" in visible_text(officer_client.get(url + "?council=testshire"))
    not_rated = LocalResponse.objects.filter(rag="").count()
    assert f"{not_rated} responses" in visible_text(officer_client.get(url + "?rag=not_rated"))


# No DISTINCT: every filter follows foreign keys only, or a subquery (the bodies a recommendation is
# addressed to), so each response or recommendation is listed once without it; with it, PostgreSQL ran
# the list's last-update subqueries for every matching row (issue 15).
EVERY_RESPONSE_FILTER = {
    "q": "guidance",
    "council": ["darlington", "newcastle"],
    "theme": ["legal", "organisation-and-finance"],
    "status": [Status.IN_PROGRESS, Status.COMPLETE],
    "rag": ["not_rated", "red"],
    "assurance": ["not_requested", "assured"],
    "body": ["dcsf", "home-office"],
    "action": "national",
    "overdue": "no",
    "working_together": "no",
}


@pytest.mark.django_db
def test_no_response_filter_selects_distinct():
    filterset = ResponseFilterSet(EVERY_RESPONSE_FILTER, queryset=LocalResponse.objects.all())
    assert filterset.is_valid(), filterset.errors
    assert "DISTINCT" not in str(filterset.qs.query).upper()


@pytest.mark.django_db
def test_a_recommendation_addressed_to_two_chosen_bodies_is_listed_once():
    # Recommendation 1 is addressed to DCSF, the Department of Health, the Home Office and the MoJ.
    rec_1 = Recommendation.objects.get(number=1)
    assert {"dcsf", "home-office"} <= set(rec_1.addressed_to.values_list("slug", flat=True))
    bodies = {"body": ["dcsf", "home-office"]}
    responses = ResponseFilterSet(bodies, queryset=LocalResponse.objects.all()).qs
    to_1 = list(responses.filter(recommendation=rec_1).values_list("pk", flat=True))
    assert to_1 and sorted(to_1) == sorted(set(to_1))
    assert len(to_1) == LocalResponse.objects.filter(recommendation=rec_1).count()
    recommendations = list(RecommendationFilterSet(bodies, queryset=Recommendation.objects.all()).qs)
    assert recommendations.count(rec_1) == 1
    assert (
        "DISTINCT"
        not in str(RecommendationFilterSet(bodies, queryset=Recommendation.objects.all()).qs.query).upper()
    )


@pytest.mark.django_db
def test_the_council_checkboxes_escape_names_and_tick_those_chosen(client, officer_darlington):
    """The filter's checkboxes are built in Python (govuk_fields.checkbox_items): a council's name is text,
    and the councils in the URL are ticked, the others not."""
    Authority.objects.create(name='<b>"Tom & Jerry\'s"</b> Council', short_name="Tom", slug="tom-and-jerry")
    client.force_login(officer_darlington)
    html = client.get(reverse("responses:list") + "?council=tom-and-jerry&council=newcastle").content.decode()
    assert "<b>" not in html
    assert "&lt;b&gt;&quot;Tom &amp; Jerry&#x27;s&quot;&lt;/b&gt; Council" in html
    ticked = re.findall(
        r'<input class="govuk-checkboxes__input" id="id_council-\d+" name="council" '
        r'type="checkbox" value="([\w-]+)"( checked)?>',
        html,
    )
    assert {value for value, checked in ticked if checked} == {"tom-and-jerry", "newcastle"}
    assert len(ticked) == Authority.objects.count()


@pytest.mark.django_db
@pytest.mark.parametrize("region", ["north_east", "east_of_england"])
def test_a_region_filter_keeps_the_recommendations_its_councils_answered_with_the_chosen_status(
    varied, region
):
    """Region, like council, names whose responses a status must match: "in progress in the East of England"
    is not "in progress anywhere". Chosen alone it keeps what that region's councils have answered."""
    in_region = LocalResponse.objects.filter(authority__region=region)
    assert 0 < in_region.count() < LocalResponse.objects.count()
    for status in (Status.IN_PROGRESS, Status.COMPLETE, Status.NOT_STARTED):
        expected = in_region.filter(status=status).values("recommendation").distinct().count()
        anywhere = LocalResponse.objects.filter(status=status).values("recommendation").distinct().count()
        assert recommendations(region=[region], status=[status]) == expected, status
        assert expected != anywhere or status != Status.IN_PROGRESS
    assert recommendations(region=[region]) == in_region.values("recommendation").distinct().count()
