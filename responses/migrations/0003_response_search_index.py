"""A full-text index for searching responses on PostgreSQL.

Built from the same SearchVector that responses.search.matching() filters on, so PostgreSQL can use it
(an expression index is only used for exactly its expression). Not in the model's Meta: a GIN index is
PostgreSQL-only, and the embedded SQLite database searches without one.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

INDEX = GinIndex(
    # The fields of responses.filters.RESPONSE_SEARCH_FIELDS, in that order.
    SearchVector("text", "evidence", "lead_officer", config="english"),
    name="response_search",
)


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("responses", "LocalResponse"), INDEX)


def remove_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("responses", "LocalResponse"), INDEX)


class Migration(migrations.Migration):
    dependencies = [("responses", "0002_progress_update_version_and_reason")]

    operations = [migrations.RunPython(add_index, remove_index)]
