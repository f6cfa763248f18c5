"""Free-text search: PostgreSQL's full-text search where we have it, a plain match on SQLite."""

from functools import reduce
from operator import or_

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Q


def matches(fields, text, *, stored_vector):
    """A condition (Q) for the rows whose `fields` match the words in `text`, as matching() reads them, for a
    table with a `stored_vector` on PostgreSQL: to put beside other conditions on the same rows, so the
    words are checked only on rows the others keep (a subquery of matching rows checked every row)."""
    text = text.strip()
    if not text:
        return Q()
    if connection.vendor == "postgresql":
        return Q(**{stored_vector: SearchQuery(text, search_type="websearch", config="english")})
    return reduce(
        lambda both, word: both & reduce(or_, (Q(**{f"{field}__icontains": word}) for field in fields)),
        text.split(),
        Q(),
    )


def matching(queryset, fields, text, *, stored_vector=None):
    """The rows of `queryset` whose `fields` match the words in `text`.

    On PostgreSQL this is English full-text search (stemmed: "chair" finds "chaired"; quoted phrases
    and -exclusions work as in a web search), read from `stored_vector` (a column a trigger keeps up
    to date and an index covers) when the table has one; elsewhere each word must appear in one of
    the fields.
    """
    text = text.strip()
    if not text:
        return queryset
    if connection.vendor == "postgresql":
        query = SearchQuery(text, search_type="websearch", config="english")
        if stored_vector:
            return queryset.filter(**{stored_vector: query})
        return queryset.annotate(search_document=SearchVector(*fields, config="english")).filter(
            search_document=query
        )
    for word in text.split():
        queryset = queryset.filter(reduce(or_, (Q(**{f"{field}__icontains": word}) for field in fields)))
    return queryset
