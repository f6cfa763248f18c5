"""What a Cabinet report says: a council's records gathered for one report, and the clerk's defaults.

`build_report(report)` reads the council's records with the same QuerySet methods as the HTML pages
(`LocalResponse.objects.for_authority`, `Recommendation.objects.for_list`, `Commitment.objects.for_list`),
so the PDF and the screen never disagree, and numbers the paragraphs through the report as
Darlington's Cabinet report does (seed 000: 1-6 in the summary, 7 onwards in the main report).
Everything here reads; nothing writes. `default_report` fills in a new report's narrative from the
council's own records, and leaves empty what only the council can say.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import Max
from django.db.models.functions import TruncDate
from django.utils import timezone

from authorities.models import STANDARD_IMPLICATION_HEADINGS, Authority, CabinetReport, Meeting, lettered
from recommendations.models import Commitment, Recommendation

from ..models import ASSURABLE_STATUSES, LocalResponse, ProgressUpdate, Rag, Status, answer_layout
from .assurance import assurance_paragraphs

SNAPSHOT_FORMAT = 1
LAMING_REPORT = "The Protection of Children in England: A Progress Report (March 2009)"
DEFAULT_TITLE = "The Protection of Children in England: progress on Lord Laming's recommendations"

# How a status reads inside a sentence ("18 awaiting national guidance or action, 1 in progress").
STATUS_PHRASES = {
    Status.NOT_STARTED: "not started",
    Status.IN_PROGRESS: "in progress",
    Status.COMPLETE: "complete",
    Status.ONGOING: "ongoing (embedded in practice)",
    Status.AWAITING_NATIONAL: "awaiting national guidance or action",
    Status.PARTNER_AGENCY: "a matter for a partner agency",
    Status.NOT_APPLICABLE: "not applicable",
}


def format_date(value):
    return f"{value:%-d %B %Y}" if value else ""


def issued_on(report):
    """The day a report was issued, in the council's time zone."""
    return format_date(timezone.localtime(report.issued_at).date())


def short_label(response):
    """ "2(a)" for a part, "51" for a whole recommendation."""
    if response.part_id:
        return f"{response.recommendation.number}({response.part.letter})"
    return str(response.recommendation.number)


def paragraphs_of(text):
    """The clerk's text as paragraphs: blocks separated by a blank line, each folded to one line."""
    blocks = re.split(r"\n\s*\n", text.strip()) if text.strip() else []
    return [" ".join(block.split()) for block in blocks if block.strip()]


BULLETS = ("•", "- ", "– ", "* ")


def narrative(text, numbering):
    """The council's own words as numbered paragraphs, keeping its lists: lines that start with a
    bullet, or bullets run into one line ("Key points included:- • one • two"), become the paragraph's
    items instead of being folded into its sentence."""
    paragraphs = []
    blocks = re.split(r"\n\s*\n", text.strip()) if text.strip() else []
    for block in blocks:
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        lead = [line for line in lines if not line.startswith(BULLETS)]
        items = [line.lstrip("•-–* ").strip() for line in lines if line.startswith(BULLETS)]
        sentence = " ".join(lead)
        if not items and sentence.count(" • ") >= 2:
            sentence, *items = (part.strip() for part in sentence.split("•"))
        paragraphs.append(numbering(" ".join(sentence.split()), items=[i for i in items if i]))
    return paragraphs


def plural(count, singular, plural_form=None):
    return f"{count} {singular if count == 1 else (plural_form or singular + 's')}"


def counted(counter, phrases):
    """'18 awaiting national guidance or action, 1 in progress', in the order of `phrases`."""
    return ", ".join(f"{counter[key]} {phrase}" for key, phrase in phrases.items() if counter.get(key))


@dataclass
class Paragraph:
    """A numbered paragraph of the report, with an optional list beneath it."""

    number: int
    text: str
    items: list[str] = field(default_factory=list)
    lettered_items: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Section:
    heading: str
    paragraphs: list[Paragraph]
    slug: str = ""


# Table 1's delivery-status columns. Every status is in exactly one, so a row's columns add up to its
# number of responses (tests/test_reports.py checks both).
DELIVERY_COLUMNS = (
    ("Complete or ongoing", (Status.COMPLETE, Status.ONGOING)),
    ("In progress", (Status.IN_PROGRESS,)),
    ("Not started", (Status.NOT_STARTED,)),
    ("Awaiting national guidance", (Status.AWAITING_NATIONAL,)),
    ("Partner agency or not applicable", (Status.PARTNER_AGENCY, Status.NOT_APPLICABLE)),
)


@dataclass
class ThemeProgress:
    """Where the council stands on one theme's recommendations."""

    theme: object
    recommendations: list
    responses: list
    answered: int
    status_counts: Counter
    rag_counts: Counter
    overdue: list

    @property
    def first(self):
        return self.recommendations[0].number

    @property
    def last(self):
        return self.recommendations[-1].number

    def delivery_cells(self):
        """Table 1's status columns for this theme: each response counted once, in one column."""
        counts = self.status_counts
        return [sum(counts.get(status, 0) for status in statuses) for _, statuses in DELIVERY_COLUMNS]


@dataclass
class AppendixRow:
    """One line of Appendix 1: a recommendation or one of its parts, and the council's answer to it."""

    label: str
    recommendation: Recommendation
    part: object = None
    response: LocalResponse | None = None
    stem_only: bool = False  # the words before the parts, when the council answers part by part
    show_parts: bool = False  # the parts listed under the recommendation, answered as a whole
    same_response_as: str = ""  # the label of an earlier row whose response has the very same words

    # A row longer than this (recommendation and response, in characters) may run on to the next page
    # rather than leave most of a page blank; a shorter one is kept whole (templates/pdf/base.html).
    SPLIT_AFTER = 600
    FOLD_AFTER = 300  # a response this long, given to several recommendations, is printed once

    @property
    def assurance_words(self):
        """The response's assurance in words, under its status: for a response reported done (complete
        or ongoing), or one with any assurance step; "" for the rest."""
        response = self.response
        if response is None or not (response.assurance or response.status in ASSURABLE_STATUSES):
            return ""
        return response.assurance_phrase

    @property
    def may_split(self):
        text = (self.part.text if self.part else self.recommendation.text) + (
            self.response.text if self.response else ""
        )
        return self.show_parts or len(text) > self.SPLIT_AFTER


@dataclass
class CommitmentStanding:
    """A line of Appendix 2: a commitment, the recommendations it answers (and whether a source says so
    or the link is inferred), and the council's standing on them."""

    commitment: Commitment
    past_due: bool
    recommendation_numbers: list[int]
    standing: list[str]
    stated: list[int] = field(default_factory=list)
    inferred: list[int] = field(default_factory=list)
    same_as_above: bool = False  # answers the same recommendations as the commitment above it

    @property
    def may_split(self):
        """A long line of Appendix 2 (a commitment answering many recommendations) may run on to the
        next page rather than leave most of this one blank."""
        return len(self.standing) > 8 or len(self.commitment.text) > AppendixRow.SPLIT_AFTER

    @property
    def links_line(self):
        """ "Stated in a source: 6, 7. Inferred: 39." """
        parts = []
        if self.stated:
            parts.append(f"Stated in a source: {', '.join(map(str, self.stated))}.")
        if self.inferred:
            parts.append(f"Inferred: {', '.join(map(str, self.inferred))}.")
        return " ".join(parts)


@dataclass
class Previous:
    """The last report to the same body before this one: one issued from the tracker (its snapshot holds
    what it told the meeting) or a meeting already on record from the council's documents (its figures
    rebuilt from the timeline as at its date)."""

    meeting: Meeting | None
    report: CabinetReport | None = None
    day: datetime.date | None = None  # the day its figures describe; None where that is not known

    @property
    def meeting_words(self):
        """ "Darlington Cabinet, 28 April 2009", or "Darlington Cabinet of May 2009 (not dated)"."""
        if self.meeting.date is None and self.day is not None:
            where = f"{self.meeting.authority.short_name} {self.meeting.get_kind_display()}"
            return f"{where} of {self.day:%B %Y} (not dated)"
        return str(self.meeting)

    def __str__(self):
        """ "the report to the Darlington Cabinet, 28 April 2009 (The Laming Report, ...)" """
        if self.report is not None:
            meeting = f" to the {self.report.meeting}," if self.report.meeting else ""
            return f"the report{meeting} issued on {issued_on(self.report)}"
        if self.meeting.date is None and self.day is not None:
            where = f"{self.meeting.authority.short_name} {self.meeting.get_kind_display()}"
            title = self.meeting.report_title
            return f"the report to the {where} of {self.day:%B %Y}, which is not dated ({title})"
        return f"the report to the {self.meeting} ({self.meeting.report_title})"


@dataclass
class Change:
    label: str
    details: list[str]

    def __str__(self):
        return f"{self.label}: {'; '.join(self.details)}."


@dataclass
class ReportContent:
    """Everything a Cabinet report shows, gathered once and rendered by the PDF and the preview alike."""

    report: CabinetReport
    authority: Authority
    meeting: Meeting | None
    as_at: datetime.date
    summary_sections: list[Section]
    main_sections: list[Section]
    outcome_section: Section
    implications: list[dict]
    themes: list[ThemeProgress]
    totals: ThemeProgress
    appendix: list[tuple[object, list[AppendixRow]]]
    commitment_groups: list[tuple[str, list[CommitmentStanding]]]
    previous: Previous | None
    changes: list[Change] | None
    responses: list[LocalResponse]
    draft: bool
    unlisted: list[Recommendation] = field(default_factory=list)  # left out of Appendix 1: no response
    warnings: list[str] = field(default_factory=list)  # for the clerk, never printed in the report

    @property
    def delivery_headings(self):
        return [heading for heading, _ in DELIVERY_COLUMNS]

    @property
    def appendix_1_intro(self):
        name = self.authority.short_name
        which = (
            f"The recommendations of {LAMING_REPORT} that {name} has responded to"
            if self.unlisted
            else f"Every recommendation of {LAMING_REPORT}"
        )
        return (
            f"{which}, by theme, each followed by {name}'s local response as at {format_date(self.as_at)}, "
            f"its delivery status (with, where the work is reported done, whether the LSCB chair has assured "
            f"it), RAG rating, lead officer and target date. Where {name} answers a "
            "recommendation part by part, each part is listed."
        )

    @property
    def unlisted_paragraph(self):
        """The recommendations left out of Appendix 1, named in one paragraph ("" when none is)."""
        if not self.unlisted:
            return ""
        count = len(self.unlisted)
        # A council that has only just joined has answered none: "any of the 58", not "the other 58".
        which = "the other" if self.appendix else "any of the"
        return (
            f"{self.authority.short_name} has not yet recorded a response to {which} "
            f"{plural(count, 'recommendation')}: "
            + "; ".join(rec.numbered_title for rec in self.unlisted)
            + "."
        )

    @property
    def appendix_2_intro(self):
        return (
            "The Government's Immediate Response (March 2009), its Action Plan (May 2009, sections (a) to "
            "(d)) and the revision of Working Together, with each commitment's due date as the Government "
            f"worded it, whether that date had passed on {format_date(self.as_at)}, the recommendations it "
            "answers (whether a source states the link or it is inferred from the texts) and "
            f"{self.authority.short_name}'s delivery status on them."
        )

    @property
    def meeting_line(self):
        if not self.meeting:
            return ""
        when = format_date(self.meeting.date) or self.meeting.date_wording
        return f"Report to {self.meeting.get_kind_display()}" + (f", {when}" if when else "")


class Numbering:
    """Paragraph numbers that run on through the report."""

    def __init__(self):
        self.number = 0

    def __call__(self, text, **kwargs):
        self.number += 1
        return Paragraph(self.number, text, **kwargs)


# Reading the records


def report_as_at(report: CabinetReport) -> datetime.date:
    """The day a report's figures describe: the clerk's choice, else the meeting's date, and never a day
    still to come (nothing is known of it yet)."""
    today = timezone.localdate()
    meeting_day = report.meeting.date if report.meeting_id and report.meeting else None
    return min(report.as_at or meeting_day or today, today)


def clerk_warnings(report: CabinetReport, as_at: datetime.date) -> list[str]:
    """What a clerk should know before sending the report: the meeting has been held, or the figures
    describe a day after it."""
    warnings = []
    meeting = report.meeting if report.meeting_id else None
    if meeting is not None and meeting.date is not None and not report.is_issued:
        if meeting.date < timezone.localdate():
            warnings.append(f"The meeting on {format_date(meeting.date)} has already taken place.")
        if as_at > meeting.date:
            warnings.append(
                f"The figures are as at {format_date(as_at)}, "
                f"after the meeting on {format_date(meeting.date)}."
            )
    return warnings


def build_report(report: CabinetReport, *, as_at: datetime.date | None = None) -> ReportContent:
    """Gather everything `report` shows from the council's records as they stood on its as-at date
    (report_as_at: the meeting's date unless the clerk chose another; rebuilt from the timeline for a
    day gone by).

    Queries: the council's responses (two, as at a past day), recommendations with themes, their parts,
    commitments, their links, and the previous report or meeting (for "changes since"); the council
    and meeting come with the report.
    """
    authority = report.authority
    as_at = as_at or report_as_at(report)
    recommendations = list(Recommendation.objects.for_list())
    by_id = {rec.pk: rec for rec in recommendations}
    responses = LocalResponse.objects.for_authority_as_at(authority, as_at)
    by_recommendation = {}
    for response in responses:
        response.recommendation = by_id[response.recommendation_id]  # no query per response
        by_recommendation.setdefault(response.recommendation_id, []).append(response)

    themes = [
        theme_progress(theme, list(recs), by_recommendation)
        for theme, recs in groupby(recommendations, key=lambda rec: rec.theme)
    ]
    totals = theme_progress(None, recommendations, by_recommendation)

    previous = previous_report(report, as_at)
    changes = None
    if report.include_changes and previous is not None:
        changes = changes_since(previous, authority, responses)

    numbering = Numbering()
    summary_sections = summary_report(report, numbering)
    main_sections = main_report(report, authority, themes, totals, previous, changes, numbering)
    outcome = Section(
        "Outcome of Consultation",
        [numbering(text) for text in paragraphs_of(report.outcome_of_consultation)],
        "outcome-of-consultation",
    )
    listed = (
        recommendations
        if report.list_all_recommendations
        else [rec for rec in recommendations if rec.pk in by_recommendation]
    )
    return ReportContent(
        report=report,
        authority=authority,
        meeting=report.meeting,
        as_at=as_at,
        summary_sections=summary_sections,
        main_sections=main_sections,
        outcome_section=outcome,
        implications=report.implications,
        themes=themes,
        totals=totals,
        appendix=appendix(themes, by_recommendation, listed),
        commitment_groups=commitment_standings(by_recommendation, as_at),
        previous=previous,
        changes=changes,
        responses=responses,
        draft=not report.is_issued,
        unlisted=[rec for rec in recommendations if rec not in listed],
        warnings=clerk_warnings(report, as_at),
    )


# The last report to the same body


def meeting_day(meeting: Meeting) -> datetime.date | None:
    """The day a meeting's report describes: its date, or for an undated meeting on record, the day the
    reference data places the council's document that went to it (its responses were taken from it)."""
    if meeting.date is not None:
        return meeting.date
    if not meeting.source_document:
        return None
    return (
        ProgressUpdate.objects.filter(
            response__authority_id=meeting.authority_id, source_document=meeting.source_document
        )
        .annotate(day=TruncDate("created_at"))
        .aggregate(latest=Max("day"))["latest"]
    )


def previous_report(report: CabinetReport, as_at: datetime.date) -> Previous | None:
    """The last report to the same body (Cabinet, say) before this one: the latest of the council's
    reports issued from the tracker and its meetings on record that took a report, before this report's
    meeting (or its as-at date, without one)."""
    meeting = report.meeting if report.meeting_id else None
    kind = meeting.kind if meeting else Meeting.Kind.CABINET
    before = (meeting_day(meeting) if meeting else None) or as_at
    candidates = []
    issued = CabinetReport.objects.defer("pdf", "docx").last_issued_before(report)
    if issued is not None and (issued.meeting is None or issued.meeting.kind == kind):
        snapshot_day = (issued.snapshot or {}).get("as_at")
        day = datetime.date.fromisoformat(snapshot_day) if snapshot_day else issued.issued_at.date()
        candidates.append((day, 1, Previous(meeting=issued.meeting, report=issued, day=day)))
    # Meetings on record: from the council's own documents (a source is named), a report went to them
    # outside the tracker. A meeting made in the tracker for a draft is not one.
    on_record = (
        Meeting.objects.filter(authority_id=report.authority_id, kind=kind)
        .exclude(report_title="")
        .exclude(source_document="")
        .exclude(cabinet_reports__status=CabinetReport.Status.ISSUED)
        .select_related("authority")
    )
    if meeting is not None:
        on_record = on_record.exclude(pk=meeting.pk)
    for earlier in on_record:
        day = meeting_day(earlier)
        if day is not None and day < before:
            candidates.append((day, 0, Previous(meeting=earlier, day=day)))
    if not candidates:
        return None
    return max(candidates, key=lambda candidate: candidate[:2])[2]


def changes_since(previous: Previous, authority: Authority, responses) -> list[Change]:
    """What changed in the council's responses since the previous report: against what an issued report
    recorded, or against the responses as they stood on a recorded meeting's day."""
    if previous.report is not None:
        return changes_between(previous.report.snapshot or {}, responses)
    earlier = LocalResponse.objects.for_authority_as_at(authority, previous.day)
    return changes_between(
        {"responses": {response_key(r): snapshot_of_response(r) for r in earlier}}, responses
    )


def theme_progress(theme, recommendations, by_recommendation):
    responses = [response for rec in recommendations for response in by_recommendation.get(rec.pk, [])]
    return ThemeProgress(
        theme=theme,
        recommendations=recommendations,
        responses=responses,
        answered=sum(1 for rec in recommendations if rec.pk in by_recommendation),
        status_counts=Counter(response.status for response in responses),
        rag_counts=Counter(response.rag for response in responses),
        overdue=[response for response in responses if response.is_overdue],
    )


def appendix(themes, by_recommendation, listed):
    """Appendix 1 by theme: the `listed` recommendations (those the council answered, or all 58 where the
    clerk chose), and each part where the council answers by parts; a theme with none listed is left
    out. A council answers a recommendation as a whole or part by part, as the response page shows it.
    """
    listed = {rec.pk for rec in listed}
    sections = []
    for progress in themes:
        rows = []
        for rec in progress.recommendations:
            if rec.pk not in listed:
                continue
            answers = {response.part_id: response for response in by_recommendation.get(rec.pk, [])}
            parts = list(rec.parts.all())
            layout = answer_layout(parts, answers)
            if layout[0][0] is not None:
                # Answered part by part: the words before the parts stand alone above them.
                rows.append(AppendixRow(str(rec.number), rec, stem_only=True))
            for part, response in layout:
                if part is None:
                    rows.append(AppendixRow(str(rec.number), rec, response=response, show_parts=bool(parts)))
                else:
                    rows.append(AppendixRow(f"{rec.number}({part.letter})", rec, part, response))
        if rows:
            sections.append((progress.theme, rows))
    # A council that gave one long answer to several recommendations (Stockton's record answers 44 and
    # 51 to 53 in one paragraph) has its words printed once; the later rows point back to them. A short
    # answer ("This is a matter for Ofsted.") is cheaper to repeat than to look up.
    first_with = {}
    for _, rows in sections:
        for row in rows:
            if row.response is not None and len(row.response.text.strip()) > AppendixRow.FOLD_AFTER:
                row.same_response_as = first_with.setdefault(row.response.text.strip(), row.label)
                if row.same_response_as == row.label:
                    row.same_response_as = ""
    return sections


def standing_on(rec, responses):
    """The council's statuses on one recommendation, as a line of Appendix 2."""
    if not responses:
        return f"{rec.numbered_title}: No response recorded"
    counts = Counter(response.status for response in responses)
    by_parts = any(response.part_id for response in responses)
    if len(counts) == 1:
        status, count = counts.most_common(1)[0]
        suffix = f" ({plural(count, 'part')})" if by_parts else ""
        return f"{rec.numbered_title}: {Status(status).label}{suffix}"
    ordered = ", ".join(f"{Status(status).label} ({counts[status]})" for status in Status if status in counts)
    return f"{rec.numbered_title}: {ordered}"


def standing_lines(recs, by_recommendation):
    """Appendix 2's standing column: a line for each recommendation the council has answered, then
    those it has not in one line, so a commitment answering seventeen does not run to seventeen lines
    of "No response recorded"."""
    answered = [standing_on(rec, by_recommendation[rec.pk]) for rec in recs if by_recommendation.get(rec.pk)]
    unanswered = [str(rec.number) for rec in recs if not by_recommendation.get(rec.pk)]
    if unanswered:
        answered.append(f"No response recorded: {', '.join(unanswered)}")
    return answered


def commitment_standings(by_recommendation, as_at):
    """Appendix 2: the Government's commitments in the order made, each with the council's standing on
    the recommendations it answers; a list of recommendations shared with the commitment above is
    given once."""
    groups = []
    for heading, commitments in groupby(Commitment.objects.for_list(), key=Commitment.group_heading):
        items = []
        for commitment in commitments:
            links = list(commitment.links.all())
            recs = [link.recommendation for link in links]
            numbers = [rec.number for rec in recs]
            items.append(
                CommitmentStanding(
                    commitment=commitment,
                    past_due=commitment.is_past_due_on(as_at),
                    recommendation_numbers=numbers,
                    standing=standing_lines(recs, by_recommendation),
                    stated=[link.recommendation.number for link in links if link.basis == "stated"],
                    inferred=[link.recommendation.number for link in links if link.basis != "stated"],
                    same_as_above=bool(numbers)
                    and bool(items)
                    and items[-1].recommendation_numbers == numbers,
                )
            )
        groups.append((heading, items))
    return groups


# The narrative, numbered


def summary_report(report, numbering):
    sections = [
        Section("Purpose of the Report", [numbering(t) for t in paragraphs_of(report.purpose)], "purpose"),
        Section("Background", [numbering(t) for t in paragraphs_of(report.background)], "background"),
        Section("Summary", [numbering(t) for t in paragraphs_of(report.summary)], "summary"),
    ]
    lines = report.recommendation_lines()
    recommendations = [numbering("It is recommended that:-", lettered_items=lettered(lines))] if lines else []
    sections.append(Section("Recommendations", recommendations, "recommendations"))
    return sections


def main_report(report, authority, themes, totals, previous, changes, numbering):
    """The main report: the council's own account first, in its words, then the progress summary in
    prose ("the Council", recommendations by number and short title), then the clerk's own further
    paragraphs."""
    name = authority.short_name
    sections = []
    own_account = narrative(report.council_narrative, numbering)
    if own_account:
        sections.append(Section(f"Implications for {name}", own_account, "own-account"))

    total_recs = len(totals.recommendations)
    unanswered = total_recs - totals.answered
    by_parts = sorted({r.recommendation.number for r in totals.responses if r.part_id})
    opening = (
        f"The Council has recorded {plural(len(totals.responses), 'response')} covering "
        f"{totals.answered} of the {total_recs} recommendations"
        + (
            f"; {plural(unanswered, 'recommendation has', 'recommendations have')} no response recorded yet."
            if unanswered
            else "."
        )
        + (
            f" It answers recommendation{'s' if len(by_parts) > 1 else ''} "
            f"{', '.join(map(str, by_parts))} part by part."
            if by_parts
            else ""
        )
    )
    undated = [r for r in totals.responses if r.rests_on_undated_source]
    if undated:
        opening += (
            f" {plural(len(undated), 'of these responses is', 'of these responses are')} taken from "
            "a document of the Council's that gives no date, and counted from the earliest date it can "
            "have been written."
        )
    progress = [numbering(opening + " By theme, in the order of Lord Laming's report:")]
    for theme in themes:
        progress.append(numbering(theme_sentence(theme)))

    overdue = totals.overdue
    if overdue:
        overdue_paragraph = numbering(
            f"{plural(len(overdue), 'response is', 'responses are')} past "
            f"{'its' if len(overdue) == 1 else 'their'} target date and not yet complete:",
            items=[
                f"{r.numbered_title}: target date {format_date(r.target_date)}; {STATUS_PHRASES[r.status]}"
                + (f"; lead officer {r.lead_officer}" if r.lead_officer else "")
                for r in overdue
            ],
        )
    else:
        overdue_paragraph = numbering("No response is past its target date.")

    awaiting = [r for r in totals.responses if r.status == Status.AWAITING_NATIONAL]
    if awaiting:
        awaiting_paragraph = numbering(
            f"{plural(len(awaiting), 'response awaits', 'responses await')} national guidance or action, "
            "so the next step is the Government's (Appendix 2 shows its commitments and their dates):",
            items=[r.numbered_title for r in awaiting],
        )
    else:
        awaiting_paragraph = numbering("No response is waiting for national guidance or action.")

    sections += [
        Section("Progress by theme", progress, "progress-by-theme"),
        Section("What is overdue", [overdue_paragraph], "overdue"),
        Section("What awaits national guidance", [awaiting_paragraph], "awaiting-national-guidance"),
        Section(
            "Assurance by the LSCB chair", assurance_paragraphs(totals.responses, numbering), "assurance"
        ),
    ]
    if report.include_changes:
        sections.append(
            Section(
                "Changes since the last report",
                changes_paragraphs(report, previous, changes, numbering),
                "changes",
            )
        )
    further = paragraphs_of(report.further_information)
    if further:
        sections.append(
            Section("Further information and analysis", [numbering(t) for t in further], "further")
        )
    return sections


def theme_sentence(theme):
    """One theme's progress as a member reads it: how much is answered, how it stands, what is late."""
    recs = len(theme.recommendations)
    text = f"{theme.theme.name} (recommendations {theme.first} to {theme.last}): "
    if not theme.responses:
        return text + f"the Council has not yet recorded a response to any of the {recs} recommendations."
    text += (
        f"the Council has responded to {theme.answered} of the {recs} recommendations, in "
        f"{plural(len(theme.responses), 'response')}: {counted(theme.status_counts, STATUS_PHRASES)}. "
    )
    rated = {rag: count for rag, count in theme.rag_counts.items() if rag}
    if rated:
        text += (
            "RAG ratings: " + counted(Counter(rated), {rag: rag.label.lower() for rag in Rag if rag}) + "."
        )
    else:
        text += "None is RAG rated."
    overdue = theme.overdue
    if overdue:
        text += f" Past its target date: {', '.join(r.numbered_title for r in overdue)}."
    else:
        text += " None is past its target date."
    return text


def changes_paragraphs(report, previous, changes, numbering):
    body = report.meeting.get_kind_display() if report.meeting_id and report.meeting else "Cabinet"
    if previous is None:
        return [
            numbering(
                f"This is the first report to {body} on the Laming recommendations that the tracker knows "
                "of, so there is no earlier report to compare with."
            )
        ]
    if changes is None:
        return [numbering(f"This report follows {previous}.")]
    if not changes:
        return [numbering(f"Nothing in the Council's responses has changed since {previous}.")]
    return [
        numbering(
            f"Since {previous}, {plural(len(changes), 'response has', 'responses have')} changed:",
            items=[str(change) for change in changes],
        )
    ]


# Changes since the last issued report


def response_key(response):
    return short_label(response)


def snapshot_of_response(response):
    return {
        "recommendation": response.recommendation.number,
        "part": response.part.letter if response.part_id else None,
        "text": response.text,
        "status": response.status,
        "rag": response.rag,
        "lead_officer": response.lead_officer,
        "target_date": response.target_date.isoformat() if response.target_date else None,
        "version": response.version,
        "updated_at": response.updated_at.isoformat() if response.updated_at else None,
    }


def changes_between(snapshot, responses):
    """What changed in the council's responses since an issued report's snapshot, in report order."""
    before = snapshot.get("responses", {})
    changes = []
    seen = set()
    for response in responses:
        key = response_key(response)
        seen.add(key)
        old = before.get(key)
        label = response.numbered_title
        if old is None:
            changes.append(
                Change(label, [f"response recorded for the first time ({STATUS_PHRASES[response.status]})"])
            )
            continue
        details = []
        if old["status"] != response.status:
            details.append(f"status from {Status(old['status']).label} to {Status(response.status).label}")
        if old["rag"] != response.rag:
            details.append(f"RAG from {Rag(old['rag']).label} to {Rag(response.rag).label}")
        new_target = response.target_date.isoformat() if response.target_date else None
        if old["target_date"] != new_target:
            was = (
                format_date(datetime.date.fromisoformat(old["target_date"])) if old["target_date"] else "none"
            )
            details.append(f"target date from {was} to {format_date(response.target_date) or 'none'}")
        if old["lead_officer"] != response.lead_officer:
            details.append(f"lead officer now {response.lead_officer or 'not named'}")
        if old["text"] != response.text:
            details.append("response text revised")
        if details:
            changes.append(Change(label, details))
    for key in before.keys() - seen:
        changes.append(Change(key, ["response no longer recorded"]))
    return changes


def json_value(value):
    return value.isoformat() if isinstance(value, datetime.date) else value


def snapshot(content: ReportContent) -> dict:
    """The data an issued report was built from: what the next report compares with."""
    report = content.report
    previous = content.previous if report.include_changes else None  # what it was compared with
    return {
        "format": SNAPSHOT_FORMAT,
        "as_at": content.as_at.isoformat(),
        "authority": {"slug": content.authority.slug, "name": content.authority.name},
        "meeting": str(content.meeting) if content.meeting else None,
        "compared_with": previous.report.pk if previous and previous.report else None,
        "compared_with_meeting": previous.meeting.pk if previous and previous.meeting else None,
        "narrative": {
            name: json_value(getattr(report, name))
            for name in (*CabinetReport.NARRATIVE_FIELDS, "implications")
        },
        "responses": {
            response_key(response): snapshot_of_response(response) for response in content.responses
        },
        "commitments": [
            {
                "id": item.commitment.pk,
                "due_wording": item.commitment.due_wording,
                "due_date": item.commitment.due_date.isoformat() if item.commitment.due_date else None,
                "past_due": item.past_due,
                "standing": item.standing,
            }
            for _, items in content.commitment_groups
            for item in items
        ],
    }


# Defaults for a new report


def default_implications(authority):
    """The council's own implications rows, or the standard headings empty for the clerk to fill in."""
    rows = list(authority.implication_rows.all())
    if rows:
        return [{"heading": row.heading, "text": row.text} for row in rows]
    return [{"heading": heading, "text": ""} for heading in STANDARD_IMPLICATION_HEADINGS]


def default_report(authority: Authority, *, meeting: Meeting | None = None) -> CabinetReport:
    """An unsaved report with the narrative prefilled from the council's records.

    Only what the records say is filled in: the director and contact officer as the council
    recorded them, its implications rows, the facts of the Laming report from the seeds. What only
    the council can say (an implications row it has not written, a director it has not named) is
    left empty, and the report cannot be issued until someone fills it in.
    """
    report = CabinetReport(authority=authority, meeting=meeting, title=DEFAULT_TITLE)
    previous = previous_report(report, report_as_at(report))
    name = authority.short_name
    purpose = (
        f"This report updates Members on {name}'s response to the 58 recommendations of Lord Laming's "
        "report The Protection of Children in England: A Progress Report (March 2009), and on the "
        "Government's commitments in answer to it."
    )
    if previous is not None:
        purpose += f" It follows {previous}."
    report.purpose = purpose
    report.background = "\n\n".join(
        [
            # The seeds name the child only as 'Baby Peter': reporting restrictions applied to his name
            # until August 2009, after these meetings.
            "In November 2008, following the death of 'Baby Peter' in Haringey, Lord Laming "
            "was asked by the Secretary of State to report on 'progress across the country in implementing "
            "effective arrangements for safeguarding children'.",
            "Lord Laming reported on 12 March 2009 and made 58 recommendations. The Government accepted all "
            "of them the same day and made an immediate response, followed by a detailed Action Plan "
            "published in May 2009.",
            "Appendix 1 sets out each recommendation the Council has responded to, with its local "
            "response, delivery status, RAG rating, lead officer and target date. Appendix 2 sets out the "
            "Government's commitments, when each was due, and where the Council stands on the "
            "recommendations each answers.",
        ]
    )
    report.summary = (
        "The report summarises the Council's progress on each of the report's seven themes, what is "
        "overdue, what awaits national guidance"
        + (", and what has changed since the last report." if previous else ".")
    )
    report.recommendations_to_members = "\n".join(
        [
            "The report be noted;",
            "Members receive a further report on the recommendations that remain outstanding.",
        ]
    )
    report.director_name = authority.director_name
    report.director_title = authority.director_title
    report.contact_officer = authority.contact_officer
    report.contact_details = authority.contact_details
    papers = [
        "Lord Laming, The Protection of Children in England: A Progress Report (HC 330), March 2009",
        "HM Government, The Protection of Children in England: Action Plan (Cm 7589), May 2009",
    ]
    if previous is not None and previous.report is not None:
        papers.append(f"{previous.report.title}, issued {issued_on(previous.report)}")
    elif previous is not None:
        papers.append(f"{previous.meeting.report_title}, report to the {previous.meeting_words}")
    report.background_papers = "\n".join(papers)
    report.implications = default_implications(authority)
    report.council_narrative = authority.own_account
    report.outcome_of_consultation = "Not applicable."
    return report
