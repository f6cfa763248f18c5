from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from responses.reminders import send_digests


class Command(BaseCommand):
    help = (
        "Mail each council officer a digest of their council's responses that need attention: past "
        "their target date, due in the next 30 days, not updated for 90 days, and recommendations with "
        f"no response yet. At most one every REMINDER_INTERVAL_DAYS ({settings.REMINDER_INTERVAL_DAYS}) "
        "days a person; run it daily. Exits non-zero if any digest could not be sent (it is tried again "
        "on the next run)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Say who would be sent what, and send nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        outcome = send_digests(dry_run=dry_run, say=self.stdout.write)
        self.stdout.write(outcome.summary(dry_run=dry_run))
        if outcome.failed:
            raise CommandError(
                f"{outcome.failed} digest{'' if outcome.failed == 1 else 's'} could not be sent: see the "
                "log above. They will be tried again on the next run."
            )
