"""Dashboards for chairs and officers: the numbers agree with the responses underneath."""

import html as html_module
import re
from collections import Counter

from django.urls import reverse

from authorities.models import Authority
from recommendations.models import Commitment, Recommendation, Theme
from responses.dashboards import commitment_tracker
from responses.models import Assurance, LocalResponse, Rag, Status
from responses.services import record_progress

from .helpers import visible_text
from .varied import AWAITING, OVERDUE, STALE, label_of, varied_data  # noqa: F401


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
    # Darlington's report gives one date, "by June 2009", for its own staffing: not a target for any
    # recommendation, so nothing of Darlington's is past its target date (issue 10).
    assert "Past their target date (0)" in text
    assert "Nothing is past its target date." in text
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
        assured = LocalResponse.objects.filter(authority=authority, assurance=Assurance.ASSURED).count()
        assert summary[authority.short_name] == [str(counts[s.value]) for s in Status] + [
            str(unanswered),
            str(assured),
        ]
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


def test_a_matrix_cell_counts_parts_only_for_the_parts_answered_one_by_one(client, chair_darlington, varied):
    # Darlington answers recommendation 2 part by part, (a) to (c), and now also as a whole.
    two = Recommendation.objects.get(number=2)
    record_progress(
        authority=varied.darlington,
        recommendation=two,
        part=None,
        by=varied.officer,
        expected_version=0,
        text="Darlington's answer to the whole of recommendation 2.",
        status=Status.ONGOING,
        rag=Rag.GREEN,
        lead_officer="",
        target_date=None,
        target_date_reason="",
        evidence="",
        note="Recorded for the test.",
    )
    client.force_login(chair_darlington)
    html = client.get(reverse("responses:comparison") + "?council=darlington").content.decode()
    href = reverse("responses:detail", args=["darlington", 2])
    cell = re.search(rf'<a class="app-cell-link" href="{href}">(.*?)</a>', html, re.S).group(1)
    assert re.findall(r"<strong[^>]*>(.*?)</strong>", cell) == [
        "Ongoing (embedded in practice)",
        "Complete (1 part)",
        "In progress (1 part)",
        "Not started (1 part)",
    ]


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
    for recommendation in working_together.recommendations.all():
        status = (
            LocalResponse.objects.filter(
                authority__slug="central-bedfordshire", recommendation=recommendation
            )
            .first()
            .get_status_display()
        )
        named = recommendation.numbered_title  # "6. Regular review of referral points"
        assert f"{named} : {status}" in text or f"{named} : (a) " in text


def test_commitments_tracker_refuses_an_unknown_council_plainly(client, chair_darlington):
    client.force_login(chair_darlington)
    response = client.get(reverse("recommendations:commitments") + "?council=haringey")
    assert response.status_code == 200
    assert "Choose a council from the list" in visible_text(response)


# With varied data (tests/varied.py): every status and RAG, target dates either side of today, a
# recommendation answered part by part, and Testshire, a council with no responses.


def worklist(html, heading):
    """The responses a "What needs attention" list names, as labels ("6", "2(b)")."""
    match = re.search(rf"<caption[^>]*>{re.escape(heading)}</caption>.*?</table>", html, re.S)
    if not match:
        return set()
    # Each item names its recommendation by number and short title: "Recommendation 6. Regular ...".
    return set(re.findall(r"ecommendation (\d+(?:\([a-z]\))?)\. [^<]+</a>", match.group(0)))


def test_council_dashboard_counts_every_status_and_rag_by_theme(client, chair_darlington, varied):
    client.force_login(chair_darlington)
    for authority in (varied.darlington, varied.testshire):
        html = client.get(reverse("authorities:detail", args=[authority.slug])).content.decode()
        status_rows = table_rows(html, "status-table")
        rag_rows = table_rows(html, "rag-table")
        assert list(status_rows) == [t.name for t in Theme.objects.order_by("number")] + ["All themes"]
        status_totals = Counter()
        rag_totals = Counter()
        for theme in Theme.objects.all():
            responses = LocalResponse.objects.filter(authority=authority, recommendation__theme=theme)
            by_status = Counter(responses.values_list("status", flat=True))
            by_rag = Counter(responses.values_list("rag", flat=True))
            unanswered = Recommendation.objects.filter(theme=theme).exclude(responses__authority=authority)
            status_totals.update(by_status)
            status_totals["none"] += unanswered.count()
            rag_totals.update(by_rag)
            assert status_rows[theme.name] == [str(by_status[s.value]) for s in Status] + [
                str(unanswered.count())
            ], theme.name
            assert rag_rows[theme.name] == [str(by_rag[r.value]) for r in Rag], theme.name
        assert status_rows["All themes"] == [str(status_totals[s.value]) for s in Status] + [
            str(status_totals["none"])
        ]
        assert rag_rows["All themes"] == [str(rag_totals[r.value]) for r in Rag]

    # The same numbers, written out: 2(a) complete, 2(b) in progress, 2(c) and 6 not started.
    html = client.get(reverse("authorities:detail", args=["darlington"])).content.decode()
    leadership = Recommendation.objects.filter(theme__number=1).count()
    assert table_rows(html, "status-table")["Leadership and accountability"] == (
        ["2", "1", "1", "0", "0", "0", "0", str(leadership - 2)]
    )
    assert table_rows(html, "rag-table")["Leadership and accountability"] == ["1", "1", "1", "1"]
    assert table_rows(html, "status-table")["All themes"] == ["3", "3", "2", "1", "2", "1", "1", "47"]
    assert table_rows(html, "rag-table")["All themes"] == ["3", "3", "4", "3"]  # not rated, red, amber, green
    text = visible_text(client.get(reverse("authorities:detail", args=["darlington"])))
    assert "11 of 58 recommendations (13 responses, counting lettered parts" in text

    html = client.get(reverse("authorities:detail", args=["testshire"])).content.decode()
    assert table_rows(html, "status-table")["All themes"] == ["0"] * 7 + ["58"]
    assert table_rows(html, "rag-table")["All themes"] == ["0"] * 4


def test_council_dashboard_lists_what_is_late_stale_and_awaiting_by_the_rules(
    client, chair_darlington, varied
):
    client.force_login(chair_darlington)
    response = client.get(reverse("authorities:detail", args=["darlington"]))
    html = response.content.decode()
    text = visible_text(response)
    responses = list(LocalResponse.objects.filter(authority=varied.darlington).select_related("part"))
    # As written out in tests/varied.py: yesterday is late, today and tomorrow are not, nor is a
    # settled status; 91 days without a change is stale, 89 is not.
    assert worklist(html, "Past their target date") == OVERDUE
    assert {label_of(r) for r in responses if r.is_overdue} == OVERDUE
    assert f"Past their target date ({len(OVERDUE)})" in text
    assert worklist(html, "Not updated for 90 days") == STALE
    assert {label_of(r) for r in responses if r.is_stale} == STALE
    assert f"Not updated for 90 days ({len(STALE)})" in text
    assert worklist(html, "Awaiting national guidance or action") == AWAITING
    assert f"Awaiting national guidance or action ({len(AWAITING)})" in text
    yesterday = varied.day(-1)
    assert f"{yesterday.day} {yesterday:%B %Y}" in re.search(
        r"<caption[^>]*>Past their target date</caption>.*?</table>", html, re.S
    ).group(0)

    text = visible_text(client.get(reverse("authorities:detail", args=["testshire"])))
    assert "Past their target date (0) Nothing is past its target date." in text
    assert "Not updated for 90 days (0)" in text
    assert "0 of 58 recommendations" in text


def matrix_cells(html):
    """{(recommendation number, council short name): [the cell's words, one per status tag]}."""
    matrix = re.search(r'<table[^>]*id="matrix".*?</table>', html, re.S).group(0)
    head = re.search(r"<thead.*?</thead>", matrix, re.S).group(0)
    councils = [html_module.unescape(c) for c in re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', head)][1:]
    cells = {}
    for row in re.findall(r"<tr.*?</tr>", matrix, re.S):
        number = re.search(r'<th scope="row"[^>]*><a[^>]*>(\d+)\. [^<]*</a></th>', row)
        if not number:
            continue
        tds = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        assert len(tds) == len(councils)
        for council, td in zip(councils, tds, strict=True):
            tags = re.findall(r"<strong[^>]*>(.*?)</strong>", td) or [re.sub(r"<[^>]+>", "", td).strip()]
            href = re.search(r'href="([^"]+)"', td).group(1)
            cells[(int(number.group(1)), council)] = (sorted(tags), href)
    return cells


def expected_cell(authority, recommendation):
    responses = list(LocalResponse.objects.filter(authority=authority, recommendation=recommendation))
    if not responses:
        return ["No response"]
    counts = Counter(r.get_status_display() for r in responses)
    if any(r.part_id for r in responses):
        return sorted(f"{label} ({n} part{'s' if n != 1 else ''})" for label, n in counts.items())
    return sorted(counts)


def test_comparison_summary_counts_each_councils_statuses_and_what_it_has_not_answered(
    client, chair_darlington, varied
):
    client.force_login(chair_darlington)
    response = client.get(reverse("responses:comparison"))
    assert "58 recommendations, 5 councils" in visible_text(response)
    summary = table_rows(response.content.decode(), "council-summary")
    every = summary.pop("All 5 councils")
    assert list(summary) == [a.short_name for a in Authority.objects.order_by("name")]
    # The last row adds up every council's row: each status, "No response" and "Assured".
    assert every == [str(sum(int(row[i]) for row in summary.values())) for i in range(len(Status) + 2)]
    assert every[Status.values.index(Status.COMPLETE)] == str(
        LocalResponse.objects.filter(status=Status.COMPLETE).count()
    )
    for authority in Authority.objects.all():
        counts = Counter(LocalResponse.objects.filter(authority=authority).values_list("status", flat=True))
        unanswered = Recommendation.objects.exclude(responses__authority=authority).count()
        assured = LocalResponse.objects.filter(authority=authority, assurance=Assurance.ASSURED).count()
        assert summary[authority.short_name] == [str(counts[s.value]) for s in Status] + [
            str(unanswered),
            str(assured),
        ]
    # Recommendation 2, answered in three parts, is one recommendation answered, not three.
    assert summary["Darlington"] == ["3", "3", "2", "1", "2", "1", "1", "47", "0"]
    assert summary["Testshire"] == ["0"] * 7 + ["58", "0"]

    # Filtered to a theme, the totals count only that theme's recommendations.
    html = client.get(
        reverse("responses:comparison") + "?theme=leadership-and-accountability"
    ).content.decode()
    leadership = Recommendation.objects.filter(theme__number=1).count()
    summary = table_rows(html, "council-summary")
    assert summary["Darlington"] == ["2", "1", "1", "0", "0", "0", "0", str(leadership - 2), "0"]
    assert summary["Testshire"] == ["0"] * 7 + [str(leadership), "0"]
    every = summary.pop("All 5 councils")
    assert every == [str(sum(int(row[i]) for row in summary.values())) for i in range(len(Status) + 2)]


def test_with_more_councils_than_a_page_the_summary_shows_the_pages_councils_and_totals_for_all(
    client, chair_darlington, varied
):
    """13 councils: page 1 has the first 12 by name, page 2 the 13th; both end with all 13 together, the
    same totals, which add up the rows of both pages."""
    for number in range(8):
        Authority.objects.create(
            name=f"Zedshire {number} Council", short_name=f"Zedshire {number}", slug=f"z-{number}"
        )
    client.force_login(chair_darlington)
    url = reverse("responses:comparison")
    first, second = (
        table_rows(client.get(url + query).content.decode(), "council-summary") for query in ("", "?page=2")
    )
    assert (
        first.pop("All 13 councils")
        == second.pop("All 13 councils")
        == (
            every := [
                str(sum(int(row[i]) for row in [*first.values(), *second.values()]))
                for i in range(len(Status) + 2)
            ]
        )
    )
    names = [a.short_name for a in Authority.objects.order_by("name")]
    assert list(first) == names[:12] and list(second) == names[12:]
    # "No response": 58 for each new council and Testshire, and the rest's gaps.
    assert int(every[-2]) == 9 * 58 + sum(
        int(row[-2]) for name, row in first.items() if not name.startswith(("Zed", "Test"))
    )
    text = visible_text(client.get(url + "?page=2"))
    assert (
        "Councils 13 to 13 of 13, the same as in the table of recommendations below, then all 13 together."
        in text
    )


def test_comparison_matrix_shows_each_councils_status_on_each_recommendation(
    client, chair_darlington, varied
):
    client.force_login(chair_darlington)
    html = client.get(reverse("responses:comparison")).content.decode()
    cells = matrix_cells(html)
    authorities = list(Authority.objects.all())
    assert len(cells) == 58 * len(authorities)
    for recommendation in Recommendation.objects.all():
        for authority in authorities:
            tags, href = cells[(recommendation.number, authority.short_name)]
            assert tags == expected_cell(authority, recommendation), (recommendation.number, authority.slug)
            assert href == reverse("responses:detail", args=[authority.slug, recommendation.number])
    assert cells[(2, "Darlington")][0] == [
        "Complete (1 part)",
        "In progress (1 part)",
        "Not started (1 part)",
    ]
    assert cells[(19, "Darlington")][0] == ["Ongoing (embedded in practice)"]
    assert cells[(1, "Darlington")][0] == ["No response"]
    assert {tags[0] for (_, council), (tags, _) in cells.items() if council == "Testshire"} == {"No response"}


def test_comparison_matrix_lists_themes_in_report_order(client, chair_darlington, varied):
    client.force_login(chair_darlington)
    html = client.get(reverse("responses:comparison")).content.decode()
    matrix = re.search(r'<table[^>]*id="matrix".*?</table>', html, re.S).group(0)
    themes = [html_module.unescape(t) for t in re.findall(r'<th scope="colgroup"[^>]*>([^<]*)</th>', matrix)]
    assert themes == [f"{t.number}. {t.name}" for t in Theme.objects.order_by("number")]
    assert themes[:3] == [
        "1. Leadership and accountability",
        "2. Support for children",
        "3. Interagency working",
    ]
    # Under each theme, its recommendations in number order, each row headed by number and short title.
    headings = [
        html_module.unescape(h) for h in re.findall(r'<th scope="row"[^>]*><a[^>]*>([^<]*)</a></th>', matrix)
    ]
    assert headings == [r.numbered_title for r in Recommendation.objects.order_by("number")]
    assert "24. Children's social work workforce" in headings


def test_a_commitments_gaps_count_each_council_once_per_recommendation_however_many_parts_it_answers(db):
    # Central Bedfordshire answers recommendation 2 in ten parts: one council answering, not ten.
    commitment = Commitment.objects.for_list().get(links__recommendation__number=2, pk=2)
    (progress,) = commitment_tracker([commitment], day=None)
    councils = Authority.objects.count()
    expected = sum(
        councils
        - LocalResponse.objects.filter(recommendation=link.recommendation)
        .values("authority")
        .distinct()
        .count()
        for link in commitment.links.all()
    )
    assert progress.gaps == expected
    assert (
        LocalResponse.objects.filter(recommendation__number=2, authority__slug="central-bedfordshire").count()
        == 10
    )


def test_the_comparison_counts_every_council_compared_not_only_those_on_the_page(client, outsider):
    """The matrix shows 12 councils a page; the count above it is of all the councils compared."""
    for index in range(10):
        Authority.objects.create(name=f"Page Council {index}", short_name=f"P{index}", slug=f"page-{index}")
    councils = Authority.objects.count()
    assert councils > 12
    client.force_login(outsider)
    text = visible_text(client.get(reverse("responses:comparison")))
    assert f"58 recommendations, {councils} councils" in text
    assert f"Councils 1 to 12 of {councils}." in text


def test_a_councils_recent_changes_are_its_ten_newest_newest_first(client, chair_darlington):
    from .conftest import make_user

    response = LocalResponse.objects.get(authority__slug="darlington", recommendation__number=51, part=None)
    for number in range(1, 12):
        officer = make_user(f"officer.recent{number}", response.authority, "officer")
        officer.first_name, officer.last_name = "Officer", f"No{number}"
        officer.save()
        response = record_progress(
            authority=response.authority,
            recommendation=response.recommendation,
            part=None,
            by=officer,
            expected_version=response.version,
            text=response.text,
            status=response.status,
            rag=response.rag,
            lead_officer=response.lead_officer,
            target_date=response.target_date,
            target_date_reason="",
            evidence=response.evidence,
            note=f"Update {number}.",
        )
    client.force_login(chair_darlington)
    html = client.get(reverse("authorities:detail", args=["darlington"])).content.decode()
    table = re.search(r'id="recent".*?<tbody[^>]*>(.*?)</tbody>', html, re.S).group(1)
    by = [
        re.sub(r"<[^>]+>", "", cells[-1]).strip()
        for cells in re.findall(r"<tr.*?</tr>", table, re.S)
        for cells in [re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)]
    ]
    assert by == [f"Officer No{number}" for number in range(11, 1, -1)]
