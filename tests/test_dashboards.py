"""Dashboards for chairs and officers: the numbers agree with the responses underneath."""

import html as html_module
import re
from collections import Counter

from django.urls import reverse

from authorities.models import Authority
from recommendations.models import Commitment, Recommendation, Theme
from responses.models import LocalResponse, Rag, Status

from .helpers import visible_text


def table_rows(html, table_id):
    """{row heading: [cell texts]} for a table on the page."""
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S).group(0)
    rows = {}
    for row in re.findall(r"<tr.*?</tr>", table, re.S):
        heading = re.search(r'<th scope="row"[^>]*>(.*?)</th>', row, re.S)
        if heading:
            cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            rows[html_module.unescape(re.sub(r"<[^>]+>", "", heading.group(1)).strip())] = cells
    return rows


def test_council_dashboard_counts_by_theme_agree_with_the_responses(client, chair_darlington):
    client.force_login(chair_darlington)
    for slug in ("darlington", "central-bedfordshire"):
        html = client.get(reverse("authorities:detail", args=[slug])).content.decode()
        status_rows = table_rows(html, "status-table")
        rag_rows = table_rows(html, "rag-table")
        for theme in Theme.objects.all():
            responses = LocalResponse.objects.filter(authority__slug=slug, recommendation__theme=theme)
            by_status = Counter(responses.values_list("status", flat=True))
            by_rag = Counter(responses.values_list("rag", flat=True))
            unanswered = (
                Recommendation.objects.filter(theme=theme).exclude(responses__authority__slug=slug).count()
            )
            assert status_rows[theme.name] == [str(by_status[s.value]) for s in Status] + [str(unanswered)]
            assert rag_rows[theme.name] == [str(by_rag[r.value]) for r in Rag]
        total = LocalResponse.objects.filter(authority__slug=slug).count()
        assert sum(int(c) for c in status_rows["All themes"][:-1]) == total


def test_council_dashboard_draws_charts_with_words_and_a_text_alternative(client, chair_darlington):
    client.force_login(chair_darlington)
    html = client.get(reverse("authorities:detail", args=["central-bedfordshire"])).content.decode()
    assert html.count('<svg class="app-chart" role="img"') == 2
    assert '<title id="status-chart-title">Central Bedfordshire: delivery status by theme</title>' in html
    svg = re.search(r'<svg class="app-chart".*?</svg>', html, re.S).group(0)
    # The legend names each status in words, so colour is never the only signal.
    assert "Awaiting national guidance or action</text>" in svg
    awaiting = LocalResponse.objects.filter(
        authority__slug="central-bedfordshire",
        status=Status.AWAITING_NATIONAL,
        recommendation__theme__slug="leadership-and-accountability",
    ).count()
    assert (
        f"<title>Leadership and accountability: Awaiting national guidance or action {awaiting}</title>"
        in svg
    )


def test_council_dashboard_shows_what_is_late_stale_awaiting_and_recent(client, chair_darlington):
    client.force_login(chair_darlington)
    text = visible_text(client.get(reverse("authorities:detail", args=["darlington"])))
    assert "Past their target date (1)" in text
    awaiting = LocalResponse.objects.filter(
        authority__slug="darlington", status=Status.AWAITING_NATIONAL
    ).count()
    assert f"Awaiting national guidance or action ({awaiting})" in text
    assert "Recently changed" in text
    assert "Darlington Borough Council (source document)" in text


def test_council_dashboard_shows_the_working_together_recommendations_and_past_due_commitments(
    client, chair_darlington
):
    client.force_login(chair_darlington)
    text = visible_text(client.get(reverse("authorities:detail", args=["newcastle"])))
    assert "The 17 recommendations of the Working Together revision" in text
    working_together = Commitment.objects.get(source=Commitment.Source.WORKING_TOGETHER)
    assert working_together.is_past_due
    for commitment in Commitment.objects.exclude(due_date=None):
        assert commitment.is_past_due  # every 2009-2011 date has passed
        assert f"Due {commitment.due_wording}" in text


def test_comparison_shows_all_four_councils_side_by_side(client, chair_darlington):
    client.force_login(chair_darlington)
    response = client.get(reverse("responses:comparison"))
    html = response.content.decode()
    summary = table_rows(html, "council-summary")
    for authority in Authority.objects.all():
        counts = Counter(LocalResponse.objects.filter(authority=authority).values_list("status", flat=True))
        unanswered = Recommendation.objects.exclude(responses__authority=authority).count()
        assert summary[authority.short_name] == [str(counts[s.value]) for s in Status] + [str(unanswered)]
    matrix = re.search(r'<table[^>]*id="matrix".*?</table>', html, re.S).group(0)
    assert matrix.count("<tr") == 1 + 58 + 7  # header, recommendations, theme headings
    assert reverse("responses:detail", args=["newcastle", 51]) in matrix


def test_comparison_cells_say_each_status_in_words(client, chair_darlington):
    client.force_login(chair_darlington)
    html = client.get(
        reverse("responses:comparison") + "?theme=leadership-and-accountability"
    ).content.decode()
    # Central Bedfordshire answers recommendation 2 part by part.
    assert "Awaiting national guidance or action (7 parts)" in html
    assert "In progress (3 parts)" in html


def test_comparison_filters_by_theme_status_rag_body_and_council(client, chair_darlington):
    client.force_login(chair_darlington)
    url = reverse("responses:comparison")
    assert "8 recommendations, 4 councils" in visible_text(client.get(url + "?theme=support-for-children"))
    text = visible_text(client.get(url + "?council=darlington&council=newcastle&status=awaiting_national"))
    expected = (
        LocalResponse.objects.filter(
            authority__slug__in=["darlington", "newcastle"], status=Status.AWAITING_NATIONAL
        )
        .values("recommendation")
        .distinct()
        .count()
    )
    assert f"{expected} recommendations, 2 councils" in text
    ofsted = Recommendation.objects.filter(addressed_to__slug="ofsted").count()
    assert f"{ofsted} recommendations, 4 councils" in visible_text(client.get(url + "?body=ofsted"))
    assert "0 recommendations" in visible_text(client.get(url + "?rag=red"))


def test_comparison_with_an_unknown_filter_value_says_so(client, chair_darlington):
    client.force_login(chair_darlington)
    response = client.get(reverse("responses:comparison") + "?status=finished")
    assert response.status_code == 200
    assert "There is a problem" in visible_text(response)


def test_commitments_tracker_shows_dates_passed_and_each_councils_standing(client, chair_darlington):
    client.force_login(chair_darlington)
    text = visible_text(client.get(reverse("recommendations:commitments")))
    # A chair sees their own council's standing by default.
    assert "Darlington's responses" in text
    assert "Date passed" in text
    text = visible_text(client.get(reverse("recommendations:commitments") + "?council=central-bedfordshire"))
    assert "Central Bedfordshire's responses" in text
    working_together = Commitment.objects.get(source=Commitment.Source.WORKING_TOGETHER)
    for number in working_together.recommendations.values_list("number", flat=True):
        status = (
            LocalResponse.objects.filter(
                authority__slug="central-bedfordshire", recommendation__number=number
            )
            .first()
            .get_status_display()
        )
        assert f"{number} : {status}" in text or f"{number} : (a) " in text


def test_commitments_tracker_refuses_an_unknown_council_plainly(client, chair_darlington):
    client.force_login(chair_darlington)
    response = client.get(reverse("recommendations:commitments") + "?council=haringey")
    assert response.status_code == 200
    assert "Choose a council from the list" in visible_text(response)
