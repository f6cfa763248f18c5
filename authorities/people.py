"""A council's people: who holds which role there, invitations, and whose account is open.

Every write is one function here: keyword-only, in one transaction, refusing with a message for the
page (ValidationError) rather than half-doing, and appending what it did to the council's history
(PeopleChange). Writes at one council take turns: each first locks the council's row, so two of its
administrators cannot, at the same moment, each remove the other's council-administrator role and
leave the council with none. Who may call them (the council's administrators, and administrators)
is decided in authorities.access, by the views.

Rules a council's administrators cannot get round, whatever they post:
- only the officer, chair, clerk and council-administrator roles, at their own council (COUNCIL_ROLES);
  nothing here gives the administrator role or touches is_staff or is_superuser;
- an account is deactivated only when every role it holds is at this council: a person who also works
  for another council keeps their account, and loses their roles here instead;
- administrators, and one's own account, are not deactivated here;
- the council keeps at least one active council administrator, unless an administrator (who can put
  things right) makes the change.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import BaseUserManager
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from . import mail
from .access import is_administrator
from .models import (
    COUNCIL_ROLES,
    Authority,
    Invitation,
    Membership,
    PeopleChange,
    in_words,
    person_name,
    role_labels,
)

# Invitation links


def invitation_lifetime() -> datetime.timedelta:
    """How long an invitation's link works: as long as a password reset link (PASSWORD_RESET_TIMEOUT)."""
    return datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)


def invitation_lifetime_in_words() -> str:
    seconds = int(invitation_lifetime().total_seconds())
    if seconds % 86400 == 0:
        days = seconds // 86400
        return f"{days} day{'s' if days != 1 else ''}"
    hours = max(seconds // 3600, 1)
    return f"{hours} hour{'s' if hours != 1 else ''}"


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A token for a link (256 random bits) and the hash that is all the database keeps of it."""
    token = secrets.token_urlsafe(32)
    return token, _token_hash(token)


def invitation_link(token: str) -> str:
    return mail.absolute(reverse("authorities:invitation", args=[token]))


def find_invitation(token: str) -> Invitation | None:
    """The invitation a link's token opens, in whatever state; None for a token that was never sent
    (mistyped, cut short, or made up)."""
    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.select_related("authority", "invited_by")
        .filter(token_hash=_token_hash(token))
        .first()
    )


def normalise_email(email: str) -> str:
    return BaseUserManager.normalize_email(email.strip())


def accounts_with_address(email: str):
    """The accounts whose address is `email` (in any letter case), open ones first."""
    return get_user_model().objects.filter(email__iexact=email).order_by("-is_active", "pk")


# Reads for the pages


@dataclass
class CouncilPerson:
    """A user who holds at least one role at the council, with those roles."""

    user: object
    roles: list[str] = field(default_factory=list)

    @property
    def name(self):
        return person_name(self.user)

    def role_labels(self):
        return role_labels(self.roles)


def people_at(authority: Authority) -> list[CouncilPerson]:
    """The council's people by name, each with their roles there: one query, however many there are."""
    people: dict[int, CouncilPerson] = {}
    for membership in Membership.objects.filter(authority=authority).select_related("user"):
        people.setdefault(membership.user_id, CouncilPerson(membership.user)).roles.append(membership.role)
    return sorted(people.values(), key=lambda person: (person.name.lower(), person.user.pk))


def person_at(authority: Authority, user_id: int) -> CouncilPerson | None:
    """One of the council's people, or None if that user holds no role there."""
    memberships = list(Membership.objects.filter(authority=authority, user_id=user_id).select_related("user"))
    if not memberships:
        return None
    return CouncilPerson(memberships[0].user, [membership.role for membership in memberships])


def account_problem(authority: Authority, user, by) -> str:
    """Why this page may not deactivate or reactivate `user`'s account, in words; "" if it may."""
    memberships = list(Membership.objects.filter(user=user))
    name = person_name(user)
    if not any(membership.authority_id == authority.pk for membership in memberships):
        return f"{name} holds no role at {authority.short_name}"
    if user.pk == by.pk:
        return "You cannot deactivate your own account"
    if (
        user.is_staff
        or user.is_superuser
        or any(m.role == Membership.Role.ADMINISTRATOR for m in memberships)
    ):
        return (
            f"{name} is an administrator: only an administrator can change their account, in administration"
        )
    if any(membership.authority_id != authority.pk for membership in memberships):
        return (
            f"{name} also holds roles at another council, so their account stays open. To stop them working "
            f"on {authority.short_name}'s records, remove their roles here"
        )
    return ""


def invitation_problem(authority: Authority, email: str) -> str:
    """Why `email` cannot be invited to the council now, in words; "" if it can."""
    if Invitation.objects.waiting().filter(authority=authority, email__iexact=email).exists():
        return f"{email} has already been invited to {authority.short_name}: resend that invitation instead"
    if Membership.objects.filter(authority=authority, user__email__iexact=email).exists():
        return (
            f"{email} already has an account at {authority.short_name}: change their roles from the list of "
            "people instead"
        )
    return ""


# Writes


class InvitationNotUsable(Exception):
    """The invitation has been accepted, withdrawn, or has expired, since its page was opened."""

    def __init__(self, invitation):
        super().__init__(invitation.get_state_display())
        self.invitation = invitation


def _checked_roles(roles, *, at_least_one: bool) -> list[str]:
    """The roles, in COUNCIL_ROLES order, if every one is a role a council gives."""
    chosen = set(roles)
    if chosen - set(COUNCIL_ROLES):
        raise ValidationError("Select roles from the list")
    if at_least_one and not chosen:
        raise ValidationError("Select at least one role")
    return [role.value for role in COUNCIL_ROLES if role in chosen]


def _lock_council(authority: Authority) -> None:
    Authority.objects.select_for_update().filter(pk=authority.pk).first()


def _record(*, authority, by, what, subject=None, email="", roles=(), invitation=None) -> PeopleChange:
    return PeopleChange.objects.create(
        authority=authority,
        by=by,
        by_name=person_name(by) if by else "",
        what=what,
        subject=subject,
        subject_name=person_name(subject) if subject else "",
        email=email or (subject.email if subject else ""),
        roles=list(roles),
        invitation=invitation,
    )


def _send_invitation(invitation: Invitation, token: str) -> None:
    """Mail the link. Raises if the mail server refuses it, which undoes the caller's transaction: an
    invitation is recorded as sent only once it has been."""
    authority = invitation.authority
    mail.send(
        to=invitation.email,
        subject=f"Invitation to Laming Tracker: {authority.name}",
        template="invitation",
        context={
            "invitation": invitation,
            "authority": authority,
            "link": invitation_link(token),
            "roles": in_words(invitation.role_labels()),
            "invited_by": person_name(invitation.invited_by),
            "lifetime": invitation_lifetime_in_words(),
        },
    )


def invite(*, authority: Authority, email: str, name: str, roles: list[str], by) -> Invitation:
    """Invite an address to hold `roles` at the council, and mail it a link that works once, for
    PASSWORD_RESET_TIMEOUT. Nothing is kept if the mail cannot be sent (the error is raised)."""
    roles = _checked_roles(roles, at_least_one=True)
    email = normalise_email(email)
    with transaction.atomic():
        _lock_council(authority)
        problem = invitation_problem(authority, email)
        if problem:
            raise ValidationError({"email": problem})
        token, token_hash = new_token()
        now = timezone.now()
        invitation = Invitation.objects.create(
            authority=authority,
            email=email,
            name=" ".join(name.split()),
            roles=roles,
            token_hash=token_hash,
            invited_by=by,
            created_at=now,
            sent_at=now,
            expires_at=now + invitation_lifetime(),
        )
        _record(
            authority=authority,
            by=by,
            what=PeopleChange.What.INVITED,
            email=email,
            roles=roles,
            invitation=invitation,
        )
        _send_invitation(invitation, token)
    return invitation


def _locked_invitation(invitation: Invitation) -> Invitation:
    # Only the invitation's row ("self"): locking the council's too, here, could take the two locks in the
    # other order from a write that locks the council first, and deadlock with it.
    return (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("authority", "invited_by")
        .get(pk=invitation.pk)
    )


def _open_invitation(invitation: Invitation, *, closed: str) -> Invitation:
    """The invitation locked (with its council) for a change, or a ValidationError if it has been
    accepted or withdrawn: "The invitation to <email> <closed> accepted"."""
    _lock_council(invitation.authority)
    invitation = _locked_invitation(invitation)
    if invitation.state in (Invitation.State.ACCEPTED, Invitation.State.WITHDRAWN):
        raise ValidationError(
            f"The invitation to {invitation.email} {closed} {invitation.get_state_display().lower()}"
        )
    return invitation


def send_invitation_again(*, invitation: Invitation, by) -> Invitation:
    """Send a waiting (or expired) invitation again with a new link and a new expiry; the old link
    stops working."""
    with transaction.atomic():
        invitation = _open_invitation(invitation, closed="has been")
        token, invitation.token_hash = new_token()
        invitation.sent_at = timezone.now()
        invitation.expires_at = invitation.sent_at + invitation_lifetime()
        invitation.save(update_fields=["token_hash", "sent_at", "expires_at"])
        _record(
            authority=invitation.authority,
            by=by,
            what=PeopleChange.What.INVITATION_SENT_AGAIN,
            email=invitation.email,
            roles=invitation.roles,
            invitation=invitation,
        )
        _send_invitation(invitation, token)
    return invitation


def withdraw_invitation(*, invitation: Invitation, by) -> Invitation:
    """Withdraw an invitation that has not been accepted: its link stops working."""
    with transaction.atomic():
        invitation = _open_invitation(invitation, closed="has already been")
        invitation.withdrawn_at = timezone.now()
        invitation.withdrawn_by = by
        invitation.save(update_fields=["withdrawn_at", "withdrawn_by"])
        _record(
            authority=invitation.authority,
            by=by,
            what=PeopleChange.What.INVITATION_WITHDRAWN,
            email=invitation.email,
            roles=invitation.roles,
            invitation=invitation,
        )
    return invitation


def split_name(name: str) -> tuple[str, str]:
    """A full name as Django's user keeps it: all but the last word, and the last word. get_full_name()
    joins them with a space, so the name reads back as it was typed."""
    words = name.split()
    if len(words) < 2:
        return (words[0] if words else ""), ""
    return " ".join(words[:-1])[:150], words[-1][:150]


def _accept(invitation: Invitation, user) -> list[str]:
    """Give `user` the invitation's roles they do not hold yet, mark it accepted, and record it."""
    given = []
    for role in invitation.roles:
        _, created = Membership.objects.get_or_create(user=user, authority=invitation.authority, role=role)
        if created:
            given.append(role)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    _record(
        authority=invitation.authority,
        by=user,
        what=PeopleChange.What.INVITATION_ACCEPTED,
        subject=user,
        email=invitation.email,
        roles=given,
        invitation=invitation,
    )
    return given


def accept_as_new_account(*, invitation: Invitation, username: str, password: str, name: str):
    """Set up the account the invitation is for, with its address, and give it the roles. The password
    has been checked against the password validators by the form. Raises InvitationNotUsable if the
    invitation was accepted, withdrawn or expired meanwhile (the link works once)."""
    User = get_user_model()
    with transaction.atomic():
        invitation = _locked_invitation(invitation)
        if invitation.state != Invitation.State.WAITING:
            raise InvitationNotUsable(invitation)
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError({"username": "That username is taken: choose another"})
        first_name, last_name = split_name(name)
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    username=username,
                    email=invitation.email,
                    password=password,
                    first_name=first_name,
                    last_name=last_name,
                )
        except IntegrityError:  # the same username taken a moment ago, in another request
            raise ValidationError({"username": "That username is taken: choose another"}) from None
        _accept(invitation, user)
    return user


def accept_for_account(*, invitation: Invitation, user) -> list[str]:
    """Add the invitation's roles to the signed-in account whose address it was sent to. Returns the
    roles it did not hold already."""
    with transaction.atomic():
        invitation = _locked_invitation(invitation)
        if invitation.state != Invitation.State.WAITING:
            raise InvitationNotUsable(invitation)
        if not user.is_active or user.email.lower() != invitation.email.lower():
            raise ValidationError(f"This invitation is for {invitation.email}: sign in with that account")
        return _accept(invitation, user)


def _leaves_no_council_administrator(authority: Authority, user, by) -> bool:
    """Whether taking the council-administrator role (or account) from `user` would leave the council
    with no active council administrator. Administrators may do it: they can put it right."""
    if is_administrator(by):
        return False
    return not (
        Membership.objects.filter(
            authority=authority, role=Membership.Role.COUNCIL_ADMINISTRATOR, user__is_active=True
        )
        .exclude(user=user)
        .exists()
    )


def change_roles(*, authority: Authority, user, roles: list[str], by) -> tuple[list[str], list[str]]:
    """Give and remove roles so that `user` holds exactly `roles` at the council (none: they are no
    longer one of its people). Returns the roles given and the roles removed."""
    wanted = set(_checked_roles(roles, at_least_one=False))
    with transaction.atomic():
        _lock_council(authority)
        # Without the default ordering, which would join (and lock) the council and the user too.
        held = set(
            Membership.objects.select_for_update()
            .filter(authority=authority, user=user)
            .order_by()
            .values_list("role", flat=True)
        )
        if not held:
            raise ValidationError(f"{person_name(user)} holds no role at {authority.short_name}")
        given = [role.value for role in COUNCIL_ROLES if role in wanted - held]
        removed = [role.value for role in COUNCIL_ROLES if role in held - wanted]
        if Membership.Role.COUNCIL_ADMINISTRATOR in removed and _leaves_no_council_administrator(
            authority, user, by
        ):
            who = "You are" if user.pk == by.pk else f"{person_name(user)} is"
            raise ValidationError(
                f"{who} {authority.short_name}'s only council administrator: give the role to someone else "
                "first, or ask an administrator"
            )
        for role in removed:
            Membership.objects.filter(authority=authority, user=user, role=role).delete()
            _record(
                authority=authority, by=by, what=PeopleChange.What.ROLE_REMOVED, subject=user, roles=[role]
            )
        for role in given:
            Membership.objects.create(authority=authority, user=user, role=role)
            _record(authority=authority, by=by, what=PeopleChange.What.ROLE_GIVEN, subject=user, roles=[role])
    return given, removed


def _set_active(*, authority: Authority, user, by, active: bool) -> bool:
    User = get_user_model()
    with transaction.atomic():
        _lock_council(authority)
        user = User.objects.select_for_update().get(pk=user.pk)
        problem = account_problem(authority, user, by)
        if problem:
            raise ValidationError(problem)
        if user.is_active == active:
            return False
        # No check for the council's last administrator: nobody deactivates their own account here, so
        # a council administrator doing it leaves themselves, and an administrator may.
        user.is_active = active
        user.save(update_fields=["is_active"])
        what = PeopleChange.What.REACTIVATED if active else PeopleChange.What.DEACTIVATED
        _record(authority=authority, by=by, what=what, subject=user)
    return True


def deactivate(*, authority: Authority, user, by) -> bool:
    """Close the account of one of the council's people who works for no other council: they can no
    longer sign in, and a session they have open ends at their next click (Django's ModelBackend does
    not load an inactive user). Their roles are kept, for reactivation. False if it was closed already."""
    return _set_active(authority=authority, user=user, by=by, active=False)


def reactivate(*, authority: Authority, user, by) -> bool:
    """Open again an account closed by `deactivate`, with the roles it had. False if it was open."""
    return _set_active(authority=authority, user=user, by=by, active=True)
