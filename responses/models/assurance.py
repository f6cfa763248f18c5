"""Assurance: the council's LSCB chair checks, on evidence, what an officer claims is done.

An officer attaches evidence documents to a response and asks for assurance with a statement; a chair
of that council, who did not ask, assures it or asks for changes. A response assured and then changed
(its status, target date or evidence) is "assurance out of date". Each step is an AssuranceStep: an
append-only entry in the response's timeline holding the response as it stood when the step was taken.
Evidence documents are never deleted, only withdrawn with a reason; the database refuses anything else
(migration 0007).
"""

import uuid

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.utils import timezone

from .local_responses import Assurance, AuditTrailError, LocalResponse, assurance_tag_class

# The most an evidence document may weigh: 20 MB.
EVIDENCE_MAX_BYTES = 20 * 1024 * 1024


def evidence_storage():
    """Where evidence files are kept: STORAGES["evidence"], a folder no URL serves (settings.py)."""
    return storages["evidence"]


def evidence_file_name(document, name):
    """A name of our own, never the uploader's: the council, then a random name with the type's ending."""
    return f"{document.response.authority.slug}/{uuid.uuid4().hex}.{document.extension}"


class Marking(models.TextChoices):
    """The Government Security Classification of a document. OFFICIAL-SENSITIVE ones (and their titles)
    are for the council's own people and administrators only, and never go into a Cabinet report, an
    export or a mail."""

    OFFICIAL = "official", "OFFICIAL"
    OFFICIAL_SENSITIVE = "official_sensitive", "OFFICIAL-SENSITIVE"


class EvidenceDocumentQuerySet(models.QuerySet):
    def current(self):
        """Documents not withdrawn."""
        return self.filter(withdrawn_at__isnull=True)

    def not_sensitive(self):
        return self.exclude(marking=Marking.OFFICIAL_SENSITIVE)

    def delete(self):
        raise AuditTrailError("Evidence documents are withdrawn, never deleted.")


class EvidenceDocument(models.Model):
    """A file an officer attached to a response as evidence of what was done: a training register, a
    revised procedure, an audit. Served only through the app, as a download, to those who may see it."""

    response = models.ForeignKey(LocalResponse, on_delete=models.PROTECT, related_name="documents")
    title = models.CharField(max_length=200, help_text="What the document is, as the officer named it.")
    marking = models.CharField(max_length=20, choices=Marking.choices, default=Marking.OFFICIAL)
    file = models.FileField(storage=evidence_storage, upload_to=evidence_file_name, max_length=200)
    file_name = models.CharField(max_length=255, help_text="The name the file was uploaded with.")
    content_type = models.CharField(max_length=120, help_text="The type read from the file's content.")
    extension = models.CharField(max_length=10, help_text="The ending that type takes (pdf, docx, ...).")
    size = models.PositiveBigIntegerField(help_text="In bytes.")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_by_name = models.CharField(max_length=150)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_by_name = models.CharField(max_length=150, blank=True)
    withdrawal_reason = models.TextField(blank=True)

    objects = EvidenceDocumentQuerySet.as_manager()

    WITHDRAWAL_FIELDS = ("withdrawn_at", "withdrawn_by", "withdrawn_by_name", "withdrawal_reason")

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return f"Evidence document {self.pk} of {self.response}"

    def save(self, *args, **kwargs):
        changing = self.pk is not None and not self._state.adding
        fields = kwargs.get("update_fields")
        if changing and (not fields or not set(fields) <= set(self.WITHDRAWAL_FIELDS)):
            raise AuditTrailError("An evidence document cannot be changed, only withdrawn.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditTrailError("Evidence documents are withdrawn, never deleted.")

    @property
    def is_sensitive(self):
        return self.marking == Marking.OFFICIAL_SENSITIVE

    @property
    def marking_tag_class(self):
        return "govuk-tag--red" if self.is_sensitive else "govuk-tag--grey"

    @property
    def is_withdrawn(self):
        return self.withdrawn_at is not None

    @property
    def download_name(self):
        """The name the browser saves it under: the uploaded name's stem with the ending of its real type."""
        stem = self.file_name.rsplit(".", 1)[0] if "." in self.file_name else self.file_name
        return f"{stem or 'evidence'}.{self.extension}"

    def snapshot(self):
        return {"id": self.pk, "title": self.title, "marking": self.marking, "sha256": self.sha256}


# Newest first; the same order ties between two steps of one moment.
STEP_ORDER = ("-created_at", "-id")


class AssuranceStepQuerySet(models.QuerySet):
    def timeline(self):
        return self.select_related("by").order_by(*STEP_ORDER)

    def requests(self):
        """The requests for assurance, newest first: the first is who asked last, and when."""
        return self.filter(kind=AssuranceStep.Kind.REQUESTED).order_by(*STEP_ORDER)

    def update(self, **kwargs):
        raise AuditTrailError("Assurance steps cannot be changed once recorded.")

    def delete(self):
        raise AuditTrailError("Assurance steps cannot be deleted.")


class AssuranceStep(models.Model):
    """One step of a response's assurance: asked for, assured, changes asked for, or out of date. An
    append-only entry in the response's timeline, with the response as it stood then."""

    class Kind(models.TextChoices):
        REQUESTED = "requested", "Assurance requested"
        ASSURED = "assured", "Assured"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        OUT_OF_DATE = "out_of_date", "Assurance out of date"

    response = models.ForeignKey(LocalResponse, on_delete=models.PROTECT, related_name="assurance_steps")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    assurance_before = models.CharField(max_length=20, choices=Assurance.choices, blank=True)
    assurance_after = models.CharField(max_length=20, choices=Assurance.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    by_name = models.CharField(max_length=150, help_text="Who took the step (kept if the user goes).")
    comment = models.TextField(
        blank=True,
        help_text="The officer's statement with a request, the chair's comment with a decision, or what "
        "changed when an assured response went out of date.",
    )
    response_version = models.PositiveIntegerField(help_text="The response's version at this step.")
    snapshot = models.JSONField(
        help_text="The response as it stood at this step: its fields and its current evidence documents."
    )

    objects = AssuranceStepQuerySet.as_manager()

    class Meta:
        ordering = list(STEP_ORDER)

    def __str__(self):
        return f"{self.get_kind_display()}: {self.response}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AuditTrailError("An assurance step cannot be changed once recorded.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditTrailError("An assurance step cannot be deleted.")

    @property
    def assurance_after_tag_class(self):
        return assurance_tag_class(self.assurance_after)
