"""Assurance's pages: an officer attaches evidence documents to a response, withdraws them and asks for
assurance; the council's LSCB chair lists what waits and decides; everyone who may read a document
downloads it through the app (never from a public address).

Who may do what is authorities/access.py's: officers and administrators (can_edit_responses) attach,
withdraw and ask; the council's chairs (can_assure) decide; OFFICIAL-SENSITIVE documents and their titles
are for the council's own people and administrators (can_see_sensitive).
"""

import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from authorities.access import (
    can_assure,
    can_edit_responses,
    can_see_sensitive,
    get_authority,
    get_authority_for_user,
)
from laming.forms import bound_data
from recommendations.models import Recommendation, RecommendationPart

from .assurance_forms import SENSITIVE_HINT, DecisionForm, EvidenceForm, RequestForm, WithdrawForm
from .evidence import ACCEPTED_NAMES, EvidenceRefused
from .models import Assurance, AssuranceStep, EvidenceDocument, LocalResponse
from .services import (
    AssuranceRefused,
    assurance_digest,
    attach_evidence,
    decide_assurance,
    request_assurance,
    withdraw_evidence,
)

# What the pages say in the error summary when the service refuses a step (a form error, nothing changed).
FORM_ERROR = 400

logger = logging.getLogger(__name__)


def visible_documents(documents, user, authority):
    """The documents `user` may see, and how many OFFICIAL-SENSITIVE ones are kept from them."""
    if can_see_sensitive(user, authority):
        return list(documents), 0
    shown = [document for document in documents if not document.is_sensitive]
    return shown, len(documents) - len(shown)


def timeline_of(response, updates, documents):
    """The response's timeline, newest first: `updates` (its progress updates, or the newest of them), its
    assurance steps, and each of `documents` attached and withdrawn. Reads the assurance steps the caller
    prefetched."""
    events = []
    for update in updates:
        dated = update.dated or timezone.localdate(update.created_at)
        events.append(
            (
                (update.dated is not None or not update.date_wording, dated, update.created_at),
                "update",
                update,
            )
        )
    for step in response.assurance_steps.all():
        events.append(((True, timezone.localdate(step.created_at), step.created_at), "step", step))
    for document in documents:
        at = document.uploaded_at
        events.append(((True, timezone.localdate(at), at), "attached", document))
        if document.withdrawn_at:
            at = document.withdrawn_at
            events.append(((True, timezone.localdate(at), at), "withdrawn", document))
    events.sort(key=lambda event: event[0], reverse=True)
    return [{"kind": kind, "item": item} for _, kind, item in events]


def may_ask_for_assurance(response):
    return response.is_assurable and response.assurance in Assurance.may_be_requested()


def _response_to_change(request, slug, number, letter):
    """The council's response to the recommendation (or part) named in the URL, for its officers and
    administrators: 403 for anyone else, 404 if there is no such response yet (record one first)."""
    authority = get_authority_for_user(request, slug, write=True)
    recommendation = get_object_or_404(Recommendation, number=number)
    part = (
        get_object_or_404(RecommendationPart, recommendation=recommendation, letter=letter)
        if letter
        else None
    )
    response = get_object_or_404(
        LocalResponse.objects.select_related("authority", "recommendation", "part"),
        authority=authority,
        recommendation=recommendation,
        part=part,
    )
    return response


def _back_to(response):
    url = reverse("responses:detail", args=[response.authority.slug, response.recommendation.number])
    return f"{url}#part-{response.part.letter}" if response.part_id else url


def _document_of(request, slug, pk):
    """A council's evidence document: 404 if the council has none with that number, 403 if it is
    OFFICIAL-SENSITIVE and the user may not see it."""
    document = get_object_or_404(
        EvidenceDocument.objects.select_related(
            "response__authority", "response__recommendation", "response__part"
        ),
        pk=pk,
        response__authority__slug=slug,
    )
    if document.is_sensitive and not can_see_sensitive(request.user, document.response.authority):
        raise PermissionDenied("OFFICIAL-SENSITIVE documents are for the council's own people.")
    return document


def add_evidence(request, slug, number, letter=None):
    """An officer attaches a document to a response as evidence, with a title and a marking."""
    response = _response_to_change(request, slug, number, letter)
    form = EvidenceForm(bound_data(request), request.FILES if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            document = attach_evidence(
                response=response,
                by=request.user,
                upload=data["file"],
                title=data["title"],
                marking=data["marking"],
            )
        except EvidenceRefused as refused:
            form.add_error("file", refused.message)
        else:
            messages.success(request, f"“{document.title}” has been attached to {response.label.lower()}.")
            return redirect(_back_to(response))
    return render(
        request,
        "responses/evidence_form.html",
        {
            "authority": response.authority,
            "response": response,
            "form": form,
            "sensitive_hint": SENSITIVE_HINT,
            "accepted": ACCEPTED_NAMES,
            "nav": "authorities",
        },
        status=FORM_ERROR if form.errors else 200,
    )


def withdraw_document(request, slug, pk):
    """An officer withdraws a document with a reason: it stays on the timeline and can still be read."""
    authority = get_authority_for_user(request, slug, write=True)
    document = _document_of(request, authority.slug, pk)
    response = document.response
    form = WithdrawForm(bound_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            withdraw_evidence(document=document, by=request.user, reason=form.cleaned_data["reason"])
        except AssuranceRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, f"“{document.title}” has been withdrawn.")
            return redirect(_back_to(response))
    return render(
        request,
        "responses/evidence_withdraw.html",
        {
            "authority": authority,
            "document": document,
            "response": response,
            "form": form,
            "nav": "authorities",
        },
        status=FORM_ERROR if form.errors else 200,
    )


def download_evidence(request, slug, pk):
    """The file itself, as a download, to anyone who may read it (withdrawn ones too)."""
    get_authority(request, slug)
    document = _document_of(request, slug, pk)
    try:
        file = document.file.open("rb")
    except FileNotFoundError:
        # The record is in the database but its file is not in the evidence storage: restored out of step.
        logger.error("Evidence document %s has no file at %s", document.pk, document.file.name)
        return render(
            request,
            "responses/evidence_missing.html",
            {"authority": document.response.authority, "document": document, "nav": "authorities"},
            status=404,
        )
    download = FileResponse(
        file,
        as_attachment=True,
        filename=document.download_name,
        content_type=document.content_type,
    )
    download["X-Content-Type-Options"] = "nosniff"
    download["Cache-Control"] = "private, no-store"
    return download


def ask_for_assurance(request, slug, number, letter=None):
    """An officer asks the council's chairs to assure a response, with a statement of what was done."""
    response = _response_to_change(request, slug, number, letter)
    form = RequestForm(bound_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            request_assurance(response=response, by=request.user, statement=form.cleaned_data["statement"])
        except AssuranceRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(
                request,
                f"You have asked for assurance of {response.label.lower()}. "
                "The council's chairs have been told.",
            )
            return redirect(_back_to(response))
    return render(
        request,
        "responses/assurance_request.html",
        {
            "authority": response.authority,
            "response": response,
            "documents": list(response.documents.current()),
            "form": form,
            "nav": "authorities",
        },
        status=FORM_ERROR if form.errors else 200,
    )


def _may_open_assurance(user, authority):
    return can_assure(user, authority) or can_edit_responses(user, authority)


ASSURANCE_REFUSAL = "Only the council's LSCB chairs, officers and administrators see its assurance."


def assurance_work(authority):
    """The council's responses whose assurance has been asked for at least once, each with when it was
    last asked, by whom, the statement, and how many current documents it has (one query)."""
    asked = AssuranceStep.objects.requests().filter(response=OuterRef("pk"))
    return (
        LocalResponse.objects.filter(authority=authority)
        .exclude(assurance=Assurance.NOT_REQUESTED)
        .select_related("recommendation", "part")
        .annotate(
            requested_at=Subquery(asked.values("created_at")[:1]),
            requested_by=Subquery(asked.values("by_name")[:1]),
            statement=Subquery(asked.values("comment")[:1]),
            document_count=Count("documents", filter=Q(documents__withdrawn_at__isnull=True)),
        )
        .order_by("requested_at", "recommendation__number", "part__letter")
    )


def assurance_list(request, slug):
    """The chair's page: what waits for a decision, oldest request first; then what came back with changes
    asked for, what went out of date, and how many are assured."""
    authority = get_authority(request, slug, allowed=_may_open_assurance, refusal=ASSURANCE_REFUSAL)
    work = list(assurance_work(authority))
    return render(
        request,
        "responses/assurance_list.html",
        {
            "authority": authority,
            "waiting": [r for r in work if r.assurance == Assurance.REQUESTED],
            "changes": [r for r in work if r.assurance == Assurance.CHANGES_REQUESTED],
            "out_of_date": [r for r in work if r.assurance == Assurance.OUT_OF_DATE],
            "assured": sum(r.assurance == Assurance.ASSURED for r in work),
            "can_assure": can_assure(request.user, authority),
            "nav": "authorities",
        },
    )


def assurance_decision(request, slug, response_pk):
    """One response for the chair to decide: the response, its evidence, its history and the decision."""
    authority = get_authority(request, slug, allowed=_may_open_assurance, refusal=ASSURANCE_REFUSAL)
    response = get_object_or_404(
        LocalResponse.objects.select_related("authority", "recommendation", "part"),
        pk=response_pk,
        authority=authority,
    )
    deciding = can_assure(request.user, authority)
    if request.method == "POST" and not deciding:
        raise PermissionDenied("Only the council's LSCB chairs assure its responses.")
    form = DecisionForm(bound_data(request), initial={"seen": assurance_digest(response)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            step = decide_assurance(
                response=response,
                by=request.user,
                assured=data["decision"] == DecisionForm.ASSURED,
                comment=data["comment"],
                seen=data["seen"],
            )
        except AssuranceRefused as refused:
            # Shown again as the response stands now: deciding again is on what the page now shows.
            posted = request.POST.copy()
            posted["seen"] = assurance_digest(response)
            form = DecisionForm(posted)
            form.is_valid()
            form.add_error(None, refused.message)
        else:
            messages.success(request, f"{response.label}: {step.get_kind_display().lower()}.")
            return redirect("authorities:assurance", authority.slug)
    documents, hidden = visible_documents(list(response.documents.all()), request.user, authority)
    return render(
        request,
        "responses/assurance_decision.html",
        {
            "authority": authority,
            "response": response,
            "documents": documents,
            "hidden_sensitive": hidden,
            "steps": list(response.assurance_steps.timeline()),
            "form": form,
            "deciding": deciding and response.assurance == Assurance.REQUESTED,
            "nav": "authorities",
        },
        status=FORM_ERROR if form.errors else 200,
    )
