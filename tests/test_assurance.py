"""Assurance: an officer attaches evidence and asks; the council's LSCB chair, who did not ask, assures
the response or asks for changes; a later change puts the assurance out of date. Every step is on the
response's timeline, and OFFICIAL-SENSITIVE documents stay with the council's own people."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from authorities.models import Membership
from responses.models import (
    EVIDENCE_MAX_BYTES,
    Assurance,
    AssuranceStep,
    EvidenceDocument,
    LocalResponse,
    Marking,
    Status,
)
from responses.services import AssuranceRefused, assurance_digest, attach_evidence, request_assurance

from .conftest import make_user
from .helpers import MINIMAL_PDF, visible_text
from .test_editing import form_data

SENSITIVE_TITLE = "Case file of child K, March 2009"


def darlington_51():
    return LocalResponse.objects.get(authority__slug="darlington", recommendation__number=51, part=None)


def detail_url():
    return reverse("responses:detail", args=["darlington", 51])


def evidence_url():
    return reverse("responses:evidence_new", args=["darlington", 51])


def request_url():
    return reverse("responses:assurance_request", args=["darlington", 51])


def decision_url(response):
    return reverse("authorities:assurance_decision", args=["darlington", response.pk])


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def pdf_upload(name="register.pdf", content=MINIMAL_PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def attach(client, title="Training register", marking=Marking.OFFICIAL, upload=None):
    return client.post(evidence_url(), {"title": title, "marking": marking, "file": upload or pdf_upload()})


def mark_complete(client, response):
    return client.post(
        reverse("responses:edit", args=["darlington", 51]),
        form_data(response, status=Status.COMPLETE, note="All staff trained."),
    )


@pytest.fixture
def chair(darlington):
    return make_user("chair.darlington", darlington, Membership.Role.CHAIR, email="chair@example.org")


@pytest.fixture
def officer(darlington):
    return make_user("officer.darlington", darlington, Membership.Role.OFFICER, email="officer@example.org")


@pytest.fixture
def complete_with_evidence(officer):
    """Darlington's response to 51, complete, with a PDF attached, as its officer left it."""
    client = signed_in(officer)
    assert mark_complete(client, darlington_51()).status_code == 302
    assert attach(client).status_code == 302
    return darlington_51()


def test_a_response_is_assured_on_its_evidence_by_the_chair_and_goes_out_of_date_when_it_changes(
    officer, chair, newcastle, django_capture_on_commit_callbacks
):
    officer_client = signed_in(officer)
    # officer.darlington marks the response complete, attaches a PDF and asks for assurance.
    assert mark_complete(officer_client, darlington_51()).status_code == 302
    assert attach(officer_client, title="Training register, April 2009").status_code == 302
    page = visible_text(officer_client.get(detail_url()))
    assert "Training register, April 2009 (download) OFFICIAL PDF, 77 bytes." in page
    assert "Ask for assurance" in page
    with django_capture_on_commit_callbacks(execute=True):
        asked = officer_client.post(request_url(), {"statement": "Every social worker trained by April."})
    assert asked.status_code == 302
    response = darlington_51()
    assert response.assurance == Assurance.REQUESTED

    # chair.darlington sees it on the assurance page, and assures it.
    chair_client = signed_in(chair)
    listed = visible_text(chair_client.get(reverse("authorities:assurance", args=["darlington"])))
    assert "Waiting for a decision (1)" in listed
    assert "Every social worker trained by April." in listed
    assert "1 response waits for your assurance" in visible_text(chair_client.get(reverse("home")))
    decision = chair_client.get(decision_url(response))
    assert "Training register, April 2009" in visible_text(decision)
    seen = decision.context["form"]["seen"].value()

    # chair.newcastle may not decide Darlington's (403), and nothing changes.
    chair_newcastle = make_user("chair.newcastle", newcastle, Membership.Role.CHAIR)
    refused = signed_in(chair_newcastle).post(decision_url(response), {"decision": "assured", "seen": seen})
    assert refused.status_code == 403
    # Nor may the officer who asked: not a chair (403).
    assert (
        officer_client.post(decision_url(response), {"decision": "assured", "seen": seen}).status_code == 403
    )
    assert darlington_51().assurance == Assurance.REQUESTED

    with django_capture_on_commit_callbacks(execute=True):
        decided = chair_client.post(
            decision_url(response), {"decision": "assured", "comment": "", "seen": seen}
        )
    assert decided.status_code == 302
    assert darlington_51().assurance == Assurance.ASSURED
    assert "0 responses wait" not in visible_text(chair_client.get(reverse("home")))

    # A later change of status puts the assurance out of date.
    assert (
        officer_client.post(
            reverse("responses:edit", args=["darlington", 51]),
            form_data(darlington_51(), status=Status.ONGOING, note="Now part of induction."),
        ).status_code
        == 302
    )
    assert darlington_51().assurance == Assurance.OUT_OF_DATE
    listed = visible_text(chair_client.get(reverse("authorities:assurance", args=["darlington"])))
    assert "Assurance out of date (1)" in listed

    # Each step is on the response's timeline, newest first.
    page = visible_text(officer_client.get(detail_url()))
    timeline = page[page.index("Progress timeline") :]
    order = [
        "Assurance out of date: ",
        "Now part of induction.",
        "Assured: ",
        "Assurance requested: ",
        "Every social worker trained by April.",
        "Evidence document attached: ",
        "All staff trained.",
    ]
    positions = [timeline.index(words) for words in order]
    assert positions == sorted(positions)
    assert "The status changed after it was assured." in timeline

    # The chairs heard of the request, the officer of the decision; no mail names the document.
    assert [message.to for message in mail.outbox] == [["chair@example.org"], ["officer@example.org"]]
    assert "Evidence documents: 1" in mail.outbox[0].body
    assert reverse("authorities:assurance_decision", args=["darlington", response.pk]) in mail.outbox[0].body
    assert all("Training register" not in message.body for message in mail.outbox)


def test_an_officer_who_is_also_the_chair_cannot_assure_their_own_request(darlington, complete_with_evidence):
    both = make_user("officer.and.chair", darlington, Membership.Role.OFFICER)
    Membership.objects.create(user=both, authority=darlington, role=Membership.Role.CHAIR)
    client = signed_in(both)
    assert client.post(request_url(), {"statement": "Done."}).status_code == 302
    response = darlington_51()
    refused = client.post(decision_url(response), {"decision": "assured", "seen": assurance_digest(response)})
    assert refused.status_code == 400
    assert "You asked for this assurance, so another chair must decide it" in visible_text(refused)
    assert darlington_51().assurance == Assurance.REQUESTED
    assert AssuranceStep.objects.filter(response=response).count() == 1


def test_a_decision_on_a_response_that_changed_while_the_chair_read_it_is_refused(
    officer, chair, complete_with_evidence
):
    request_assurance(response=complete_with_evidence, by=officer, statement="Done.")
    seen = assurance_digest(darlington_51())
    attach(signed_in(officer), title="Audit")  # changes the evidence the chair is deciding on
    refused = signed_in(chair).post(
        decision_url(complete_with_evidence), {"decision": "assured", "seen": seen}
    )
    assert refused.status_code == 400
    assert "changed while you were reading it" in visible_text(refused)
    assert darlington_51().assurance == Assurance.REQUESTED


def test_changes_requested_need_a_comment(officer, chair, complete_with_evidence):
    request_assurance(response=complete_with_evidence, by=officer, statement="Done.")
    seen = assurance_digest(darlington_51())
    refused = signed_in(chair).post(
        decision_url(complete_with_evidence), {"decision": "changes_requested", "seen": seen}
    )
    assert refused.status_code == 400
    assert "Enter what needs to change" in visible_text(refused)
    assert darlington_51().assurance == Assurance.REQUESTED


def test_assurance_without_a_document_is_refused(officer):
    client = signed_in(officer)
    mark_complete(client, darlington_51())
    refused = client.post(request_url(), {"statement": "Done."})
    assert refused.status_code == 400
    assert "Attach at least one evidence document before asking for assurance" in visible_text(refused)
    assert darlington_51().assurance == Assurance.NOT_REQUESTED


def test_assurance_of_a_response_in_progress_is_refused(officer):
    client = signed_in(officer)
    client.post(
        reverse("responses:edit", args=["darlington", 51]),
        form_data(darlington_51(), status=Status.IN_PROGRESS),
    )
    attach(client)
    assert "Ask for assurance" not in visible_text(client.get(detail_url()))
    refused = client.post(request_url(), {"statement": "Done."})
    assert refused.status_code == 400
    assert "Ask for assurance only when the status is complete" in visible_text(refused)
    assert not AssuranceStep.objects.exists()


@pytest.mark.parametrize(
    "posted, message",
    [
        ({"title": "", "marking": Marking.OFFICIAL}, "Enter a title for the document"),
        ({"title": "Register", "marking": Marking.OFFICIAL}, "Select a file"),
        ({"title": "Register", "marking": ""}, "Select a marking"),
        (
            {"title": "Register", "marking": Marking.OFFICIAL, "file": SimpleUploadedFile("empty.pdf", b"")},
            "The selected file is empty",
        ),
        (
            # An HTML page named report.pdf: the type is read from the content, not the name.
            {
                "title": "Report",
                "marking": Marking.OFFICIAL,
                "file": pdf_upload("report.pdf", b"<html><p>x</p></html>"),
            },
            "The selected file must be a PDF, Word, Excel or OpenDocument file",
        ),
        (
            {
                "title": "Register",
                "marking": Marking.OFFICIAL,
                "file": pdf_upload(content=MINIMAL_PDF.ljust(EVIDENCE_MAX_BYTES + 1, b" ")),
            },
            "The selected file must be smaller than 20 MB",
        ),
    ],
)
def test_a_document_that_cannot_be_attached_is_refused_and_nothing_is_kept(officer, posted, message):
    refused = signed_in(officer).post(evidence_url(), posted)
    assert refused.status_code == 400
    page = visible_text(refused)
    assert "There is a problem" in page
    assert message in page
    assert b'enctype="multipart/form-data"' in refused.content
    assert not EvidenceDocument.objects.exists()


def test_a_document_of_exactly_20_mb_is_accepted(officer):
    assert (
        attach(
            signed_in(officer), upload=pdf_upload(content=MINIMAL_PDF.ljust(EVIDENCE_MAX_BYTES, b" "))
        ).status_code
        == 302
    )
    assert EvidenceDocument.objects.get().size == EVIDENCE_MAX_BYTES


def test_a_document_is_added_only_to_a_response_that_exists(officer):
    # Darlington has not answered recommendation 2 part (a): record a response first.
    url = reverse("responses:evidence_new_part", args=["darlington", 2, "a"])
    assert signed_in(officer).get(url).status_code == 404


def test_a_document_downloads_as_an_attachment_with_its_real_type(officer, outsider, complete_with_evidence):
    document = EvidenceDocument.objects.get()
    download = signed_in(outsider).get(reverse("authorities:evidence", args=["darlington", document.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="register.pdf"'
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Cache-Control"] == "private, no-store"
    assert b"".join(download.streaming_content) == MINIMAL_PDF
    # Another council's address does not reach it.
    assert (
        signed_in(outsider).get(reverse("authorities:evidence", args=["newcastle", document.pk])).status_code
        == 404
    )


def test_an_official_sensitive_document_is_kept_from_another_councils_officer(officer, officer_newcastle):
    attach(signed_in(officer), title=SENSITIVE_TITLE, marking=Marking.OFFICIAL_SENSITIVE)
    document = EvidenceDocument.objects.get()
    other = signed_in(officer_newcastle)
    assert other.get(reverse("authorities:evidence", args=["darlington", document.pk])).status_code == 403
    page = visible_text(other.get(detail_url()))
    assert SENSITIVE_TITLE not in page
    assert "1 OFFICIAL-SENSITIVE document is not shown" in page
    assert SENSITIVE_TITLE in visible_text(signed_in(officer).get(detail_url()))


def test_no_mail_names_an_official_sensitive_document(officer, chair, django_capture_on_commit_callbacks):
    client = signed_in(officer)
    mark_complete(client, darlington_51())
    attach(client, title=SENSITIVE_TITLE, marking=Marking.OFFICIAL_SENSITIVE)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(request_url(), {"statement": "Done."})
    response = darlington_51()
    with django_capture_on_commit_callbacks(execute=True):
        signed_in(chair).post(
            decision_url(response),
            {
                "decision": "changes_requested",
                "comment": "Add the audit.",
                "seen": assurance_digest(response),
            },
        )
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        everything = message.subject + message.body + message.alternatives[0][0]
        assert SENSITIVE_TITLE not in everything
        assert "register.pdf" not in everything


def test_a_withdrawn_document_stays_on_the_timeline_and_still_downloads(officer, complete_with_evidence):
    client = signed_in(officer)
    document = EvidenceDocument.objects.get()
    withdraw = reverse("authorities:evidence_withdraw", args=["darlington", document.pk])
    refused = client.post(withdraw, {"reason": ""})
    assert refused.status_code == 400
    assert "Enter why the document is being withdrawn" in visible_text(refused)
    assert client.post(withdraw, {"reason": "The wrong year's register."}).status_code == 302
    page = visible_text(client.get(detail_url()))
    assert "Withdrawn by officer.darlington" in page
    assert "Evidence document withdrawn: " in page
    assert "Training register: The wrong year's register." in page
    assert "Evidence document attached: " in page
    assert client.get(reverse("authorities:evidence", args=["darlington", document.pk])).status_code == 200


def test_the_database_refuses_deleting_a_document_or_changing_an_assurance_step(
    officer, complete_with_evidence
):
    request_assurance(response=complete_with_evidence, by=officer, statement="Done.")
    document, step = EvidenceDocument.objects.get(), AssuranceStep.objects.get()
    for sql, pk in [
        ("DELETE FROM responses_evidencedocument WHERE id = %s", document.pk),
        ("UPDATE responses_evidencedocument SET title = 'Other' WHERE id = %s", document.pk),
        ("UPDATE responses_assurancestep SET comment = 'Rewritten' WHERE id = %s", step.pk),
        ("DELETE FROM responses_assurancestep WHERE id = %s", step.pk),
    ]:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [pk])
    assert AssuranceStep.objects.get().comment == "Done."


def test_the_response_page_query_count_does_not_grow_with_its_documents_and_steps(
    officer, complete_with_evidence, django_assert_num_queries
):
    client = signed_in(officer)
    for title in ("Audit", "Procedure", "Minutes"):
        attach(client, title=title)
    request_assurance(response=darlington_51(), by=officer, statement="Done.")
    # session, user, council, recommendation, parts, the response with its part and editor, its timeline,
    # its assurance steps, its documents, memberships of the user (may they edit? see sensitive ones?)
    with django_assert_num_queries(10):
        assert client.get(detail_url()).status_code == 200


def test_a_response_whose_status_went_back_while_it_waited_cannot_be_assured(
    officer, chair, complete_with_evidence
):
    request_assurance(response=complete_with_evidence, by=officer, statement="Done.")
    signed_in(officer).post(
        reverse("responses:edit", args=["darlington", 51]),
        form_data(darlington_51(), status=Status.IN_PROGRESS, note="One team still to train."),
    )
    response = darlington_51()
    refused = signed_in(chair).post(
        decision_url(response), {"decision": "assured", "seen": assurance_digest(response)}
    )
    assert refused.status_code == 400
    assert "The status is no longer complete or ongoing" in visible_text(refused)
    assert darlington_51().assurance == Assurance.REQUESTED


def test_the_chairs_pages_query_counts_do_not_grow_with_what_waits(
    officer, chair, complete_with_evidence, django_assert_num_queries
):
    client = signed_in(officer)
    for title in ("Audit", "Procedure"):
        attach(client, title=title)
    request_assurance(response=complete_with_evidence, by=officer, statement="Done.")
    others = LocalResponse.objects.filter(authority__slug="darlington", part=None)
    # Asked for later, though numbered lower: the page lists them after 51.
    others = list(others.exclude(pk=complete_with_evidence.pk).order_by("-recommendation__number")[:2])
    for other in others:
        LocalResponse.objects.filter(pk=other.pk).update(status=Status.COMPLETE)
        attach_evidence(
            response=other, by=officer, upload=pdf_upload(), title="Minutes", marking=Marking.OFFICIAL
        )
        request_assurance(response=other, by=officer, statement="Done.")
    chair_client = signed_in(chair)
    # session, user, memberships of the user with their councils (may they open it? the council is among
    # them), the council's responses with their latest request and document counts
    with django_assert_num_queries(4):
        page = chair_client.get(reverse("authorities:assurance", args=["darlington"]))
    # Oldest request first.
    text = visible_text(page)
    assert "Waiting for a decision (3)" in text
    numbers = [f"{response.recommendation.number}. " for response in [complete_with_evidence, *others]]
    assert [text.index(number) for number in numbers] == sorted(text.index(number) for number in numbers)
    # session, user, memberships with their councils (the council among them), the response, its current
    # documents (what the chair decides on), its documents, its assurance steps
    with django_assert_num_queries(7):
        assert chair_client.get(decision_url(complete_with_evidence)).status_code == 200


def test_a_document_whose_file_is_missing_says_so_rather_than_fail(officer, complete_with_evidence, caplog):
    document = EvidenceDocument.objects.get()
    document.file.storage.delete(document.file.name)
    page = signed_in(officer).get(reverse("authorities:evidence", args=["darlington", document.pk]))
    assert page.status_code == 404
    assert "This document is not available" in visible_text(page)
    assert f"Evidence document {document.pk} has no file" in caplog.text


def test_a_chair_who_asks_is_not_mailed_their_own_request_but_the_other_chairs_are(
    darlington, chair, django_capture_on_commit_callbacks
):
    both = make_user("both.darlington", darlington, Membership.Role.OFFICER, email="both@example.org")
    Membership.objects.create(user=both, authority=darlington, role=Membership.Role.CHAIR)
    client = signed_in(both)
    mark_complete(client, darlington_51())
    attach(client)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(request_url(), {"statement": "Done."})
    assert darlington_51().assurance == Assurance.REQUESTED
    assert [message.to for message in mail.outbox] == [["chair@example.org"]]


def test_when_assurance_is_asked_for_again_the_latest_request_is_the_one_that_counts(
    darlington, officer, chair, complete_with_evidence, django_capture_on_commit_callbacks
):
    """Asked for by the officer, sent back by the chair, asked for again by a chair-and-officer: the chair's
    page shows the second request, its asker may not decide it, the first chair may, and the decision is
    mailed to whoever asked last."""
    from responses.services import decide_assurance

    request_assurance(response=complete_with_evidence, by=officer, statement="First: all trained.")
    decide_assurance(
        response=darlington_51(),
        by=chair,
        assured=False,
        comment="Add the register.",
        seen=assurance_digest(darlington_51()),
    )
    second = make_user("second.asker", darlington, Membership.Role.OFFICER, email="second@example.org")
    Membership.objects.create(user=second, authority=darlington, role=Membership.Role.CHAIR)
    request_assurance(response=darlington_51(), by=second, statement="Second: register added.")
    text = visible_text(signed_in(chair).get(decision_url(darlington_51())))
    assert "Second: register added." in text
    listed = visible_text(signed_in(chair).get(reverse("authorities:assurance", args=["darlington"])))
    assert "Second: register added." in listed and "First: all trained." not in listed
    with pytest.raises(AssuranceRefused, match="You asked for this assurance"):
        decide_assurance(
            response=darlington_51(),
            by=second,
            assured=True,
            comment="",
            seen=assurance_digest(darlington_51()),
        )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reply = signed_in(chair).post(
            decision_url(darlington_51()), {"decision": "assured", "seen": assurance_digest(darlington_51())}
        )
    assert reply.status_code == 302
    assert darlington_51().assurance == Assurance.ASSURED
    assert [message.to for message in mail.outbox] == [["second@example.org"]]
