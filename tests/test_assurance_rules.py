"""The rules of assurance, in the services every page uses (responses/services.py): who may ask and
decide, from which states, on what evidence; what makes an assured response out of date; what an
evidence file may be. The pages are tested in tests/test_assurance.py."""

import datetime
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction

from authorities.models import Membership
from responses.evidence import EvidenceRefused, evidence_type
from responses.models import (
    EVIDENCE_MAX_BYTES,
    Assurance,
    AssuranceStep,
    AuditTrailError,
    EvidenceDocument,
    LocalResponse,
    Marking,
    Status,
)
from responses.services import (
    AssuranceRefused,
    assurance_digest,
    attach_evidence,
    decide_assurance,
    record_progress,
    request_assurance,
    withdraw_evidence,
)

from .conftest import make_user

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def pdf(name="training-register.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def save(response, by, **changes):
    """record_progress with the response's own values but for `changes`."""
    values = {
        "text": response.text,
        "status": response.status,
        "rag": response.rag,
        "lead_officer": response.lead_officer,
        "target_date": response.target_date,
        "target_date_reason": "Moved by the test." if "target_date" in changes else "",
        "evidence": response.evidence,
        "note": "Updated.",
        **changes,
    }
    return record_progress(
        authority=response.authority,
        recommendation=response.recommendation,
        part=response.part,
        by=by,
        expected_version=response.version,
        **values,
    )


@pytest.fixture
def complete(darlington, officer_darlington):
    """Darlington's response to recommendation 51, marked complete by its officer."""
    response = LocalResponse.objects.get(authority=darlington, recommendation__number=51, part=None)
    return save(response, officer_darlington, status=Status.COMPLETE)


@pytest.fixture
def requested(complete, officer_darlington):
    attach_evidence(
        response=complete,
        by=officer_darlington,
        upload=pdf(),
        title="Training register",
        marking=Marking.OFFICIAL,
    )
    request_assurance(response=complete, by=officer_darlington, statement="All staff trained by March.")
    complete.refresh_from_db()
    return complete


def decide(response, chair, assured=True, comment=""):
    response.refresh_from_db()
    return decide_assurance(
        response=response, by=chair, assured=assured, comment=comment, seen=assurance_digest(response)
    )


@pytest.fixture
def assured(requested, chair_darlington):
    decide(requested, chair_darlington)
    requested.refresh_from_db()
    return requested


def steps(response):
    return list(response.assurance_steps.order_by("created_at", "id").values_list("kind", "assurance_after"))


def test_asked_then_assured_is_two_steps_each_keeping_the_response_as_it_stood(assured, officer_darlington):
    assert assured.assurance == Assurance.ASSURED
    assert steps(assured) == [("requested", "requested"), ("assured", "assured")]
    request, decision = assured.assurance_steps.order_by("created_at", "id")
    assert request.by == officer_darlington and request.comment == "All staff trained by March."
    assert decision.by.username == "chair.test-darlington"
    assert decision.snapshot["status"] == "complete"
    assert [document["title"] for document in decision.snapshot["documents"]] == ["Training register"]
    assert decision.response_version == assured.version


def test_changes_requested_need_a_comment_and_the_officer_may_ask_again(
    requested, chair_darlington, officer_darlington
):
    with pytest.raises(AssuranceRefused, match="Enter what needs to change"):
        decide(requested, chair_darlington, assured=False, comment="  ")
    decide(requested, chair_darlington, assured=False, comment="Add the attendance figures.")
    requested.refresh_from_db()
    assert requested.assurance == Assurance.CHANGES_REQUESTED
    request_assurance(response=requested, by=officer_darlington, statement="Figures added.")
    requested.refresh_from_db()
    assert requested.assurance == Assurance.REQUESTED
    assert [kind for kind, _ in steps(requested)] == ["requested", "changes_requested", "requested"]


@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        (Status.NOT_STARTED, False),
        (Status.IN_PROGRESS, False),
        (Status.COMPLETE, True),
        (Status.ONGOING, True),
        (Status.AWAITING_NATIONAL, False),
        (Status.PARTNER_AGENCY, False),
        (Status.NOT_APPLICABLE, False),
    ],
)
def test_assurance_is_asked_for_only_what_is_claimed_done(darlington, officer_darlington, status, allowed):
    response = LocalResponse.objects.get(authority=darlington, recommendation__number=51, part=None)
    response = save(response, officer_darlington, status=status)
    attach_evidence(
        response=response, by=officer_darlington, upload=pdf(), title="Audit", marking=Marking.OFFICIAL
    )
    if allowed:
        request_assurance(response=response, by=officer_darlington, statement="Done.")
        response.refresh_from_db()
        assert response.assurance == Assurance.REQUESTED
    else:
        with pytest.raises(AssuranceRefused, match="complete or ongoing"):
            request_assurance(response=response, by=officer_darlington, statement="Done.")
        assert not response.assurance_steps.exists()


def test_no_request_without_a_current_document_or_a_statement(complete, officer_darlington):
    with pytest.raises(AssuranceRefused, match="Attach at least one evidence document"):
        request_assurance(response=complete, by=officer_darlington, statement="Done.")
    document = attach_evidence(
        response=complete, by=officer_darlington, upload=pdf(), title="Audit", marking=Marking.OFFICIAL
    )
    with pytest.raises(AssuranceRefused, match="Enter a statement"):
        request_assurance(response=complete, by=officer_darlington, statement=" \n")
    withdraw_evidence(document=document, by=officer_darlington, reason="Wrong file.")
    with pytest.raises(AssuranceRefused, match="Attach at least one evidence document"):
        request_assurance(response=complete, by=officer_darlington, statement="Done.")
    complete.refresh_from_db()
    assert complete.assurance == Assurance.NOT_REQUESTED and not complete.assurance_steps.exists()


def test_asking_twice_or_asking_for_what_is_assured_is_refused(
    requested, chair_darlington, officer_darlington
):
    with pytest.raises(AssuranceRefused, match="already been asked for"):
        request_assurance(response=requested, by=officer_darlington, statement="Again.")
    decide(requested, chair_darlington)
    with pytest.raises(AssuranceRefused, match="already assured"):
        request_assurance(response=requested, by=officer_darlington, statement="Again.")
    assert len(steps(requested)) == 2


def test_who_asked_cannot_decide_even_as_a_chair_of_the_council(complete, darlington):
    both = make_user("officer-and-chair.darlington", darlington, Membership.Role.OFFICER)
    Membership.objects.create(user=both, authority=darlington, role=Membership.Role.CHAIR)
    attach_evidence(response=complete, by=both, upload=pdf(), title="Audit", marking=Marking.OFFICIAL)
    request_assurance(response=complete, by=both, statement="Done.")
    with pytest.raises(AssuranceRefused, match="another chair must decide"):
        decide(complete, both)
    complete.refresh_from_db()
    assert complete.assurance == Assurance.REQUESTED and len(steps(complete)) == 1


def test_a_decision_on_what_changed_since_the_chair_read_it_is_refused(
    requested, chair_darlington, officer_darlington
):
    seen = assurance_digest(requested)
    attach_evidence(
        response=requested, by=officer_darlington, upload=pdf(), title="Attendance", marking=Marking.OFFICIAL
    )
    requested.refresh_from_db()
    with pytest.raises(AssuranceRefused, match="changed while you were reading"):
        decide_assurance(response=requested, by=chair_darlington, assured=True, comment="", seen=seen)
    saved = save(requested, officer_darlington, lead_officer="A new lead officer")
    with pytest.raises(AssuranceRefused, match="changed while you were reading"):
        decide_assurance(
            response=saved, by=chair_darlington, assured=True, comment="", seen=assurance_digest(requested)
        )
    decide(saved, chair_darlington)
    saved.refresh_from_db()
    assert saved.assurance == Assurance.ASSURED


def test_nothing_to_decide_unless_asked(complete, chair_darlington):
    with pytest.raises(AssuranceRefused, match="not waiting for assurance"):
        decide(complete, chair_darlington)


@pytest.mark.parametrize(
    ("change", "what"),
    [
        ({"status": Status.IN_PROGRESS}, "status"),
        ({"target_date": datetime.date(2027, 3, 31)}, "target date"),
        ({"evidence": "The audit report of May."}, "evidence"),
    ],
)
def test_an_assured_response_whose_status_target_or_evidence_changes_is_out_of_date(
    assured, officer_darlington, change, what
):
    save(assured, officer_darlington, **change)
    assured.refresh_from_db()
    assert assured.assurance == Assurance.OUT_OF_DATE
    last = assured.assurance_steps.order_by("-created_at", "-id").first()
    assert (last.kind, last.comment) == ("out_of_date", f"The {what} changed after it was assured.")
    assert last.by == officer_darlington


@pytest.mark.parametrize(
    "change", [{"rag": "green"}, {"lead_officer": "Someone else"}, {"text": "Reworded."}, {"note": "A note."}]
)
def test_other_changes_leave_it_assured(assured, officer_darlington, change):
    save(assured, officer_darlington, **change)
    assured.refresh_from_db()
    assert assured.assurance == Assurance.ASSURED
    assert len(steps(assured)) == 2


def test_attaching_or_withdrawing_evidence_of_an_assured_response_puts_it_out_of_date(
    assured, officer_darlington
):
    document = assured.documents.get()
    withdraw_evidence(document=document, by=officer_darlington, reason="Superseded.")
    assured.refresh_from_db()
    assert assured.assurance == Assurance.OUT_OF_DATE
    # Out of date already: another document adds no step.
    attach_evidence(
        response=assured, by=officer_darlington, upload=pdf(), title="New", marking=Marking.OFFICIAL
    )
    assert [kind for kind, _ in steps(assured)] == ["requested", "assured", "out_of_date"]


def test_a_withdrawn_document_keeps_its_file_and_cannot_be_withdrawn_again(requested, officer_darlington):
    document = requested.documents.get()
    with pytest.raises(AssuranceRefused, match="Enter why"):
        withdraw_evidence(document=document, by=officer_darlington, reason=" ")
    withdraw_evidence(document=document, by=officer_darlington, reason="Wrong version.")
    document.refresh_from_db()
    assert document.is_withdrawn and document.withdrawal_reason == "Wrong version."
    assert document.file.read() == PDF
    with pytest.raises(AssuranceRefused, match="already been withdrawn"):
        withdraw_evidence(document=document, by=officer_darlington, reason="Again.")


def test_an_attached_file_is_kept_under_a_name_of_our_own_with_its_checksum(complete, officer_darlington):
    document = attach_evidence(
        response=complete,
        by=officer_darlington,
        upload=pdf(name="../../etc/Child C.PDF"),
        title="  Case audit  ",
        marking=Marking.OFFICIAL_SENSITIVE,
    )
    assert document.title == "Case audit"
    assert document.file.name.startswith("darlington/") and document.file.name.endswith(".pdf")
    assert "Child" not in document.file.name
    assert (document.content_type, document.extension, document.size) == ("application/pdf", "pdf", len(PDF))
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    assert document.download_name == "Child C.pdf"
    assert document.is_sensitive


# What a file is, by its content


def upload_of(content, name="evidence.pdf"):
    return SimpleUploadedFile(name, content)


def test_a_file_is_judged_by_its_content_not_its_name():
    with pytest.raises(EvidenceRefused, match="must be a PDF, Word, Excel or OpenDocument file, or an image"):
        evidence_type(upload_of(b"<html><script>alert(1)</script></html>", name="report.pdf"))
    assert evidence_type(upload_of(PDF, name="minutes.docx")).extension == "pdf"
    assert evidence_type(upload_of(b"\x89PNG\r\n\x1a\n" + b"\0" * 32, name="photo")).name == "PNG image"


def test_an_empty_file_and_one_over_20_mb_are_refused_and_20_mb_exactly_is_taken():
    with pytest.raises(EvidenceRefused, match="The selected file is empty"):
        evidence_type(upload_of(b""))
    assert EVIDENCE_MAX_BYTES == 20 * 1024 * 1024
    padding = b"\0" * (EVIDENCE_MAX_BYTES - len(PDF))
    assert evidence_type(upload_of(PDF + padding)).extension == "pdf"
    with pytest.raises(EvidenceRefused, match="smaller than 20 MB"):
        evidence_type(upload_of(PDF + padding + b"\0"))


def test_a_refused_file_keeps_nothing(complete, officer_darlington, settings):
    with pytest.raises(EvidenceRefused):
        attach_evidence(
            response=complete,
            by=officer_darlington,
            upload=upload_of(b"MZ\x90\x00" + b"\0" * 64, name="setup.pdf"),
            title="Not evidence",
            marking=Marking.OFFICIAL,
        )
    assert not EvidenceDocument.objects.exists()


# The database keeps the trail whatever the code does


def test_the_model_refuses_to_delete_a_document_or_change_a_step(assured):
    document = assured.documents.get()
    with pytest.raises(AuditTrailError):
        document.delete()
    with pytest.raises(AuditTrailError):
        EvidenceDocument.objects.all().delete()
    document.title = "Renamed"
    with pytest.raises(AuditTrailError):
        document.save()
    step = assured.assurance_steps.first()
    with pytest.raises(AuditTrailError):
        step.save()
    with pytest.raises(AuditTrailError):
        AssuranceStep.objects.all().update(comment="Rewritten")


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM responses_assurancestep",
        "UPDATE responses_assurancestep SET comment = 'Rewritten'",
        "DELETE FROM responses_evidencedocument",
        "UPDATE responses_evidencedocument SET title = 'Renamed'",
        "UPDATE responses_evidencedocument SET withdrawn_at = NULL",
        "UPDATE responses_evidencedocument SET withdrawn_at = now(), title = 'Renamed'",
    ],
)
def test_the_database_refuses_to_rewrite_the_trail(assured, sql):
    with (
        pytest.raises(DatabaseError, match="audit trail|never deleted|only withdrawn"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)


def test_the_database_lets_a_document_be_withdrawn_once(assured):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE responses_evidencedocument SET withdrawn_at = now(), withdrawal_reason = 'x'")
    with (
        pytest.raises(DatabaseError, match="only withdrawn once"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE responses_evidencedocument SET withdrawal_reason = 'y'")
