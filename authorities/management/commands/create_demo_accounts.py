from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from authorities.models import Authority, Membership

DEMO_PASSWORD = "laming-demo-2009"
COUNCIL_ROLES = {
    "officer": Membership.Role.OFFICER,
    "chair": Membership.Role.CHAIR,
    "clerk": Membership.Role.CLERK,
    "admin": Membership.Role.COUNCIL_ADMINISTRATOR,
}


class Command(BaseCommand):
    help = (
        "Create demo accounts officer.<slug>, chair.<slug>, clerk.<slug> and admin.<slug> (the council's "
        "administrator) for every council, and admin, each with the address <username>@example.org and "
        f"the password {DEMO_PASSWORD}. For local demonstration only: "
        "refused unless DEMO_ACCOUNTS=1 is set."
    )

    def handle(self, *args, **options):
        # Its own switch, not DEBUG: `make run` serves with DEBUG off, as production does.
        if not settings.DEMO_ACCOUNTS:
            raise CommandError(
                "Demo accounts have a published password, "
                "so they are only created when DEMO_ACCOUNTS=1 is set."
            )
        authorities = list(Authority.objects.order_by("name"))
        if not authorities:
            raise CommandError("No councils found: run load_reference first.")
        with transaction.atomic():
            for authority in authorities:
                for prefix, role in COUNCIL_ROLES.items():
                    user = self._user(f"{prefix}.{authority.slug}")
                    Membership.objects.get_or_create(user=user, authority=authority, role=role)
            admin = self._user("admin", is_staff=True, is_superuser=True)
            Membership.objects.get_or_create(user=admin, authority=None, role=Membership.Role.ADMINISTRATOR)
        self.stdout.write(
            f"Demo accounts ready for {len(authorities)} councils and admin; password {DEMO_PASSWORD}."
        )

    def _user(self, username, **flags):
        user, _ = get_user_model().objects.get_or_create(username=username, defaults=flags)
        for name, value in {"email": f"{username}@example.org", **flags}.items():
            setattr(user, name, value)
        user.set_password(DEMO_PASSWORD)
        user.save()
        return user
