"""Councils, the people who work on their responses, and their meetings and decisions."""

import datetime
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Length, Lower
from django.urls import reverse
from django.utils import timezone

from recommendations.models import SourcedModel

# ONS codes of English local authorities: unitary authorities (E06), non-metropolitan districts (E07),
# metropolitan districts (E08), London boroughs (E09) and counties (E10), each followed by six digits
# (Office for National Statistics, register of local authority codes).
ONS_CODE = re.compile(r"E(06|07|08|09|10)[0-9]{6}")
ONS_CODE_MESSAGE = (
    "Enter the council's ONS code: E06, E07, E08, E09 or E10 followed by six digits, for example E06000005"
)


def validate_ons_code(value):
    if not ONS_CODE.fullmatch(value):
        raise ValidationError(ONS_CODE_MESSAGE, code="invalid")


class Authority(SourcedModel):
    """An English council tracking its response to the report, with the facts a Cabinet report needs."""

    class Region(models.TextChoices):
        """England's nine regions, as the Office for National Statistics names them."""

        NORTH_EAST = "north_east", "North East"
        NORTH_WEST = "north_west", "North West"
        YORKSHIRE_AND_THE_HUMBER = "yorkshire_and_the_humber", "Yorkshire and The Humber"
        EAST_MIDLANDS = "east_midlands", "East Midlands"
        WEST_MIDLANDS = "west_midlands", "West Midlands"
        EAST_OF_ENGLAND = "east_of_england", "East of England"
        LONDON = "london", "London"
        SOUTH_EAST = "south_east", "South East"
        SOUTH_WEST = "south_west", "South West"

    name = models.CharField(max_length=150, unique=True)
    short_name = models.CharField(max_length=60, help_text='How pages name it, e.g. "Darlington".')
    slug = models.SlugField(max_length=60, unique=True)
    ons_code = models.CharField(
        "ONS code",
        max_length=9,
        blank=True,
        validators=[validate_ons_code],
        help_text="How the council is known nationally, e.g. E06000005 for Darlington; unique.",
    )
    region = models.CharField(max_length=30, choices=Region.choices, blank=True)
    ons_code_source = models.CharField(
        "source of the ONS code and region",
        max_length=200,
        blank=True,
        help_text="Where the ONS code and region come from, in words a reader can follow, where it is not "
        "where the rest of the council's record comes from.",
    )
    lscb_name = models.CharField(
        "LSCB", max_length=150, blank=True, help_text="Its Local Safeguarding Children Board."
    )
    childrens_trust_name = models.CharField("Children's Trust", max_length=150, blank=True)
    directorate = models.CharField(max_length=150, blank=True)
    director_name = models.CharField(max_length=100, blank=True)
    director_title = models.CharField(max_length=150, blank=True)
    contact_officer = models.CharField(max_length=100, blank=True)
    contact_details = models.CharField(max_length=150, blank=True, help_text='e.g. "Extension 2861".')
    own_account = models.TextField(
        "the council's own account",
        blank=True,
        help_text="The council's account of its response in its own words, from its own document where "
        "there is one (paragraphs separated by a blank line): a new Cabinet report opens its main report "
        "with it.",
    )
    own_account_source = models.CharField(
        max_length=200, blank=True, help_text="Where the account comes from, in words a reader can follow."
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "authorities"
        constraints = [
            # Unique when set: a council recorded before ONS codes were kept has none.
            models.UniqueConstraint(
                fields=["ons_code"], condition=~models.Q(ons_code=""), name="unique_authority_ons_code"
            ),
        ]

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
    """A user's role at a council; administrators hold the role without a council.

    A council administrator manages the council's people (who holds which role there); an
    administrator manages every council, its people and the reference data."""

    class Role(models.TextChoices):
        OFFICER = "officer", "Council officer"
        CHAIR = "chair", "LSCB chair"
        CLERK = "clerk", "Committee clerk"
        COUNCIL_ADMINISTRATOR = "council_admin", "Council administrator"
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


class Person(models.Model):
    """What the tracker keeps about a person beyond their sign-in: how often they want reminders."""

    class Reminders(models.TextChoices):
        WEEKLY = "weekly", "Weekly"
        OFF = "off", "Off"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="person")
    reminders = models.CharField(
        max_length=10,
        choices=Reminders.choices,
        default=Reminders.WEEKLY,
        help_text="Weekly: a digest of the council's responses that need attention; off: none.",
    )

    class Meta:
        verbose_name_plural = "people"

    def __str__(self):
        return str(self.user)

    @classmethod
    def of(cls, user):
        """The person record of a user, made with the defaults the first time it is asked for."""
        person, _ = cls.objects.get_or_create(user=user)
        return person


# The roles a council's administrators give and take away at their council. The administrator role
# is not among them: only administrators make administrators, in administration.
COUNCIL_ROLES = (
    Membership.Role.OFFICER,
    Membership.Role.CHAIR,
    Membership.Role.CLERK,
    Membership.Role.COUNCIL_ADMINISTRATOR,
)


def role_labels(roles):
    """The roles' names in words, in the order of COUNCIL_ROLES: ["Council officer", "LSCB chair"]."""
    return [role.label for role in Membership.Role if role in roles]


def in_words(items):
    """["a", "b", "c"] -> "a, b and c"."""
    items = list(items)
    return " and ".join([", ".join(items[:-1]), items[-1]] if len(items) > 1 else items)


def person_name(user):
    """How the people pages and the history name a user: their full name, or their username."""
    return user.get_full_name() or user.get_username()


class InvitationQuerySet(models.QuerySet):
    def waiting(self):
        """Invitations neither accepted nor withdrawn: expired ones too, which can be sent again."""
        return self.filter(accepted_at__isnull=True, withdrawn_at__isnull=True)

    def waiting_at(self, authority):
        """The council's waiting invitations for its people page, newest first, with who sent them."""
        return (
            self.filter(authority=authority)
            .waiting()
            .select_related("invited_by")
            .order_by("-sent_at", "-pk")
        )


class Invitation(models.Model):
    """An invitation by email to hold roles at a council.

    The mail carries a link with a random token; only the token's SHA-256 is kept, so the link cannot be
    rebuilt from the database. The link works once, until `expires_at`; sending it again makes a new
    token (the old link stops working) and a new expiry; withdrawing it stops it working.
    """

    class State(models.TextChoices):
        WAITING = "waiting", "Waiting"
        EXPIRED = "expired", "Expired"
        ACCEPTED = "accepted", "Accepted"
        WITHDRAWN = "withdrawn", "Withdrawn"

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="invitations")
    email = models.EmailField(max_length=150)
    name = models.CharField(
        max_length=150, blank=True, help_text="The invitee's name, if the sender gave it."
    )
    roles = models.JSONField(help_text='The roles it gives at the council, e.g. ["officer", "chair"].')
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    sent_at = models.DateTimeField(default=timezone.now, help_text="When the latest link was sent.")
    expires_at = models.DateTimeField(help_text="When the latest link stops working.")
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["authority", "-sent_at"]
        constraints = [
            # One waiting invitation per address at a council: a second is "send it again".
            models.UniqueConstraint(
                Lower("email"),
                "authority",
                condition=models.Q(accepted_at__isnull=True, withdrawn_at__isnull=True),
                name="one_waiting_invitation_per_address",
            ),
        ]

    def __str__(self):
        return f"{self.email} to {self.authority.short_name} ({self.get_state_display().lower()})"

    @property
    def state(self):
        if self.accepted_at:
            return self.State.ACCEPTED
        if self.withdrawn_at:
            return self.State.WITHDRAWN
        if self.expires_at <= timezone.now():
            return self.State.EXPIRED
        return self.State.WAITING

    def get_state_display(self):
        return self.State(self.state).label

    def role_labels(self):
        return role_labels(self.roles)


class PeopleHistoryError(Exception):
    """Raised on any attempt to change or remove an entry in a council's history of people changes."""


class PeopleChangeQuerySet(models.QuerySet):
    def history_of(self, authority):
        """The council's changes to its people and roles, newest first, with who made them."""
        return self.filter(authority=authority).select_related("by", "subject").order_by("-at", "-pk")

    # Bulk writes would go round the model's own guard; the database refuses them too (migration 0008).
    def update(self, **kwargs):
        raise PeopleHistoryError("The history of people changes cannot be changed.")

    def delete(self):
        raise PeopleHistoryError("The history of people changes cannot be deleted.")


class PeopleChange(models.Model):
    """One change to who holds which role at a council, who is invited there, or whose account is open:
    who made it, when, and what. Append-only, like the progress timeline: on PostgreSQL a trigger
    refuses to change or delete a row (migration 0008). Names and addresses are copied in, so the
    history reads the same if a user's details change later."""

    class What(models.TextChoices):
        INVITED = "invited", "Invited"
        INVITATION_SENT_AGAIN = "invitation_sent_again", "Invitation sent again"
        INVITATION_WITHDRAWN = "invitation_withdrawn", "Invitation withdrawn"
        INVITATION_ACCEPTED = "invitation_accepted", "Invitation accepted"
        ROLE_GIVEN = "role_given", "Role given"
        ROLE_REMOVED = "role_removed", "Role removed"
        DEACTIVATED = "deactivated", "Account deactivated"
        REACTIVATED = "reactivated", "Account reactivated"

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="people_changes")
    at = models.DateTimeField(default=timezone.now, editable=False)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    by_name = models.CharField(max_length=150, help_text="Who made the change, as the history shows them.")
    what = models.CharField(max_length=30, choices=What.choices)
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text="Whose roles or account changed; empty for an invitation not yet accepted.",
    )
    subject_name = models.CharField(max_length=150, blank=True)
    email = models.EmailField(max_length=150, blank=True, help_text="The address invited, or the subject's.")
    roles = models.JSONField(default=list, blank=True, help_text="The roles given, removed or invited to.")
    invitation = models.ForeignKey(
        Invitation, on_delete=models.PROTECT, related_name="changes", null=True, blank=True
    )

    objects = PeopleChangeQuerySet.as_manager()

    class Meta:
        ordering = ["authority", "-at"]

    def __str__(self):
        return f"{self.authority.short_name}, {self.at:%Y-%m-%d %H:%M}: {self.description()}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise PeopleHistoryError("An entry in the history of people changes cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PeopleHistoryError("An entry in the history of people changes cannot be deleted.")

    def role_labels(self):
        return role_labels(self.roles)

    def description(self):
        """What happened, in words: "Gave Jo Bloggs the role Council officer"."""
        roles = in_words(self.role_labels())
        who = self.subject_name or self.email
        match self.what:
            case self.What.INVITED:
                return f"Invited {self.email} as {roles}"
            case self.What.INVITATION_SENT_AGAIN:
                return f"Sent the invitation to {self.email} again"
            case self.What.INVITATION_WITHDRAWN:
                return f"Withdrew the invitation to {self.email}"
            case self.What.INVITATION_ACCEPTED:
                given = f": now {roles}" if self.roles else ""
                return f"{who} accepted the invitation to {self.email}{given}"
            case self.What.ROLE_GIVEN:
                return f"Gave {who} the role {roles}"
            case self.What.ROLE_REMOVED:
                return f"Removed the role {roles} from {who}"
            case self.What.DEACTIVATED:
                return f"Deactivated {who}'s account"
            case self.What.REACTIVATED:
                return f"Reactivated {who}'s account"
        return self.get_what_display()


class FinalRecordError(Exception):
    """Raised on an attempt to change or delete a published decision record, or what it prints of
    its meeting. On PostgreSQL the database refuses the same (migration 0004)."""


class MeetingQuerySet(models.QuerySet):
    def for_papers(self, authority):
        """A council's meetings, latest first (undated last), each with its decision record if any."""
        return (
            self.filter(authority=authority)
            .select_related("authority", "decision")
            .order_by(models.F("date").desc(nulls_last=True), "-pk")
        )

    def with_published_decision(self):
        """Meetings whose decision record has been published, so what it prints of them is final."""
        return self.filter(decision__published_on__lte=timezone.localdate())

    # Bulk writes would go round the model's own guard; the database refuses them too.
    def update(self, **kwargs):
        changing = {name.removesuffix("_id") for name in kwargs}
        if changing & set(Meeting.PRINTED_FIELDS) and self.with_published_decision().exists():
            raise FinalRecordError(Meeting.FINAL_MESSAGE)
        return super().update(**kwargs)


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

    objects = MeetingQuerySet.as_manager()

    # What a decision record prints of its meeting (templates/pdf/includes/decision_record_content.html):
    # final once the record is published.
    PRINTED_FIELDS = ("authority", "kind", "date", "date_wording", "report_title")
    FINAL_MESSAGE = (
        "This meeting's decision record has been published: its council, kind, date and title cannot be "
        "changed."
    )

    class Meta:
        ordering = ["authority", "date"]
        constraints = [
            # A council's Cabinet meets once on a day: "A new meeting" on the report form must not make a
            # second record of one that exists (responses/cabinet/services.create_report). Undated
            # meetings (a source that gives no date) are not compared.
            models.UniqueConstraint(
                fields=["authority", "kind", "date"],
                name="unique_meeting_of_council_kind_and_date",
                violation_error_message="This council already has a meeting of this kind on this date.",
            ),
        ]

    def __str__(self):
        when = self.date.strftime("%-d %B %Y") if self.date else self.date_wording or "date not recorded"
        return f"{self.authority.short_name} {self.get_kind_display()}, {when}"

    @property
    def has_taken_place(self):
        """Whether its decision can be recorded: the meeting has a date and it has come."""
        return self.date is not None and self.date <= timezone.localdate()

    @property
    def has_published_decision(self):
        decision = getattr(self, "decision", None)
        return decision is not None and decision.is_published

    def save(self, *args, **kwargs):
        if not self._state.adding:
            attnames = [self._meta.get_field(name).attname for name in self.PRINTED_FIELDS]
            stored = Meeting.objects.filter(pk=self.pk).with_published_decision().values(*attnames).first()
            if stored and any(stored[attname] != getattr(self, attname) for attname in attnames):
                raise FinalRecordError(self.FINAL_MESSAGE)
        super().save(*args, **kwargs)


class DecisionQuerySet(models.QuerySet):
    def published(self):
        """Records whose date of publication has come (in London): final."""
        return self.filter(published_on__lte=timezone.localdate())

    # Bulk writes would go round the model's own guard; the database refuses them too.
    def update(self, **kwargs):
        if self.published().exists():
            raise FinalRecordError("A published decision record cannot be changed.")
        return super().update(**kwargs)

    def delete(self):
        if self.published().exists():
            raise FinalRecordError("A published decision record cannot be deleted.")
        return super().delete()


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
    recorded_at = models.DateTimeField(null=True, blank=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
        help_text="Who recorded the decision in the tracker; empty for records from the source documents.",
    )

    objects = DecisionQuerySet.as_manager()

    def __str__(self):
        return f"Decision of {self.meeting}"

    @property
    def is_published(self):
        """Published records are final: the date of publication has come. On PostgreSQL the database
        refuses to change or delete them too (a trigger, migration 0004)."""
        return self.published_on is not None and self.published_on <= timezone.localdate()

    def _stored_record_is_published(self):
        # The record as stored decides, not this copy: its date of publication may just have been edited.
        return not self._state.adding and Decision.objects.filter(pk=self.pk).published().exists()

    def save(self, *args, **kwargs):
        if self._stored_record_is_published():
            raise FinalRecordError("A published decision record cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._stored_record_is_published():
            raise FinalRecordError("A published decision record cannot be deleted.")
        return super().delete(*args, **kwargs)

    def decision_lines(self):
        """The decisions, one to a line, without any number or letter the clerk typed before them:
        the record's list numbers them 1., 2. ... as Stockton's does (seed 003), so a decision pasted
        as "1. The report be noted" is printed "1. The report be noted", never "1. 1. ..."."""
        return unnumbered(self.decisions.splitlines())


# A number, letter or bullet a clerk types (or pastes from a report) before an item of a list:
# "1.", "1)", "(1)", "a.", "a)", "(a)", "(iv)", "iv)", "•", "-". A bare "1." counts only before a space
# or a capital, and "a." only before a space, so "1.5 posts" or "e.g." keeps its words.
LIST_MARKER = re.compile(
    r"""^\s*(?:
        \(\s*(?:\d{1,3}|[a-z]|[ivx]{1,5})\s*\)\s*      # (1) (a) (iv)
      | \d{1,3}[.)](?:\s+|$|(?=(?-i:[A-Z])))              # 1. 1) 2.Further
      | (?:[a-z]|[ivx]{1,5})[.)](?:\s+|$)                # a. a) iv)
      | [\u2022\u00b7\u2013*-]\s+                        # a bullet or dash
    )""",
    re.IGNORECASE | re.VERBOSE,
)


def unnumbered(lines):
    """The non-blank lines of a list, each without the one number, letter or bullet typed before it."""
    items = (LIST_MARKER.sub("", line, count=1).strip() for line in lines)
    return [item for item in items if item]


def lettered(lines):
    """Recommendations to Members as (letter, text), lettering them (a), (b) ... whatever was typed."""
    return [(f"({chr(ord('a') + index)})", line) for index, line in enumerate(unnumbered(lines))]


# The implications table's headings in the order Darlington's Cabinet reports use them (seed 000).
# A council without its own rows gets these, empty for the clerk to fill in: the app never writes
# a council's implications for it. "Sustainable Community Strategy" stands where a council puts its
# own community-strategy row (Darlington's is "One Darlington: Perfectly Placed").
STANDARD_IMPLICATION_HEADINGS = [
    "S17 Crime and Disorder",
    "Health and Well Being",
    "Sustainability",
    "Diversity",
    "Wards Affected",
    "Groups Affected",
    "Budget and Policy Framework",
    "Key Decision",
    "Urgent Decision",
    "Sustainable Community Strategy",
    "Efficiency",
]


class CabinetReportQuerySet(models.QuerySet):
    def without_pdf(self):
        """Leave the stored PDF, Word version and data snapshot in the database: lists never need them."""
        return self.defer("pdf", "docx", "snapshot")

    def with_pdf_size(self):
        """Annotate pdf_size, the stored PDF's length in bytes, without reading the PDF."""
        return self.annotate(pdf_size=Length("pdf"))

    def issued(self):
        """Issued reports, newest first."""
        return self.filter(status=CabinetReport.Status.ISSUED).order_by("-issued_at", "-pk")

    def for_list(self, authority):
        """A council's reports for its reports page, newest first, with their meetings, without the PDFs."""
        return (
            self.filter(authority=authority)
            .without_pdf()
            .with_pdf_size()
            .select_related("meeting__authority", "issued_by", "created_by")
            .order_by(models.F("issued_at").desc(nulls_first=True), "-created_at", "-pk")
        )

    def last_issued_before(self, report):
        """The council's latest report issued before `report` (or before now, for a draft)."""
        earlier = self.issued().filter(authority_id=report.authority_id).exclude(pk=report.pk)
        if report.issued_at:
            earlier = earlier.filter(issued_at__lt=report.issued_at)
        return earlier.select_related("meeting__authority").first()


class CabinetReport(models.Model):
    """A report to a council meeting on its response to the Laming recommendations.

    A draft is the clerk's to edit; the narrative is theirs and the progress summary and appendices
    are generated from the council's records when it is rendered. Issuing freezes it: the PDF is
    stored with its SHA-256 checksum and a snapshot of the data it was built from, and neither the
    application nor the database (a trigger, migration 0002) lets an issued report change again.
    """

    # The parts of the report the clerk writes, in the order the builder shows them. The
    # implications table is kept apart (`implications`): it is edited row by row.
    NARRATIVE_FIELDS = (
        "title",
        "purpose",
        "background",
        "summary",
        "recommendations_to_members",
        "as_at",
        "director_name",
        "director_title",
        "background_papers",
        "contact_officer",
        "contact_details",
        "council_narrative",
        "further_information",
        "include_changes",
        "list_all_recommendations",
        "outcome_of_consultation",
    )

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ISSUED = "issued", "Issued"

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="cabinet_reports")
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        related_name="cabinet_reports",
        null=True,
        blank=True,
        help_text="The meeting the report goes to.",
    )
    title = models.CharField(max_length=250)
    purpose = models.TextField("purpose of the report", blank=True)
    background = models.TextField(blank=True, help_text="Paragraphs separated by a blank line.")
    summary = models.TextField(blank=True)
    recommendations_to_members = models.TextField(
        blank=True, help_text='What Members are asked to agree, one to a line: "(a) The report be noted;".'
    )
    director_name = models.CharField(max_length=100, blank=True)
    director_title = models.CharField(max_length=150, blank=True)
    background_papers = models.TextField(blank=True, help_text="One to a line.")
    contact_officer = models.CharField(max_length=100, blank=True)
    contact_details = models.CharField(max_length=150, blank=True)
    implications = models.JSONField(
        default=list,
        blank=True,
        help_text='The implications table as [{"heading": ..., "text": ...}], in order.',
    )
    as_at = models.DateField(
        "figures as at",
        null=True,
        blank=True,
        help_text="The date the report's figures describe; blank for the date of the meeting.",
    )
    council_narrative = models.TextField(
        "the council's own account",
        blank=True,
        help_text="The council's narrative that opens the main report, in its own words; prefilled from "
        "its own documents where there are any. Paragraphs separated by a blank line.",
    )
    list_all_recommendations = models.BooleanField(
        "list all 58 recommendations in Appendix 1",
        default=False,
        help_text="Otherwise Appendix 1 lists those the council has answered and names the rest in one "
        "paragraph.",
    )
    further_information = models.TextField(
        "further information and analysis",
        blank=True,
        help_text="The clerk's own paragraphs for the main report, separated by a blank line.",
    )
    include_changes = models.BooleanField("include changes since the last issued report", default=True)
    outcome_of_consultation = models.TextField(blank=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(
        default=1, help_text="Goes up by one with every saved change; guards against lost edits."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    issued_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    compared_with = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text="The issued report this one's changes were measured against, fixed when it was issued.",
    )
    pdf = models.BinaryField(null=True, blank=True, editable=False, help_text="The issued PDF, as issued.")
    pdf_sha256 = models.CharField("PDF SHA-256", max_length=64, blank=True, editable=False)
    page_count = models.PositiveIntegerField(null=True, blank=True, editable=False)
    docx = models.BinaryField(
        null=True, blank=True, editable=False, help_text="The issued report as a Word document, as issued."
    )
    docx_sha256 = models.CharField("Word document SHA-256", max_length=64, blank=True, editable=False)
    snapshot = models.JSONField(
        null=True, blank=True, editable=False, help_text="The data the issued PDF was built from."
    )

    objects = CabinetReportQuerySet.as_manager()

    class Meta:
        ordering = ["authority", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="draft")
                | models.Q(
                    status="issued", issued_at__isnull=False, pdf__isnull=False, snapshot__isnull=False
                ),
                name="issued_report_has_its_pdf",
            ),
        ]

    def __str__(self):
        return f"{self.authority.short_name}: {self.title} ({self.get_status_display().lower()})"

    def get_absolute_url(self):
        return reverse("authorities:report", args=[self.authority.slug, self.pk])

    @property
    def is_issued(self):
        return self.status == self.Status.ISSUED

    def recommendation_lines(self):
        return [line.strip() for line in self.recommendations_to_members.splitlines() if line.strip()]

    def background_paper_lines(self):
        return [line.strip() for line in self.background_papers.splitlines() if line.strip()]

    def filename(self):
        if self.is_issued:
            return f"{self.authority.slug}-cabinet-report-{self.issued_at:%Y-%m-%d}-{self.pk}.pdf"
        return f"{self.authority.slug}-cabinet-report-{self.pk}-draft.pdf"

    def missing_for_issue(self):
        """What must be filled in before the report can go to a meeting, as messages for the clerk."""
        missing = []
        for field, message in (
            ("title", "Enter the report's title"),
            ("purpose", "Enter the purpose of the report"),
            ("background", "Enter the background"),
            ("summary", "Enter the summary"),
            ("recommendations_to_members", "Enter the recommendations to Members"),
            ("director_name", "Enter the director's name"),
            ("director_title", "Enter the director's job title"),
            ("contact_officer", "Enter the contact officer"),
            ("outcome_of_consultation", "Enter the outcome of consultation"),
        ):
            if not str(getattr(self, field)).strip():
                missing.append(message)
        for row in self.implications:
            if not str(row.get("text", "")).strip():
                missing.append(f"Complete the implications table: {row.get('heading')} is empty")
        if self.meeting_id is None:
            missing.append("Choose the meeting the report goes to")
        return missing


class PdfJobQuerySet(models.QuerySet):
    def live(self):
        """Jobs that are waiting, being worked on, or done: everything but failures."""
        return self.exclude(state=PdfJob.State.FAILED)

    def for_subject(self, kind, subject):
        return self.filter(kind=kind, subject=subject)

    def waiting_ahead_of(self, job):
        """How many jobs the workers will take before `job`: those queued before it and those running
        (not those a killed worker left behind)."""
        alive = timezone.now() - datetime.timedelta(seconds=settings.PDF_JOB_TIMEOUT)
        return (
            self.filter(
                models.Q(state=PdfJob.State.RUNNING, started_at__gte=alive)
                | models.Q(state=PdfJob.State.QUEUED, created_at__lt=job.created_at)
            )
            .exclude(pk=job.pk)
            .count()
        )


class PdfJob(models.Model):
    """A PDF prepared by the background worker: a draft of a Cabinet report or a decision record,
    or the issue of a Cabinet report (which renders and stores its final PDF).

    PDFs are never rendered in a web request. A page asks for one, the worker renders it, and the
    same address answers the PDF once it is ready. A draft is reused while its `fingerprint` (the
    SHA-256 of the HTML it is rendered from, which holds every figure and the "as at" date) is
    unchanged; at most one live job exists for the same thing and fingerprint (a database constraint),
    so however many people ask at once, it is rendered once.
    """

    class Kind(models.TextChoices):
        QUICK_DRAFT = "quick_draft", "Cabinet report as it stands"
        REPORT_DRAFT = "report_draft", "Draft Cabinet report"
        DECISION = "decision", "Decision record"
        ISSUE = "issue", "Issue of a Cabinet report"

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting to be prepared"
        RUNNING = "running", "Being prepared"
        READY = "ready", "Ready"
        FAILED = "failed", "Could not be prepared"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="pdf_jobs")
    subject = models.CharField(
        max_length=40, help_text='What the PDF is of: "authority:3", "report:12" or "meeting:5".'
    )
    report = models.ForeignKey(
        CabinetReport,
        on_delete=models.CASCADE,
        related_name="pdf_jobs",
        null=True,
        blank=True,
        help_text="The report, for a report's draft or its issue.",
    )
    fingerprint = models.CharField(
        max_length=64,
        help_text="SHA-256 of the HTML rendered; for an issue, the report version being issued.",
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    html = models.TextField(blank=True, help_text="What the worker renders; emptied once it is done.")
    filename = models.CharField(max_length=150, blank=True)
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True, help_text="Why it failed, in words for the person who asked.")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    task_id = models.CharField(max_length=64, blank=True, help_text="The django-tasks result that runs it.")

    objects = PdfJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject", "fingerprint"],
                condition=~models.Q(state="failed"),
                name="one_live_pdf_job",
            ),
        ]
        indexes = [models.Index(fields=["kind", "subject", "state"], name="pdf_job_lookup")]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.subject}): {self.get_state_display().lower()}"

    @property
    def is_abandoned(self):
        """A worker took it and has not finished in PDF_JOB_TIMEOUT seconds: killed, or lost."""
        if self.state != self.State.RUNNING or self.started_at is None:
            return False
        return timezone.now() - self.started_at > datetime.timedelta(seconds=settings.PDF_JOB_TIMEOUT)

    @property
    def is_pending(self):
        return self.state in (self.State.QUEUED, self.State.RUNNING) and not self.is_abandoned
