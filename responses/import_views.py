"""Updating a council's responses from its spreadsheet: upload the file, check every row in a preview,
confirm. Only the council's officers and administrators (get_authority_for_user(..., write=True))."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from authorities.access import get_authority_for_user
from laming.forms import bound_data

from .imports import plan_import
from .models import SpreadsheetImport
from .services import (
    ImportChangedError,
    apply_spreadsheet_import,
    check_spreadsheet,
    discard_spreadsheet_import,
)
from .spreadsheets import MAX_BYTES, FileRefused, read_spreadsheet


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Upload your spreadsheet",
        error_messages={
            "required": "Select the spreadsheet to upload",
            "empty": "The selected file is empty",
            "invalid": "Select the spreadsheet to upload",
        },
    )


def upload_spreadsheet(request, slug):
    """The upload page: a file in, checked whole; kept and shown as a preview, or refused with why."""
    authority = get_authority_for_user(request, slug, write=True)
    form = UploadForm(bound_data(request), request.FILES if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            # Before reading it into memory: Django has kept a large upload on disk so far.
            if upload.size > MAX_BYTES:
                raise FileRefused("The selected file must be smaller than 10 MB")
            checked = check_spreadsheet(
                authority=authority, by=request.user, file_name=upload.name, content=upload.read()
            )
        except FileRefused as refused:
            form.add_error("file", refused.message)
        else:
            return redirect(checked)
    recent = SpreadsheetImport.objects.filter(authority=authority).select_related("by").defer("content")[:5]
    return render(
        request,
        "responses/import_upload.html",
        {"authority": authority, "form": form, "recent": recent, "nav": "authorities"},
        status=400 if form.errors else 200,
    )


def _upload_of(request, slug, pk):
    authority = get_authority_for_user(request, slug, write=True)
    upload = get_object_or_404(
        SpreadsheetImport.objects.select_related("by", "authority"), authority=authority, pk=pk
    )
    return authority, upload


def _preview(request, authority, upload, plan=None, *, changed_since_preview=False, status=200):
    refused = ""
    if plan is None and upload.state == SpreadsheetImport.State.PREVIEWED:
        try:
            plan = plan_import(authority, read_spreadsheet(upload.file_name, bytes(upload.content)))
        except FileRefused as refusal:  # it was read at the upload; only a change of the rules can do this
            refused = refusal.message
    applied = []
    if upload.state == SpreadsheetImport.State.APPLIED:
        applied = list(
            upload.updates.select_related("response__recommendation", "response__part").order_by(
                "response__recommendation__number", "response__part__letter"
            )
        )
    return render(
        request,
        "responses/import_detail.html",
        {
            "authority": authority,
            "upload": upload,
            "plan": plan,
            "applied": applied,
            "may_confirm": upload.by_id == request.user.pk,
            "changed_since_preview": changed_since_preview,
            "refused": refused,
            "nav": "authorities",
        },
        status=status,
    )


def import_detail(request, slug, pk):
    """The preview of a checked file, as its rows stand against the responses now; once applied, what
    it changed."""
    authority, upload = _upload_of(request, slug, pk)
    return _preview(request, authority, upload)


def _only_the_uploader(request, upload):
    if upload.by_id != request.user.pk:
        raise PermissionDenied("Only the person who uploaded a file can confirm or discard it.")


@require_POST
def confirm_import(request, slug, pk):
    """Apply the previewed changes, all or none."""
    authority, upload = _upload_of(request, slug, pk)
    _only_the_uploader(request, upload)
    try:
        applied = apply_spreadsheet_import(
            upload=upload, by=request.user, seen_digest=request.POST.get("plan", "")
        )
    except ImportChangedError as changed:
        # Nothing was applied; show the file as it checks now, with the rows that moved under it.
        return _preview(request, authority, upload, changed.plan, changed_since_preview=True, status=409)
    if applied is None:
        upload.refresh_from_db()
        messages.info(
            request,
            f"Nothing was changed: this file was already {upload.get_state_display().lower()} "
            f"on {upload.finished_at:%-d %B %Y at %H:%M}.",
        )
    else:
        messages.success(
            request,
            f"{applied} response{'' if applied == 1 else 's'} updated from {upload.file_name}.",
        )
    return redirect(upload)


@require_POST
def discard_import(request, slug, pk):
    authority, upload = _upload_of(request, slug, pk)
    _only_the_uploader(request, upload)
    if discard_spreadsheet_import(upload=upload):
        messages.info(request, f"{upload.file_name} has been discarded. Nothing was changed.")
    return redirect("authorities:import", authority.slug)
