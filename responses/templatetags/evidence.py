"""Template helpers for evidence documents."""

from django import template

from responses.evidence import ACCEPTED, size_in_words

register = template.Library()


@register.filter
def in_words(size):
    """A document's size as people say it: 1.4 MB, 320 KB, 12 bytes."""
    return size_in_words(size)


@register.filter
def type_name(document):
    """What kind of file a document is, in words: PDF, Word, Excel, ..."""
    return ACCEPTED.get(document.extension, (document.extension.upper(), ""))[0]
