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
