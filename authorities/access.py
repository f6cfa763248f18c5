"""Who may do what, decided in one place.

Every signed-in user may read every council's records: they go to public Cabinet papers.
Officers change their own council's responses; administrators change any council's.
Chairs read, and assure their own council's responses on the evidence attached (officers attach it
and ask); OFFICIAL-SENSITIVE evidence is for the council's own people and administrators. A council's
administrators manage its people (who holds which role there), and administrators every council's.
The council's clerks and officers, and administrators, prepare its committee papers: they build and
issue its Cabinet reports and record its meetings' decisions.
Issued reports and decision records are public papers, so every signed-in user may read them; a
draft is only for those who may prepare it.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from .models import Authority, CabinetReport, Membership


def memberships_of(user):
    """The user's memberships, read once per request and kept on the user object."""
    if not user.is_authenticated:
        return []
    if not hasattr(user, "_laming_memberships"):
        # In the model's order, less its last key (the username, the same on every row), which joined users.
        user._laming_memberships = list(
            Membership.objects.filter(user=user)
            .select_related("authority")
            .order_by("authority__name", "role")
        )
    return user._laming_memberships


def is_administrator(user):
    return user.is_authenticated and (
        user.is_superuser or any(m.role == Membership.Role.ADMINISTRATOR for m in memberships_of(user))
    )


def holds_role_at(user, authority, roles):
    """Administrators, and users holding one of `roles` at the council."""
    if is_administrator(user):
        return True
    return any(m.role in roles and m.authority_id == authority.pk for m in memberships_of(user))


def can_edit_responses(user, authority):
    """Officers of the council, and administrators, may change its responses."""
    return holds_role_at(user, authority, (Membership.Role.OFFICER,))


def can_assure(user, authority):
    """The council's LSCB chairs, and only they, assure its responses (administrators do not: assurance
    is the safeguarding board's judgement). Who asked for an assurance may not give it (the service)."""
    return any(
        m.role == Membership.Role.CHAIR and m.authority_id == authority.pk for m in memberships_of(user)
    )


def can_see_sensitive(user, authority):
    """OFFICIAL-SENSITIVE evidence, and its title, is for the council's own people (any role there) and
    administrators: need to know, not every signed-in user."""
    return is_administrator(user) or any(m.authority_id == authority.pk for m in memberships_of(user))


def can_manage_people(user, authority):
    """The council's administrators, and administrators, may see and change who holds which role there."""
    return holds_role_at(user, authority, (Membership.Role.COUNCIL_ADMINISTRATOR,))


PAPER_ROLES = (Membership.Role.CLERK, Membership.Role.OFFICER)


def can_prepare_papers(user, authority):
    """The council's clerks and officers, and administrators, may build, issue and record its papers."""
    return holds_role_at(user, authority, PAPER_ROLES)


def check_can_add_councils(request):
    """Administrators add councils (any English council can join); everyone else is refused, 403."""
    if not is_administrator(request.user):
        raise PermissionDenied("Only administrators add councils.")


def get_authority(request, slug, *, allowed=None, refusal=""):
    """The council named in the URL: 404 if there is none, 403 if `allowed(user, authority)` says no."""
    authority = None
    if allowed is not None:
        # Deciding whether the user is allowed reads their memberships, each with its council: a council
        # they belong to is in hand already, and is not read again.
        mine = (m.authority for m in memberships_of(request.user) if m.authority_id)
        authority = next((council for council in mine if council.slug == slug), None)
    if authority is None:
        authority = get_object_or_404(Authority, slug=slug)
    if allowed is not None and not allowed(request.user, authority):
        raise PermissionDenied(refusal)
    return authority


def get_authority_for_user(request, slug, *, write=False):
    """The council named in the URL: 404 if there is none, 403 if the user may not change it."""
    return get_authority(
        request,
        slug,
        allowed=can_edit_responses if write else None,
        refusal="You can only change your own council's responses.",
    )


def get_authority_for_papers(request, slug, *, prepare=False):
    """The council named in the URL: 404 if there is none, 403 if the user may not prepare its papers."""
    return get_authority(
        request,
        slug,
        allowed=can_prepare_papers if prepare else None,
        refusal="Only the council's clerks, officers and administrators prepare its papers.",
    )


def get_report_for_user(request, slug, pk, *, prepare=False, queryset=None):
    """A council's Cabinet report: 404 if the council has none with that number; 403 if it is a draft
    (or `prepare` asks to change it) and the user may not prepare the council's papers."""
    queryset = CabinetReport.objects.without_pdf() if queryset is None else queryset
    report = get_object_or_404(queryset.select_related("authority"), authority__slug=slug, pk=pk)
    if (prepare or not report.is_issued) and not can_prepare_papers(request.user, report.authority):
        raise PermissionDenied(
            "Only the council's clerks, officers and administrators see its draft reports."
        )
    return report


def get_authority_for_people(request, slug):
    """The council named in the URL: 404 if there is none, 403 unless the user manages its people."""
    return get_authority(
        request,
        slug,
        allowed=can_manage_people,
        refusal="Only the council's administrators, and administrators, manage its people.",
    )
