"""A council has one meeting of a kind on a day (0010 merged any recorded twice)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("authorities", "0010_merge_duplicate_meetings"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="meeting",
            constraint=models.UniqueConstraint(
                fields=("authority", "kind", "date"),
                name="unique_meeting_of_council_kind_and_date",
                violation_error_message="This council already has a meeting of this kind on this date.",
            ),
        ),
    ]
