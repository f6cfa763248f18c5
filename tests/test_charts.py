"""The SVG charts as a reader meets them: the text alternative, each bar's name, segments and total, the
counts drawn where they fit, and a legend in words, with every name escaped.

The checks read the drawing, not its markup: an element's position adds up its groups' translations,
and fill, stroke, font weight and text anchor are taken from the nearest element that sets them, as
SVG inherits them. So the markup may be grouped differently and still pass.
"""

import re
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field

import pytest
from django.urls import reverse

from authorities.models import Authority
from recommendations.models import Recommendation, Theme
from responses.charts import COUNT_ROOM, NARROWEST
from responses.dashboards import NO_RESPONSE, rag_categories, status_categories
from responses.models import LocalResponse, Rag

from .test_dashboards import table_rows

SVG = "{http://www.w3.org/2000/svg}"
INHERITED = ("fill", "stroke", "stroke-width", "font-family", "font-size", "font-weight", "text-anchor")
MARKUP_NAME = '<b>"Tom & Jerry\'s"</b>'


@dataclass
class Shape:
    """A rect or text as drawn: its own attributes over those it inherits, and where it sits."""

    tag: str
    text: str  # a text's words; a rect's tooltip (its title)
    style: dict
    x: str
    y: float


@dataclass
class Bar:
    label: str
    total: str = ""
    segments: list = field(default_factory=list)  # [(tooltip, fill, stroke, count drawn on it or None)]


@dataclass
class Chart:
    title: str
    description: str
    bars: list
    legend: list  # [(words, swatch fill)]


def shapes(element, y=0.0, inherited=None):
    style = {**(inherited or {}), **{k: v for k, v in element.attrib.items() if k in INHERITED}}
    moved = re.fullmatch(r"translate\(0[ ,]([\d.]+)\)", element.get("transform", ""))
    y += float(moved.group(1)) if moved else 0.0
    tag = element.tag.removeprefix(SVG)
    if tag in ("rect", "text"):
        words = element.findtext(f"{SVG}title", "") if tag == "rect" else "".join(element.itertext())
        yield Shape(
            tag, words, {**element.attrib, **style}, element.get("x", "0"), y + float(element.get("y", 0))
        )
    elif tag not in ("title", "desc"):
        for child in element:
            yield from shapes(child, y, style)


def percent(value):
    assert value.endswith("%"), value
    return float(value[:-1])


def read_chart(html, chart_id):
    """The chart `chart_id` on the page, read as a sighted reader and a screen reader meet it."""
    markup = re.search(rf'<svg[^>]*aria-labelledby="{chart_id}-title.*?</svg>', html, re.S).group(0)
    root = ET.fromstring(markup)  # well-formed XML, so every name in it was escaped
    assert root.get("class") == "app-chart" and root.get("role") == "img"
    assert root.get("aria-labelledby") == f"{chart_id}-title {chart_id}-desc"
    assert (root.get("width"), root.get("font-size")) == ("100%", "14")
    assert root.get("font-family") == "Arial, 'Liberation Sans', sans-serif"
    title, desc = root[0], root[1]
    assert (title.tag, title.get("id")) == (f"{SVG}title", f"{chart_id}-title")
    assert (desc.tag, desc.get("id")) == (f"{SVG}desc", f"{chart_id}-desc")
    assert {e.tag.removeprefix(SVG) for e in root.iter()} <= {"svg", "title", "desc", "g", "rect", "text"}
    bars, legend, counts, height = [], [], [], float(root.get("height"))
    drawn = list(shapes(root))
    for index, shape in enumerate(drawn):
        assert shape.y <= height
        if shape.tag == "rect" and shape.text:  # a bar's segment
            bars[-1].segments.append(shape)
        elif shape.tag == "rect":  # a legend's swatch
            assert (shape.style["stroke"], shape.style["width"], shape.style["height"]) == (
                "#0b0c0c",
                "16",
                "16",
            )
            legend.append([None, shape.style["fill"], shape.y])
        elif shape.x == "0":  # a bar's name, on its own line above the bar
            assert (shape.style["fill"], shape.style["dominant-baseline"]) == ("#0b0c0c", "middle")
            bars.append(Bar(label=shape.text))
        elif shape.style.get("dx") == "6":  # the total, just after the bar's end
            assert (shape.style["fill"], shape.style["dominant-baseline"]) == ("#505a5f", "middle")
            last = bars[-1].segments[-1:]
            end = sum(percent(s.x) + percent(s.style["width"]) for s in last)  # 0 for an empty bar
            assert percent(shape.x) == pytest.approx(end, abs=0.011)
            bars[-1].total = shape.text
        elif shape.x == "24":  # a legend's words, beside its swatch
            assert shape.style["fill"] == "#0b0c0c" and abs(shape.y - legend[-1][2] - 8) <= 1
            legend[-1][0] = shape.text
        else:  # a count, drawn on its segment and just after it, so that it is read after it
            assert drawn[index - 1].tag == "rect" and drawn[index - 1].text.endswith(f" {shape.text}")
            assert shape.style["text-anchor"] == "middle" and shape.style["font-weight"] == "bold"
            assert shape.style["dominant-baseline"] == "middle"
            counts.append((len(bars) - 1, shape))
    readings = [Bar(label=bar.label, total=bar.total) for bar in bars]
    for index, bar in enumerate(bars):
        for segment in bar.segments:
            left, width = percent(segment.x), percent(segment.style["width"])
            on_it = [
                count
                for at, count in counts
                if at == index
                and percent(count.x) == pytest.approx(left + width / 2, abs=0.011)
                and segment.y < count.y < segment.y + float(segment.style["height"])
            ]
            assert len(on_it) <= 1
            fits = width / 100 * NARROWEST >= COUNT_ROOM
            assert bool(on_it) == fits, (segment.text, width)
            if on_it:
                assert on_it[0].text == segment.text.rsplit(" ", 1)[1]
            stroke = (segment.style["stroke"], segment.style.get("stroke-width", "1"))
            text_fill = on_it[0].style["fill"] if on_it else None
            readings[index].segments.append((segment.text, segment.style["fill"], stroke, text_fill))
    assert len(counts) == sum(1 for bar in readings for *_, drawn_count in bar.segments if drawn_count)
    return Chart(title.text, desc.text, readings, [(words, fill) for words, fill, _ in legend])


def expected_bars(rows, categories):
    """[Bar] for rows of (label, {category key: count}): each segment's tooltip, fill, outline and the
    colour of its count's text."""
    bars = []
    for label, counts in rows:
        bar = Bar(label=label, total=str(sum(counts.values())))
        for category in categories:
            if counts.get(category.key):
                stroke = (category.stroke if category.stroke != "none" else "#ffffff", "1")
                tooltip = f"{label}: {category.label} {counts[category.key]}"
                bar.segments.append((tooltip, category.fill, stroke, category.text_fill))
        bars.append(bar)
    return bars


def without_undrawn_counts(chart):
    """The chart's bars with the count colour dropped where no count is drawn (too narrow a segment)."""
    return [
        Bar(bar.label, bar.total, [(tip, fill, stroke) for tip, fill, stroke, _ in bar.segments])
        for bar in chart.bars
    ]


def assert_bars(chart, expected):
    assert without_undrawn_counts(chart) == without_undrawn_counts(Chart("", "", expected, []))
    for drawn_bar, expected_bar in zip(chart.bars, expected, strict=True):
        for drawn_segment, expected_segment in zip(drawn_bar.segments, expected_bar.segments, strict=True):
            assert drawn_segment[3] in (None, expected_segment[3])


def legend_of(chart_bars, categories):
    used = {tip.rsplit(" ", 1)[0].split(": ", 1)[1] for bar in chart_bars for tip, *_ in bar.segments}
    return [(c.label, c.fill) for c in categories if c.label in used]


def test_council_dashboard_charts_read_the_councils_numbers_by_theme(client, chair_darlington):
    client.force_login(chair_darlington)
    html = client.get(reverse("authorities:detail", args=["central-bedfordshire"])).content.decode()
    themes = list(Theme.objects.all())
    responses = LocalResponse.objects.filter(authority__slug="central-bedfordshire")
    status_rows, rag_rows = [], []
    for theme in themes:
        in_theme = responses.filter(recommendation__theme=theme)
        unanswered = (
            Recommendation.objects.filter(theme=theme).exclude(
                responses__authority__slug="central-bedfordshire"
            )
        ).count()
        status_rows.append(
            (theme.name, {**Counter(in_theme.values_list("status", flat=True)), NO_RESPONSE: unanswered})
        )
        rag_rows.append(
            (theme.name, Counter((r or "not_rated") for r in in_theme.values_list("rag", flat=True)))
        )

    status = read_chart(html, "status-chart")
    assert status.title == "Central Bedfordshire: delivery status by theme"
    assert status.description.startswith("For each theme, how many of the council's responses are at each")
    assert_bars(status, expected_bars(status_rows, status_categories()))
    assert status.legend == legend_of(status.bars, status_categories())
    assert "Awaiting national guidance or action" in [words for words, _ in status.legend]
    assert any(drawn for bar in status.bars for *_, drawn in bar.segments)

    rag = read_chart(html, "rag-chart")
    assert rag.title == "Central Bedfordshire: RAG rating by theme"
    assert rag.description.startswith("For each theme, how many of the council's responses are rated red")
    assert_bars(rag, expected_bars(rag_rows, rag_categories()))
    assert rag.legend == legend_of(rag.bars, rag_categories())
    assert {words for words, _ in rag.legend} <= {r.label for r in Rag}


def test_comparison_chart_reads_each_councils_numbers_and_escapes_their_names(client, chair_darlington):
    Authority.objects.filter(slug="darlington").update(short_name=MARKUP_NAME)
    client.force_login(chair_darlington)
    html = client.get(reverse("responses:comparison")).content.decode()
    chart = read_chart(html, "comparison-chart")
    assert chart.title == "Responses by delivery status, council by council"
    assert chart.description.startswith("For each council, how many of its responses")
    rows = []
    summary = table_rows(html, "council-summary")
    summary.pop(f"All {Authority.objects.count()} councils")  # the totals: no bar of their own
    for label in summary:  # the table's order
        authority = Authority.objects.get(short_name=label)
        counts = Counter(LocalResponse.objects.filter(authority=authority).values_list("status", flat=True))
        counts[NO_RESPONSE] = Recommendation.objects.exclude(responses__authority=authority).count()
        rows.append((label, counts))
    assert MARKUP_NAME in [label for label, _ in rows]
    assert_bars(chart, expected_bars(rows, status_categories()))
    assert chart.legend == legend_of(chart.bars, status_categories())
    markup = re.search(r'<svg[^>]*aria-labelledby="comparison-chart-title.*?</svg>', html, re.S).group(0)
    assert "<b>" not in markup and "&lt;b&gt;" in markup

    page = client.get(reverse("authorities:detail", args=["darlington"])).content.decode()
    assert read_chart(page, "status-chart").title == f"{MARKUP_NAME}: delivery status by theme"
    assert read_chart(page, "rag-chart").title == f"{MARKUP_NAME}: RAG rating by theme"
