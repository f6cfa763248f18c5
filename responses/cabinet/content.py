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

from django.utils import timezone

from authorities.models import STANDARD_IMPLICATION_HEADINGS, Authority, CabinetReport, Meeting, lettered
from recommendations.models import Commitment, Recommendation

from ..models import LocalResponse, Rag, Status, answer_layout

SNAPSHOT_FORMAT = 1
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


@dataclass
class CommitmentStanding:
    commitment: Commitment
    past_due: bool
    recommendation_numbers: list[int]
    standing: list[str]


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
    previous: CabinetReport | None
    changes: list[Change] | None
    responses: list[LocalResponse]
    draft: bool

    @property
    def delivery_headings(self):
        return [heading for heading, _ in DELIVERY_COLUMNS]

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


def build_report(report: CabinetReport, *, as_at: datetime.date | None = None) -> ReportContent:
    """Gather everything `report` shows from the council's records as they stand now.

    Queries: the council's responses, recommendations with themes, their parts, commitments, their
    links with recommendations, and the last issued report (for "changes since"), six in all; the
    council and meeting come with the report.
    """
    authority = report.authority
    as_at = as_at or timezone.localdate()
    recommendations = list(Recommendation.objects.for_list())
    by_id = {rec.pk: rec for rec in recommendations}
    responses = list(LocalResponse.objects.for_authority(authority))
    by_recommendation = {}
    for response in responses:
        response.recommendation = by_id[response.recommendation_id]  # no query per response
        by_recommendation.setdefault(response.recommendation_id, []).append(response)

    themes = [
        theme_progress(theme, list(recs), by_recommendation)
        for theme, recs in groupby(recommendations, key=lambda rec: rec.theme)
    ]
    totals = theme_progress(None, recommendations, by_recommendation)

    previous = None
    changes = None
    if report.include_changes:
        if report.is_issued:
            previous = report.compared_with
        else:
            previous = CabinetReport.objects.defer("pdf").last_issued_before(report)
        if previous is not None:
            changes = changes_between(previous.snapshot or {}, responses)

    numbering = Numbering()
    summary_sections = summary_report(report, numbering)
    main_sections = main_report(report, authority, themes, totals, previous, changes, numbering)
    outcome = Section(
        "Outcome of Consultation",
        [numbering(text) for text in paragraphs_of(report.outcome_of_consultation)],
        "outcome-of-consultation",
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
        appendix=appendix(themes, by_recommendation),
        commitment_groups=commitment_standings(by_recommendation),
        previous=previous,
        changes=changes,
        responses=responses,
        draft=not report.is_issued,
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


def appendix(themes, by_recommendation):
    """Appendix 1 by theme: every recommendation, and each part where the council answers by parts.

    A council answers a recommendation as a whole or part by part, as the response page shows it.
    """
    sections = []
    for progress in themes:
        rows = []
        for rec in progress.recommendations:
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
        sections.append((progress.theme, rows))
    return sections


def standing_on(rec, responses):
    """The council's statuses on one recommendation, as a line of Appendix 2."""
    if not responses:
        return f"{rec.number}: No response recorded"
    counts = Counter(response.status for response in responses)
    by_parts = any(response.part_id for response in responses)
    if len(counts) == 1:
        status, count = counts.most_common(1)[0]
        suffix = f" ({plural(count, 'part')})" if by_parts else ""
        return f"{rec.number}: {Status(status).label}{suffix}"
    ordered = ", ".join(f"{Status(status).label} ({counts[status]})" for status in Status if status in counts)
    return f"{rec.number}: {ordered}"


def commitment_standings(by_recommendation):
    """Appendix 2: the Government's commitments in the order made, each with the council's standing."""
    groups = []
    for heading, commitments in groupby(Commitment.objects.for_list(), key=Commitment.group_heading):
        items = []
        for commitment in commitments:
            recs = [link.recommendation for link in commitment.links.all()]
            items.append(
                CommitmentStanding(
                    commitment=commitment,
                    past_due=commitment.is_past_due,
                    recommendation_numbers=[rec.number for rec in recs],
                    standing=[standing_on(rec, by_recommendation.get(rec.pk, [])) for rec in recs],
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
    name = authority.short_name
    total_recs = len(totals.recommendations)
    unanswered = total_recs - totals.answered
    by_parts = sorted({r.recommendation.number for r in totals.responses if r.part_id})
    progress = [
        numbering(
            f"{name} has recorded {plural(len(totals.responses), 'response')} covering "
            f"{totals.answered} of the {total_recs} recommendations"
            + (
                f"; {plural(unanswered, 'recommendation has', 'recommendations have')} no response recorded."
                if unanswered
                else "."
            )
            + (
                f" It answers recommendation{'s' if len(by_parts) > 1 else ''} "
                f"{', '.join(map(str, by_parts))} part by part."
                if by_parts
                else ""
            )
            + " By theme, in the order of Lord Laming's report:"
        )
    ]
    for theme in themes:
        progress.append(numbering(theme_sentence(theme)))

    overdue = totals.overdue
    if overdue:
        overdue_paragraph = numbering(
            f"{plural(len(overdue), 'response is', 'responses are')} past "
            f"{'its' if len(overdue) == 1 else 'their'} target date and not yet complete:",
            items=[
                f"{short_label(r)}: target date {format_date(r.target_date)}; {STATUS_PHRASES[r.status]}"
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
            "so the next step is the Government's (Appendix 2 shows its commitments and their dates): "
            f"{', '.join(short_label(r) for r in awaiting)}."
        )
    else:
        awaiting_paragraph = numbering("No response is waiting for national guidance or action.")

    sections = [
        Section("Progress by theme", progress, "progress-by-theme"),
        Section("What is overdue", [overdue_paragraph], "overdue"),
        Section("What awaits national guidance", [awaiting_paragraph], "awaiting-national-guidance"),
    ]
    if report.include_changes:
        sections.append(
            Section(
                "Changes since the last issued report",
                changes_paragraphs(name, previous, changes, numbering),
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
    recs = len(theme.recommendations)
    text = (
        f"{theme.theme.name} (recommendations {theme.first} to {theme.last}): "
        f"{theme.answered} of {recs} recommendations answered"
    )
    if theme.responses:
        text += f", in {plural(len(theme.responses), 'response')}. Delivery status: "
        text += counted(theme.status_counts, STATUS_PHRASES) + ". RAG: "
        text += counted(theme.rag_counts, {rag: rag.label if rag else "not rated" for rag in Rag}) + "."
        text += f" Overdue: {len(theme.overdue) or 'none'}."
    else:
        text += "."
    return text


def changes_paragraphs(name, previous, changes, numbering):
    if previous is None:
        return [
            numbering(
                f"This is the first report on the Laming recommendations issued from the tracker for {name}, "
                "so there is no earlier report to compare with."
            )
        ]
    when = issued_on(previous)
    meeting = f" for the {previous.meeting}" if previous.meeting else ""
    if not changes:
        return [
            numbering(
                f"Nothing in {name}'s responses has changed since the report issued on {when}{meeting}."
            )
        ]
    return [
        numbering(
            f"Since the report issued on {when}{meeting}, "
            f"{plural(len(changes), 'response has', 'responses have')} changed:",
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
        if old is None:
            changes.append(
                Change(key, [f"response recorded for the first time ({STATUS_PHRASES[response.status]})"])
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
            changes.append(Change(key, details))
    for key in before.keys() - seen:
        changes.append(Change(key, ["response no longer recorded"]))
    return changes


def json_value(value):
    return value.isoformat() if isinstance(value, datetime.date) else value


def snapshot(content: ReportContent) -> dict:
    """The data an issued report was built from: what the next report compares with."""
    report = content.report
    return {
        "format": SNAPSHOT_FORMAT,
        "as_at": content.as_at.isoformat(),
        "authority": {"slug": content.authority.slug, "name": content.authority.name},
        "meeting": str(content.meeting) if content.meeting else None,
        "compared_with": content.previous.pk if content.previous else None,
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
    previous = CabinetReport.objects.without_pdf().last_issued_before(report)
    name = authority.short_name
    purpose = (
        f"This report updates Members on {name}'s response to the 58 recommendations of Lord Laming's "
        "report The Protection of Children in England: A Progress Report (March 2009), and on the "
        "Government's commitments in answer to it."
    )
    if previous is not None:
        earlier = f"to the {previous.meeting}" if previous.meeting else f"issued {issued_on(previous)}"
        purpose += f" It follows the report {earlier}."
    report.purpose = purpose
    report.background = "\n\n".join(
        [
            "In November 2008, following the death of Peter Connelly ('Baby Peter') in Haringey, Lord Laming "
            "was asked by the Secretary of State to report on 'progress across the country in implementing "
            "effective arrangements for safeguarding children'.",
            "Lord Laming reported on 12 March 2009 and made 58 recommendations. The Government accepted all "
            "of them the same day and made an immediate response, followed by a detailed Action Plan "
            "published in May 2009.",
            f"Appendix 1 sets out every recommendation with {name}'s local response, its delivery status, "
            "RAG rating, lead officer and target date. Appendix 2 sets out the Government's commitments, "
            f"when each was due, and where {name} stands on the recommendations each answers.",
        ]
    )
    report.summary = (
        f"The report summarises {name}'s progress on each of the report's seven themes, what is overdue, "
        "what awaits national guidance"
        + (", and what has changed since the last report issued." if previous else ".")
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
    if previous is not None:
        papers.append(f"{previous.title}, issued {issued_on(previous)}")
    report.background_papers = "\n".join(papers)
    report.implications = default_implications(authority)
    report.outcome_of_consultation = "Not applicable."
    return report
