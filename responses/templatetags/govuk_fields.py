"""Template helpers for drawing form fields the GOV.UK way.

The fields are drawn by tags written in Python ({% govuk_input field hint="..." %}), not by template
includes: an include costs a form page about a quarter of a millisecond a field, and the edit form, which
officers load before every save, has eight. Each tag takes the bound field and what its GOV.UK component
varies by (a hint, a width, rows); every value from the form or the user is escaped here (format_html),
while a hint written in a template is the template's own text.
"""

import html

from django import template
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()

DATE_BOXES = [
    ("day", "Day", "govuk-input--width-2"),
    ("month", "Month", "govuk-input--width-2"),
    ("year", "Year", "govuk-input--width-4"),
]


def date_parts(bound_field):
    """(name, label, width class, value as typed) for each box of a GovukDateField: what the user typed when
    the form is bound, else the initial date."""
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
            f'value="{html.escape(value)}"{" checked" if value in chosen else ""}>'
            f'<label class="govuk-label govuk-checkboxes__label" for="{prefix}-{number}">'
            f"{html.escape(str(label))}</label>"
            "</div>"
        )
    # Safe: the id and name are the form's own, and every value and label is escaped above (the standard
    # library's escape: the same characters as Django's, without its lazy-string wrapper, which cost more
    # than the escaping over 600 councils).
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


def error_messages(field):
    """A field's errors as GOV.UK error messages, each with a hidden "Error:" for screen readers."""
    return format_html_join(
        "",
        '<p id="{}-error" class="govuk-error-message">'
        '<span class="govuk-visually-hidden">Error:</span> {}</p>',
        ((field.auto_id, error) for error in field.errors),
    )


def described_by(field, hint):
    """The aria-describedby attribute of a field with a hint or errors: the hint's id, then the errors'."""
    if not (hint or field.errors):
        return ""
    ids = (f"{field.auto_id}-hint" if hint else "") + (f" {field.auto_id}-error" if field.errors else "")
    return format_html(' aria-describedby="{}"', ids)


def hint_text(field, hint):
    return format_html('<div id="{}-hint" class="govuk-hint">{}</div>', field.auto_id, hint) if hint else ""


def group_class(field):
    return "govuk-form-group govuk-form-group--error" if field.errors else "govuk-form-group"


@register.simple_tag
def govuk_errors(field):
    """The field's error messages alone, for a component a template draws itself."""
    return error_messages(field)


@register.simple_tag
def govuk_input(field, hint="", width="", type="", autocomplete=""):
    """A GOV.UK text input: `width` a govuk-input--width-N or govuk-!-width-... class (two thirds unless
    given), `type` "email" (no spellcheck; "text" unless given) and `autocomplete` ("email") as needed."""
    value = field.value()
    width, type = width or "govuk-!-width-two-thirds", type or "text"
    return format_html(
        '<div class="{}"><label class="govuk-label govuk-label--s" for="{}">{}</label>{}{}'
        '<input class="govuk-input {}{}" id="{}" name="{}" type="{}" value="{}"{}{}{}></div>',
        group_class(field),
        field.auto_id,
        field.label,
        hint_text(field, hint),
        error_messages(field),
        width,
        " govuk-input--error" if field.errors else "",
        field.auto_id,
        field.html_name,
        type,
        "" if value is None else value,
        format_html(' autocomplete="{}"', autocomplete) if autocomplete else "",
        mark_safe(' spellcheck="false"') if type == "email" else "",
        described_by(field, hint),
    )


@register.simple_tag
def govuk_password(field, autocomplete, hint=""):
    """A GOV.UK password input: `autocomplete` "new-password" or "current-password". The Show button appears
    only with JavaScript (govuk-frontend); without it the box works as any password box."""
    return format_html(
        '<div class="govuk-form-group govuk-password-input{}" data-module="govuk-password-input">'
        '<label class="govuk-label govuk-label--s" for="{}">{}</label>{}{}'
        '<div class="govuk-input__wrapper govuk-password-input__wrapper">'
        '<input class="govuk-input govuk-!-width-two-thirds govuk-password-input__input '
        'govuk-js-password-input-input{}" id="{}" name="{}" type="password" autocomplete="{}" '
        'spellcheck="false" autocapitalize="none"{}>'
        '<button type="button" class="govuk-button govuk-button--secondary govuk-password-input__toggle '
        'govuk-js-password-input-toggle" data-module="govuk-button" aria-controls="{}" '
        'aria-label="Show password" hidden>Show</button></div></div>',
        " govuk-form-group--error" if field.errors else "",
        field.auto_id,
        field.label,
        hint_text(field, hint),
        error_messages(field),
        " govuk-input--error" if field.errors else "",
        field.auto_id,
        field.html_name,
        autocomplete,
        described_by(field, hint),
        field.auto_id,
    )


@register.simple_tag
def govuk_textarea(field, hint="", rows=None):
    """A GOV.UK textarea of `rows` lines (5 unless given)."""
    value = field.value()
    return format_html(
        '<div class="{}"><label class="govuk-label govuk-label--s" for="{}">{}</label>{}{}'
        '<textarea class="govuk-textarea{}" id="{}" name="{}" rows="{}"{}>{}</textarea></div>',
        group_class(field),
        field.auto_id,
        field.label,
        hint_text(field, hint),
        error_messages(field),
        " govuk-textarea--error" if field.errors else "",
        field.auto_id,
        field.html_name,
        rows or 5,
        described_by(field, hint),
        "" if value is None else value,
    )


def radio_items(field):
    """One GOV.UK radio a choice, the chosen one checked; ids as Django numbers them (id_x, id_x-2, ...)."""
    chosen = str(field.value())
    return format_html_join(
        "",
        '<div class="govuk-radios__item"><input class="govuk-radios__input" id="{}" name="{}" type="radio" '
        'value="{}"{}><label class="govuk-label govuk-radios__label" for="{}">{}</label></div>',
        (
            (
                item_id := field.auto_id if number == 1 else f"{field.auto_id}-{number}",
                field.html_name,
                value,
                mark_safe(" checked") if str(value) == chosen else "",
                item_id,
                label,
            )
            for number, (value, label) in enumerate(field.field.choices, start=1)
        ),
    )


@register.simple_tag
def govuk_radios(field, hint="", small=False):
    """GOV.UK radios in a fieldset, one a choice; `small` for the small ones."""
    return format_html(
        '<div class="{}"><fieldset class="govuk-fieldset"{}>'
        '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{}</legend>{}{}'
        '<div class="govuk-radios{}" data-module="govuk-radios">{}</div></fieldset></div>',
        group_class(field),
        described_by(field, hint),
        field.label,
        hint_text(field, hint),
        error_messages(field),
        " govuk-radios--small" if small else "",
        radio_items(field),
    )


@register.simple_tag
def govuk_date(field, hint=""):
    """A GOV.UK date input of a GovukDateField: day, month and year boxes, as typed or as the date stands."""
    error = " govuk-input--error" if field.errors else ""
    boxes = format_html_join(
        "",
        '<div class="govuk-date-input__item"><div class="govuk-form-group">'
        '<label class="govuk-label govuk-date-input__label" for="{}">{}</label>'
        '<input class="govuk-input govuk-date-input__input {}{}" id="{}" name="{}_{}" type="text" '
        'inputmode="numeric" value="{}"></div></div>',
        (
            (
                box_id := field.auto_id if name == "day" else f"{field.auto_id}_{name}",
                label,
                width,
                error,
                box_id,
                field.html_name,
                name,
                value,
            )
            for name, label, width, value in date_parts(field)
        ),
    )
    return format_html(
        '<div class="{}"><fieldset class="govuk-fieldset" role="group"{}>'
        '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{}</legend>{}{}'
        '<div class="govuk-date-input" id="{}-group">{}</div></fieldset></div>',
        group_class(field),
        described_by(field, hint),
        field.label,
        hint_text(field, hint),
        error_messages(field),
        field.auto_id,
        boxes,
    )


@register.simple_tag
def govuk_checkbox(field):
    """A GOV.UK small single checkbox for a yes/no field."""
    return format_html(
        '<div class="govuk-form-group"><div class="govuk-checkboxes govuk-checkboxes--small" '
        'data-module="govuk-checkboxes"><div class="govuk-checkboxes__item">'
        '<input class="govuk-checkboxes__input" id="{}" name="{}" type="checkbox" value="on"{}>'
        '<label class="govuk-label govuk-checkboxes__label" for="{}">{}</label></div></div></div>',
        field.auto_id,
        field.html_name,
        mark_safe(" checked") if field.value() else "",
        field.auto_id,
        field.label,
    )


@register.simple_tag
def govuk_checkboxes(field):
    """GOV.UK small checkboxes in a fieldset, for a multiple-choice filter."""
    return format_html(
        '<div class="{}"><fieldset class="govuk-fieldset">'
        '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{}</legend>{}'
        '<div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes">{}</div>'
        "</fieldset></div>",
        group_class(field),
        field.label,
        error_messages(field),
        checkbox_items(field),
    )


@register.simple_tag
def govuk_select(field):
    """A GOV.UK select for a single-choice filter, the chosen option selected."""
    value = field.value()
    chosen = str("" if value is None else value)
    choices = getattr(field.field, "choice_list", None) or field.field.choices
    options = format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, mark_safe(" selected") if str(value) == chosen else "", label) for value, label in choices),
    )
    return format_html(
        '<div class="{}"><label class="govuk-label govuk-label--s" for="{}">{}</label>{}'
        '<select class="govuk-select" id="{}" name="{}">{}</select></div>',
        group_class(field),
        field.auto_id,
        field.label,
        error_messages(field),
        field.auto_id,
        field.html_name,
        options,
    )
