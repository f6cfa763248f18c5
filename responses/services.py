"""Writes to local responses. Every change goes through here, with its progress update."""

import datetime
import hashlib

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from authorities.models import Authority
from recommendations.models import Recommendation, RecommendationPart

from .imports import ImportPlan, plan_import
from .models import LocalResponse, ProgressUpdate, SpreadsheetImport, target_move_problem
from .spreadsheets import read_spreadsheet


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
    spreadsheet_import: SpreadsheetImport | None = None,
) -> LocalResponse:
    """Save an officer's change to a response and append its progress update, or change nothing.

    `expected_version` is the version the officer's form was based on (0 for a response not yet
    written). If someone else saved in between, raise StaleResponseError and write nothing.
    `spreadsheet_import` tags the progress update with the upload it came from.
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
        else:
            # The rows in hand, so that the model's checks do not load them again.
            response.authority, response.recommendation, response.part = authority, recommendation, part

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
        # The council, recommendation, part and user are rows in hand: checking that each exists would
        # cost a query apiece (four a row when a spreadsheet updates hundreds).
        response.full_clean(
            exclude={"authority", "recommendation", "part", "updated_by"},
            validate_unique=False,
            validate_constraints=False,
        )
        if response.pk is not None:
            response.save()
        else:
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
            spreadsheet_import=spreadsheet_import,
        )
    return response


def display_name(user) -> str:
    return user.get_full_name() or user.get_username()


class ImportChangedError(Exception):
    """The file, checked again at the confirm, no longer gives what the officer saw in the preview
    (someone saved one of its responses in between): nothing was applied. `plan` is the file as it
    checks now."""

    def __init__(self, plan: ImportPlan):
        super().__init__("The spreadsheet's changes are no longer what was previewed.")
        self.plan = plan


def check_spreadsheet(*, authority: Authority, by, file_name: str, content: bytes) -> SpreadsheetImport:
    """Keep an uploaded file and what its rows come to, ready for the officer to check and confirm.
    Raises FileRefused (responses.spreadsheets) for a file that cannot be used, and keeps nothing then."""
    plan = plan_import(authority, read_spreadsheet(file_name, content))
    return SpreadsheetImport.objects.create(
        authority=authority,
        by=by,
        file_name=file_name[:255],
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        counts=plan.counts(),
    )


def apply_spreadsheet_import(*, upload: SpreadsheetImport, by, seen_digest: str) -> int | None:
    """Apply every change of a previewed upload in one transaction, each through record_progress and
    tagged with the upload; return how many responses were updated.

    The file is checked again with the council's responses locked. If that gives anything other than
    what the officer confirmed (`seen_digest`, ImportPlan.digest of the preview), nothing is applied and
    ImportChangedError carries the file as it now checks. An upload already applied or discarded
    applies nothing and gives None: confirming twice changes nothing the second time.
    """
    try:
        with transaction.atomic():
            upload = SpreadsheetImport.objects.select_for_update().get(pk=upload.pk)
            if upload.state != SpreadsheetImport.State.PREVIEWED:
                return None
            # Lock the council's responses: none can change between this check and the last save.
            list(
                LocalResponse.objects.select_for_update()
                .filter(authority=upload.authority)
                .order_by()
                .values_list("pk")
            )
            plan = plan_import(upload.authority, read_spreadsheet(upload.file_name, bytes(upload.content)))
            if plan.digest != seen_digest:
                raise ImportChangedError(plan)
            for change in plan.changes:
                record_progress(
                    authority=upload.authority,
                    recommendation=change.recommendation,
                    part=change.part,
                    by=by,
                    expected_version=change.expected_version,
                    spreadsheet_import=upload,
                    **change.values,
                )
            upload.state = SpreadsheetImport.State.APPLIED
            upload.applied_count = len(plan.changes)
            upload.counts = plan.counts()
            upload.finished_at = timezone.now()
            upload.save(update_fields=["state", "applied_count", "counts", "finished_at"])
    except (StaleResponseError, ValidationError):
        # A first response recorded in between (a row that could not be locked as it did not exist yet),
        # or a rule the check should have caught: everything above is rolled back. Say what it is now.
        raise ImportChangedError(
            plan_import(upload.authority, read_spreadsheet(upload.file_name, bytes(upload.content)))
        ) from None
    return upload.applied_count


def discard_spreadsheet_import(*, upload: SpreadsheetImport) -> bool:
    """Set a previewed upload aside without applying it; False if it was already applied or discarded."""
    with transaction.atomic():
        upload = SpreadsheetImport.objects.select_for_update().get(pk=upload.pk)
        if upload.state != SpreadsheetImport.State.PREVIEWED:
            return False
        upload.state = SpreadsheetImport.State.DISCARDED
        upload.finished_at = timezone.now()
        upload.save(update_fields=["state", "finished_at"])
    return True
