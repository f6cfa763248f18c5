"""Reading PDFs back as a reader (and a checker) would: poppler's pdftotext, pdfinfo, pdffonts, pdftohtml.

scripts/system-deps installs poppler-utils before `make test` runs.
"""

import re
import subprocess
import tempfile
import zlib

from .helpers import normalise


def _run(command, content, *args):
    with tempfile.NamedTemporaryFile(suffix=".pdf") as pdf:
        pdf.write(content)
        pdf.flush()
        return subprocess.run(
            [command, *args, pdf.name, "-"] if command == "pdftotext" else [command, *args, pdf.name],
            check=True,
            capture_output=True,
            text=True,
        ).stdout


def pdf_text(content: bytes, *, page: int | None = None) -> str:
    """The PDF's text (or one page's) in reading order, white space folded."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return normalise(_run("pdftotext", content, "-enc", "UTF-8", *pages))


def pdf_info(content: bytes) -> dict[str, str]:
    """pdfinfo's fields: Title, Tagged, Pages, Page size ..."""
    return {
        key.strip(): value.strip()
        for key, _, value in (line.partition(":") for line in _run("pdfinfo", content).splitlines())
    }


def pdf_fonts(content: bytes) -> list[dict[str, str]]:
    """pdffonts' rows: name and whether the font is embedded."""
    lines = _run("pdffonts", content).splitlines()[2:]
    return [{"name": line.split()[0], "embedded": line.split()[-5]} for line in lines if line.strip()]


def pdf_outline(content: bytes) -> list[str]:
    """The titles of the PDF's bookmarks, in order."""
    xml = _run("pdftohtml", content, "-xml", "-i", "-stdout", "-q")
    return [normalise(title) for title in re.findall(r"<item page=\"\d+\">(.*?)</item>", xml)]


def pdf_streams(content: bytes):
    """Every stream in the PDF, inflated where it is compressed: fonts, page content, any attachment."""
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", content, re.S):
        data = match.group(1)
        try:
            yield zlib.decompress(data)
        except zlib.error:
            yield data


def has_attachment(content: bytes) -> bool:
    return any(marker in content for marker in (b"/EmbeddedFile", b"/FileAttachment", b"/EmbeddedFiles"))


def squeeze(text: str) -> str:
    """Text with white space and hyphens taken out, for comparing with pdftotext's output: it joins a
    line ending in a hyphen to the next ("that:-" then "(a)" reads "that:(a)"), wherever lines break."""
    return re.sub(r"[\s\-\u2010\u2011]", "", text)
