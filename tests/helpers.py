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
