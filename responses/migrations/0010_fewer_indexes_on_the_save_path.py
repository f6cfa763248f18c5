"""Less work for the database on each save.

- Three indexes go: responses by recommendation and updates by response (each the first column of a wider
  index that serves the same lookups: response_answered, progress_update_timeline), and the updates by
  spreadsheet upload, made partial, as most updates come from the edit form, not an upload.
- The search words (migration 0003) are worked out again on an update only when the text, evidence or lead
  officer actually change. Django's save writes every column, so the trigger's "UPDATE OF" fired on every
  save and ran to_tsvector over the whole text (about 1 ms a save) although most saves change a status.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

SEARCH_WORDS = "tsvector_update_trigger(search_vector, 'pg_catalog.english', text, evidence, lead_officer)"
CHANGED_WORDS_SQL = f"""
DROP TRIGGER IF EXISTS responses_localresponse_search_vector ON responses_localresponse;
CREATE TRIGGER responses_localresponse_search_vector
    BEFORE INSERT ON responses_localresponse
    FOR EACH ROW EXECUTE FUNCTION {SEARCH_WORDS};
CREATE TRIGGER responses_localresponse_search_vector_changed
    BEFORE UPDATE OF text, evidence, lead_officer ON responses_localresponse
    FOR EACH ROW
    WHEN (
        OLD.text IS DISTINCT FROM NEW.text
        OR OLD.evidence IS DISTINCT FROM NEW.evidence
        OR OLD.lead_officer IS DISTINCT FROM NEW.lead_officer
    )
    EXECUTE FUNCTION {SEARCH_WORDS};
"""
EVERY_UPDATE_SQL = f"""
DROP TRIGGER IF EXISTS responses_localresponse_search_vector_changed ON responses_localresponse;
DROP TRIGGER IF EXISTS responses_localresponse_search_vector ON responses_localresponse;
CREATE TRIGGER responses_localresponse_search_vector
    BEFORE INSERT OR UPDATE OF text, evidence, lead_officer ON responses_localresponse
    FOR EACH ROW EXECUTE FUNCTION {SEARCH_WORDS};
"""


# Django's names for the indexes it made for these foreign keys (0001, 0006).
SINGLE_COLUMN_INDEXES = [
    ("responses_localresponse_recommendation_id_713ca36e", "responses_localresponse", "recommendation_id"),
    ("responses_progressupdate_response_id_0e029e99", "responses_progressupdate", "response_id"),
    ("responses_progressupdate_spreadsheet_import_id_58413d59", "responses_progressupdate", "spreadsheet_import_id"),
]


def drop_single_column_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, _, _ in SINGLE_COLUMN_INDEXES:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def add_single_column_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, table, column in SINGLE_COLUMN_INDEXES:
            schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}")')


def search_words_when_changed(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CHANGED_WORDS_SQL)


def search_words_on_every_update(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(EVERY_UPDATE_SQL)


class Migration(migrations.Migration):

    dependencies = [
        ('recommendations', '0002_short_titles'),
        ('responses', '0009_totals_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The database side by name, on PostgreSQL only: on SQLite, altering a field remakes the table with
        # every index in the model's state, and SQLite refuses the timeline index's NULLS LAST (0008).
        # SQLite, the embedded demo, keeps the three indexes.
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(drop_single_column_indexes, add_single_column_indexes)],
            state_operations=[
                migrations.AlterField(
                    model_name='localresponse',
                    name='recommendation',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='responses', to='recommendations.recommendation'),
                ),
                migrations.AlterField(
                    model_name='progressupdate',
                    name='response',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='updates', to='responses.localresponse'),
                ),
                migrations.AlterField(
                    model_name='progressupdate',
                    name='spreadsheet_import',
                    field=models.ForeignKey(blank=True, db_index=False, help_text='The spreadsheet upload this update came from, if it came from one.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='updates', to='responses.spreadsheetimport'),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name='progressupdate',
            index=models.Index(condition=models.Q(('spreadsheet_import__isnull', False)), fields=['spreadsheet_import'], name='progress_update_import'),
        ),
        migrations.RunPython(search_words_when_changed, search_words_on_every_update),
    ]
