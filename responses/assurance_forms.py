"""The forms of assurance: an officer's evidence document, its withdrawal and the request for assurance;
the chair's decision. GOV.UK wording, nothing assumed."""

from django import forms

from .evidence import EvidenceRefused, evidence_type
from .models import Marking

STATEMENT_LIMIT = 5_000

SENSITIVE_HINT = (
    "Choose OFFICIAL-SENSITIVE for a document about children, families or staff by name, or anything "
    "else that should be seen only by those who need to. Only the council's own people and "
    "administrators will see it or its title; it never goes into a Cabinet report, an export or an email."
)


class EvidenceForm(forms.Form):
    title = forms.CharField(
        label="Title",
        max_length=200,
        error_messages={
            "required": "Enter a title for the document",
            "max_length": "Title must be 200 characters or fewer",
        },
    )
    marking = forms.ChoiceField(
        label="Marking",
        choices=Marking.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select a marking",
            "invalid_choice": "Select a marking from the list",
        },
    )
    file = forms.FileField(
        label="Upload a file",
        allow_empty_file=True,  # evidence_type words an empty file as GOV.UK does
        error_messages={
            "required": "Select a file",
            "invalid": "Select a file",
        },
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            self.evidence_type = evidence_type(upload)
        except EvidenceRefused as refused:
            raise forms.ValidationError(refused.message) from None
        return upload


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why are you withdrawing this document?",
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Enter why the document is being withdrawn",
            "max_length": "The reason must be 2,000 characters or fewer",
        },
    )


class RequestForm(forms.Form):
    statement = forms.CharField(
        label="What was done",
        max_length=STATEMENT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={
            "required": "Enter a statement of what was done",
            "max_length": f"The statement must be {STATEMENT_LIMIT:,} characters or fewer",
        },
    )


class DecisionForm(forms.Form):
    ASSURED = "assured"
    CHANGES = "changes_requested"

    decision = forms.ChoiceField(
        label="Your decision",
        choices=[(ASSURED, "Assured"), (CHANGES, "Changes requested")],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select Assured or Changes requested",
            "invalid_choice": "Select Assured or Changes requested",
        },
    )
    comment = forms.CharField(
        label="Comment",
        required=False,
        max_length=STATEMENT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"max_length": f"The comment must be {STATEMENT_LIMIT:,} characters or fewer"},
    )
    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.CHANGES and not (data.get("comment") or "").strip():
            self.add_error("comment", "Enter what needs to change")
        return data
