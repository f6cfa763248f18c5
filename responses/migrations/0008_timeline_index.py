# The timeline's index, in the timeline's order (TIMELINE_ORDER). SQLite takes no NULLS LAST in an index,
# and needs none: it sorts NULL below every date, so last in descending order, as PostgreSQL is told to.

from django.db import migrations, models

COLUMNS = '"response_id", "dated" DESC{nulls}, "created_at" DESC, "id" DESC'


def create_index(apps, schema_editor):
    nulls = " NULLS LAST" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(
        f'CREATE INDEX "progress_update_timeline" ON "responses_progressupdate" ({COLUMNS.format(nulls=nulls)})'
    )


def drop_index(apps, schema_editor):
    schema_editor.execute('DROP INDEX "progress_update_timeline"')


class Migration(migrations.Migration):
    dependencies = [
        ("responses", "0007_assurance_and_evidence"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(
                    model_name="progressupdate",
                    index=models.Index(
                        models.F("response"),
                        models.OrderBy(models.F("dated"), descending=True, nulls_last=True),
                        models.OrderBy(models.F("created_at"), descending=True),
                        models.OrderBy(models.F("id"), descending=True),
                        name="progress_update_timeline",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(create_index, drop_index)],
        ),
    ]
