"""The officer's form for a local response, in GOV.UK style: plain messages, nothing assumed."""

from django import forms

from laming.forms import GovukDateField

from .models import LocalResponse, Rag, Status, target_move_problem

TEXT_LIMIT = 10_000
NOTE_LIMIT = 5_000
REASON_LIMIT = 2_000


class ResponseValuesForm(forms.Form):
    """What a response says: the fields an officer edits, and those two saves can disagree on. The edit
    form adds a progress note; the page after a refused save (ConflictForm) carries what the officer
    typed in these, hidden, under the prefix "yours"."""

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
    evidence = forms.CharField(
        label="Evidence",
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": f"Evidence must be {TEXT_LIMIT:,} characters or fewer"},
    )


def reason_field():
    return forms.CharField(
        label="Reason for moving the target date",
        required=False,
        max_length=REASON_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": f"Reason for moving the target date must be {REASON_LIMIT:,} characters or fewer"
        },
    )


def note_field():
    return forms.CharField(
        label="Progress note",
        max_length=NOTE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Enter a progress note saying what has changed",
            "max_length": f"Progress note must be {NOTE_LIMIT:,} characters or fewer",
        },
    )


RELOAD = "The form could not be checked. Reload the page and try again"


def version_field():
    return forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=0,
        error_messages={"required": RELOAD, "invalid": RELOAD, "min_value": RELOAD},
    )


class ResponseForm(ResponseValuesForm):
    """Everything an officer records about a response in one save, with a progress note."""

    target_date_reason = reason_field()
    note = note_field()
    version = version_field()

    field_order = [
        "text",
        "status",
        "rag",
        "lead_officer",
        "target_date",
        "target_date_reason",
        "evidence",
        "note",
        "version",
    ]

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
        # Only against the response the form was loaded from: a form based on an older version is refused
        # as a whole (record_progress), and the page that follows asks for a reason if one is then needed.
        if "target_date" in cleaned and (
            self.response is None or cleaned.get("version") == self.response.version
        ):
            current = self.response.target_date if self.response else None
            reason = cleaned.get("target_date_reason", "")
            problem = target_move_problem(current, cleaned["target_date"], reason)
            if problem:
                self.add_error("target_date_reason", problem)
        return cleaned


THEIRS, YOURS = "theirs", "yours"


class ConflictForm(forms.Form):
    """The edit form after a refused save (responses/conflicts.py): for each field where what you typed
    differs from what someone else saved, keep theirs or use yours, with neither chosen for you; your
    progress note; and a reason if using your target date moves theirs. What you typed travels with it,
    hidden (ResponseValuesForm, prefix "yours"), and so do the version you loaded and the one you are
    choosing against."""

    loaded_version = version_field()
    version = version_field()
    target_date_reason = reason_field()
    note = note_field()

    def __init__(self, *args, conflict, **kwargs):
        self.conflict = conflict
        kwargs.setdefault("initial", {})
        kwargs["initial"].update(loaded_version=conflict.loaded_version, version=conflict.version)
        super().__init__(*args, **kwargs)
        order = []
        for difference in conflict.to_choose:
            name = f"choose_{difference.name}"
            self.fields[name] = forms.ChoiceField(
                label=difference.label,
                choices=[
                    (
                        THEIRS,
                        "Keep theirs" if difference.is_long else f"Keep theirs: {difference.theirs_shown}",
                    ),
                    (YOURS, "Use yours" if difference.is_long else f"Use yours: {difference.yours_shown}"),
                ],
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Choose whose {difference.noun} to keep",
                    "invalid_choice": f"Choose whose {difference.noun} to keep",
                },
            )
            order.append(name)
            if difference.name == "target_date":
                order.append("target_date_reason")
        self.order_fields([*order, "note"])

    def choices(self):
        """(difference, its radios) for each field to choose, in the page's order."""
        return [(difference, self[f"choose_{difference.name}"]) for difference in self.conflict.to_choose]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("choose_target_date") == YOURS:
            theirs = self.conflict.difference("target_date")
            problem = target_move_problem(theirs.theirs, theirs.yours, cleaned.get("target_date_reason", ""))
            if problem:
                self.add_error("target_date_reason", problem)
        return cleaned

    def values(self) -> dict:
        """What to save, for record_progress: theirs in every field, but yours where you chose it."""
        values = self.conflict.theirs
        for difference in self.conflict.to_choose:
            if self.cleaned_data[f"choose_{difference.name}"] == YOURS:
                values[difference.name] = difference.yours
        moved = (
            self.conflict.needs_target_reason and values["target_date"] != self.conflict.response.target_date
        )
        return {
            **values,
            "target_date_reason": self.cleaned_data["target_date_reason"] if moved else "",
            "note": self.cleaned_data["note"],
        }
