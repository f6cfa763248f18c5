"""Lord Laming's report: its themes, 58 recommendations and the Government's commitments."""

from django.db import models
from django.urls import reverse
from django.utils import timezone

from .sources import LAMING_REPORT, document_name


class SourcedModel(models.Model):
    """A record shipped as reference data, naming the document and place it came from.

    The file name stays in the data and the admin; pages cite the document by name (sources.py), and
    `source_reference` is written to follow it: "main report paragraphs 11 and 12".
    """

    source_document = models.CharField(
        max_length=100,
        blank=True,
        help_text="Seed file the record was taken from, e.g. 001_0595a2620ba36ceb.txt.",
    )
    source_reference = models.CharField(
        max_length=200,
        blank=True,
        help_text="Where in the document: a paragraph, item or recommendation number.",
    )

    class Meta:
        abstract = True

    # The document a citation names, when it is not the one the text was taken from (see Recommendation).
    cited_document_name = None

    @property
    def source_citation(self):
        """The document and place in words, e.g. "Darlington Borough Council, Cabinet report, main report
        paragraphs 11 and 12"; never the file name. Empty for a record no document supplied."""
        if not self.source_document:
            return ""
        document = self.cited_document_name or document_name(self.source_document)
        return ", ".join(part for part in (document, self.source_reference) if part)


class Theme(SourcedModel):
    """One of the seven areas the report is organised into, in the report's order."""

    number = models.PositiveSmallIntegerField(unique=True, help_text="Order in the report, 1-7.")
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["number"]

    def __str__(self):
        return self.name


class Body(models.Model):
    """An organisation a recommendation is addressed to (DCSF, Ofsted, LSCBs, local authorities ...)."""

    class Level(models.TextChoices):
        NATIONAL = "national", "National"
        LOCAL = "local", "Local"

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    level = models.CharField(
        max_length=10,
        choices=Level.choices,
        help_text="Local bodies are the ones a council and its partners answer for themselves.",
    )

    class Meta:
        ordering = ["level", "name"]
        verbose_name_plural = "bodies"

    def __str__(self):
        return self.name


class RecommendationQuerySet(models.QuerySet):
    def for_list(self):
        """Recommendations in number order with their theme and parts, for list pages."""
        return self.select_related("theme").prefetch_related("parts").order_by("number")

    def unanswered_by(self, authority):
        """Recommendations the council has not responded to at all, in number order."""
        return self.exclude(responses__authority=authority).order_by("number")

    def for_detail(self):
        """One or more recommendations with theme, parts, bodies and the commitments answering them."""
        return self.select_related("theme").prefetch_related(
            "parts",
            "addressed_to",
            models.Prefetch(
                "commitment_links",
                queryset=CommitmentLink.objects.select_related("commitment").order_by(
                    source_order("commitment__source"), "commitment__section", "commitment__number"
                ),
            ),
        )


class Recommendation(SourcedModel):
    """One of the report's 58 numbered recommendations, its text verbatim from the report."""

    number = models.PositiveSmallIntegerField(unique=True)
    text = models.TextField(
        help_text="Verbatim text; for a recommendation with lettered parts, the words before the parts."
    )
    short_title = models.CharField(
        max_length=80,
        blank=True,
        help_text="A few words naming the recommendation wherever its number alone would stand. Editorial: "
        "the report gives none; written for the tracker and correctable here.",
    )
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="recommendations")
    theme_basis = models.CharField(
        max_length=200,
        default="Inferred from chapter order",
        help_text="Why the recommendation sits in its theme; no source states it.",
    )
    addressed_to = models.ManyToManyField(
        Body,
        related_name="recommendations",
        blank=True,
        help_text="Bodies the text asks to act, read from the text.",
    )

    objects = RecommendationQuerySet.as_manager()

    cited_document_name = LAMING_REPORT

    class Meta:
        ordering = ["number"]

    def __str__(self):
        return f"Recommendation {self.number}"

    def get_absolute_url(self):
        return reverse("recommendations:detail", args=[self.number])

    @property
    def numbered_title(self):
        """ "24. Workforce strategy": the number and short title, or the number alone without one."""
        return numbered_title(str(self.number), self.short_title)


class RecommendationPart(SourcedModel):
    """A lettered part of a recommendation (2 has ten, 19 three, 24 four, 26 three)."""

    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="parts")
    letter = models.CharField(max_length=1, help_text="a, b, c ... in the order the report lists them.")
    text = models.TextField(help_text="Verbatim text of the part.")
    short_title = models.CharField(
        max_length=80, blank=True, help_text="A few words naming the part. Editorial, as for recommendations."
    )

    cited_document_name = LAMING_REPORT

    class Meta:
        ordering = ["recommendation__number", "letter"]
        constraints = [
            models.UniqueConstraint(fields=["recommendation", "letter"], name="unique_part_letter"),
        ]

    def __str__(self):
        return f"{self.recommendation.number}({self.letter})"

    @property
    def numbered_title(self):
        """ "2(a). Check access to social care": the part's label and short title."""
        return numbered_title(f"{self.recommendation.number}({self.letter})", self.short_title)


def numbered_title(label, short_title):
    """How pages name a recommendation or part: "24. Children's social work workforce", or the label
    ("24", "2(a)") alone where an administrator has cleared the short title."""
    return f"{label}. {short_title}" if short_title else label


def source_order(field="source"):
    """Sorts commitment sources in the order the Government made them, not alphabetically."""
    return models.Case(
        *(models.When(**{field: value}, then=index) for index, value in enumerate(Commitment.Source.values)),
        output_field=models.IntegerField(),
    )


class CommitmentQuerySet(models.QuerySet):
    def for_list(self):
        """Commitments in the order they were made, each with its links and their recommendations."""
        return self.prefetch_related(
            models.Prefetch(
                "links",
                queryset=CommitmentLink.objects.select_related("recommendation").order_by(
                    "recommendation__number"
                ),
            )
        ).order_by(source_order(), "section", "number")


class Commitment(SourcedModel):
    """A commitment the Government made in answer to the report, with when it was due."""

    class Source(models.TextChoices):
        # Seed 004, the consultation on the revised Working Together, bears no date; it says only that
        # the results are due in March 2010 (the commitment's due date). So its heading names no month.
        IMMEDIATE_RESPONSE = "immediate", "Immediate Response, March 2009"
        ACTION_PLAN = "action_plan", "Action Plan, May 2009"
        WORKING_TOGETHER = "working_together", "Working Together revision: DCSF consultation"

    class Section(models.TextChoices):
        NONE = "", "No section"
        A = "a", "(a) National leadership and accountability"
        B = "b", "(b) Local leadership and accountability"
        C = "c", "(c) Supporting front-line services"
        D = "d", "(d) Reducing delay in care proceedings"

    source = models.CharField(max_length=20, choices=Source.choices)
    section = models.CharField(
        max_length=1, choices=Section.choices, blank=True, help_text="Action Plan section (a)-(d)."
    )
    number = models.PositiveSmallIntegerField(help_text="Order within its source and section.")
    text = models.TextField()
    due_wording = models.CharField(
        max_length=100, blank=True, help_text='The due date as the document words it, e.g. "autumn 2009".'
    )
    due_date = models.DateField(
        null=True,
        blank=True,
        help_text="For sorting and lateness: the last day of the period the wording names.",
    )
    recommendations = models.ManyToManyField(
        Recommendation, through="CommitmentLink", related_name="commitments", blank=True
    )

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        ordering = ["source", "section", "number"]
        constraints = [
            models.UniqueConstraint(fields=["source", "section", "number"], name="unique_commitment_place"),
        ]

    def __str__(self):
        return self.text[:80]

    def group_heading(self):
        """The heading a list of commitments groups this one under."""
        if self.section:
            return f"{self.get_source_display()}: {self.get_section_display()}"
        return self.get_source_display()

    @property
    def is_past_due(self):
        return self.is_past_due_on(timezone.localdate())

    def is_past_due_on(self, day):
        """Whether the commitment's due date had passed on `day` (a report as at a meeting asks)."""
        return self.due_date is not None and self.due_date < day


class CommitmentLink(models.Model):
    """That a commitment answers a recommendation, and whether a source says so."""

    class Basis(models.TextChoices):
        STATED = "stated", "Stated in a source"
        INFERRED = "inferred", "Inferred"

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="links")
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.PROTECT, related_name="commitment_links"
    )
    basis = models.CharField(max_length=10, choices=Basis.choices)
    basis_note = models.CharField(
        max_length=300, blank=True, help_text="The source that states the link, or the judgement behind it."
    )

    class Meta:
        ordering = ["commitment", "recommendation__number"]
        constraints = [
            models.UniqueConstraint(fields=["commitment", "recommendation"], name="unique_commitment_link"),
        ]

    def __str__(self):
        return f"{self.commitment} -> {self.recommendation}"
