from django.contrib import admin

from .models import Body, Commitment, CommitmentLink, Recommendation, RecommendationPart, Theme


class RecommendationPartInline(admin.TabularInline):
    model = RecommendationPart
    extra = 0
    fields = ["letter", "short_title", "text", "source_document", "source_reference"]


class CommitmentLinkInline(admin.TabularInline):
    model = CommitmentLink
    extra = 0
    autocomplete_fields = ["recommendation"]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "source_document"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Body)
class BodyAdmin(admin.ModelAdmin):
    list_display = ["name", "level"]
    list_filter = ["level"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Recommendation)
class RecommendationAdmin(admin.ModelAdmin):
    list_display = ["number", "short_title", "theme", "theme_basis"]
    list_display_links = ["number"]
    # Short titles are editorial (the report gives none), so an administrator corrects them in place.
    list_editable = ["short_title"]
    list_filter = ["theme", "addressed_to"]
    search_fields = ["number", "short_title", "text"]
    filter_horizontal = ["addressed_to"]
    inlines = [RecommendationPartInline]


@admin.register(Commitment)
class CommitmentAdmin(admin.ModelAdmin):
    list_display = ["__str__", "source", "section", "due_wording", "due_date"]
    list_filter = ["source", "section"]
    search_fields = ["text"]
    inlines = [CommitmentLinkInline]
