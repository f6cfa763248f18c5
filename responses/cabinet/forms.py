"""The forms a clerk uses to start a Cabinet report and write its narrative, in GOV.UK style."""

from django import forms

from authorities.forms import line_field, text_field
from authorities.models import CabinetReport, Meeting
from laming.forms import GovukDateField

from .content import DEFAULT_TITLE

NEW_MEETING = "new"
# "There is already a meeting of ... on 21 July 2009"
MEETING_OF = {
    Meeting.Kind.CABINET: "Cabinet",
    Meeting.Kind.LSCB: "the Local Safeguarding Children Board",
    Meeting.Kind.SCRUTINY: "the scrutiny committee",
}


def meeting_exists_message(meeting: Meeting) -> str:
    when = f"{meeting.date:%-d %B %Y}"
    return f"There is already a meeting of {MEETING_OF[meeting.kind]} on {when}. Choose it from the list"


class NewReportForm(forms.Form):
    """The meeting a new report goes to, an existing one or a new one, and its title."""

    meeting = forms.ChoiceField(
        label="Which meeting is the report for?",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the meeting the report is for",
            "invalid_choice": "Select a meeting from the list",
        },
    )
    new_meeting_kind = forms.ChoiceField(
        label="Kind of meeting",
        choices=Meeting.Kind.choices,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Select a kind of meeting from the list"},
    )
    new_meeting_date = GovukDateField(label="Date of the meeting", required=False)
    title = line_field("Title of the report", required=True, limit=250)

    def __init__(self, *args, authority, **kwargs):
        kwargs.setdefault("initial", {"title": DEFAULT_TITLE, "new_meeting_kind": Meeting.Kind.CABINET})
        super().__init__(*args, **kwargs)
        self.meetings = {str(meeting.pk): meeting for meeting in Meeting.objects.for_papers(authority)}
        self.fields["meeting"].choices = [
            (pk, f"{meeting} ({meeting.report_title})") for pk, meeting in self.meetings.items()
        ] + [(NEW_MEETING, "A new meeting")]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("meeting") == NEW_MEETING:
            if not cleaned.get("new_meeting_kind"):
                self.add_error("new_meeting_kind", "Select the kind of meeting")
            if "new_meeting_date" in cleaned and cleaned["new_meeting_date"] is None:
                self.add_error("new_meeting_date", "Enter the date of the meeting")
            cleaned["existing_meeting"] = None
        elif cleaned.get("meeting"):
            cleaned["existing_meeting"] = self.meetings[cleaned["meeting"]]
        return cleaned


class ReportForm(forms.Form):
    """The clerk's narrative of a draft report; the progress summary and appendices are generated."""

    title = line_field("Title", required=True, limit=250)
    purpose = text_field(
        "Purpose of the report", hint="Separate paragraphs with a blank line. Each is numbered."
    )
    background = text_field(
        "Background", rows=8, hint="Separate paragraphs with a blank line. Each is numbered."
    )
    summary = text_field("Summary", hint="Separate paragraphs with a blank line. Each is numbered.")
    recommendations_to_members = text_field(
        "Recommendations to Members",
        hint='One to a line. They are lettered (a), (b) ... after "It is recommended that:-".',
    )
    as_at = GovukDateField(
        label="Figures as at",
        required=False,
        help_text="Leave blank for the date of the meeting. For example, 1 7 2009",
    )
    director_name = line_field("Director's name", limit=100)
    director_title = line_field("Director's job title")
    background_papers = text_field("Background papers", required=False, hint="One to a line.")
    contact_officer = line_field("Contact officer", limit=100)
    contact_details = line_field("Contact details", hint="For example, Extension 2861.")
    council_narrative = text_field(
        "The council's own account",
        required=False,
        rows=12,
        hint="Opens the main report, before the progress summary: what the council has done and "
        "plans, in its own words. Separate paragraphs with a blank line. Each is numbered.",
    )
    further_information = text_field(
        "Further information and analysis",
        required=False,
        rows=8,
        hint="Optional. Your own paragraphs for the main report, after the generated progress summary. "
        "Separate paragraphs with a blank line.",
    )
    include_changes = forms.BooleanField(
        label="Include what has changed since the last issued report", required=False
    )
    list_all_recommendations = forms.BooleanField(
        label="List all 58 recommendations in Appendix 1, not only those the council has answered",
        required=False,
    )
    outcome_of_consultation = text_field("Outcome of consultation", required=False, rows=2)
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=0,
        error_messages={
            "required": "The form could not be checked. Reload the page and try again",
            "invalid": "The form could not be checked. Reload the page and try again",
            "min_value": "The form could not be checked. Reload the page and try again",
        },
    )

    def __init__(self, *args, report, **kwargs):
        self.report = report
        initial = {name: getattr(report, name) for name in CabinetReport.NARRATIVE_FIELDS}
        initial["version"] = report.version
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.implication_names = []
        for index, row in enumerate(report.implications):
            name = f"implication_{index}"
            self.fields[name] = forms.CharField(
                label=row["heading"],
                required=False,
                max_length=2_000,
                widget=forms.Textarea(attrs={"rows": 2}),
                error_messages={"max_length": f"{row['heading']} must be 2,000 characters or fewer"},
            )
            self.initial.setdefault(name, row.get("text", ""))
            self.implication_names.append(name)

    def implication_fields(self):
        return [self[name] for name in self.implication_names]

    def implications(self):
        return [
            {"heading": row["heading"], "text": self.cleaned_data[name]}
            for row, name in zip(self.report.implications, self.implication_names, strict=True)
        ]
