"""The few pieces of a Word document that python-docx has no call for, written as WordprocessingML.

Each adds one element where the schema (ECMA-376 Part 1) puts it, so Word opens the file without
offering to repair it. responses/cabinet/word.py uses them; nothing here knows about reports.
"""

from __future__ import annotations

from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn


def element(tag, **attributes):
    """<w:tag w:key="value" ...>."""
    made = OxmlElement(f"w:{tag}")
    for key, value in attributes.items():
        made.set(qn(f"w:{key}"), value)
    return made


def mark_header_row(row):
    """w:tblHeader: Word repeats the row at the top of each page the table runs onto, and screen
    readers read its cells as the columns' headers. w:cantSplit keeps the row whole."""
    properties = row._tr.get_or_add_trPr()
    # trPr holds cantSplit before tblHeader; a new row's trPr is empty, so appending keeps that order.
    properties.append(element("cantSplit", val="true"))
    properties.append(element("tblHeader", val="true"))


def table_title(table, text):
    """w:tblCaption, the table's title, which Word offers as its alternative text (255 characters at
    most). It is the last of the table's properties in the schema's order."""
    table._tbl.tblPr.append(element("tblCaption", val=text[:255]))


def table_width(table, twips):
    """The table's whole width, fixed: Word then lays the columns out from their widths."""
    width = table._tbl.tblPr.find(qn("w:tblW"))
    width.set(qn("w:type"), "dxa")
    width.set(qn("w:w"), str(twips))


def shade(cell, fill):
    """A cell's background colour (hex RGB, "F3F2F1")."""
    cell._tc.get_or_add_tcPr().append(element("shd", val="clear", color="auto", fill=fill))


def left_rule(cell, colour, *, eighths_of_a_point=32):
    """A thick coloured rule down the cell's left edge (hex RGB)."""
    borders = element("tcBorders")
    borders.append(
        element("left", val="single", sz=str(eighths_of_a_point), space="0", color=colour.lstrip("#").upper())
    )
    properties = cell._tc.get_or_add_tcPr()
    # tcBorders comes after the cell's width and span and before its shading.
    anchor = properties.find(qn("w:gridSpan"))
    if anchor is None:
        anchor = properties.find(qn("w:tcW"))
    if anchor is not None:
        anchor.addnext(borders)
    else:
        properties.insert(0, borders)


def bottom_rule(para, colour="0B0C0C"):
    """A rule under a paragraph. pBdr follows the paragraph's style and keep/page-break settings,
    so this is added last, when those are set."""
    borders = element("pBdr")
    borders.append(element("bottom", val="single", sz="12", space="4", color=colour))
    properties = para._p.get_or_add_pPr()
    following = [
        child
        for child in properties
        if child.tag in {qn(f"w:{tag}") for tag in ("shd", "tabs", "spacing", "ind", "jc", "rPr")}
    ]
    if following:
        following[0].addprevious(borders)
    else:
        properties.append(borders)


def field(para, instruction, *, half_points=None):
    """A field Word fills in as it lays out the page ("PAGE", "NUMPAGES"), showing 1 until it does."""
    simple = element("fldSimple", instr=instruction)
    run = element("r")
    if half_points:
        properties = element("rPr")
        properties.append(element("sz", val=str(half_points)))
        run.append(properties)
    text = element("t")
    text.text = "1"
    run.append(text)
    simple.append(run)
    para._p.append(simple)


def set_language(document, language):
    """w:lang on the document defaults' run properties, which every style inherits: Word's spelling
    and screen readers take the text's language from it."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = element("docDefaults")
        styles.insert(0, defaults)
    run_defaults = defaults.find(qn("w:rPrDefault"))
    if run_defaults is None:
        run_defaults = element("rPrDefault")
        defaults.insert(0, run_defaults)
    properties = run_defaults.find(qn("w:rPr"))
    if properties is None:
        properties = element("rPr")
        run_defaults.append(properties)
    lang = properties.find(qn("w:lang"))
    if lang is None:
        lang = element("lang")
        properties.append(lang)  # lang is the last of the run properties the defaults hold
    lang.set(qn("w:val"), language)


def named_font(style, name):
    """Set a style's font by name. Word prefers a theme font to a named one, and the built-in styles
    name theme fonts, so those are removed."""
    style.font.name = name
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attribute}"), None)
    fonts.set(qn("w:cs"), name)


def drop_thumbnail(document):
    """A template's thumbnail picture would stand for the document in file browsers: leave it out."""
    package = document.part.package
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype == RELATIONSHIP_TYPE.THUMBNAIL:
            package.rels.pop(rel_id)
