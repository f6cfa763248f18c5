"""Charts drawn on the server as SVG, so they work without JavaScript and in the PDF reports.

Each chart has a title and description for screen readers, labels each segment with its count,
and has a legend in words; pages show the same numbers in a table beside it.

The SVG is never scaled: its text is drawn at FONT_SIZE CSS pixels on a phone at 400% zoom and on a
wide screen alike (WCAG 1.4.4 and 1.4.10; tests/browser/ measures it). So the chart has no viewBox:
it is as wide as the column it sits in, lengths across it are percentages of that width, and lengths
down it are pixels. Each bar's label sits on its own line above the bar, so a bar has the whole width.
"""

from dataclasses import dataclass, field

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
    return f"{value:.2f}%"


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

    @property
    def x_percent(self):
        return percent(self.x)

    @property
    def width_percent(self):
        return percent(self.width)

    @property
    def text_x(self):
        return percent(self.x + self.width / 2)


@dataclass
class Bar:
    label: str
    total: int
    y: int  # pixels from the top: the label's line, then the bar
    end: float = 0.0  # per cent of the chart's width
    segments: list[Segment] = field(default_factory=list)

    @property
    def end_percent(self):
        return percent(self.end)


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

    @property
    def label_y(self):
        return self.label_height // 2

    @property
    def text_y_offset(self):
        """Where a count sits down the bar (the middle of its row)."""
        return self.label_height + self.row_height // 2


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
