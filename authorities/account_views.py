"""A person's own account: the account page, and Django's password reset and change views in GOV.UK
pages (templates/registration/). The reset pages are open without signing in: Django's views are
exempt from LoginRequiredMiddleware, and these inherit that."""

from axes.utils import reset as reset_sign_in_failures
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from laming.forms import bound_data

from .access import memberships_of
from .account_forms import (
    GovukPasswordChangeForm,
    GovukSetPasswordForm,
    PasswordResetRequestForm,
    ReminderPreferenceForm,
    reset_link_lifetime,
)
from .models import Membership, Person


class PasswordResetView(auth_views.PasswordResetView):
    """ "Forgotten your password?": asks for an email address, then says the same whatever it was."""

    form_class = PasswordResetRequestForm


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    extra_context = {"lifetime": reset_link_lifetime}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The link from the mail: a new password, once, within PASSWORD_RESET_TIMEOUT. Django's token is
    made from the password's hash and the last sign-in, so it stops working once either changes."""

    form_class = GovukSetPasswordForm
    extra_context = {"lifetime": reset_link_lifetime}

    def form_valid(self, form):
        response = super().form_valid(form)
        # Whoever could read the mail owns the account: let them sign in at once rather than wait out
        # a lockout that their own (or someone else's) failed attempts started.
        reset_sign_in_failures(username=self.user.get_username())
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """A signed-in user's new password; the session they are using stays signed in, others end."""

    form_class = GovukPasswordChangeForm
    extra_context = {"nav": "account"}


def roles_in_words(user):
    """Each role the user holds, with where: "Council officer, Darlington"."""
    roles = [
        f"{m.get_role_display()}, {m.authority.short_name if m.authority else 'all councils'}"
        for m in memberships_of(user)
    ]
    if user.is_superuser and not any(m.role == Membership.Role.ADMINISTRATOR for m in memberships_of(user)):
        roles.append("Administrator, all councils")
    return roles


REMINDER_SAVED = {
    Person.Reminders.WEEKLY: (
        "You will get a weekly reminder email when your council's responses need attention"
    ),
    Person.Reminders.OFF: "You will not get reminder emails",
}


@require_http_methods(["GET", "HEAD", "POST"])
def account(request):
    """The signed-in user's name, email address and roles, a way to change their password, and how
    often they want reminders."""
    user = request.user
    # Unsaved until they choose: opening the page writes nothing.
    person = Person.objects.filter(user=user).first() or Person(user=user)
    form = ReminderPreferenceForm(bound_data(request), instance=person)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, REMINDER_SAVED[form.instance.reminders])
        return redirect("account")
    return render(
        request,
        "authorities/account.html",
        {"account_user": user, "roles": roles_in_words(user), "form": form, "nav": "account"},
    )
