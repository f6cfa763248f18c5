"""Writes to a council's decision records (Cabinet reports are written by responses.cabinet.services).

Each function checks what it is given, writes inside one transaction, and refuses rather than
half-does. Who may call them is decided in authorities.access, by the views.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from .models import Decision, Meeting


class DecisionPublishedError(Exception):
    """A decision record is final once its date of publication has come."""


def decision_date_problems(
    meeting: Meeting, call_in_date: datetime.date | None, published_on: datetime.date | None
) -> dict[str, str]:
    """What is wrong with a decision record's dates, by form field: the meeting must have taken place,
    the record is published on or after it, and call-in closes after the meeting and after publication."""
    problems = {}
    if meeting.date is None:
        problems["__all__"] = "The meeting has no date: ask an administrator to record it first"
        return problems
    if not meeting.has_taken_place:
        problems["__all__"] = (
            f"The meeting is on {meeting.date:%-d %B %Y}: record its decision once it has taken place"
        )
    meeting_day = f"{meeting.date:%-d %B %Y}"
    if published_on and published_on < meeting.date:
        problems["published_on"] = f"Date of publication must be on or after the meeting, {meeting_day}"
    if call_in_date:
        if call_in_date <= meeting.date:
            problems["call_in_date"] = f"Call-in deadline must be after the meeting, {meeting_day}"
        elif published_on and call_in_date <= published_on:
            problems["call_in_date"] = "Call-in deadline must be after the date of publication"
    return problems


def call_in_wording(day: datetime.date) -> str:
    """As Stockton words it (seed 003): "By Midnight, Friday, 19th June 2009"; here without the ordinal."""
    return f"By midnight, {day:%A} {day:%-d %B %Y}"


def record_decision(
    *,
    meeting: Meeting,
    by,
    record: str,
    decisions: str,
    reasons: str,
    alternatives_rejected: str,
    conflicts_of_interest: str,
    dispensations: str,
    call_in_date: datetime.date,
    published_on: datetime.date,
) -> Decision:
    """Record (or, until its date of publication, correct) what a meeting decided, in Stockton's format.

    Call-in closes at midnight at the end of `call_in_date`, in the council's time zone.
    """
    problems = decision_date_problems(meeting, call_in_date, published_on)
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
        decision = Decision.objects.select_for_update().filter(meeting=meeting).first()
        if decision is not None and decision.is_published:
            raise DecisionPublishedError(
                f"This decision record was published on {decision.published_on:%-d %B %Y} "
                "and cannot be changed."
            )
        decision = decision or Decision(meeting=meeting)
        decision.record = record
        decision.decisions = decisions
        decision.reasons = reasons
        decision.alternatives_rejected = alternatives_rejected
        decision.conflicts_of_interest = conflicts_of_interest
        decision.dispensations = dispensations
        decision.call_in_deadline = timezone.make_aware(
            datetime.datetime.combine(call_in_date, datetime.time(23, 59, 59))
        )
        decision.call_in_wording = call_in_wording(call_in_date)
        decision.published_on = published_on
        decision.recorded_at = timezone.now()
        decision.recorded_by = by
        decision.full_clean()
        decision.save()
    return decision
