"""Each council's local response to the recommendations, and the audit trail of its progress."""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, TruncDate
from django.urls import reverse
from django.utils import timezone

from authorities.models import Authority
from recommendations.models import Recommendation, RecommendationPart, SourcedModel, numbered_title


class Status(models.TextChoices):
    """Delivery status: where a council stands, separate from how worried it is (RAG)."""

    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETE = "complete", "Complete"
    ONGOING = "ongoing", "Ongoing (embedded in practice)"
    AWAITING_NATIONAL = "awaiting_national", "Awaiting national guidance or action"
    PARTNER_AGENCY = "partner_agency", "A matter for a partner agency"
    NOT_APPLICABLE = "not_applicable", "Not applicable"

    @property
    def tag_class(self):
        return status_tag_class(self)

    @classmethod
    def settled(cls):
        """Statuses that need no more delivery, so a passed target date is not a problem."""
        return [cls.COMPLETE, cls.ONGOING, cls.NOT_APPLICABLE]


STATUS_TAG_CLASSES = {
    Status.NOT_STARTED: "govuk-tag--grey",
    Status.IN_PROGRESS: "govuk-tag--blue",
    Status.COMPLETE: "govuk-tag--green",
    Status.ONGOING: "govuk-tag--turquoise",
    Status.AWAITING_NATIONAL: "govuk-tag--purple",
    Status.PARTNER_AGENCY: "govuk-tag--light-blue",
    Status.NOT_APPLICABLE: "govuk-tag--grey",
}


class Rag(models.TextChoices):
    """Red, amber or green: how much risk the council sees. Always shown as a word, never colour alone."""

    NOT_RATED = "", "Not rated"
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


RAG_TAG_CLASSES = {
    Rag.NOT_RATED: "govuk-tag--grey",
    Rag.RED: "govuk-tag--red",
    Rag.AMBER: "govuk-tag--orange",
    Rag.GREEN: "govuk-tag--green",
}


class Assurance(models.TextChoices):
    """Whether the council's LSCB chair has checked, on its evidence, that a response is done: a third
    axis beside status and RAG (responses/models/assurance.py keeps each step)."""

    NOT_REQUESTED = "", "Not requested"
    REQUESTED = "requested", "Awaiting assurance"
    ASSURED = "assured", "Assured"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    OUT_OF_DATE = "out_of_date", "Assurance out of date"

    @classmethod
    def may_be_requested(cls):
        """From these an officer may ask for assurance (again)."""
        return [cls.NOT_REQUESTED, cls.CHANGES_REQUESTED, cls.OUT_OF_DATE]

    @property
    def phrase(self):
        """The state in words that stand without an "Assurance" heading (a matrix cell, Appendix 1)."""
        return ASSURANCE_PHRASES[self]


ASSURANCE_TAG_CLASSES = {
    Assurance.NOT_REQUESTED: "govuk-tag--grey",
    Assurance.REQUESTED: "govuk-tag--yellow",
    Assurance.ASSURED: "govuk-tag--green",
    Assurance.CHANGES_REQUESTED: "govuk-tag--orange",
    Assurance.OUT_OF_DATE: "govuk-tag--pink",
}

ASSURANCE_PHRASES = {
    Assurance.NOT_REQUESTED: "Assurance not requested",
    Assurance.REQUESTED: "Awaiting assurance",
    Assurance.ASSURED: "Assured",
    Assurance.CHANGES_REQUESTED: "Assurance: changes requested",
    Assurance.OUT_OF_DATE: "Assurance out of date",
}

# Statuses that claim the work is done, so that assurance may be asked for.
ASSURABLE_STATUSES = (Status.COMPLETE, Status.ONGOING)


# Chart colours (GOV.UK palette) with the text colour that reads on each. Charts always label
# segments and carry a legend and a table: colour is never the only signal.
STATUS_CHART_COLOURS = {
    Status.NOT_STARTED: ("#505a5f", "#ffffff"),
    Status.IN_PROGRESS: ("#1d70b8", "#ffffff"),
    Status.COMPLETE: ("#00703c", "#ffffff"),
    Status.ONGOING: ("#28a197", "#0b0c0c"),
    Status.AWAITING_NATIONAL: ("#4c2c92", "#ffffff"),
    Status.PARTNER_AGENCY: ("#5694ca", "#0b0c0c"),
    Status.NOT_APPLICABLE: ("#b1b4b6", "#0b0c0c"),
}
RAG_CHART_COLOURS = {
    Rag.NOT_RATED: ("#b1b4b6", "#0b0c0c"),
    Rag.RED: ("#d4351c", "#ffffff"),
    Rag.AMBER: ("#f47738", "#0b0c0c"),
    Rag.GREEN: ("#00703c", "#ffffff"),
}
NO_RESPONSE_CHART_COLOUR = ("#ffffff", "#0b0c0c")


def status_tag_class(status):
    return STATUS_TAG_CLASSES.get(status, "govuk-tag--grey")


def rag_tag_class(rag):
    return RAG_TAG_CLASSES.get(rag, "govuk-tag--grey")


def assurance_tag_class(assurance):
    return ASSURANCE_TAG_CLASSES.get(assurance, "govuk-tag--grey")


TIMELINE_ORDER = (
    models.F("dated").desc(nulls_last=True),
    models.F("created_at").desc(),
    models.F("id").desc(),
)


# "Not updated for 90 days": a response last changed more than this long ago (or never, in the
# tracker) is stale.
STALE_AFTER = timedelta(days=90)
# "Due in the next 30 days": a target date from today to this many days ahead, in the council's time
# zone (the day after its target date, a response is overdue instead).
DUE_WITHIN = timedelta(days=30)


def end_of(day: datetime.date) -> datetime.datetime:
    """The last moment of `day` in the council's time zone: "as at 1 July 2009" means by its end."""
    return timezone.make_aware(datetime.datetime.combine(day + timedelta(days=1), datetime.time.min))


def overdue_q(prefix=""):
    """Overdue, as a database filter: the target date has passed (it is before today, in the council's
    time zone) and the status is not a settled one. The same rule as LocalResponse.is_overdue, which
    tests/test_rules.py holds to it on both sides of the day."""
    return Q(**{f"{prefix}target_date__lt": timezone.localdate()}) & ~Q(
        **{f"{prefix}status__in": Status.settled()}
    )


def worklist_of(responses):
    """Split a council's responses into what needs doing next: past their target date, not
    updated for 90 days, and awaiting national guidance (a response can be in more than one); and
    how many responses there are (a council that has just joined has none)."""
    responses = list(responses)
    return {
        "responses": len(responses),
        "overdue": [r for r in responses if r.is_overdue],
        "stale": [r for r in responses if r.is_stale],
        "awaiting": [r for r in responses if r.status == Status.AWAITING_NATIONAL],
    }


@dataclass
class StatusSummary:
    """Where the councils stand on one recommendation: councils per status, and how many gave none."""

    counts: list  # [(Status, number of councils)] in the order of Status
    no_response: int

    @property
    def items(self):
        return [
            {"label": status.label, "css_class": status_tag_class(status), "count": count}
            for status, count in self.counts
        ]


class LocalResponseQuerySet(models.QuerySet):
    def with_context(self):
        """Responses with their council, recommendation and part, ordered as the report orders them."""
        return self.select_related("authority", "recommendation__theme", "part").order_by(
            "recommendation__number", "part__letter", "authority__name"
        )

    def for_authority(self, authority):
        """One council's responses with their parts and latest update, in report order."""
        return (
            self.filter(authority=authority)
            .select_related("part")
            .with_last_update()
            .order_by("recommendation__number", "part__letter")
        )

    def for_authority_as_at(self, authority, day: datetime.date | None = None) -> list["LocalResponse"]:
        """for_authority() as a list, as the responses stood at the end of `day`: as they stand now for
        today (or no day), rebuilt from the timeline (as_at) for a day gone by. Each carries
        `assurance_since`, when its assurance last changed (with_assurance_step)."""
        if day is None or day >= timezone.localdate():
            return list(self.for_authority(authority).select_related("recommendation").with_assurance_step())
        return (
            self.filter(authority=authority)
            .select_related("recommendation", "part")
            .order_by("recommendation__number", "part__letter")
            .as_at(day)
        )

    def awaiting_assurance_counts(self, authorities) -> dict[int, int]:
        """How many responses of each of the councils wait for their chair's assurance, by council id (one
        query)."""
        rows = (
            self.filter(authority__in=authorities, assurance=Assurance.REQUESTED)
            .values("authority")
            .annotate(count=models.Count("pk"))
        )
        return {row["authority"]: row["count"] for row in rows}

    def worklist(self, authority):
        """What a council needs to do next (one query): see worklist_of."""
        return worklist_of(
            self.filter(authority=authority)
            .select_related("recommendation", "part")
            .order_by("recommendation__number", "part__letter")
        )

    def as_at(self, day: datetime.date) -> list["LocalResponse"]:
        """These responses as they stood at the end of `day`, rebuilt from their timelines: each as its
        latest update in effect by then left it (ProgressUpdateQuerySet.in_effect_by). Responses first
        recorded after `day` are left out. Returns a list (two queries); each response judges overdue
        and stale on `day`, says whether its state rests on an undated source document, and has its
        assurance as its latest assurance step by the end of `day` left it (not requested without one),
        with `assurance_since`, when that step was taken."""
        latest = (
            ProgressUpdate.objects.filter(response=models.OuterRef("pk"))
            .in_effect_by(day)
            .order_by("-effective", "-created_at", "-id")
        )
        responses = list(
            self.annotate(state_update=models.Subquery(latest.values("pk")[:1]))
            .filter(state_update__isnull=False)
            .with_assurance_step(day)
        )
        updates = ProgressUpdate.objects.in_bulk([response.state_update for response in responses])
        for response in responses:
            response.take_state(updates[response.state_update], day)
            response.assurance = response.assurance_as_at or Assurance.NOT_REQUESTED
        return responses

    def with_assurance_step(self, day: datetime.date | None = None):
        """Annotate each response with its latest assurance step (by the end of `day`, if given): what
        that step left its assurance at (`assurance_as_at`, None without a step) and when it was taken
        (`assurance_since`): for a response awaiting assurance, when it was asked for."""
        from .assurance import AssuranceStep  # it imports this module

        steps = AssuranceStep.objects.filter(response=models.OuterRef("pk"))
        if day is not None:
            steps = steps.filter(created_at__lt=end_of(day))
        latest = steps.order_by("-created_at", "-id")
        return self.annotate(
            assurance_as_at=models.Subquery(latest.values("assurance_after")[:1]),
            assurance_since=models.Subquery(latest.values("created_at")[:1]),
        )

    def with_last_update(self):
        """Annotate each response with the date (or the source's wording of it) of its latest update."""
        latest = ProgressUpdate.objects.filter(response=models.OuterRef("pk")).order_by(*TIMELINE_ORDER)
        return self.annotate(
            last_update_dated=models.Subquery(latest.values("dated")[:1]),
            last_update_wording=models.Subquery(latest.values("date_wording")[:1]),
        )

    def councils_answering(self) -> dict[int, int]:
        """{recommendation id: how many councils these responses answer it for}, counted in SQL (one query,
        from the response_answered index): a council answering part by part counts once."""
        return dict(
            self.order_by()
            .values_list("recommendation_id")
            .annotate(councils=models.Count("authority_id", distinct=True))
        )

    def status_summaries(self, council_count):
        """{recommendation id: StatusSummary} for every recommendation with at least one response.

        A council that answers a recommendation part by part with different statuses counts once
        under each status it uses, so the line reads as "how many councils say this". Counted in SQL (two
        queries), so nothing grows in Python with the councils.
        """
        councils = models.Count("authority_id", distinct=True)
        answering = self.councils_answering()
        by_status = defaultdict(dict)
        for rec_id, status, count in (
            self.order_by().values_list("recommendation_id", "status").annotate(councils=councils)
        ):
            by_status[rec_id][status] = count
        return {
            rec_id: StatusSummary(
                counts=[
                    (status, by_status[rec_id][status]) for status in Status if status in by_status[rec_id]
                ],
                no_response=council_count - answered,
            )
            for rec_id, answered in answering.items()
        }


def answer_layout(parts, answers) -> list[tuple[object, "LocalResponse | None"]]:
    """How a council's answer to one recommendation is laid out, the same on its page, in its export and
    in Appendix 1 of its Cabinet report: (part or None for the whole, the response or None) in order.

    `parts` are the recommendation's parts in order; `answers` maps part id (None for the whole) to the
    council's response. A council answers a recommendation as a whole or part by part:
    - answered as a whole, or not at all: the recommendation, then any part also answered on its own;
    - answered part by part (parts answered, the whole not): every part, those not yet answered too,
      so a gap is named rather than hidden.
    """
    if not parts or None in answers or not answers:
        answered_parts = [(part, answers[part.pk]) for part in parts if part.pk in answers]
        return [(None, answers.get(None)), *answered_parts]
    return [(part, answers.get(part.pk)) for part in parts]


def target_move_problem(current: datetime.date | None, new: datetime.date | None, reason: str) -> str:
    """The rule for moving a target date, in one place (the edit form words it, the service enforces
    it): changing a target date that was set, to another date or to none, needs a reason; setting the
    first one does not. "" when the change may be made, otherwise what to tell the officer."""
    if current is not None and new != current and not reason.strip():
        return f"Give a reason for moving the target date from {current:%-d %B %Y}"
    return ""


class LocalResponse(SourcedModel):
    """One council's position on one recommendation, or on one lettered part of it."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="responses")
    # No index of its own: response_answered and response_standing begin with it.
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.PROTECT, related_name="responses", db_index=False
    )
    part = models.ForeignKey(
        RecommendationPart,
        on_delete=models.PROTECT,
        related_name="responses",
        null=True,
        blank=True,
        help_text="Set when the council answers a lettered part rather than the whole recommendation.",
    )
    text = models.TextField("response", help_text="The council's local response in its own words.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    rag = models.CharField("RAG", max_length=10, choices=Rag.choices, blank=True, default=Rag.NOT_RATED)
    lead_officer = models.CharField(max_length=150, blank=True)
    original_target_date = models.DateField(
        null=True, blank=True, help_text="The first target date set; kept when the target moves."
    )
    target_date = models.DateField(null=True, blank=True, help_text="The current target date.")
    target_date_reason = models.TextField(
        blank=True, help_text="Why the target date moved from the original; required when it has."
    )
    evidence = models.TextField(blank=True, help_text="What shows progress: documents, minutes, links.")
    assurance = models.CharField(
        max_length=20,
        choices=Assurance.choices,
        blank=True,
        default=Assurance.NOT_REQUESTED,
        help_text="Where the chair's assurance stands; each step is an AssuranceStep.",
    )
    version = models.PositiveIntegerField(
        default=1, help_text="Goes up by one with every saved change; guards against lost updates."
    )
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    search_vector = SearchVectorField(
        null=True,
        editable=False,
        help_text="The response's words for full-text search, kept up to date by a PostgreSQL trigger "
        "(migration 0003); unused on SQLite.",
    )

    objects = LocalResponseQuerySet.as_manager()

    # The day overdue and stale are judged on: today, unless the response was rebuilt as at a past
    # day (LocalResponseQuerySet.as_at). Not a field.
    reference_date = None

    class Meta:
        ordering = ["recommendation__number", "part__letter", "authority__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "recommendation"],
                condition=models.Q(part__isnull=True),
                name="unique_response_to_whole_recommendation",
            ),
            models.UniqueConstraint(
                fields=["authority", "part"],
                condition=models.Q(part__isnull=False),
                name="unique_response_to_part",
            ),
        ]
        # For the counts over every council's responses (issue 15): each is read from its index alone,
        # already in order, rather than from the table and sorted. At 600 councils (44,400 responses) the
        # councils at each status of each recommendation took 81 ms from the table, 14 ms from the index.
        indexes = [
            # Councils at each status of each recommendation (the recommendations list, the commitments).
            models.Index(fields=["recommendation", "status", "authority"], name="response_standing"),
            # Councils answering each recommendation; the recommendations each council has answered.
            models.Index(fields=["recommendation", "authority"], name="response_answered"),
            # Responses at each status, how many are past their target date (the chair's home page) and how
            # many assured (the comparison's totals).
            models.Index(fields=["status", "target_date", "assurance"], name="response_status_target"),
        ]

    def __str__(self):
        return f"{self.authority.short_name}: {self.label}"

    def clean(self):
        if self.part_id and self.part.recommendation_id != self.recommendation_id:
            raise ValidationError({"part": "That part belongs to a different recommendation."})

    @property
    def numbered_title(self):
        """ "24. Workforce strategy" or "2(a). ...": what the response answers, by number and short title."""
        if self.part_id:
            # From the response's own recommendation: the part's would cost a query per row.
            return numbered_title(f"{self.recommendation.number}({self.part.letter})", self.part.short_title)
        return self.recommendation.numbered_title

    @property
    def rests_on_undated_source(self):
        """Whether the response's latest update (as at its reference date) is a source document's
        entry that gives no date. Needs with_last_update() or as_at()."""
        return getattr(self, "last_update_dated", False) is None and bool(
            getattr(self, "last_update_wording", "")
        )

    @property
    def label(self):
        if self.part_id:
            return f"Recommendation {self.recommendation.number}({self.part.letter})"
        return f"Recommendation {self.recommendation.number}"

    @property
    def is_overdue(self):
        """Past its target date and not settled: the rule of overdue_q, for a response in hand, judged
        on its reference date (today unless rebuilt as at another day)."""
        return (
            self.target_date is not None
            and self.target_date < (self.reference_date or timezone.localdate())
            and self.status not in Status.settled()
        )

    @property
    def is_due_soon(self):
        """Due in the next 30 days (DUE_WITHIN) and not settled: the target date is today or one of the
        30 days after, judged like is_overdue on the reference date."""
        today = self.reference_date or timezone.localdate()
        return (
            self.target_date is not None
            and today <= self.target_date <= today + DUE_WITHIN
            and self.status not in Status.settled()
        )

    @property
    def is_stale(self):
        """Not updated for 90 days (STALE_AFTER), or never updated in the tracker."""
        now = end_of(self.reference_date) if self.reference_date else timezone.now()
        return self.updated_at is None or self.updated_at < now - STALE_AFTER

    def take_state(self, update: "ProgressUpdate", day: datetime.date) -> None:
        """Become the response as `update` left it, judged as at `day` (see LocalResponseQuerySet.as_at)."""
        for name, value in update.state_after().items():
            setattr(self, name, value)
        self.version = update.response_version
        self.updated_at = update.created_at
        self.last_update_dated = update.dated
        self.last_update_wording = update.date_wording
        self.reference_date = day

    @property
    def status_tag_class(self):
        return status_tag_class(self.status)

    @property
    def rag_tag_class(self):
        return rag_tag_class(self.rag)

    @property
    def assurance_tag_class(self):
        return assurance_tag_class(self.assurance)

    @property
    def assurance_phrase(self):
        return Assurance(self.assurance).phrase

    @property
    def is_assurable(self):
        """Its status claims the work is done, so the chair may be asked to assure it."""
        return self.status in ASSURABLE_STATUSES

    def get_absolute_url(self):
        return reverse("responses:detail", args=[self.authority.slug, self.recommendation.number])


class SpreadsheetImport(models.Model):
    """A spreadsheet an officer uploaded to update their council's responses: the file itself (kept so
    that the confirm, on whichever server it lands, applies exactly what was previewed), what its rows
    came to when it was checked, and whether it was applied. The progress updates it made point to it."""

    class State(models.TextChoices):
        PREVIEWED = "previewed", "Checked, not applied"
        APPLIED = "applied", "Applied"
        DISCARDED = "discarded", "Discarded"

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="spreadsheet_imports")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64, help_text="The uploaded file's checksum.")
    content = models.BinaryField(help_text="The uploaded file, byte for byte.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PREVIEWED)
    counts = models.JSONField(
        default=dict,
        help_text='What the rows came to when last checked: {"rows": 70, "changes": 3, "conflicts": 1, '
        '"errors": 0, "unchanged": 66}.',
    )
    applied_count = models.PositiveIntegerField(default=0, help_text="Responses updated when applied.")
    finished_at = models.DateTimeField(null=True, blank=True, help_text="When it was applied or discarded.")

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return f"{self.file_name} for {self.authority.short_name}, {self.uploaded_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        return reverse("authorities:import_detail", args=[self.authority.slug, self.pk])


class AuditTrailError(Exception):
    """Raised on any attempt to change or remove a progress update."""


class ProgressUpdateQuerySet(models.QuerySet):
    def timeline(self):
        """Updates newest first, with who made them."""
        return self.select_related("by").order_by(*TIMELINE_ORDER)

    def newest_of(self, responses, count):
        """The `count` newest updates of all `responses` together, newest first, in two queries that do not
        grow with the responses' histories: each response's own newest `count` (read from the timeline
        index, one subquery a response), then the newest of those. Ordering every update
        of a council (15,000 at 200 a response) to keep ten cost the council dashboard 150 ms."""
        ids = [response.pk for response in responses]
        if not ids:
            return []
        candidates = (
            self._newest_each_lateral(ids, count)
            if connections[self.db].vendor == "postgresql"
            else self._newest_each_union(ids, count)
        )
        # The newest of the candidates in TIMELINE_ORDER (dated, created_at and id, each newest first, the
        # undated last), sorted here: asked to sort them, PostgreSQL read them in the order of the whole
        # table (40 ms at 152 councils). Dates come back as dates, or on SQLite as ISO text: either sorts.
        dated = sorted(
            (row for row in candidates if row[1] is not None),
            key=lambda row: (row[1], row[2], row[0]),
            reverse=True,
        )
        undated = sorted(
            (row for row in candidates if row[1] is None), key=lambda row: (row[2], row[0]), reverse=True
        )
        chosen = [pk for pk, _, _ in (dated + undated)[:count]]
        return sorted(self.filter(pk__in=chosen), key=lambda update: chosen.index(update.pk))

    def _newest_each_lateral(self, ids, count):
        """(pk, dated, created_at) of each response's newest `count` updates, on PostgreSQL: one subquery,
        planned once and run for each response id (LATERAL). The same 74 subqueries written out and joined
        by UNION ALL took PostgreSQL 5-8 ms to plan, longer than to run."""
        one = (
            ProgressUpdate.objects.filter(response_id=RawSQL("response.id", []))
            .order_by(*TIMELINE_ORDER)
            .values_list("pk", "dated", "created_at")[:count]
        )
        sql, params = one.query.sql_with_params()
        with connections[self.db].cursor() as cursor:
            cursor.execute(
                "SELECT newest.* FROM unnest(%s::bigint[]) AS response(id) "
                f"CROSS JOIN LATERAL ({sql}) AS newest",
                [ids, *params],
            )
            return cursor.fetchall()

    def _newest_each_union(self, ids, count):
        """The same elsewhere (SQLite has no LATERAL): one response's newest, compiled once by the ORM and
        repeated for each response, joined by UNION ALL. Each part of the UNION is a subquery of its own:
        SQLite takes no LIMIT directly in a part of a compound SELECT."""
        one = (
            ProgressUpdate.objects.filter(response_id=ids[0])
            .order_by(*TIMELINE_ORDER)
            .values_list("pk", "dated", "created_at")[:count]
        )
        sql, params = one.query.sql_with_params()
        if list(params) != [ids[0]]:  # the response's id is the only parameter; LIMIT is written in
            raise ValueError(f"Unexpected parameters {params!r}")
        union = " UNION ALL ".join(f"SELECT * FROM ({sql}) AS newest_{n}" for n in range(len(ids)))
        with connections[self.db].cursor() as cursor:
            cursor.execute(union, ids)
            return cursor.fetchall()

    def in_effect_by(self, day: datetime.date):
        """Updates in effect by the end of `day`: dated on or before it, or, for a source document's
        entry that gives no date, recorded by then (the reference data records such an entry at the
        date it infers for the document). Annotated `effective`, the date each counts from."""
        return self.alias(effective=Coalesce("dated", TruncDate("created_at"))).filter(effective__lte=day)

    # Bulk writes would go round the model's own guard; the database refuses them too (migration 0002).
    def update(self, **kwargs):
        raise AuditTrailError("Progress updates cannot be changed once recorded.")

    def delete(self):
        raise AuditTrailError("Progress updates cannot be deleted.")


class ProgressUpdate(SourcedModel):
    """A dated entry in a response's audit trail. Append-only: nothing edits or deletes it."""

    # No index of its own: the timeline's (progress_update_timeline) begins with it.
    response = models.ForeignKey(
        LocalResponse, on_delete=models.PROTECT, related_name="updates", db_index=False
    )
    dated = models.DateField(
        null=True,
        blank=True,
        help_text="When the change happened; for an entry from a source document, the document's date "
        "if it states one.",
    )
    date_wording = models.CharField(
        max_length=150, blank=True, help_text="What the source says of the date where it gives none exactly."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    by_name = models.CharField(
        max_length=150, help_text="Who made the change, as shown on the timeline (kept if the user goes)."
    )
    status_before = models.CharField(max_length=20, choices=Status.choices, blank=True)
    status_after = models.CharField(max_length=20, choices=Status.choices)
    rag_before = models.CharField(max_length=10, choices=Rag.choices, blank=True)
    rag_after = models.CharField(max_length=10, choices=Rag.choices, blank=True)
    target_date_before = models.DateField(null=True, blank=True)
    target_date_after = models.DateField(null=True, blank=True)
    target_date_reason = models.TextField(blank=True, help_text="Why the target date moved, if it did.")
    # The whole response as this update left it (with status_after, rag_after and target_date_after),
    # so the state on any date can be rebuilt from the timeline alone: reports as at a meeting.
    text_after = models.TextField("response after", blank=True)
    lead_officer_after = models.CharField(max_length=150, blank=True)
    evidence_after = models.TextField(blank=True)
    note = models.TextField()
    response_version = models.PositiveIntegerField(
        default=1, help_text="The response's version once this update was saved."
    )
    spreadsheet_import = models.ForeignKey(
        SpreadsheetImport,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="updates",
        help_text="The spreadsheet upload this update came from, if it came from one.",
        db_index=False,  # progress_update_import: only the updates that came from one
    )

    objects = ProgressUpdateQuerySet.as_manager()

    class Meta:
        ordering = TIMELINE_ORDER
        # A response's timeline, and its latest update (the lists' "Last update" column), read in this
        # order: without the index PostgreSQL sorts every update of the response each time.
        indexes = [
            models.Index(models.F("response"), *TIMELINE_ORDER, name="progress_update_timeline"),
            # Most updates come from the edit form: the index holds only those from a spreadsheet.
            models.Index(
                fields=["spreadsheet_import"],
                condition=models.Q(spreadsheet_import__isnull=False),
                name="progress_update_import",
            ),
        ]

    def __str__(self):
        return f"{self.response} update {self.pk}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise AuditTrailError("A progress update cannot be changed once recorded.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditTrailError("A progress update cannot be deleted.")

    def state_after(self) -> dict:
        """The response's fields as this update left them, named as on LocalResponse."""
        return {
            "text": self.text_after,
            "status": self.status_after,
            "rag": self.rag_after,
            "lead_officer": self.lead_officer_after,
            "target_date": self.target_date_after,
            "evidence": self.evidence_after,
        }

    @property
    def status_changed(self):
        return self.status_before != self.status_after

    @property
    def rag_changed(self):
        return self.rag_before != self.rag_after

    @property
    def target_date_moved(self):
        return self.target_date_before is not None and self.target_date_before != self.target_date_after

    @property
    def status_after_tag_class(self):
        return status_tag_class(self.status_after)

    @property
    def rag_after_tag_class(self):
        return rag_tag_class(self.rag_after)


class ReminderDigest(models.Model):
    """A weekly reminder mail an officer was sent: written only once the mail server accepted it, so a
    digest that failed is tried again on the next run, and one that went out is not sent twice within
    REMINDER_INTERVAL_DAYS (responses/reminders.py)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_digests"
    )
    sent_at = models.DateTimeField(default=timezone.now)
    counts = models.JSONField(
        default=dict,
        help_text='What the digest listed, by council: {"darlington": {"overdue": 1, "due_soon": 0, '
        '"stale": 8, "unanswered": 50}}. Counts only: what was listed is the council\'s records.',
    )

    class Meta:
        ordering = ["-sent_at"]
        indexes = [models.Index(fields=["user", "sent_at"], name="reminder_digest_user_sent")]

    def __str__(self):
        return f"Reminder digest to {self.user} at {self.sent_at:%Y-%m-%d %H:%M}"
