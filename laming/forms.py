"""Forms every app uses: the sign-in form, worded the GOV.UK way, the GOV.UK date field, and how a
page binds its form. Apps import from here; this imports no app."""

import datetime
from dataclasses import dataclass

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone


def bound_data(request):
    """What a page's form is bound to: the POST, even an empty one, so that a POST with nothing in it
    is refused with the form's errors rather than answered as though it were a GET (an empty QueryDict
    is falsy, so `request.POST or None` leaves the form unbound)."""
    return request.POST if request.method == "POST" else None


@dataclass
class AsAt:
    """The day a page's figures describe, from `?as_at=YYYY-MM-DD`: `day` is None for today (as the
    records stand now); `error` says what was wrong with a date that could not be used."""

    day: datetime.date | None = None
    error: str = ""
    typed: str = ""

    @property
    def shown(self) -> datetime.date:
        return self.day or timezone.localdate()


def as_at_of(request) -> AsAt:
    typed = request.GET.get("as_at", "").strip()
    if not typed:
        return AsAt()
    try:
        day = datetime.date.fromisoformat(typed)
    except ValueError:
        return AsAt(error="Enter a real date, for example 2009-07-01", typed=typed)
    if len(typed) != 10:  # fromisoformat takes 20090701 too; the page asks for 2009-07-01
        return AsAt(error="Enter a real date, for example 2009-07-01", typed=typed)
    today = timezone.localdate()
    if day > today:
        return AsAt(error="The date must be today or in the past", typed=typed)
    return AsAt(day=None if day == today else day, typed=typed)


class SignInForm(AuthenticationForm):
    """Django's sign-in form with GOV.UK error messages; an inactive account keeps Django's."""

    error_messages = {
        **AuthenticationForm.error_messages,
        # Deliberately vague about which of the two was wrong.
        "invalid_login": "Enter a correct username and password",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"


class GovukDateInput(forms.MultiWidget):
    """Day, month and year boxes named <field>_day, <field>_month and <field>_year (GOV.UK pattern).

    Pages draw the boxes with the govuk_date tag (responses/templatetags/govuk_fields.py).
    """

    def __init__(self, attrs=None):
        super().__init__({"day": forms.TextInput, "month": forms.TextInput, "year": forms.TextInput}, attrs)

    def decompress(self, value):
        if value:
            return [value.day, value.month, value.year]
        return [None, None, None]


def date_as_post(name: str, day) -> dict:
    """A date as a browser would post it in GovukDateInput's three boxes named after `name`."""
    return {
        f"{name}_day": str(day.day) if day else "",
        f"{name}_month": str(day.month) if day else "",
        f"{name}_year": str(day.year) if day else "",
    }


class GovukDateField(forms.MultiValueField):
    """A date from three boxes, with the GOV.UK error messages for each way it can be wrong."""

    widget = GovukDateInput

    def __init__(self, *, label, **kwargs):
        self.label_text = label
        fields = [forms.CharField(required=False) for _ in range(3)]
        super().__init__(fields, require_all_fields=False, label=label, **kwargs)

    def compress(self, data_list):
        day, month, year = (str(value or "").strip() for value in (data_list or ["", "", ""]))
        if not (day or month or year):
            return None
        missing = [name for name, value in (("day", day), ("month", month), ("year", year)) if not value]
        if missing:
            raise forms.ValidationError(f"{self.label_text} must include a {' and '.join(missing)}")
        if not (day.isdigit() and month.isdigit() and year.isdigit()) or len(year) != 4:
            raise forms.ValidationError(f"{self.label_text} must be a real date")
        try:
            value = datetime.date(int(year), int(month), int(day))
        # OverflowError: a day or month too big for the C calendar (999999999999).
        except (ValueError, OverflowError):
            raise forms.ValidationError(f"{self.label_text} must be a real date") from None
        if not 2009 <= value.year <= 2100:
            raise forms.ValidationError(f"{self.label_text} must be between 2009 and 2100")
        return value
