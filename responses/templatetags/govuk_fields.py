"""Template helpers for drawing form fields the GOV.UK way."""

from django import template

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
