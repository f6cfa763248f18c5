"""Writes to local responses. Every change goes through here, with its progress update."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from authorities.models import Authority
from recommendations.models import Recommendation, RecommendationPart

from .models import LocalResponse, ProgressUpdate, target_move_problem


class StaleResponseError(Exception):
    """The response changed after the form was loaded; saving would overwrite someone's work."""

    def __init__(self, current: LocalResponse | None):
        super().__init__("The response was changed by someone else.")
        self.current = current


def record_progress(
    *,
    authority: Authority,
    recommendation: Recommendation,
    part: RecommendationPart | None,
    by,
    expected_version: int,
    text: str,
    status: str,
    rag: str,
    lead_officer: str,
    target_date: datetime.date | None,
    target_date_reason: str,
    evidence: str,
    note: str,
) -> LocalResponse:
    """Save an officer's change to a response and append its progress update, or change nothing.

    `expected_version` is the version the officer's form was based on (0 for a response not yet
    written). If someone else saved in between, raise StaleResponseError and write nothing.
    """
    if part is not None and part.recommendation_id != recommendation.pk:
        raise ValidationError("That part belongs to a different recommendation.")
    with transaction.atomic():
        # Lock the row so that two saves based on the same version are taken one at a time:
        # the second sees the first's new version and is refused.
        response = (
            LocalResponse.objects.select_for_update(of=("self",))
            .filter(authority=authority, recommendation=recommendation, part=part)
            .order_by()
            .first()
        )
        current_version = response.version if response else 0
        if current_version != expected_version:
            raise StaleResponseError(response)
        if response is None:
            response = LocalResponse(authority=authority, recommendation=recommendation, part=part, version=0)

        before = {
            "status": response.status if response.pk else "",
            "rag": response.rag if response.pk else "",
        }
        target_before = response.target_date
        problem = target_move_problem(target_before, target_date, target_date_reason)
        if problem:
            raise ValidationError({"target_date_reason": problem})
        moved = target_before is not None and target_date != target_before

        response.text = text
        response.status = status
        response.rag = rag
        response.lead_officer = lead_officer
        response.evidence = evidence
        if response.original_target_date is None and target_date is not None:
            response.original_target_date = target_date
        response.target_date = target_date
        if moved:
            response.target_date_reason = target_date_reason.strip()
        response.version += 1
        response.updated_at = timezone.now()
        response.updated_by = by
        response.full_clean(validate_unique=False, validate_constraints=False)
        try:
            # A savepoint, so that losing a race to create the first response is a refusal,
            # not a broken transaction.
            with transaction.atomic():
                response.save()
        except IntegrityError:
            raise StaleResponseError(
                LocalResponse.objects.filter(
                    authority=authority, recommendation=recommendation, part=part
                ).first()
            ) from None

        ProgressUpdate.objects.create(
            response=response,
            dated=timezone.localdate(),
            by=by,
            by_name=display_name(by),
            status_before=before["status"],
            status_after=response.status,
            rag_before=before["rag"],
            rag_after=response.rag,
            target_date_before=target_before,
            target_date_after=response.target_date,
            target_date_reason=response.target_date_reason if moved else "",
            text_after=response.text,
            lead_officer_after=response.lead_officer,
            evidence_after=response.evidence,
            note=note,
            response_version=response.version,
        )
    return response


def display_name(user) -> str:
    return user.get_full_name() or user.get_username()
