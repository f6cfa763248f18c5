from django.contrib import admin

from .models import (
    Authority,
    CabinetReport,
    Decision,
    ImplicationRow,
    Invitation,
    Meeting,
    Membership,
    PdfJob,
    PeopleChange,
)


class ImplicationRowInline(admin.TabularInline):
    model = ImplicationRow
    extra = 0


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Authority)
class AuthorityAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "ons_code", "region", "lscb_name", "director_name"]
    list_filter = ["region"]
    search_fields = ["name", "ons_code"]
    prepopulated_fields = {"slug": ["short_name"]}
    inlines = [ImplicationRowInline, MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "authority"]
    list_filter = ["role", "authority"]
    autocomplete_fields = ["user"]


class DecisionInline(admin.StackedInline):
    """A decision record can be corrected until its date of publication; after that it is final,
    here as on the clerks' pages."""

    model = Decision
    extra = 0

    def has_change_permission(self, request, obj=None):
        decision = getattr(obj, "decision", None) if obj else None
        if decision is not None and decision.is_published:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    """Once its decision record is published, what the record prints of the meeting is shown
    read-only and the meeting cannot be deleted (the database refuses both too)."""

    list_display = ["__str__", "report_title"]
    list_filter = ["authority", "kind"]
    inlines = [DecisionInline]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.has_published_decision:
            return [*super().get_readonly_fields(request, obj), *Meeting.PRINTED_FIELDS]
        return super().get_readonly_fields(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.has_published_decision:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(CabinetReport)
class CabinetReportAdmin(admin.ModelAdmin):
    """Drafts can be corrected here; an issued report is shown read-only and cannot be deleted
    (the database refuses both too). Its PDF and Word version are downloaded from the report's page."""

    list_display = ["title", "authority", "meeting", "status", "issued_at", "pdf_sha256"]
    list_filter = ["status", "authority"]
    search_fields = ["title"]
    readonly_fields = [
        "status",
        "version",
        "created_at",
        "created_by",
        "updated_at",
        "issued_at",
        "issued_by",
        "compared_with",
        "pdf_sha256",
        "page_count",
        "docx_sha256",
        "snapshot",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("pdf", "docx")

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_issued:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_issued:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(PdfJob)
class PdfJobAdmin(admin.ModelAdmin):
    """The PDFs the background worker has prepared or is preparing, for whoever runs the service:
    read-only. A failed or stuck job is retried from the page that asked for it."""

    list_display = ["created_at", "kind", "authority", "subject", "state", "started_at", "finished_at"]
    list_filter = ["state", "kind", "authority"]
    exclude = ["pdf", "html"]
    readonly_fields = [
        "kind",
        "authority",
        "report",
        "subject",
        "fingerprint",
        "state",
        "filename",
        "page_count",
        "error",
        "requested_by",
        "created_at",
        "started_at",
        "finished_at",
        "task_id",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("pdf", "html")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    """Invitations are sent, sent again and withdrawn from the council's people page, which records each
    in the council's history; here they are only read. The link's token is never stored, only its hash."""

    list_display = [
        "email",
        "authority",
        "invited_by",
        "sent_at",
        "expires_at",
        "accepted_at",
        "withdrawn_at",
    ]
    list_filter = ["authority"]
    search_fields = ["email", "name"]
    exclude = ["token_hash"]


@admin.register(PeopleChange)
class PeopleChangeAdmin(ReadOnlyAdmin):
    """Each council's history of changes to its people and roles: append-only, here as in the database."""

    list_display = ["at", "authority", "by_name", "what", "subject_name", "email", "roles"]
    list_filter = ["authority", "what"]
    search_fields = ["by_name", "subject_name", "email"]
