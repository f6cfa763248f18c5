"""Template helpers for drawing form fields the GOV.UK way."""

from django import template
from django.utils.formats import date_format
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()

DATE_BOXES = [
    ("day", "Day", "govuk-input--width-2"),
    ("month", "Month", "govuk-input--width-2"),
    ("year", "Year", "govuk-input--width-4"),
]


@register.filter
def date_parts(bound_field):
    """(name, label, width class, value as typed) for each box of a GovukDateField, for
    includes/fields/date.html: what the user typed when the form is bound, else the initial date."""
    value = bound_field.value()
    if not isinstance(value, list | tuple):
        value = bound_field.field.widget.decompress(value)
    return [
        (key, label, width, "" if part is None else part)
        for (key, label, width), part in zip(DATE_BOXES, value, strict=True)
    ]


@register.filter
def page_numbers(page_obj):
    """The page numbers GOV.UK pagination lists: the first and last, the current page and one either side,
    and None where pages are left out (shown as an ellipsis)."""
    paginator = page_obj.paginator
    return [
        None if number == paginator.ELLIPSIS else number
        for number in paginator.get_elided_page_range(page_obj.number, on_each_side=1, on_ends=1)
    ]


@register.filter
def checkbox_items(bound_field):
    """The GOV.UK small checkboxes of a multiple-choice field, one per choice, as HTML built here: a filter
    of councils has one for each of 152 councils (or 600), which a template loop drew in 30 ms."""
    chosen = {str(value) for value in bound_field.value() or []}
    choices = getattr(bound_field.field, "choice_list", None) or bound_field.field.choices
    prefix, name = bound_field.auto_id, bound_field.html_name
    items = []
    for number, (value, label) in enumerate(choices, start=1):
        value = str(value)
        items.append(
            '<div class="govuk-checkboxes__item">'
            f'<input class="govuk-checkboxes__input" id="{prefix}-{number}" name="{name}" type="checkbox" '
            f'value="{escape(value)}"{" checked" if value in chosen else ""}>'
            f'<label class="govuk-label govuk-checkboxes__label" for="{prefix}-{number}">'
            f"{escape(label)}</label>"
            "</div>"
        )
    # Safe: the id and name are the form's own, and every value and label is escaped above.
    return mark_safe("".join(items))


@register.simple_tag
def govuk_tag(label, css_class=""):
    """A GOV.UK tag: a status, RAG rating, assurance or marking, always in words (colour is never the only
    signal). A tag, not an include: pages draw hundreds of them, and an include costs ten times as much."""
    return format_html('<strong class="govuk-tag {}">{}</strong>', css_class, label)


@register.filter
def last_update(response):
    """When a response was last updated: the date of its latest update (with_last_update), else the source
    document's wording of it, else "Date not recorded". A filter, not an include: lists draw one a row."""
    dated = getattr(response, "last_update_dated", None)
    if dated:
        return date_format(dated, "j F Y")
    return getattr(response, "last_update_wording", "") or "Date not recorded"
