"""A council's people pages: who holds which role there, invitations, accounts, and the history.

Only the council's administrators, and administrators, open them (authorities.access); every write
is a POST through authorities/people.py. The invitation link's page is open without signing in: its
token is the invitee's proof that the mail reached them.
"""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from laming.forms import bound_data

from . import people
from .access import get_authority_for_people
from .forms import AcceptInvitationForm, InvitationForm, RolesForm
from .models import Invitation, PeopleChange, in_words, person_name, role_labels

# An invitee's account is signed in straight after it is set up, with the backend that checks passwords.
SIGN_IN_BACKEND = "django.contrib.auth.backends.ModelBackend"
MAIL_FAILED = (
    "The invitation email could not be sent, so nothing has been saved. Try again later, or ask whoever "
    "runs the tracker to check its mail settings."
)


def page(request, template, context):
    return render(request, f"authorities/{template}", {**context, "nav": "authorities"})


@require_safe
def people_list(request, slug):
    """The council's people and their roles, its waiting invitations, and its history of changes."""
    authority = get_authority_for_people(request, slug)
    return page(
        request,
        "people.html",
        {
            "authority": authority,
            "council_people": people.people_at(authority),
            "invitations": list(Invitation.objects.waiting_at(authority)),
            "history": list(PeopleChange.objects.history_of(authority)),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def invite(request, slug):
    authority = get_authority_for_people(request, slug)
    form = InvitationForm(bound_data(request), authority=authority)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = people.invite(authority=authority, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        except OSError:  # the mail server refused or did not answer (smtplib's errors are OSErrors)
            form.add_error(None, MAIL_FAILED)
        else:
            messages.success(
                request,
                f"Invitation sent to {invitation.email}. "
                f"The link works for {people.invitation_lifetime_in_words()}.",
            )
            return redirect("authorities:people", authority.slug)
    return page(
        request,
        "invite.html",
        {"authority": authority, "form": form, "lifetime": people.invitation_lifetime_in_words()},
    )


def get_person(authority, user_id):
    person = people.person_at(authority, user_id)
    if person is None:
        raise Http404("That person holds no role at this council.")
    return person


@require_http_methods(["GET", "HEAD", "POST"])
def person_detail(request, slug, user_id):
    """One of the council's people: their roles there (to change), their account, their history here."""
    authority = get_authority_for_people(request, slug)
    person = get_person(authority, user_id)
    form = RolesForm(bound_data(request), authority=authority, initial={"roles": person.roles})
    if request.method == "POST" and form.is_valid():
        try:
            given, removed = people.change_roles(
                authority=authority, user=person.user, roles=form.cleaned_data["roles"], by=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return after_roles_changed(request, authority, person, given, removed)
    return page(
        request,
        "person.html",
        {
            "authority": authority,
            "person": person,
            "form": form,
            "account_problem": people.account_problem(authority, person.user, request.user),
            "history": list(PeopleChange.objects.history_of(authority).filter(subject=person.user)),
        },
    )


def after_roles_changed(request, authority, person, given, removed):
    name = person.name
    if not given and not removed:
        messages.info(request, f"{name}'s roles are unchanged")
    elif set(person.roles) == set(removed) and not given:
        messages.success(request, f"{name} no longer holds any role at {authority.short_name}")
        return redirect("authorities:people", authority.slug)
    else:
        said = []
        if given:
            said.append(f"given {in_words(role_labels(given))}")
        if removed:
            said.append(f"no longer {in_words(role_labels(removed))}")
        messages.success(request, f"{name}: {' and '.join(said)}")
    return redirect("authorities:person", authority.slug, person.user.pk)


def set_account(request, slug, user_id, *, active):
    authority = get_authority_for_people(request, slug)
    person = get_person(authority, user_id)
    change = people.reactivate if active else people.deactivate
    try:
        changed = change(authority=authority, user=person.user, by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        done = "reactivated" if active else "deactivated"
        if changed:
            messages.success(request, f"{person.name}'s account has been {done}")
        else:
            messages.info(request, f"{person.name}'s account was already {done}")
    return redirect("authorities:person", authority.slug, person.user.pk)


@require_POST
def deactivate(request, slug, user_id):
    return set_account(request, slug, user_id, active=False)


@require_POST
def reactivate(request, slug, user_id):
    return set_account(request, slug, user_id, active=True)


def get_invitation(request, slug, pk):
    authority = get_authority_for_people(request, slug)
    return get_object_or_404(
        Invitation.objects.select_related("authority", "invited_by"), authority=authority, pk=pk
    )


@require_POST
def withdraw_invitation(request, slug, pk):
    invitation = get_invitation(request, slug, pk)
    try:
        people.withdraw_invitation(invitation=invitation, by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request, f"The invitation to {invitation.email} has been withdrawn: its link no longer works"
        )
    return redirect("authorities:people", invitation.authority.slug)


@require_POST
def send_invitation_again(request, slug, pk):
    invitation = get_invitation(request, slug, pk)
    try:
        people.send_invitation_again(invitation=invitation, by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    except OSError:
        messages.error(request, MAIL_FAILED)
    else:
        messages.success(
            request,
            f"Invitation sent to {invitation.email} again. The earlier link no longer works; "
            f"the new one works for {people.invitation_lifetime_in_words()}.",
        )
    return redirect("authorities:people", invitation.authority.slug)


# The invitee's side: open without signing in.


UNUSABLE = {
    None: (404, "This invitation link is not valid"),
    Invitation.State.ACCEPTED: (410, "This invitation has already been used"),
    Invitation.State.EXPIRED: (410, "This invitation has expired"),
    Invitation.State.WITHDRAWN: (410, "This invitation has been withdrawn"),
}


def unusable(request, invitation):
    state = invitation.state if invitation else None
    status, title = UNUSABLE[state]
    return render(
        request,
        "authorities/invitation_unusable.html",
        {
            "invitation": invitation,
            "state": state,
            "title": title,
            "lifetime": people.invitation_lifetime_in_words(),
        },
        status=status,
    )


@login_not_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def accept_invitation(request, token):
    """The link in an invitation. Opening it changes nothing (mail scanners open links); a POST sets up
    the account, or adds the roles to the signed-in account the invitation was sent to."""
    invitation = people.find_invitation(token)
    if invitation is None or invitation.state != Invitation.State.WAITING:
        return unusable(request, invitation)
    context = {
        "invitation": invitation,
        "authority": invitation.authority,
        "roles": in_words(invitation.role_labels()),
        "invited_by": person_name(invitation.invited_by),
    }
    if request.user.is_authenticated:
        return accept_as_signed_in(request, invitation, context)
    accounts = list(people.accounts_with_address(invitation.email)[:1])
    if accounts:
        # The address has an account: the roles go to it once its owner signs in (and comes back here).
        mode = "sign_in" if accounts[0].is_active else "deactivated"
        return render(request, "authorities/invitation.html", {**context, "mode": mode})
    form = AcceptInvitationForm(bound_data(request), invitation=invitation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = people.accept_as_new_account(
                invitation=invitation,
                username=data["username"],
                password=data["password1"],
                name=data["name"],
            )
        except people.InvitationNotUsable as gone:
            return unusable(request, gone.invitation)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            login(request, user, backend=SIGN_IN_BACKEND)
            messages.success(
                request,
                "Your account has been set up and you are signed in. "
                f"Your username is {user.get_username()}.",
            )
            return redirect("home")
    return render(request, "authorities/invitation.html", {**context, "mode": "new", "form": form})


def accept_as_signed_in(request, invitation, context):
    user = request.user
    if user.email.lower() != invitation.email.lower():
        return render(request, "authorities/invitation.html", {**context, "mode": "other_account"})
    if request.method == "POST":
        try:
            people.accept_for_account(invitation=invitation, user=user)
        except people.InvitationNotUsable as gone:
            return unusable(request, gone.invitation)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, f"You now hold {context['roles']} at {invitation.authority.name}")
            return redirect("home")
    return render(request, "authorities/invitation.html", {**context, "mode": "accept"})
