"""The weekly reminder: each officer is mailed a digest of what needs attention in their council's
responses, at most once every REMINDER_INTERVAL_DAYS (`manage.py send_reminders`, run daily).

A digest names each item by number and short title with its status and dates, and links to its edit
page: never a response's text, which stays in the tracker. One mail a person, listing each council they
are an officer of. A digest is recorded (ReminderDigest) only once the mail server has accepted it, so
a digest that failed goes out on the next run, and a second run the same day sends nothing.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from authorities import mail
from authorities.models import Authority, Membership, Person
from recommendations.models import Recommendation

from .models import DUE_WITHIN, STALE_AFTER, LocalResponse, ReminderDigest, answer_layout, end_of

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "responses.reminders.unsubscribe"


@dataclass
class Item:
    """One line of a digest: what it is (by number and short title), what to say of it, and its edit page."""

    title: str
    url: str
    status: str = ""
    target_date: datetime.date | None = None
    updated: datetime.date | None = None


@dataclass
class CouncilDigest:
    """What needs attention in one council's responses: a response can be in more than one list."""

    authority: Authority
    overdue: list[Item] = field(default_factory=list)
    due_soon: list[Item] = field(default_factory=list)
    stale: list[Item] = field(default_factory=list)
    unanswered: list[Item] = field(default_factory=list)

    SECTIONS = ("overdue", "due_soon", "stale", "unanswered")

    def counts(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name in self.SECTIONS}

    def __bool__(self):
        return any(self.counts().values())

    def summary(self) -> str:
        """ "1 past its target date, 8 not updated for 90 days, 50 with no response": for --dry-run."""
        counts = self.counts()
        phrases = {
            "overdue": "past the target date",
            "due_soon": f"due in the next {DUE_WITHIN.days} days",
            "stale": f"not updated for {STALE_AFTER.days} days",
            "unanswered": "with no response yet",
        }
        said = [f"{counts[name]} {phrases[name]}" for name in self.SECTIONS if counts[name]]
        return f"{self.authority.short_name}: {', '.join(said) or 'nothing'}"


def edit_url(authority: Authority, recommendation: Recommendation, part=None) -> str:
    """The absolute address of the officers' edit page for a recommendation, or one part of it."""
    if part is None:
        return mail.absolute(reverse("responses:edit", args=[authority.slug, recommendation.number]))
    return mail.absolute(
        reverse("responses:edit_part", args=[authority.slug, recommendation.number, part.letter])
    )


def council_digest(authority: Authority) -> CouncilDigest:
    """What needs attention in a council's responses today (three queries), by the rules the pages use:
    LocalResponse.is_overdue, is_due_soon and is_stale, and answer_layout for what has no response,
    so a recommendation answered part by part names each part still unanswered."""
    digest = CouncilDigest(authority)
    responses = list(
        LocalResponse.objects.filter(authority=authority)
        .select_related("recommendation", "part")
        .order_by("recommendation__number", "part__letter")
    )
    for response in responses:
        item = Item(
            title=f"Recommendation {response.numbered_title}",
            url=edit_url(authority, response.recommendation, response.part),
            status=response.get_status_display(),
            target_date=response.target_date,
            updated=timezone.localdate(response.updated_at) if response.updated_at else None,
        )
        if response.is_overdue:
            digest.overdue.append(item)
        if response.is_due_soon:
            digest.due_soon.append(item)
        if response.is_stale:
            digest.stale.append(item)
    answers = defaultdict(dict)
    for response in responses:
        answers[response.recommendation_id][response.part_id] = response
    for recommendation in Recommendation.objects.prefetch_related("parts").order_by("number"):
        for part, response in answer_layout(list(recommendation.parts.all()), answers[recommendation.pk]):
            if response is None:
                named = part.numbered_title if part else recommendation.numbered_title
                digest.unanswered.append(
                    Item(title=f"Recommendation {named}", url=edit_url(authority, recommendation, part))
                )
    return digest


def officers_to_remind():
    """Active officers of a council with an address who have not turned reminders off, each with
    `officer_at`, the councils they are an officer of, by name."""
    officer = {"role": Membership.Role.OFFICER, "authority__isnull": False}
    return (
        get_user_model()
        .objects.filter(is_active=True, **{f"memberships__{name}": value for name, value in officer.items()})
        .exclude(email="")
        .exclude(person__reminders=Person.Reminders.OFF)
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(**officer).select_related("authority"),
                to_attr="officer_memberships",
            )
        )
        .distinct()
        .order_by("username")
    )


def sent_recently(user, today: datetime.date) -> bool:
    """Whether the user was sent a digest in the last REMINDER_INTERVAL_DAYS days, counted in whole
    days: a digest sent at 07:15 on a Monday lets the next go at any time on the next Monday, so a
    daily run that starts a few seconds earlier one week than the last does not skip a day."""
    since = end_of(today - datetime.timedelta(days=settings.REMINDER_INTERVAL_DAYS))
    return ReminderDigest.objects.filter(user=user, sent_at__gte=since).exists()


def unsubscribe_token(user) -> str:
    return signing.dumps(user.pk, salt=UNSUBSCRIBE_SALT)


def user_of_unsubscribe_token(token: str):
    """The user an unsubscribe link was made for, or None for a link that was not made here."""
    try:
        pk = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return get_user_model().objects.filter(pk=pk).first()


def send_digest(user, digests: list[CouncilDigest]) -> None:
    """Mail one digest; raises if the server does not accept it."""
    unsubscribe = mail.absolute(reverse("reminders_unsubscribe", args=[unsubscribe_token(user)]))
    names = [digest.authority.short_name for digest in digests]
    mail.send(
        to=user.email,
        subject=f"Weekly summary for {' and '.join(names)}: responses that need attention",
        template="reminder_digest",
        context={
            "digests": digests,
            "today": timezone.localdate(),
            "due_days": DUE_WITHIN.days,
            "stale_days": STALE_AFTER.days,
            "unsubscribe_url": unsubscribe,
            "account_url": mail.absolute(reverse("account")),
        },
        # RFC 8058: a mail program's "Unsubscribe" POSTs to the link, and that alone unsubscribes.
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


@dataclass
class Outcome:
    sent: int = 0
    failed: int = 0
    nothing: int = 0
    recent: int = 0

    def summary(self, dry_run=False) -> str:
        def people(n, what):
            return f"{n} {'person' if n == 1 else 'people'} {what}"

        verb = "Would send" if dry_run else "Sent"
        said = [f"{verb} {self.sent} digest{'' if self.sent == 1 else 's'}"]
        if not dry_run:
            said.append(f"{self.failed} failed")
        said.append(people(self.nothing, "had nothing to report"))
        said.append(people(self.recent, f"had a digest in the last {settings.REMINDER_INTERVAL_DAYS} days"))
        return "; ".join(said)


def send_digests(*, dry_run: bool = False, say=print) -> Outcome:
    """Send every officer who is due one their digest; `say` is told of each, and of each failure.

    Each person is taken in their own transaction holding their Person row, so two runs at once send
    each person one digest: the second waits, then finds the first one's record. A mail that fails
    rolls back nothing but its own record-to-be; the others go on.
    """
    outcome = Outcome()
    today = timezone.localdate()
    by_council = {}
    for user in officers_to_remind():
        Person.of(user)
        with transaction.atomic():
            person = Person.objects.select_for_update().get(user=user)
            if person.reminders == Person.Reminders.OFF:  # turned off since the list was read
                continue
            if sent_recently(user, today):
                outcome.recent += 1
                continue
            digests = []
            for membership in user.officer_memberships:
                authority = membership.authority
                if authority.pk not in by_council:
                    by_council[authority.pk] = council_digest(authority)
                if by_council[authority.pk]:
                    digests.append(by_council[authority.pk])
            digests.sort(key=lambda digest: digest.authority.name)
            if not digests:
                outcome.nothing += 1
                continue
            if dry_run:
                say(f"Would send {user.username} <{user.email}>: {'; '.join(d.summary() for d in digests)}")
                outcome.sent += 1
                continue
            try:
                send_digest(user, digests)
            except Exception:
                logger.exception("The reminder digest to %s was not sent", user.username)
                say(f"Failed to send {user.username}'s digest: it will be tried again on the next run")
                outcome.failed += 1
                continue
            ReminderDigest.objects.create(
                user=user, counts={digest.authority.slug: digest.counts() for digest in digests}
            )
            outcome.sent += 1
    return outcome
