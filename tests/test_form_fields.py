"""The GOV.UK form fields drawn in Python (responses/templatetags/govuk_fields.py): what a screen reader is
told, what is checked, and that nothing a user typed becomes markup."""

import datetime

from django import forms
from django.template import Context, Template

from laming.forms import GovukDateField


class ExampleForm(forms.Form):
    name = forms.CharField(label="Name")
    note = forms.CharField(label="Note", widget=forms.Textarea)
    colour = forms.ChoiceField(
        label="Colour", choices=[("red", "Red"), ("amber", "Amber"), ("green", "Green")]
    )
    when = GovukDateField(label="Target date", required=False)
    body = forms.ChoiceField(
        label="Body", choices=[("", "Any"), ("ofsted", "Ofsted & partners")], required=False
    )
    agreed = forms.BooleanField(label="Agreed", required=False)


def draw(tag, form):
    return Template("{% load govuk_fields %}" + tag).render(Context({"form": form}))


def test_a_hint_and_an_error_are_both_read_out_with_the_field_hint_first():
    form = ExampleForm({"name": ""})
    html = draw('{% govuk_input form.name hint="As on the payslip" %}', form)
    assert 'class="govuk-form-group govuk-form-group--error"' in html
    assert 'aria-describedby="id_name-hint id_name-error"' in html
    assert '<div id="id_name-hint" class="govuk-hint">As on the payslip</div>' in html
    assert (
        '<p id="id_name-error" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> '
        "This field is required.</p>"
    ) in html
    assert 'class="govuk-input govuk-!-width-two-thirds govuk-input--error"' in html


def test_a_field_with_neither_hint_nor_error_points_to_nothing():
    html = draw("{% govuk_input form.name %}", ExampleForm())
    assert "aria-describedby" not in html
    assert "govuk-form-group--error" not in html
    assert "govuk-hint" not in html


def test_what_the_user_typed_is_shown_escaped_never_as_markup():
    typed = '</textarea><script>alert("x")</script>'
    form = ExampleForm({"name": '"><script>alert(1)</script>', "note": typed})
    assert "<script>" not in draw("{% govuk_input form.name %}{% govuk_textarea form.note rows=3 %}", form)
    html = draw("{% govuk_textarea form.note rows=3 %}", form)
    assert 'rows="3"' in html
    assert "&lt;/textarea&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</textarea>" in html


def test_the_chosen_radio_alone_is_checked_and_each_has_its_own_label():
    html = draw("{% govuk_radios form.colour small=True %}", ExampleForm(initial={"colour": "amber"}))
    assert 'class="govuk-radios govuk-radios--small"' in html
    assert html.count(" checked") == 1
    assert 'id="id_colour-2" name="colour" type="radio" value="amber" checked>' in html
    assert [f'for="{item}"' in html for item in ("id_colour", "id_colour-2", "id_colour-3")] == [True] * 3


def test_a_date_shows_what_was_typed_even_when_it_is_not_a_date():
    form = ExampleForm({"when_day": "31", "when_month": "2", "when_year": "2010"})
    html = draw('{% govuk_date form.when hint="For example, 31 3 2010" %}', form)
    assert 'id="id_when" name="when_day" type="text" inputmode="numeric" value="31"' in html
    assert 'id="id_when_month" name="when_month" type="text" inputmode="numeric" value="2"' in html
    assert 'id="id_when_year" name="when_year" type="text" inputmode="numeric" value="2010"' in html
    assert html.count("govuk-input--error") == 3


def test_a_date_not_yet_typed_shows_the_date_as_it_stands():
    html = draw("{% govuk_date form.when %}", ExampleForm(initial={"when": datetime.date(2010, 3, 9)}))
    assert ['value="9"' in html, 'value="3"' in html, 'value="2010"' in html] == [True, True, True]
    assert "govuk-input--error" not in html


def test_a_select_keeps_the_choice_and_escapes_labels():
    html = draw("{% govuk_select form.body %}", ExampleForm({"body": "ofsted"}))
    assert '<option value="ofsted" selected>Ofsted &amp; partners</option>' in html
    assert '<option value="">Any</option>' in html


def test_a_checkbox_is_ticked_only_when_the_answer_is_yes():
    assert " checked" in draw("{% govuk_checkbox form.agreed %}", ExampleForm({"agreed": "on"}))
    assert " checked" not in draw("{% govuk_checkbox form.agreed %}", ExampleForm({}))
