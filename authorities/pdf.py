"""The council's papers as PDF: WeasyPrint, fetching nothing but the app's own static files.

The templates under templates/pdf/ hold everything a page needs (pdf/base.html carries the @page
CSS), so a report fetches nothing at all. The fetcher is the guard for the day that changes, or a
template slips: WeasyPrint would otherwise read any file: or http(s): address it meets, and
`<link rel="attachment" href="file:///etc/passwd">` would put the server's files inside the PDF.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import weasyprint
from django.conf import settings
from django.template.loader import render_to_string
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

# PDF/UA-1: a tagged PDF with its title shown and its language set (public bodies must publish
# accessible documents). pdf_tags is given as well: WeasyPrint applies a variant's defaults only to
# options left as None, and pdf_tags defaults to False.
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1", "pdf_tags": True}


class RefusedURL(ValueError):
    """WeasyPrint asked for something other than one of the app's own static files."""


def static_roots() -> list[str]:
    """The folders the PDF may read from, as real paths (symbolic links resolved)."""
    roots = [*settings.STATICFILES_DIRS, settings.STATIC_ROOT]
    return [os.path.realpath(root) for root in roots if root]


def static_path(url: str) -> str:
    """The file a file: URL names, if it is a file inside a static root; RefusedURL for anything else.

    The path is resolved (.., symbolic links) before it is checked, so neither traversal nor a link
    inside the static folder reaches outside it. http, https, data and every other scheme are refused.
    """
    parts = urlsplit(url)
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
        raise RefusedURL(f"Only the app's own static files may be fetched, not {url[:200]!r}")
    path = os.path.realpath(url2pathname(parts.path))
    for root in static_roots():
        if os.path.commonpath([root, path]) == root and os.path.isfile(path):
            return path
    raise RefusedURL(f"{url[:200]!r} is not one of the app's static files")


class StaticFilesOnlyFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that reads only files inside the static root and refuses the rest."""

    def __init__(self):
        super().__init__(allowed_protocols={"file"}, allow_redirects=False)

    def fetch(self, url, headers=None):
        try:
            path = static_path(url)
        except RefusedURL:
            logger.warning("PDF rendering refused to fetch %r", url[:200])
            raise
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return URLFetcherResponse(url, Path(path).read_bytes(), headers={"Content-Type": content_type})


def base_url() -> str:
    """Relative addresses in a PDF template resolve inside the static folder, e.g. "css/print.css"."""
    return Path(settings.STATICFILES_DIRS[0]).resolve().as_uri() + "/"


@dataclass
class RenderedPDF:
    content: bytes
    page_count: int

    @property
    def sha256(self) -> str:
        return checksum(self.content)


def checksum(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def html_to_pdf(html: str) -> RenderedPDF:
    """The PDF of an HTML string rendered from a pdf/ template."""
    document = weasyprint.HTML(string=html, base_url=base_url(), url_fetcher=StaticFilesOnlyFetcher()).render(
        **PDF_OPTIONS
    )
    return RenderedPDF(document.write_pdf(**PDF_OPTIONS), len(document.pages))


def report_html(content) -> str:
    """A Cabinet report's HTML for WeasyPrint, from the content `reports.build_report` gathered."""
    return render_to_string("pdf/cabinet_report.html", {"content": content})


def decision_html(decision, reports) -> str:
    return render_to_string("pdf/decision_record.html", {"decision": decision, "reports": reports})
