"""A Cabinet report as a Word document, for councils whose committee systems take .docx.

`report_docx(content)` writes the same `ReportContent` that templates/pdf/includes/
cabinet_report_content.html renders for the PDF, part by part in the same order: each part of the
report is one small function below, and PARTS lists them in order, so a new section is added in one
place. Main-report sections that carry a table after their paragraphs (Table 1) are named in
AFTER_MAIN_SECTION, by the section's slug, as the template does.

The styles used are named once, in STYLES. The document starts from settings.REPORT_WORD_TEMPLATE
when it is set (a council's own .docx, whose styles of those names then govern the look) or from
python-docx's built-in template, to which the house style (Arial, black headings, A4) is applied.
What the app relies on is structural and set whatever the template: Heading 1-4 for the outline,
header rows that repeat on every page, the title, author and language (en-GB), RAG and status in words.
"""

from __future__ import annotations

import io
import re
import weakref
from dataclasses import dataclass

import docx
from django.conf import settings
from django.utils import timezone
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_TAB_ALIGNMENT
from docx.shared import Cm, Pt, RGBColor

from ..models import RAG_CHART_COLOURS
from . import wordml
from .content import ReportContent, format_date, issued_on

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
LANGUAGE = "en-GB"

# Every style the report uses, by what it is for. A council's own template supplies styles of these
# names; those it lacks are added (CUSTOM_STYLES), so any template that has Word's built-in headings works.
STYLES = {
    "title": "Heading 1",
    "part": "Heading 2",  # Summary Report, Main Report, the appendices
    "section": "Heading 3",
    "subsection": "Heading 4",
    "body": "Normal",
    "numbered": "Numbered Paragraph",
    "lettered": "Lettered Item",
    "bullet": "List Bullet",
    "caption": "Caption",
    "table": "Table Grid",
    "table_text": "Table Text",
}

# Styles the app adds when the template has none of that name: (based on, left indent, hanging indent).
# A hanging indent with a tab stop puts the paragraph number in the margin, as the PDF does.
CUSTOM_STYLES = {
    "Numbered Paragraph": ("Normal", Cm(1.1), Cm(1.1)),
    "Lettered Item": ("Normal", Cm(2.2), Cm(1.1)),
    "Table Text": ("Normal", Cm(0), Cm(0)),
}

# A4 with the PDF's margins (templates/pdf/base.html), in centimetres.
PAGE = {"width": 21.0, "height": 29.7, "top": 2.4, "right": 1.8, "bottom": 2.0, "left": 1.8}
TEXT_WIDTH = PAGE["width"] - PAGE["left"] - PAGE["right"]
HEADER_FILL = "F3F2F1"
STEM_FILL = "F8F8F8"
PLACEHOLDER_COLOUR = RGBColor(0x50, 0x5A, 0x5F)


@dataclass
class Column:
    heading: str
    share: float  # of the text width, as the PDF's CSS widths


# Building the document


def report_docx(content: ReportContent) -> bytes:
    """The report as a .docx file's bytes."""
    document = new_document()
    describe(document, content)
    running_header_and_footer(document, content)
    for part in PARTS:
        part(document, content)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def filename(report) -> str:
    """The Word file's name: the PDF's, with the Word extension."""
    return report.filename().removesuffix(".pdf") + ".docx"


def new_document():
    template = settings.REPORT_WORD_TEMPLATE
    document = docx.Document(template or None)
    if not template:
        house_style(document)
    wordml.drop_thumbnail(document)
    add_missing_styles(document)
    wordml.set_language(document, LANGUAGE)
    STYLE_IDS[document.part] = {key: document.styles[name].style_id for key, name in STYLES.items()}
    return document


def fit(text, limit=255):
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def describe(document, content):
    """Title, author and language, as the PDF's metadata has them: what screen readers and search see."""
    report = content.report
    properties = document.core_properties
    # Word keeps at most 255 characters in a document property.
    properties.title = fit(
        f"{report.title}: {content.authority.name}" + (" (draft)" if content.draft else "")
    )
    properties.author = fit(content.authority.name)
    properties.last_modified_by = fit(content.authority.name)
    properties.subject = fit(content.meeting_line)
    properties.language = LANGUAGE
    properties.comments = ""
    properties.keywords = "Laming; safeguarding; Cabinet report"
    when = report.issued_at if not content.draft else timezone.now()
    properties.created = properties.modified = when
    properties.revision = 1


# The parts of the report, in the order of cabinet_report_content.html


def masthead(document, content):
    report = content.report
    paragraph(document, content.authority.name, bold=True, size=13)
    paragraph(document, content.meeting_line or "Meeting not yet chosen")
    if content.draft:
        paragraph(document, "Draft: not issued", bold=True)
    else:
        paragraph(document, f"Issued {issued_on(report)}", bold=True)
    last = paragraph(document, f"As at {format_date(content.as_at)}")
    wordml.bottom_rule(last)  # as the PDF's masthead


def title(document, content):
    add(document, "title", content.report.title)


def summary_report(document, content):
    add(document, "part", "Summary Report")
    for section in content.summary_sections:
        add(document, "section", section.heading)
        numbered_paragraphs(document, section.paragraphs)


def signature(document, content):
    report = content.report
    if report.director_name:
        first = paragraph(document, f"{report.director_name},", bold=True)
    else:
        first = placeholder(document, "Director's name not yet given,")
    first.paragraph_format.space_before = Pt(12)
    first.paragraph_format.space_after = Pt(0)
    first.paragraph_format.keep_with_next = True
    paragraph(document, report.director_title or "Director", bold=True)


def background_papers(document, content):
    report = content.report
    add(document, "section", "Background Papers")
    for paper in report.background_paper_lines() or ["None."]:
        paragraph(document, paper)
    if report.contact_officer:
        details = f" : {report.contact_details}" if report.contact_details else ""
        paragraph(document, report.contact_officer + details)
    else:
        placeholder(document, "Contact officer not yet given")


def implications(document, content):
    table = new_table(
        document,
        [Column("Implication", 0.3), Column("For this report", 0.7)],
        caption="Implications",
    )
    for row in content.implications:
        cells = add_row(table)
        cell_text(cells[0], row["heading"], bold=True)
        if row["text"]:
            cell_text(cells[1], row["text"])
        else:
            cell_text(cells[1], "Not yet completed.", placeholder=True)


def main_report(document, content):
    add(document, "part", "Main Report").paragraph_format.page_break_before = True
    add(document, "section", "Information and Analysis")
    for section in content.main_sections:
        add(document, "subsection", section.heading)
        numbered_paragraphs(document, section.paragraphs, placeholder_when_empty=False)
        after = AFTER_MAIN_SECTION.get(section.slug)
        if after is not None:
            after(document, content)


def progress_table(document, content):
    """Table 1: the council's responses by theme and delivery status."""
    columns = [
        Column("Theme", 0.2),
        Column("Answered", 0.1),
        Column("Responses", 0.11),
        *[Column(heading, 0.1) for heading in content.delivery_headings],
        Column("Overdue", 0.09),
    ]
    # The PDF's widths (report.css): the sixth column is narrower, the eighth wider.
    columns[5].share, columns[7].share = 0.08, 0.12
    table = new_table(
        document,
        columns,
        caption=f"Table 1: {content.authority.short_name}'s responses by theme and delivery status",
        size=8.5,
    )
    for theme in content.themes:
        cells = add_row(table)
        cell_text(cells[0], f"{theme.theme.number}. {theme.theme.name}", bold=True, size=8.5)
        values = [
            f"{theme.answered} of {len(theme.recommendations)}",
            len(theme.responses),
            *theme.delivery_cells(),
            len(theme.overdue),
        ]
        for cell, value in zip(cells[1:], values, strict=True):
            cell_text(cell, str(value), size=8.5, right=True)


def outcome(document, content):
    section = content.outcome_section
    add(document, "section", section.heading)
    numbered_paragraphs(document, section.paragraphs)


def appendix_1(document, content):
    name = content.authority.short_name
    heading = add(document, "part", f"Appendix 1: Lord Laming's recommendations and {name}'s local response")
    heading.paragraph_format.page_break_before = True
    paragraph(document, content.appendix_1_intro)
    if content.unlisted:
        paragraph(document, content.unlisted_paragraph)
    for theme, rows in content.appendix:
        add(document, "section", f"{theme.number}. {theme.name}")
        table = new_table(
            document,
            [
                Column("No.", 0.06),
                Column("Recommendation and local response", 0.48),
                Column("Status", 0.14),
                Column("RAG", 0.09),
                Column("Lead officer", 0.12),
                Column("Target date", 0.11),
            ],
            description=f"Appendix 1, {theme.name}",
        )
        for row in rows:
            appendix_1_row(table, row)


def appendix_1_row(table, row):
    cells = add_row(table)
    cell_text(cells[0], row.label, bold=True)
    if row.stem_only:
        # The words before the parts, when the council answers part by part: one cell across the row.
        merged = cells[1].merge(cells[-1])
        with_short_title(merged, row.recommendation.short_title, row.recommendation.text)
        add(merged, "table_text", "Answered part by part below.")
        for cell in (cells[0], merged):
            wordml.shade(cell, STEM_FILL)
        return
    text_cell = cells[1]
    record = row.part or row.recommendation
    with_short_title(text_cell, record.short_title, record.text)
    if not row.part and row.show_parts:
        for part in row.recommendation.parts.all():
            add(text_cell, "table_text", f"({part.letter}) {part.text}")
    response = row.response
    if response is None:
        add(text_cell, "table_text").add_run("No response recorded.").bold = True
        for cell, text in zip(cells[2:], ("No response", "Not rated", "None named", "None set"), strict=True):
            cell_text(cell, text)
        return
    add(text_cell, "table_text").add_run("Local response").bold = True
    if row.same_response_as:
        add(text_cell, "table_text", f"The same local response as {row.same_response_as} above.")
    else:
        for block in blocks_of(response.text):
            italic_lines(add(text_cell, "table_text"), block)
    status = cell_text(cells[2], response.get_status_display())
    if row.assurance_words:
        new_line_run(status, row.assurance_words, 1).italic = True
    cell_text(cells[3], response.get_rag_display())
    # The RAG word's coloured rule, as in the PDF: a second signal, never the only one.
    wordml.left_rule(cells[3], RAG_CHART_COLOURS[response.rag][0])
    cell_text(cells[4], response.lead_officer or "None named")
    if response.target_date:
        target = cell_text(cells[5], format_date(response.target_date))
        if response.is_overdue:
            target.add_run(" (overdue)").bold = True
    else:
        cell_text(cells[5], "None set")


def with_short_title(cell, short_title, text):
    """A recommendation's (or part's) short title in bold, then its text, as in the PDF."""
    if short_title:
        cell_text(cell, short_title, bold=True)
        add(cell, "table_text", text)
    else:
        cell_text(cell, text)


def appendix_2(document, content):
    name = content.authority.short_name
    heading = add(document, "part", f"Appendix 2: The Government's commitments and where {name} stands")
    heading.paragraph_format.page_break_before = True
    paragraph(document, content.appendix_2_intro)
    for heading_text, items in content.commitment_groups:
        add(document, "section", heading_text)
        table = new_table(
            document,
            [
                Column("Commitment", 0.39),
                Column("Due", 0.14),
                Column("Answers recommendations", 0.19),
                Column(f"{name}'s standing", 0.28),
            ],
            description=f"Appendix 2, {heading_text}",
        )
        for item in items:
            cells = add_row(table)
            cell_text(cells[0], item.commitment.text)
            due = cell_text(cells[1], item.commitment.due_wording or "No date given")
            if item.past_due:
                due.add_run(" (date passed)").bold = True
            if item.same_as_above:
                cell_text(cells[2], "The same as the commitment above")
                cell_text(cells[3], "As above")
            else:
                cell_text(cells[2], item.links_line or "None")
                cell_text(cells[3], "\n".join(item.standing) or "No Laming recommendation linked")


# The report's parts in order; a new section of the report is one function added here.
PARTS = (
    masthead,
    title,
    summary_report,
    signature,
    background_papers,
    implications,
    main_report,
    outcome,
    appendix_1,
    appendix_2,
)
# Tables that follow a main-report section's paragraphs, by the section's slug.
AFTER_MAIN_SECTION = {"progress-by-theme": progress_table}


# Paragraphs

# Each document's style ids, looked up once by name: python-docx looks a style name up afresh on every
# paragraph, which took two seconds over a full report.
STYLE_IDS = weakref.WeakKeyDictionary()


def add(container, key, text=""):
    """A new paragraph in the document or a table cell, in the style STYLES names for `key`."""
    para = container.add_paragraph(text)
    set_style(para, key)
    return para


def set_style(para, key):
    para._p.get_or_add_pPr().style = STYLE_IDS[para.part][key]


def paragraph(container, text, *, bold=False, size=None, style="body"):
    para = add(container, style)
    run = para.add_run(text)
    if bold:
        run.bold = True
    if size:
        run.font.size = Pt(size)
    return para


def placeholder(container, text):
    """What the clerk has still to write, in grey italics as the PDF shows it."""
    para = add(container, "body")
    run = para.add_run(text)
    run.italic = True
    run.font.color.rgb = PLACEHOLDER_COLOUR
    return para


def numbered_paragraphs(document, paragraphs, *, placeholder_when_empty=True):
    """The report's numbered paragraphs ("7.<tab>text"), each with its lettered items or bullets."""
    if not paragraphs and placeholder_when_empty:
        placeholder(document, "Not yet written.")
    for item in paragraphs:
        add(document, "numbered", f"{item.number}.\t{item.text}")
        for letter, text in item.lettered_items:
            add(document, "lettered", f"{letter}\t{text}")
        for text in item.items:
            add(document, "bullet", text)


def blocks_of(text):
    """A response's paragraphs as Django's linebreaks filter makes them: split at blank lines."""
    return [block.strip("\n") for block in re.split(r"\n{2,}", text.replace("\r\n", "\n").strip()) if block]


def italic_lines(para, block):
    """A block of the council's text in italics (as the PDF sets local responses), a single newline kept
    as a line break."""
    for index, line in enumerate(block.split("\n")):
        run = new_line_run(para, line, index)
        run.italic = True


def new_line_run(para, text, index):
    """A run of `text`, after a line break unless it is the paragraph's first line."""
    run = para.add_run()
    if index:
        run.add_break()
    run.add_text(text)
    return run


# Tables


def new_table(document, columns, *, caption="", description="", size=None):
    """A table with a header row that repeats at the top of every page it runs onto.

    A caption is printed above the table (Word's Caption style) and given to the table as its
    title for screen readers; `description` is that title where nothing is printed.
    """
    if caption:
        caption_para = add(document, "caption", caption)
        caption_para.paragraph_format.keep_with_next = True
    table = document.add_table(rows=1, cols=len(columns))
    table._tbl.tblPr.style = STYLE_IDS[document.part]["table"]
    table.autofit = False
    widths = [Cm(TEXT_WIDTH * column.share) for column in columns]
    wordml.table_width(table, sum(width.twips for width in widths))
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    if caption or description:
        wordml.table_title(table, caption or description)
    header = table.rows[0]
    wordml.mark_header_row(header)
    for cell, column, width in zip(header.cells, columns, widths, strict=True):
        cell.width = width
        cell_text(cell, column.heading, bold=True, size=size)
        wordml.shade(cell, HEADER_FILL)
    table._laming_widths = widths
    return table


def add_row(table):
    row = table.add_row()
    for cell, width in zip(row.cells, table._laming_widths, strict=True):
        cell.width = width
    return row.cells


def cell_text(cell, text, *, bold=False, size=None, right=False, placeholder=False):
    """Write `text` into the cell's first paragraph; a newline in it starts a new line."""
    para = cell.paragraphs[0]
    set_style(para, "table_text")
    if right:
        para.alignment = 2  # WD_ALIGN_PARAGRAPH.RIGHT: numbers line up, as in the PDF
    for index, line in enumerate(str(text).split("\n")):
        run = new_line_run(para, line, index)
        if bold:
            run.bold = True
        if size:
            run.font.size = Pt(size)
        if placeholder:
            run.italic = True
            run.font.color.rgb = PLACEHOLDER_COLOUR
    return para


# Styles, page and running header


def add_missing_styles(document):
    styles = document.styles
    names = {style.name for style in styles}
    for name, (base, indent, hanging) in CUSTOM_STYLES.items():
        if name in names:
            continue
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles[base]
        style.quick_style = True
        layout = style.paragraph_format
        layout.left_indent = indent
        layout.first_line_indent = -hanging
        if hanging:
            layout.tab_stops.add_tab_stop(indent)
        if name == "Table Text":
            layout.space_before = Pt(1)
            layout.space_after = Pt(2)
            layout.line_spacing = 1.0


def house_style(document):
    """The app's own look for python-docx's built-in template: the PDF's A4 page and Arial type, black
    headings. A council's own template keeps its look."""
    for section in document.sections:
        section.page_width, section.page_height = Cm(PAGE["width"]), Cm(PAGE["height"])
        section.top_margin, section.bottom_margin = Cm(PAGE["top"]), Cm(PAGE["bottom"])
        section.left_margin, section.right_margin = Cm(PAGE["left"]), Cm(PAGE["right"])
    sizes = {
        "Normal": 10.5,
        "Heading 1": 16,
        "Heading 2": 14,
        "Heading 3": 12,
        "Heading 4": 11,
        "Caption": 10,
    }
    for name, size in sizes.items():
        style = document.styles[name]
        wordml.named_font(style, "Arial")  # as the PDF
        style.font.size = Pt(size)
        style.font.color.rgb = RGBColor(0x0B, 0x0C, 0x0C)
        if name != "Normal":
            style.font.bold = True
    document.styles["Heading 4"].font.italic = True
    for name in ("Heading 1", "Heading 2"):
        document.styles[name].font.all_caps = True  # as the PDF's h1 and h2
    normal = document.styles["Normal"].paragraph_format
    normal.space_after = Pt(6)
    normal.line_spacing = 1.15


def running_header_and_footer(document, content):
    """As the PDF: council and title at the top of every page after the first, with the report's
    status; "Page X of Y" at the foot of every page."""
    section = document.sections[0]
    section.different_first_page_header_footer = True
    section.first_page_header.is_linked_to_previous = False  # an empty header on the first page
    header = section.header.paragraphs[0]
    header.text = f"{content.authority.name} \u00b7 {content.report.title}"
    tabs = header.paragraph_format.tab_stops
    for inherited in header.style.paragraph_format.tab_stops:
        # The Header style's own stops would catch the tab before the right margin.
        tabs.add_tab_stop(inherited.position, WD_TAB_ALIGNMENT.CLEAR)
    tabs.add_tab_stop(Cm(TEXT_WIDTH), WD_TAB_ALIGNMENT.RIGHT)
    status = "Draft: not issued" if content.draft else f"Issued {issued_on(content.report)}"
    header.add_run("\t" + status).bold = True
    for run in header.runs:
        run.font.size = Pt(8.5)
    for footer in (section.footer, section.first_page_footer):
        para = footer.paragraphs[0]
        para.alignment = 1  # centred
        para.add_run("Page ")
        wordml.field(para, "PAGE", half_points=17)
        para.add_run(" of ")
        wordml.field(para, "NUMPAGES", half_points=17)
        for run in para.runs:
            run.font.size = Pt(8.5)
