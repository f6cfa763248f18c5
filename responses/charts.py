"""Charts drawn on the server as SVG, so they work without JavaScript and in the PDF reports.

Each chart has a title and description for screen readers, labels each segment with its count,
and has a legend in words; pages show the same numbers in a table beside it.

The SVG is never scaled: its text is drawn at FONT_SIZE CSS pixels on a phone at 400% zoom and on a
wide screen alike (WCAG 1.4.4 and 1.4.10; tests/browser/ measures it). So the chart has no viewBox:
it is as wide as the column it sits in, lengths across it are percentages of that width, and lengths
down it are pixels. Each bar's label sits on its own line above the bar, so a bar has the whole width.
"""

from dataclasses import dataclass, field

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

FONT_SIZE = 14  # CSS pixels, at any width
LABEL_HEIGHT = 20  # the line above each bar that names it
GAP = 12  # between one bar and the next row's label
LEGEND_ROW = 24
# The bars share out this much of the chart's width; the rest is room for the total after the
# longest bar.
BAR_SHARE = 88.0  # per cent
# The narrowest a chart is drawn: the column of a 320 px wide window (400% zoom of 1280 px), less
# GOV.UK's 15 px margins. A segment shows its count only where the count fits inside it even there.
NARROWEST = 290  # CSS pixels
COUNT_ROOM = 24  # CSS pixels a count needs inside its segment


def percent(value):
    """A length across the chart: two decimals (under 0.07 px at its widest) and no trailing zeros."""
    return f"{value:.2f}".rstrip("0").rstrip(".") + "%"


@dataclass
class Category:
    key: str
    label: str
    fill: str
    text_fill: str
    # White segments (e.g. "No response") need an outline to be seen at all.
    stroke: str = "none"


@dataclass
class Segment:
    category: Category
    count: int
    x: float  # per cent of the chart's width
    width: float  # per cent of the chart's width

    @property
    def show_count(self):
        return self.width / 100 * NARROWEST >= COUNT_ROOM


@dataclass
class Bar:
    label: str
    total: int
    y: int  # pixels from the top: the label's line, then the bar
    end: float = 0.0  # per cent of the chart's width
    segments: list[Segment] = field(default_factory=list)


@dataclass
class LegendItem:
    category: Category
    y: int


@dataclass
class StackedBarChart:
    title: str
    description: str
    bars: list[Bar]
    legend: list[LegendItem]
    row_height: int
    height: int
    font_size: int = FONT_SIZE
    label_height: int = LABEL_HEIGHT

    def render(self, chart_id: str) -> SafeString:
        """The chart as inline SVG. `chart_id` names its title and description (role="img" reads them
        as its name and description), so it must be unique on the page.

        Built here rather than by a template: a national comparison draws 152 bars and over a thousand
        segments, which a template's loops took 144 ms to draw (issue 15)."""
        head = format_html(
            '<svg class="app-chart" role="img" aria-labelledby="{0}-title {0}-desc" width="100%" '
            'height="{1}" xmlns="http://www.w3.org/2000/svg" '
            'font-family="Arial, \'Liberation Sans\', sans-serif" font-size="{2}">\n'
            '<title id="{0}-title">{3}</title>\n<desc id="{0}-desc">{4}</desc>',
            chart_id,
            self.height,
            self.font_size,
            self.title,
            self.description,
        )
        # Each category's words and colours, escaped once for the chart (the legend lists every one used).
        looks = {}
        for item in self.legend:
            category = item.category
            outline = "#ffffff" if category.stroke == "none" else category.stroke
            looks[category.key] = tuple(
                escape(v) for v in (category.label, category.fill, outline, category.text_fill)
            )
        legend = [
            format_html(
                '<g transform="translate(0 {})">'
                '<rect x="1" y="1" width="16" height="16" fill="{}" stroke="#0b0c0c"/>'
                '<text x="24" y="9" dominant-baseline="middle" fill="#0b0c0c">{}</text></g>',
                item.y,
                item.category.fill,
                item.category.label,
            )
            for item in self.legend
        ]
        bars = [self._bar(bar, looks) for bar in self.bars]
        # Safe: the head and legend come from format_html, and _bar escapes every word it draws.
        return mark_safe("\n".join([head, *bars, *legend, "</svg>"]))

    def _bar(self, bar, looks):
        """One bar: its name on a line of its own, then its row of segments, each followed by its count
        where the count fits, then the total after the bar's end.

        The counts take their anchor and weight from the row's group, as SVG inherits them (a rect
        ignores both); dominant-baseline stays on each text, as SVG 1.1 does not inherit it. Each
        segment keeps its own outline (stroke would reach the counts too), 1 px wide: stroke-width's
        initial value. A count follows its segment, so that the order of the chart's parts, which
        Chromium exposes beneath role="img", is that of the template this replaced."""
        label = escape(bar.label)
        middle = self.row_height // 2
        row = []
        for segment in bar.segments:
            name, fill, outline, text_fill = looks[segment.category.key]
            row.append(
                f'<rect x="{percent(segment.x)}" width="{percent(segment.width)}" '
                f'height="{self.row_height:d}" fill="{fill}" stroke="{outline}">'
                f"<title>{label}: {name} {segment.count:d}</title></rect>"
            )
            if segment.show_count:
                row.append(
                    f'<text x="{percent(segment.x + segment.width / 2)}" y="{middle:d}" '
                    f'dominant-baseline="middle" fill="{text_fill}">{segment.count:d}</text>'
                )
        return "".join(
            [
                f'<g transform="translate(0 {bar.y:d})">',
                f'<text x="0" y="{self.label_height // 2:d}" dominant-baseline="middle" fill="#0b0c0c">',
                f"{label}</text>",
                f'<g transform="translate(0 {self.label_height:d})" text-anchor="middle" font-weight="bold">',
                *row,
                f'</g><text x="{percent(bar.end)}" dx="6" y="{self.label_height + middle:d}" ',
                f'dominant-baseline="middle" fill="#505a5f">{bar.total:d}</text></g>',
            ]
        )


def stacked_bar_chart(
    *,
    title: str,
    description: str,
    rows: list[tuple[str, dict[str, int]]],
    categories: list[Category],
    row_height: int = 24,
) -> StackedBarChart:
    """Horizontal bars, one per row, split by category; every bar on the same scale."""
    largest = max((sum(counts.values()) for _, counts in rows), default=0) or 1
    pitch = LABEL_HEIGHT + row_height + GAP
    bars = []
    for index, (label, counts) in enumerate(rows):
        bar = Bar(label=label, total=sum(counts.values()), y=index * pitch)
        x = 0.0
        for category in categories:
            count = counts.get(category.key, 0)
            if count:
                width = BAR_SHARE * count / largest
                bar.segments.append(Segment(category=category, count=count, x=x, width=width))
                x += width
        bar.end = x
        bars.append(bar)
    used = {segment.category.key for bar in bars for segment in bar.segments}
    legend_y = len(rows) * pitch + 4
    legend = [
        LegendItem(category=category, y=legend_y + index * LEGEND_ROW)
        for index, category in enumerate(c for c in categories if c.key in used)
    ]
    return StackedBarChart(
        title=title,
        description=description,
        bars=bars,
        legend=legend,
        row_height=row_height,
        height=legend_y + len(legend) * LEGEND_ROW,
    )
