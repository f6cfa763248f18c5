"""The sign-in form, worded the GOV.UK way."""

from django.contrib.auth.forms import AuthenticationForm


class SignInForm(AuthenticationForm):
    """Django's sign-in form with GOV.UK error messages; an inactive account keeps Django's."""

    error_messages = {
        **AuthenticationForm.error_messages,
        # Deliberately vague about which of the two was wrong.
        "invalid_login": "Enter a correct username and password",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"
