import html
import re


def visible_text(response):
    """The page's text as a reader sees it: tags dropped, entities decoded, white space folded."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"<[^>]+>", " ", body)
    return normalise(html.unescape(body))


def normalise(text):
    return " ".join(text.split())


# The smallest file that reads as a PDF by its content: enough for an evidence document in tests.
MINIMAL_PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
