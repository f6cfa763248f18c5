from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LogoutView
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views.generic import TemplateView

from authorities.access import can_edit_responses, is_administrator, memberships_of
from recommendations.models import Recommendation
from responses.models import LocalResponse


class HomeView(TemplateView):
    """The start page after signing in: the user's councils and the ways into the records."""

    template_name = "home.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        memberships = memberships_of(user)
        worklists = []
        for authority in dict.fromkeys(m.authority for m in memberships if m.authority):
            worklists.append(
                {
                    "authority": authority,
                    "can_edit": can_edit_responses(user, authority),
                    "unanswered": list(Recommendation.objects.unanswered_by(authority)),
                    **LocalResponse.objects.worklist(authority),
                }
            )
        return super().get_context_data(
            memberships=memberships, worklists=worklists, is_administrator=is_administrator(user), **kwargs
        )


# Open to anyone: a sign-out sent after the session has expired should land on the sign-in
# page, not ask the user to sign in only to be shown "method not allowed".
@method_decorator(login_not_required, name="dispatch")
class SignOutView(LogoutView):
    """Django's sign-out (POST only), then the sign-in page with a note saying it worked."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.success(request, "You have been signed out")
        return response

    def http_method_not_allowed(self, request, *args, **kwargs):
        """A GET (an old link, a prefetch) signs nobody out; say so in GOV.UK style with a 405."""
        response = render(request, "405.html", status=405)
        response["Allow"] = ", ".join(self._allowed_methods())
        return response
