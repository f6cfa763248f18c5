from django.contrib import admin

from .models import Body, Commitment, CommitmentLink, Recommendation, RecommendationPart, Theme


class RecommendationPartInline(admin.TabularInline):
    model = RecommendationPart
    extra = 0


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
    list_display = ["number", "theme", "theme_basis"]
    list_filter = ["theme", "addressed_to"]
    search_fields = ["number", "text"]
    filter_horizontal = ["addressed_to"]
    inlines = [RecommendationPartInline]


@admin.register(Commitment)
class CommitmentAdmin(admin.ModelAdmin):
    list_display = ["__str__", "source", "section", "due_wording", "due_date"]
    list_filter = ["source", "section"]
    search_fields = ["text"]
    inlines = [CommitmentLinkInline]
