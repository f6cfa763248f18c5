"""Forms for a person's own account: password reset and change worded the GOV.UK way, and how often
they want reminders."""

import logging

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.password_validation import get_default_password_validators
from django.core.exceptions import ValidationError
from django.urls import reverse

from . import mail
from .models import Person

logger = logging.getLogger(__name__)

# Django's password validators' messages by their codes, reworded the GOV.UK way (no full stops, the
# field named first). The admin keeps Django's own wording.
PASSWORD_MESSAGES = {
    "password_too_short": "Password must be %(min_length)d characters or more",
    "password_too_common": "Password must not be a common password that is easy to guess",
    "password_entirely_numeric": "Password must not be only numbers",
    "password_too_similar": "Password must not be similar to your %(verbose_name)s",
}


def minimum_password_length():
    """The shortest password the validators allow (MinimumLengthValidator's, 8 by default)."""
    lengths = [v.min_length for v in get_default_password_validators() if hasattr(v, "min_length")]
    return max(lengths, default=1)


def reset_link_lifetime():
    """How long a reset link works, in words: "3 days" for PASSWORD_RESET_TIMEOUT = 259200."""
    seconds = settings.PASSWORD_RESET_TIMEOUT
    for unit, length in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= length and seconds % length == 0:
            count = seconds // length
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return f"{seconds} seconds"


def reworded(error):
    message = PASSWORD_MESSAGES.get(error.code)
    if message is None:
        return error
    return ValidationError(message, code=error.code, params=error.params)


class GovukPasswordMixin:
    """A new password typed twice, with the validators' errors on the first box (where it was typed)
    and worded the GOV.UK way."""

    error_messages = {"password_mismatch": "Enter the same password in both boxes"}

    def set_up_new_password_fields(self):
        first, second = self.fields["new_password1"], self.fields["new_password2"]
        first.label = "New password"
        first.help_text = (
            f"Must be {minimum_password_length()} characters or more, not a common password, not only "
            "numbers, and not like your username, name or email address."
        )
        first.error_messages["required"] = "Enter a new password"
        second.label = "Confirm new password"
        second.help_text = ""
        second.error_messages["required"] = "Enter the new password again"

    def clean(self):
        self.validate_passwords("new_password1", "new_password2")
        self.validate_password_for_user(self.user, "new_password1")
        return forms.Form.clean(self)

    def add_error(self, field, error):
        if isinstance(error, ValidationError) and not hasattr(error, "error_dict"):
            error = ValidationError([reworded(each) for each in error.error_list])
        super().add_error(field, error)


class GovukSetPasswordForm(GovukPasswordMixin, auth_forms.SetPasswordForm):
    """A new password from a reset link (or an invitation): no current password is asked for."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_up_new_password_fields()


class GovukPasswordChangeForm(GovukPasswordMixin, auth_forms.PasswordChangeForm):
    """A signed-in user's new password, after their current one."""

    error_messages = {
        **GovukPasswordMixin.error_messages,
        "password_incorrect": "Your current password is incorrect",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_up_new_password_fields()
        self.fields["old_password"].label = "Current password"
        self.fields["old_password"].error_messages["required"] = "Enter your current password"
        # GOV.UK pages do not move the focus on their own.
        self.fields["old_password"].widget.attrs.pop("autofocus", None)


class PasswordResetRequestForm(auth_forms.PasswordResetForm):
    """ "Forgotten your password?": an email address, and a reset link mailed to each active account
    with that address and a password (Django's get_users: an inactive account, or one without a
    password, gets nothing). Nothing says whether the address is known: the page that follows is the
    same either way, and a mail that could not be sent is logged, not shown."""

    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "Email address must be 254 characters or fewer",
        },
    )

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, **kwargs):
        # Django's templates build the link from the request's Host header, which the client sends;
        # the link is built from SITE_URL instead, so a forged Host cannot point it elsewhere.
        user = context["user"]
        path = reverse("password_reset_confirm", kwargs={"uidb64": context["uid"], "token": context["token"]})
        try:
            mail.send(
                to=to_email,
                subject="Reset your password",
                template="password_reset",
                context={
                    "name": user.get_full_name(),
                    "username": user.get_username(),
                    "link": mail.absolute(path),
                    "lifetime": reset_link_lifetime(),
                    "forgotten": mail.absolute(reverse("password_reset")),
                },
            )
        except Exception:
            # As Django does: an error page here would tell the visitor the address has an account.
            logger.exception("Could not send a password reset mail to user %s", user.pk)


class ReminderPreferenceForm(forms.ModelForm):
    """Whether the person wants the weekly digest of their council's responses that need attention."""

    reminders = forms.ChoiceField(
        label="Reminder emails",
        choices=Person.Reminders.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select weekly or off",
            "invalid_choice": "Select weekly or off",
        },
    )

    class Meta:
        model = Person
        fields = ["reminders"]
