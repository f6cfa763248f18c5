from django.contrib import admin

from .models import LocalResponse, ProgressUpdate, SpreadsheetImport


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
    list_display = ["__str__", "status", "rag", "lead_officer", "target_date", "updated_at"]
    list_filter = ["authority", "status", "rag"]
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
