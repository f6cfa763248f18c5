"""The officer's form for a local response, in GOV.UK style: plain messages, nothing assumed."""

from django import forms

from laming.forms import GovukDateField

from .models import LocalResponse, Rag, Status, target_move_problem

TEXT_LIMIT = 10_000
NOTE_LIMIT = 5_000
REASON_LIMIT = 2_000


class ResponseForm(forms.Form):
    """Everything an officer records about a response in one save, with a progress note."""

    text = forms.CharField(
        label="Local response",
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=TEXT_LIMIT,
        error_messages={
            "required": "Enter the council's response",
            "max_length": f"Local response must be {TEXT_LIMIT:,} characters or fewer",
        },
    )
    status = forms.ChoiceField(
        label="Delivery status",
        choices=Status.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select a delivery status",
            "invalid_choice": "Select a delivery status from the list",
        },
    )
    rag = forms.ChoiceField(
        label="RAG rating",
        choices=Rag.choices,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Select a RAG rating from the list"},
    )
    lead_officer = forms.CharField(
        label="Lead officer",
        required=False,
        max_length=150,
        error_messages={"max_length": "Lead officer must be 150 characters or fewer"},
    )
    target_date = GovukDateField(label="Target date", required=False)
    target_date_reason = forms.CharField(
        label="Reason for moving the target date",
        required=False,
        max_length=REASON_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": f"Reason for moving the target date must be {REASON_LIMIT:,} characters or fewer"
        },
    )
    evidence = forms.CharField(
        label="Evidence",
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": f"Evidence must be {TEXT_LIMIT:,} characters or fewer"},
    )
    note = forms.CharField(
        label="Progress note",
        max_length=NOTE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Enter a progress note saying what has changed",
            "max_length": f"Progress note must be {NOTE_LIMIT:,} characters or fewer",
        },
    )
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=0,
        error_messages={
            "required": "The form could not be checked. Reload the page and try again",
            "invalid": "The form could not be checked. Reload the page and try again",
            "min_value": "The form could not be checked. Reload the page and try again",
        },
    )

    def __init__(self, *args, response: LocalResponse | None = None, **kwargs):
        self.response = response
        if response is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "text": response.text,
                "status": response.status,
                "rag": response.rag,
                "lead_officer": response.lead_officer,
                "target_date": response.target_date,
                "evidence": response.evidence,
                "version": response.version,
            }
        kwargs.setdefault("initial", {"version": 0, "status": Status.NOT_STARTED})
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if "target_date" in cleaned:
            current = self.response.target_date if self.response else None
            reason = cleaned.get("target_date_reason", "")
            problem = target_move_problem(current, cleaned["target_date"], reason)
            if problem:
                self.add_error("target_date_reason", problem)
        return cleaned
