"""Reading a paper's print layout: WeasyPrint's own boxes for a render, and poppler's word boxes for
a PDF already stored (an issued report). Lengths are CSS pixels for boxes and points for poppler."""

import itertools
import re
import subprocess
import tempfile

import weasyprint
from weasyprint.formatting_structure import boxes

from authorities import pdf

HEADINGS = {"h1", "h2", "h3", "h4", "caption"}
# 18 mm, the page's left and right margins in pdf/base.html, in points.
SIDE_MARGIN_PT = 18 / 25.4 * 72


def render(html: str):
    """The laid-out document, as authorities.pdf.html_to_pdf renders it."""
    return weasyprint.HTML(
        string=html, base_url=pdf.base_url(), url_fetcher=pdf.StaticFilesOnlyFetcher()
    ).render(**pdf.PDF_OPTIONS)


def flow(page):
    """The page's content (the html element's boxes), without the running header and footer."""
    return [child for child in page._page_box.children if not isinstance(child, boxes.MarginBox)]


def flow_boxes(page):
    for root in flow(page):
        yield from root.descendants()


def right_edge(page):
    page_box = page._page_box
    return page_box.content_box_x() + page_box.width


def overflowing(document):
    """(page, tag, text) for every box of the content whose right edge passes the page's margin."""
    found = []
    for number, page in enumerate(document.pages, start=1):
        edge = right_edge(page)
        for box in flow_boxes(page):
            if box.position_x + box.margin_width() > edge + 0.5:
                found.append((number, box.element_tag, getattr(box, "text", "")[:30]))
    return found


def text_of(document):
    """Every piece of text the content lays out, in order, joined without spaces."""
    return "".join(
        box.text for page in document.pages for box in flow_boxes(page) if isinstance(box, boxes.TextBox)
    )


def margin_lines(page, at_keyword):
    """The lines of one margin box of the page ("@top-left"), each as (text, width, box width)."""
    for box in page._page_box.children:
        if isinstance(box, boxes.MarginBox) and box.at_keyword == at_keyword:
            return [
                (
                    "".join(text.text for text in line.descendants() if isinstance(text, boxes.TextBox)),
                    sum(child.margin_width() for child in line.children),
                    box.width,
                )
                for line in box.descendants()
                if isinstance(line, boxes.LineBox)
            ]
    return []


def last_line(page):
    """The tag of the element that holds the lowest line of the page's content ("p", "h3", "td"...)."""
    lines = [box for box in flow_boxes(page) if isinstance(box, boxes.LineBox)]
    return max(lines, key=lambda line: line.position_y + line.height).element_tag if lines else None


def headings_at_page_foot(document):
    """(page, tag) for every page but the last whose lowest line is a heading or a table caption."""
    return [
        (number, tag)
        for number, page in enumerate(document.pages[:-1], start=1)
        if (tag := last_line(page)) in HEADINGS
    ]


def last_rows(document, css_class):
    """The pages but the last whose lowest table row has the class `css_class`."""
    found = []
    for number, page in enumerate(document.pages[:-1], start=1):
        rows = [box for box in flow_boxes(page) if isinstance(box, boxes.TableRowBox)]
        if rows and css_class in (rows[-1].element.get("class") or "").split():
            found.append(number)
    return found


def split_rows(document):
    """The table rows laid out on more than one page, each as the text of its first cell."""
    pages_of = {}
    for number, page in enumerate(document.pages, start=1):
        for box in flow_boxes(page):
            # A header row repeats on every page of its table; it is not split.
            if isinstance(box, boxes.TableRowGroupBox) and not box.is_header:
                for row in box.children:
                    pages_of.setdefault(row.element, set()).add(number)
    return [row for row, pages in pages_of.items() if len(pages) > 1]


def hollow_rows(document):
    """(page, first cell's text) for every row begun at a page foot with its widest cell (the text a
    reader reads) empty beside the others: its words all went over to the next page."""
    found = []
    for number, page in enumerate(document.pages, start=1):
        for row in flow_boxes(page):
            if isinstance(row, boxes.TableRowBox) and len(row.children) > 1:
                widest = max(row.children, key=lambda cell: cell.width)
                if not cell_text(widest).strip() and any(cell_text(cell).strip() for cell in row.children):
                    found.append((number, cell_text(row.children[0])[:20]))
    return found


def cell_text(cell):
    return "".join(box.text for box in cell.descendants() if isinstance(box, boxes.TextBox))


def tables_on(page):
    return [box for box in flow_boxes(page) if isinstance(box, boxes.TableBox)]


def blank_before_a_table_runs_on(document):
    """(page, fraction) for each page where a table runs on to the next page: how much of the page is
    left blank below the table's part on it."""
    found = []
    for number, (page, following) in enumerate(itertools.pairwise(document.pages), start=1):
        here, there = tables_on(page), tables_on(following)
        if not here or not there or here[-1].element is not there[0].element:
            continue
        table = here[-1]
        page_box = page._page_box
        bottom = page_box.content_box_y() + page_box.height
        found.append((number, (bottom - (table.position_y + table.margin_height())) / page_box.height))
    return found


def words_past_the_margin(content: bytes):
    """Words poppler finds in a PDF's content (below the running header) that reach past the right
    margin: what a reader would find cut off at the page's edge. Each as (page, word, x_max)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(content)
        handle.flush()
        xml = subprocess.run(
            ["pdftotext", "-bbox", "-enc", "UTF-8", handle.name, "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    found = []
    for number, page in enumerate(re.findall(r"<page (.*?)</page>", xml, re.S), start=1):
        width = float(re.search(r'width="([\d.]+)"', page).group(1))
        for y_min, x_max, word in re.findall(
            r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">(.*?)</word>', page
        ):
            # The running header sits above the top margin (24 mm); it is checked on its own.
            if float(y_min) > 24 / 25.4 * 72 and float(x_max) > width - SIDE_MARGIN_PT + 1:
                found.append((number, word[:30], float(x_max)))
    return found
