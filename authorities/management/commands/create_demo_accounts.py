from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from authorities.models import Authority, Membership

DEMO_PASSWORD = "laming-demo-2009"
COUNCIL_ROLES = [Membership.Role.OFFICER, Membership.Role.CHAIR, Membership.Role.CLERK]


class Command(BaseCommand):
    help = (
        "Create demo accounts officer.<slug>, chair.<slug> and clerk.<slug> for every council, and admin, "
        f"all with the password {DEMO_PASSWORD}. For local demonstration only: "
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
                for role in COUNCIL_ROLES:
                    user = self._user(f"{role}.{authority.slug}")
                    Membership.objects.get_or_create(user=user, authority=authority, role=role)
            admin = self._user("admin", is_staff=True, is_superuser=True)
            Membership.objects.get_or_create(user=admin, authority=None, role=Membership.Role.ADMINISTRATOR)
        self.stdout.write(
            f"Demo accounts ready for {len(authorities)} councils and admin; password {DEMO_PASSWORD}."
        )

    def _user(self, username, **flags):
        user, _ = get_user_model().objects.get_or_create(username=username, defaults=flags)
        for name, value in flags.items():
            setattr(user, name, value)
        user.set_password(DEMO_PASSWORD)
        user.save()
        return user
