"""What a Cabinet report says of assurance: how many of the responses the council reports done (complete
or ongoing) its LSCB chair has assured, and which await the chair, with when each was asked for.

Counts and recommendation titles only: never a statement, a chair's comment or an evidence document's
title (an OFFICIAL-SENSITIVE one must never reach a report, and an OFFICIAL one need not).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from ..dashboards import AssuranceSummary, assurance_summary
from ..models import ASSURABLE_STATUSES, Assurance, LocalResponse


def _plural(count, singular, plural_form):
    return f"{count} {singular if count == 1 else plural_form}"


def _day(moment) -> str:
    return f"{timezone.localtime(moment):%-d %B %Y}" if moment else "a date not recorded"


# The one response reported done, as the sentence says it.
ONE = {
    Assurance.NOT_REQUESTED: "it has not yet been put to the LSCB chair for assurance",
    Assurance.REQUESTED: "it awaits assurance by the LSCB chair",
    Assurance.ASSURED: "it has been assured by the LSCB chair",
    Assurance.CHANGES_REQUESTED: "the LSCB chair has asked for changes to it",
    Assurance.OUT_OF_DATE: (
        "it was assured by the LSCB chair but has changed since, so its assurance is out of date"
    ),
}


@dataclass
class AssuranceStanding:
    """The council's complete or ongoing responses by assurance, as at the report's date (the council
    dashboard's AssuranceSummary), and those awaiting the chair in report order."""

    summary: AssuranceSummary
    awaiting: list[LocalResponse]

    @classmethod
    def of(cls, responses) -> AssuranceStanding:
        done = [response for response in responses if response.status in ASSURABLE_STATUSES]
        return cls(
            summary=assurance_summary(done),
            awaiting=[response for response in done if response.assurance == Assurance.REQUESTED],
        )

    @property
    def total(self):
        return self.summary.total

    def count(self, state):
        return self.summary.count(state)

    def sentence(self) -> str:
        """ "Of the 12 responses the Council reports complete or ongoing, 5 have been assured by the LSCB
        chair; 3 await assurance." with, where there are any, those the chair sent back, those whose
        assurance is out of date and those not yet put to the chair."""
        if not self.total:
            return (
                "The Council reports no response complete or ongoing, so none has yet been put to the "
                "LSCB chair for assurance."
            )
        if self.total == 1:
            (state,) = (state for state, count in self.summary.rows if count)
            return f"The Council reports 1 response complete or ongoing: {ONE[state]}."
        assured, awaiting = self.count(Assurance.ASSURED), self.count(Assurance.REQUESTED)
        text = (
            f"Of the {self.total} responses the Council reports complete or ongoing, "
            f"{assured or 'none'} {'has' if assured <= 1 else 'have'} been assured by the LSCB chair; "
            f"{awaiting or 'none'} {'awaits' if awaiting <= 1 else 'await'} assurance."
        )
        others = []
        changes = self.count(Assurance.CHANGES_REQUESTED)
        if changes:
            others.append(f"the chair has asked for changes to {changes}")
        out_of_date = self.count(Assurance.OUT_OF_DATE)
        if out_of_date:
            others.append(
                f"{out_of_date} {'was' if out_of_date == 1 else 'were'} assured but "
                f"{'has' if out_of_date == 1 else 'have'} changed since, so "
                f"{'its' if out_of_date == 1 else 'their'} assurance is out of date"
            )
        not_requested = self.count(Assurance.NOT_REQUESTED)
        if not_requested:
            others.append(
                f"{not_requested} {'has' if not_requested == 1 else 'have'} not yet been put to the chair"
            )
        if others:
            text += " Of the rest, " + "; ".join(others) + "."
        return text

    def awaiting_lines(self) -> list[str]:
        """ "24. Workforce strategy: asked for on 3 December 2026", for each response awaiting the chair."""
        return [
            f"{response.numbered_title}: asked for on {_day(getattr(response, 'assurance_since', None))}"
            for response in self.awaiting
        ]


def assurance_paragraphs(responses, numbering) -> list:
    """The report's section on assurance: the counts, then what awaits the chair."""
    standing = AssuranceStanding.of(responses)
    paragraphs = [numbering(standing.sentence())]
    if standing.awaiting:
        count = len(standing.awaiting)
        paragraphs.append(
            numbering(
                f"{_plural(count, 'response awaits', 'responses await')} the LSCB chair's assurance:",
                items=standing.awaiting_lines(),
            )
        )
    return paragraphs
