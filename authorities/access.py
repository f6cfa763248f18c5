"""Who may do what, decided in one place.

Every signed-in user may read every council's records: they go to public Cabinet papers.
Officers change their own council's responses; administrators change any council's.
Chairs and clerks read (clerks prepare reports, which arrive later).
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from .models import Authority, Membership


def memberships_of(user):
    """The user's memberships, read once per request and kept on the user object."""
    if not user.is_authenticated:
        return []
    if not hasattr(user, "_laming_memberships"):
        user._laming_memberships = list(Membership.objects.filter(user=user).select_related("authority"))
    return user._laming_memberships


def is_administrator(user):
    return user.is_authenticated and (
        user.is_superuser or any(m.role == Membership.Role.ADMINISTRATOR for m in memberships_of(user))
    )


def can_edit_responses(user, authority):
    """Officers of the council, and administrators, may change its responses."""
    if is_administrator(user):
        return True
    return any(
        m.role == Membership.Role.OFFICER and m.authority_id == authority.pk for m in memberships_of(user)
    )


def get_authority_for_user(request, slug, *, write=False):
    """The council named in the URL: 404 if there is none, 403 if the user may not change it."""
    authority = get_object_or_404(Authority, slug=slug)
    if write and not can_edit_responses(request.user, authority):
        raise PermissionDenied("You can only change your own council's responses.")
    return authority
