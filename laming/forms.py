"""Forms every app uses: the sign-in form, worded the GOV.UK way, and how a page binds its form."""

from django.contrib.auth.forms import AuthenticationForm


def bound_data(request):
    """What a page's form is bound to: the POST, even an empty one, so that a POST with nothing in it
    is refused with the form's errors rather than answered as though it were a GET (an empty QueryDict
    is falsy, so `request.POST or None` leaves the form unbound)."""
    return request.POST if request.method == "POST" else None


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
