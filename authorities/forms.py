"""Forms for a council's committee papers and its people, in GOV.UK style: plain messages, nothing assumed."""

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils import timezone

from laming.forms import GovukDateField

from . import people
from .models import COUNCIL_ROLES
from .services import decision_date_problems

TEXT_LIMIT = 20_000


def text_field(label, *, required=True, rows=4, limit=TEXT_LIMIT, hint=""):
    messages = {"max_length": f"{label} must be {limit:,} characters or fewer"}
    if required:
        messages["required"] = f"Enter {label[0].lower()}{label[1:]}"
    field = forms.CharField(
        label=label,
        required=required,
        max_length=limit,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages=messages,
        help_text=hint,
    )
    field.rows = rows
    return field


def line_field(label, *, required=False, limit=150, hint=""):
    messages = {"max_length": f"{label} must be {limit} characters or fewer"}
    if required:
        messages["required"] = f"Enter {label[0].lower()}{label[1:]}"
    return forms.CharField(
        label=label, required=required, max_length=limit, error_messages=messages, help_text=hint
    )


class DecisionForm(forms.Form):
    """A meeting's decision record, in the order of Stockton's (seed 003)."""

    record = text_field(
        "Record of the decision",
        rows=8,
        hint="What the meeting considered. Separate paragraphs with a blank line.",
    )
    decisions = text_field(
        "Decisions",
        rows=4,
        hint="One to a line. The record numbers them 1, 2, 3 ..., so there is no need to type numbers.",
    )
    reasons = text_field("Reasons for the decision", rows=4)
    alternatives_rejected = text_field("Alternative options considered and rejected", required=False, rows=3)
    conflicts_of_interest = text_field("Declared conflicts of interest", required=False, rows=2)
    dispensations = text_field("Details of any dispensations", required=False, rows=2)
    published_on = GovukDateField(label="Date of publication")
    call_in_date = GovukDateField(label="Call-in deadline")

    def __init__(self, *args, meeting, decision=None, suggested_decisions="", **kwargs):
        self.meeting = meeting
        if "initial" not in kwargs:
            if decision is not None:
                kwargs["initial"] = {
                    "record": decision.record,
                    "decisions": decision.decisions,
                    "reasons": decision.reasons,
                    "alternatives_rejected": decision.alternatives_rejected,
                    "conflicts_of_interest": decision.conflicts_of_interest,
                    "dispensations": decision.dispensations,
                    "call_in_date": (
                        timezone.localtime(decision.call_in_deadline).date()
                        if decision.call_in_deadline
                        else None
                    ),
                    "published_on": decision.published_on,
                }
            else:
                kwargs["initial"] = {"decisions": suggested_decisions}
        super().__init__(*args, **kwargs)
        self.fields["call_in_date"].error_messages["required"] = "Enter the call-in deadline"
        self.fields["published_on"].error_messages["required"] = "Enter the date of publication"

    def clean(self):
        cleaned = super().clean()
        problems = decision_date_problems(
            self.meeting,
            cleaned.get("call_in_date"),
            cleaned.get("published_on"),
        )
        for field, message in problems.items():
            self.add_error(None if field == "__all__" else field, message)
        return cleaned


# A council's people (authorities/people.py holds the rules; these word them for the pages first).


def roles_field(label, *, required):
    return forms.MultipleChoiceField(
        label=label,
        required=required,
        choices=[(role.value, role.label) for role in COUNCIL_ROLES],
        error_messages={
            "required": "Select at least one role",
            "invalid_choice": "Select roles from the list",
        },
    )


class InvitationForm(forms.Form):
    """Who to invite to the council, and as what."""

    email = forms.EmailField(
        label="Email address",
        max_length=150,
        error_messages={
            "required": "Enter an email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "Email address must be 150 characters or fewer",
        },
    )
    name = line_field("Name (optional)", limit=150)
    roles = roles_field("Roles", required=True)

    def __init__(self, *args, authority, **kwargs):
        self.authority = authority
        super().__init__(*args, **kwargs)
        self.fields["roles"].label = f"Roles at {authority.short_name}"

    def clean_email(self):
        email = people.normalise_email(self.cleaned_data["email"])
        problem = people.invitation_problem(self.authority, email)
        if problem:
            raise forms.ValidationError(problem)
        return email


class RolesForm(forms.Form):
    """The roles one of the council's people holds there: none takes them off its list of people."""

    roles = roles_field("Roles", required=False)

    def __init__(self, *args, authority, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"].label = f"Roles at {authority.short_name}"


class AcceptInvitationForm(forms.Form):
    """The invitee sets up their account: their name, a username (their email address unless they
    choose another) and a password that passes the site's password validators."""

    name = line_field("Full name", required=True, limit=150)
    username = forms.CharField(
        label="Username",
        max_length=150,
        validators=[
            UnicodeUsernameValidator(message="Username must only include letters, numbers, and @ . + - _")
        ],
        error_messages={
            "required": "Enter a username",
            "max_length": "Username must be 150 characters or fewer",
        },
    )
    password1 = forms.CharField(
        label="Password", strip=False, error_messages={"required": "Enter a password"}
    )
    password2 = forms.CharField(
        label="Confirm password", strip=False, error_messages={"required": "Enter the password again"}
    )

    def __init__(self, *args, invitation, **kwargs):
        self.invitation = invitation
        kwargs.setdefault("initial", {"name": invitation.name, "username": invitation.email})
        super().__init__(*args, **kwargs)

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("That username is taken: choose another")
        return username

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", "The passwords do not match")
        if password1:
            first_name, last_name = people.split_name(cleaned.get("name", ""))
            candidate = get_user_model()(
                username=cleaned.get("username", ""),
                email=self.invitation.email,
                first_name=first_name,
                last_name=last_name,
            )
            try:
                password_validation.validate_password(password1, user=candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned
