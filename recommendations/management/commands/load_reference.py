from django.core.management import call_command
from django.core.management.base import BaseCommand

from recommendations.models import Recommendation


class Command(BaseCommand):
    help = (
        "Load the reference data built from the source documents (fixtures/reference.json) into an "
        "empty database. A database that already has it is left alone: loading again would overwrite "
        "what officers have recorded since, and the progress timeline cannot be rewritten anyway."
    )

    def handle(self, *args, **options):
        if Recommendation.objects.exists():
            self.stdout.write("Reference data is already loaded; nothing to do.")
            return
        call_command("loaddata", "reference", verbosity=options["verbosity"])
