"""Writes to local responses. Every change goes through here, with its progress update."""

import datetime
import hashlib
from functools import partial

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from authorities.models import Authority
from recommendations.models import Recommendation, RecommendationPart

from .assurance_notices import tell_chairs_assurance_requested, tell_requester_decided
from .evidence import evidence_type
from .imports import ImportPlan, plan_import
from .models import (
    Assurance,
    AssuranceStep,
    EvidenceDocument,
    LocalResponse,
    ProgressUpdate,
    SpreadsheetImport,
    target_move_problem,
)
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
            "evidence": response.evidence if response.pk else "",
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
        changed = [
            what
            for what, was, now in (
                ("status", before["status"], response.status),
                ("target date", target_before, response.target_date),
                ("evidence", before["evidence"], response.evidence),
            )
            if was != now
        ]
        if changed:
            assurance_out_of_date(response=response, by=by, what=" and ".join(changed))
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


# Assurance (README, "Assurance"): the officer's evidence and request, the chair's decision. Each write
# locks the response's row, so a decision and a change to the response are taken one at a time.


class AssuranceRefused(Exception):
    """A step the rules do not allow now, with what to tell the user; nothing was written."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _locked(response: LocalResponse) -> LocalResponse:
    return (
        LocalResponse.objects.select_for_update(of=("self",)).select_related("authority").get(pk=response.pk)
    )


def response_snapshot(response: LocalResponse) -> dict:
    """The response as it stands, with its current evidence documents: what an assurance step keeps."""
    return {
        "text": response.text,
        "status": response.status,
        "rag": response.rag,
        "lead_officer": response.lead_officer,
        "target_date": response.target_date.isoformat() if response.target_date else None,
        "evidence": response.evidence,
        "version": response.version,
        "documents": [document.snapshot() for document in response.documents.current()],
    }


def assurance_digest(response: LocalResponse) -> str:
    """What a chair decides on, in a word: the response's version and its current documents. A decision
    made on a page showing anything else is refused (the response changed while the chair read it)."""
    documents = ",".join(str(pk) for pk in response.documents.current().values_list("pk", flat=True))
    return hashlib.sha256(f"{response.version}:{documents}".encode()).hexdigest()[:16]


def _step(response, *, kind, after, by, comment) -> AssuranceStep:
    step = AssuranceStep.objects.create(
        response=response,
        kind=kind,
        assurance_before=response.assurance,
        assurance_after=after,
        by=by,
        by_name=display_name(by),
        comment=comment,
        response_version=response.version,
        snapshot=response_snapshot(response),
    )
    response.assurance = after
    response.save(update_fields=["assurance"])
    return step


def assurance_out_of_date(*, response: LocalResponse, by, what: str) -> AssuranceStep | None:
    """An assured response whose status, target date or evidence changed is no longer assured: say so on
    its timeline, with what changed. Called inside the write that changed it; nothing for any other."""
    if response.assurance != Assurance.ASSURED:
        return None
    return _step(
        response,
        kind=AssuranceStep.Kind.OUT_OF_DATE,
        after=Assurance.OUT_OF_DATE,
        by=by,
        comment=f"The {what} changed after it was assured.",
    )


def attach_evidence(*, response: LocalResponse, by, upload, title: str, marking: str) -> EvidenceDocument:
    """Keep an uploaded file as evidence for the response. Raises EvidenceRefused (responses.evidence)
    for a file of the wrong type or size, having kept nothing."""
    kind = evidence_type(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    with transaction.atomic():
        response = _locked(response)
        document = EvidenceDocument(
            response=response,
            title=title.strip(),
            marking=marking,
            file_name=(upload.name or "")[:255],
            content_type=kind.content_type,
            extension=kind.extension,
            size=upload.size,
            sha256=digest.hexdigest(),
            uploaded_by=by,
            uploaded_by_name=display_name(by),
        )
        document.file.save("evidence", upload, save=False)
        try:
            document.save()
        except Exception:
            # The file was written first: a row that fails leaves no file behind.
            document.file.storage.delete(document.file.name)
            raise
        assurance_out_of_date(response=response, by=by, what="evidence")
    return document


def withdraw_evidence(*, document: EvidenceDocument, by, reason: str) -> EvidenceDocument:
    """Withdraw a document with a reason: it stays on the response's timeline and can still be read by
    those who may, but no longer counts as evidence. Withdrawing one already withdrawn is refused."""
    if not reason.strip():
        raise AssuranceRefused("Enter why the document is being withdrawn")
    with transaction.atomic():
        response = _locked(document.response)
        document = EvidenceDocument.objects.select_for_update().get(pk=document.pk)
        if document.is_withdrawn:
            raise AssuranceRefused("This document has already been withdrawn")
        document.withdrawn_at = timezone.now()
        document.withdrawn_by = by
        document.withdrawn_by_name = display_name(by)
        document.withdrawal_reason = reason.strip()
        document.save(update_fields=list(EvidenceDocument.WITHDRAWAL_FIELDS))
        assurance_out_of_date(response=response, by=by, what="evidence")
    return document


def request_assurance(*, response: LocalResponse, by, statement: str) -> AssuranceStep:
    """An officer asks the council's chair to assure the response, with a statement of what was done.
    Refused (AssuranceRefused) unless its status says the work is done, it has at least one current
    evidence document, and assurance is not already asked for or given."""
    with transaction.atomic():
        response = _locked(response)
        if response.assurance == Assurance.REQUESTED:
            raise AssuranceRefused("Assurance has already been asked for: the chair has not yet decided")
        if response.assurance == Assurance.ASSURED:
            raise AssuranceRefused("This response is already assured")
        if not response.is_assurable:
            raise AssuranceRefused(
                "Ask for assurance only when the status is complete or ongoing (embedded in practice)"
            )
        if not response.documents.current().exists():
            raise AssuranceRefused("Attach at least one evidence document before asking for assurance")
        if not statement.strip():
            raise AssuranceRefused("Enter a statement of what was done")
        step = _step(
            response,
            kind=AssuranceStep.Kind.REQUESTED,
            after=Assurance.REQUESTED,
            by=by,
            comment=statement.strip(),
        )
        transaction.on_commit(partial(tell_chairs_assurance_requested, step.pk), robust=True)
        return step


def decide_assurance(*, response: LocalResponse, by, assured: bool, comment: str, seen: str) -> AssuranceStep:
    """A chair of the council assures the response or asks for changes (with a comment saying which).
    Refused if nothing waits for a decision, if `by` asked for it, or if the response or its documents
    changed since the chair's page showed them (`seen`, assurance_digest)."""
    with transaction.atomic():
        response = _locked(response)
        if response.assurance != Assurance.REQUESTED:
            raise AssuranceRefused("This response is not waiting for assurance")
        if response.assurance_steps.requests().values_list("by_id", flat=True).first() == by.pk:
            raise AssuranceRefused("You asked for this assurance, so another chair must decide it")
        if seen != assurance_digest(response):
            raise AssuranceRefused(
                "The response or its evidence changed while you were reading it: check it again"
            )
        if not assured and not comment.strip():
            raise AssuranceRefused("Enter what needs to change")
        if assured and not response.is_assurable:
            # Its status was changed back while it waited: what was asked about is no longer claimed.
            raise AssuranceRefused(
                "The status is no longer complete or ongoing, so the response cannot be assured: "
                "ask for changes instead"
            )
        step = _step(
            response,
            kind=AssuranceStep.Kind.ASSURED if assured else AssuranceStep.Kind.CHANGES_REQUESTED,
            after=Assurance.ASSURED if assured else Assurance.CHANGES_REQUESTED,
            by=by,
            comment=comment.strip(),
        )
        transaction.on_commit(partial(tell_requester_decided, step.pk), robust=True)
        return step
