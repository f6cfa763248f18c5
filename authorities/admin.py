from django.contrib import admin

from .models import Authority, Decision, ImplicationRow, Meeting, Membership


class ImplicationRowInline(admin.TabularInline):
    model = ImplicationRow
    extra = 0


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Authority)
class AuthorityAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "lscb_name", "director_name"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["short_name"]}
    inlines = [ImplicationRowInline, MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "authority"]
    list_filter = ["role", "authority"]
    autocomplete_fields = ["user"]


class DecisionInline(admin.StackedInline):
    model = Decision
    extra = 0


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["__str__", "report_title"]
    list_filter = ["authority", "kind"]
    inlines = [DecisionInline]
