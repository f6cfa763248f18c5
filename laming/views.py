from django.views.generic import TemplateView

from authorities.models import Membership


class HomeView(TemplateView):
    """The start page after signing in: the user's councils and the ways into the records."""

    template_name = "home.html"

    def get_context_data(self, **kwargs):
        memberships = Membership.objects.filter(user=self.request.user).select_related("authority")
        return super().get_context_data(memberships=memberships, **kwargs)
