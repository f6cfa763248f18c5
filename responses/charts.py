"""Charts drawn on the server as SVG, so they work without JavaScript and in the PDF reports.

Each chart has a title and description for screen readers, labels each segment with its count,
and has a legend in words; pages show the same numbers in a table beside it.
"""

from dataclasses import dataclass, field


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
    x: float
    width: float

    @property
    def show_count(self):
        return self.width >= 20

    @property
    def text_x(self):
        return round(self.x + self.width / 2, 1)


@dataclass
class Bar:
    label: str
    total: int
    y: float
    segments: list[Segment] = field(default_factory=list)


@dataclass
class LegendItem:
    category: Category
    x: int
    y: int


@dataclass
class StackedBarChart:
    title: str
    description: str
    bars: list[Bar]
    legend: list[LegendItem]
    label_width: int
    bar_width: int
    row_height: int
    width: int
    height: int

    @property
    def text_y_offset(self):
        return self.row_height // 2


def stacked_bar_chart(
    *,
    title: str,
    description: str,
    rows: list[tuple[str, dict[str, int]]],
    categories: list[Category],
    label_width: int = 240,
    bar_width: int = 400,
    row_height: int = 26,
) -> StackedBarChart:
    """Horizontal bars, one per row, split by category; every bar on the same scale."""
    largest = max((sum(counts.values()) for _, counts in rows), default=0) or 1
    gap = 8
    bars = []
    for index, (label, counts) in enumerate(rows):
        bar = Bar(label=label, total=sum(counts.values()), y=index * (row_height + gap))
        x = float(label_width)
        for category in categories:
            count = counts.get(category.key, 0)
            if count:
                width = bar_width * count / largest
                bar.segments.append(
                    Segment(category=category, count=count, x=round(x, 1), width=round(width, 1))
                )
                x += width
        bars.append(bar)
    used = {segment.category.key for bar in bars for segment in bar.segments}
    legend_y = len(rows) * (row_height + gap) + 10
    legend = [
        LegendItem(category=category, x=label_width, y=legend_y + index * 22)
        for index, category in enumerate(c for c in categories if c.key in used)
    ]
    return StackedBarChart(
        title=title,
        description=description,
        bars=bars,
        legend=legend,
        label_width=label_width,
        bar_width=bar_width,
        row_height=row_height,
        width=label_width + bar_width + 40,
        height=legend_y + len(legend) * 22 + 4,
    )
