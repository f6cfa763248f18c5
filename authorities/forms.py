"""Forms for a council's committee papers, in GOV.UK style: plain messages, nothing assumed."""

from django import forms
from django.utils import timezone

from laming.forms import GovukDateField

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
