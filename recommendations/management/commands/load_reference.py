from django.core.management import call_command
from django.core.management.base import BaseCommand

from recommendations.models import Recommendation


class Command(BaseCommand):
    help = (
        "Load the reference data built from the source documents (fixtures/reference.json), "
        "unless it is already there: reloading would overwrite what officers have recorded since."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Load again even though the database holds the data."
        )

    def handle(self, *args, force=False, **options):
        if Recommendation.objects.exists() and not force:
            self.stdout.write("Reference data is already loaded; nothing to do.")
            return
        call_command("loaddata", "reference", verbosity=options["verbosity"])
