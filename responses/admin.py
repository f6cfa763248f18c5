from django.contrib import admin

from .models import AssuranceStep, EvidenceDocument, LocalResponse, ProgressUpdate, SpreadsheetImport


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown to administrators but never changed here: responses change only through the
    officers' edit page, which writes the progress update, and the audit trail never changes."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LocalResponse)
class LocalResponseAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "status", "rag", "assurance", "lead_officer", "target_date", "updated_at"]
    list_filter = ["authority", "status", "rag", "assurance"]
    search_fields = ["text", "recommendation__number"]


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(ReadOnlyAdmin):
    list_display = ["response", "dated", "by_name", "status_before", "status_after"]
    list_filter = ["response__authority"]
    search_fields = ["note"]


@admin.register(SpreadsheetImport)
class SpreadsheetImportAdmin(ReadOnlyAdmin):
    """Who uploaded which file for which council, and what came of it. The file's bytes stay out of the
    admin's pages."""

    list_display = ["file_name", "authority", "by", "uploaded_at", "state", "applied_count"]
    list_filter = ["authority", "state"]
    exclude = ["content"]


@admin.register(AssuranceStep)
class AssuranceStepAdmin(ReadOnlyAdmin):
    list_display = ["response", "kind", "by_name", "created_at"]
    list_filter = ["kind", "response__authority"]


@admin.register(EvidenceDocument)
class EvidenceDocumentAdmin(ReadOnlyAdmin):
    """Evidence documents' records, for administrators; the files are read on the response's page,
    which checks who may read each (an OFFICIAL-SENSITIVE one only by the council's own people)."""

    list_display = ["title", "response", "marking", "size", "uploaded_by_name", "uploaded_at", "withdrawn_at"]
    list_filter = ["marking", "response__authority"]
    exclude = ["file"]
