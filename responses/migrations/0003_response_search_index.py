"""Full-text search of responses on PostgreSQL: a stored tsvector column, kept up to date by a
trigger on every insert and update, with a GIN index.

Stored rather than computed per query: a word found in most responses would otherwise make
PostgreSQL run to_tsvector over every row, twice a page (count and rows). The column exists on
SQLite too (SQLite takes any column type) but stays empty there: search falls back to matching text.
"""

import django.contrib.postgres.search
from django.contrib.postgres.indexes import GinIndex
from django.db import migrations

# The fields of responses.filters.RESPONSE_SEARCH_FIELDS, in that order.
TRIGGER_SQL = """
CREATE TRIGGER responses_localresponse_search_vector
    BEFORE INSERT OR UPDATE OF text, evidence, lead_officer ON responses_localresponse
    FOR EACH ROW EXECUTE FUNCTION
    tsvector_update_trigger(search_vector, 'pg_catalog.english', text, evidence, lead_officer);
UPDATE responses_localresponse SET text = text;
"""
DROP_TRIGGER_SQL = "DROP TRIGGER IF EXISTS responses_localresponse_search_vector ON responses_localresponse;"
INDEX = GinIndex(fields=["search_vector"], name="response_search")


def add_search(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER_SQL)
        schema_editor.add_index(apps.get_model("responses", "LocalResponse"), INDEX)


def remove_search(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("responses", "LocalResponse"), INDEX)
        schema_editor.execute(DROP_TRIGGER_SQL)


class Migration(migrations.Migration):
    dependencies = [("responses", "0002_progress_update_version_and_reason")]

    operations = [
        migrations.AddField(
            model_name="localresponse",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(
                editable=False,
                help_text="The response's words for full-text search, kept up to date by a PostgreSQL "
                "trigger (migration 0003); unused on SQLite.",
                null=True,
            ),
        ),
        migrations.RunPython(add_search, remove_search),
    ]
