"""Councils, the people who work on their responses, and their meetings and decisions."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from recommendations.models import SourcedModel


class Authority(SourcedModel):
    """An English council tracking its response to the report, with the facts a Cabinet report needs."""

    name = models.CharField(max_length=150, unique=True)
    short_name = models.CharField(max_length=60, help_text='How pages name it, e.g. "Darlington".')
    slug = models.SlugField(max_length=60, unique=True)
    lscb_name = models.CharField(
        "LSCB", max_length=150, blank=True, help_text="Its Local Safeguarding Children Board."
    )
    childrens_trust_name = models.CharField("Children's Trust", max_length=150, blank=True)
    directorate = models.CharField(max_length=150, blank=True)
    director_name = models.CharField(max_length=100, blank=True)
    director_title = models.CharField(max_length=150, blank=True)
    contact_officer = models.CharField(max_length=100, blank=True)
    contact_details = models.CharField(max_length=150, blank=True, help_text='e.g. "Extension 2861".')

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "authorities"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("authorities:detail", args=[self.slug])


class ImplicationRow(SourcedModel):
    """A row of the council's implications table in its Cabinet reports (S17 Crime and Disorder ...)."""

    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="implication_rows")
    order = models.PositiveSmallIntegerField()
    heading = models.CharField(max_length=100)
    text = models.TextField()

    class Meta:
        ordering = ["authority", "order"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "order"], name="unique_implication_row_order"),
        ]

    def __str__(self):
        return f"{self.authority.short_name}: {self.heading}"


class Membership(models.Model):
    """A user's role at a council; administrators hold the role without a council."""

    class Role(models.TextChoices):
        OFFICER = "officer", "Council officer"
        CHAIR = "chair", "LSCB chair"
        CLERK = "clerk", "Committee clerk"
        ADMINISTRATOR = "administrator", "Administrator"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    authority = models.ForeignKey(
        Authority, on_delete=models.CASCADE, related_name="memberships", null=True, blank=True
    )
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        ordering = ["authority__name", "role", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "authority", "role"], name="unique_membership"),
            models.CheckConstraint(
                condition=models.Q(role="administrator", authority__isnull=True)
                | (~models.Q(role="administrator") & models.Q(authority__isnull=False)),
                name="membership_council_matches_role",
            ),
        ]

    def __str__(self):
        where = self.authority.short_name if self.authority_id else "all councils"
        return f"{self.user} ({self.get_role_display()}, {where})"


class Meeting(SourcedModel):
    """A meeting of a council's Cabinet, LSCB or scrutiny committee and the report that went to it."""

    class Kind(models.TextChoices):
        CABINET = "cabinet", "Cabinet"
        LSCB = "lscb", "Local Safeguarding Children Board"
        SCRUTINY = "scrutiny", "Scrutiny committee"

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="meetings")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    date = models.DateField(null=True, blank=True)
    date_wording = models.CharField(
        max_length=150, blank=True, help_text="What the source says of the date where it gives none exactly."
    )
    report_title = models.CharField(max_length=250)
    report_summary = models.TextField(blank=True, help_text="What the report put to the meeting.")

    class Meta:
        ordering = ["authority", "date"]

    def __str__(self):
        when = self.date.strftime("%-d %B %Y") if self.date else self.date_wording or "date not recorded"
        return f"{self.authority.short_name} {self.get_kind_display()}, {when}"


class Decision(SourcedModel):
    """The record of what a meeting decided, in Stockton's Cabinet decision record format."""

    meeting = models.OneToOneField(Meeting, on_delete=models.PROTECT, related_name="decision")
    record = models.TextField("record of the decision")
    decisions = models.TextField(help_text="The numbered decisions, one to a line.")
    reasons = models.TextField("reasons for the decision", blank=True)
    alternatives_rejected = models.TextField("alternative options considered and rejected", blank=True)
    conflicts_of_interest = models.TextField("declared conflicts of interest", blank=True)
    dispensations = models.TextField("details of any dispensations", blank=True)
    call_in_deadline = models.DateTimeField(null=True, blank=True)
    call_in_wording = models.CharField(
        max_length=150, blank=True, help_text="The deadline as the record words it."
    )
    published_on = models.DateField("date of publication", null=True, blank=True)

    def __str__(self):
        return f"Decision of {self.meeting}"

    def decision_lines(self):
        return [line for line in self.decisions.splitlines() if line.strip()]
