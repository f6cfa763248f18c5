"""The app can run as a PostgreSQL role that does not own its tables (README, "Database roles").

The owner role runs the migrations; `scripts/grant-app-role.sql` gives the app's role row access
only. Connected as that role, the protections that rest on triggers cannot be switched off: it
cannot TRUNCATE the audit trail, disable or drop a trigger, or replay changes past the triggers.
These tests create a real login role, grant it with the script as the README says, and connect as it.
"""

import os
import subprocess
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.db import connection

from authorities.models import Meeting
from responses.models import ProgressUpdate

from .conftest import load_reference_data_if_flushed

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "grant-app-role.sql"

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data_put_back")]

# The triggers that keep records final (migrations responses 0002, authorities 0002, 0004 and 0008).
FINAL_RECORD_TRIGGERS = [
    ("responses_progressupdate", "responses_progressupdate_append_only"),
    ("authorities_cabinetreport", "authorities_cabinetreport_frozen"),
    ("authorities_decision", "authorities_decision_final"),
    ("authorities_meeting", "authorities_meeting_of_final_decision"),
    ("authorities_peoplechange", "authorities_peoplechange_append_only"),
]


def libpq_options(**overrides):
    """How to reach the test database (pytest-django's, not the configured one), as libpq takes it."""
    db = connection.settings_dict
    options = {"dbname": db["NAME"], "host": db["HOST"] or "127.0.0.1", "port": db["PORT"] or 5432}
    options["user"] = db["USER"]
    options.update(overrides)
    return options


def grant_as_documented(role):
    """Run the README's command: psql as the owner, in the app's database, naming the app's role."""
    owner = libpq_options()
    subprocess.run(
        [
            "psql",
            "--no-psqlrc",
            "--quiet",
            f"--host={owner['host']}",
            f"--port={owner['port']}",
            f"--username={owner['user']}",
            f"--dbname={owner['dbname']}",
            "-v",
            f"app_role={role}",
            "-f",
            str(SCRIPT),
        ],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PGPASSWORD": connection.settings_dict["PASSWORD"] or ""},
    )


@pytest.fixture
def app_role():
    """A login role of its own for this run (roles belong to the whole server), granted by the script."""
    assert connection.vendor == "postgresql", "database roles are PostgreSQL's"
    load_reference_data_if_flushed()
    role = f"laming_app_test_{uuid.uuid4().hex[:10]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{role}" LOGIN')
    try:
        grant_as_documented(role)
        yield role
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP OWNED BY "{role}"')
            cursor.execute(f'DROP ROLE "{role}"')


@pytest.fixture
def as_app(app_role):
    """A cursor connected as the app's role; each statement commits or fails on its own."""
    app = psycopg2.connect(**libpq_options(user=app_role, password=connection.settings_dict["PASSWORD"]))
    app.autocommit = True
    try:
        with app.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone() == (app_role,)
            yield cursor
    finally:
        app.close()


def copy_of_a_progress_update_sql():
    """INSERT a copy of an update: plain DML, as the app appends to the timeline."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = 'responses_progressupdate' AND column_name <> 'id'"
        )
        columns = ", ".join(name for (name,) in cursor.fetchall())
    return (
        f"INSERT INTO responses_progressupdate ({columns}) SELECT {columns} FROM responses_progressupdate "
        "WHERE id = %s RETURNING id"
    )


def test_the_app_role_reads_and_appends_rows(as_app):
    as_app.execute("SELECT count(*) FROM recommendations_recommendation")
    assert as_app.fetchone() == (58,)
    first = ProgressUpdate.objects.order_by("pk").first()
    before = ProgressUpdate.objects.count()
    as_app.execute(copy_of_a_progress_update_sql(), [first.pk])
    (new_id,) = as_app.fetchone()
    assert ProgressUpdate.objects.count() == before + 1
    assert ProgressUpdate.objects.get(pk=new_id).note == first.note
    # Rows it may change, it changes: a meeting with no published decision.
    meeting = Meeting.objects.filter(decision__isnull=True, cabinet_reports__isnull=True).first()
    as_app.execute("UPDATE authorities_meeting SET report_title = 'Retitled' WHERE id = %s", [meeting.pk])
    as_app.execute("DELETE FROM authorities_meeting WHERE id = %s", [meeting.pk])
    assert not Meeting.objects.filter(pk=meeting.pk).exists()


# Each would let the role rewrite or empty the records the triggers keep final. (Transactional tests
# each end with the tables emptied and the reference data loaded again, so they are kept few.)
REFUSED_STATEMENTS = [
    "TRUNCATE responses_progressupdate",
    "TRUNCATE responses_progressupdate CASCADE",
    "ALTER TABLE responses_progressupdate DISABLE TRIGGER ALL",
    "ALTER TABLE responses_progressupdate DISABLE TRIGGER USER",
    "ALTER TABLE responses_progressupdate DROP COLUMN note",
    "DROP TABLE responses_progressupdate",
    "CREATE TABLE responses_shadow (id integer)",
    # Replica mode skips ordinary triggers: only a superuser may set it.
    "SET session_replication_role = replica",
    *(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}" for table, trigger in FINAL_RECORD_TRIGGERS),
    *(f"DROP TRIGGER {trigger} ON {table}" for table, trigger in FINAL_RECORD_TRIGGERS),
]


def test_the_app_role_cannot_empty_the_audit_trail_or_switch_off_the_triggers(as_app):
    allowed = []
    for statement in REFUSED_STATEMENTS:
        try:
            as_app.execute(statement)
        except psycopg2.errors.InsufficientPrivilege:
            continue
        allowed.append(statement)
    assert allowed == []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgname = ANY(%s) AND tgenabled = 'O' ORDER BY tgname",
            [[trigger for _, trigger in FINAL_RECORD_TRIGGERS]],
        )
        enabled = [name for (name,) in cursor.fetchall()]
    assert enabled == sorted(trigger for _, trigger in FINAL_RECORD_TRIGGERS)


def test_the_triggers_still_refuse_the_app_role(as_app):
    before = list(ProgressUpdate.objects.order_by("pk").values_list("pk", "note")[:1])
    with pytest.raises(psycopg2.errors.RaiseException, match="audit trail"):
        as_app.execute("UPDATE responses_progressupdate SET note = 'Rewritten' WHERE id = %s", [before[0][0]])
    with pytest.raises(psycopg2.errors.RaiseException, match="audit trail"):
        as_app.execute("DELETE FROM responses_progressupdate WHERE id = %s", [before[0][0]])
    with pytest.raises(psycopg2.errors.RaiseException, match="is final"):
        as_app.execute("UPDATE authorities_decision SET reasons = 'Rewritten'")
    assert list(ProgressUpdate.objects.order_by("pk").values_list("pk", "note")[:1]) == before


def test_the_owner_still_runs_migrations_and_the_app_role_gets_the_tables_they_create(as_app):
    """The owner keeps every power a migration needs, and a table a later migration creates is
    the app's to use without granting again (the script's default privileges)."""
    with connection.cursor() as cursor:
        # A sequence-backed id (identity columns, as Django makes, need no grant on their sequence).
        cursor.execute("CREATE TABLE later_migration_table (id bigserial PRIMARY KEY, note text)")
        cursor.execute(
            "ALTER TABLE responses_progressupdate DISABLE TRIGGER responses_progressupdate_append_only"
        )
        cursor.execute(
            "ALTER TABLE responses_progressupdate ENABLE TRIGGER responses_progressupdate_append_only"
        )
    try:
        as_app.execute("INSERT INTO later_migration_table (note) VALUES ('written by the app') RETURNING id")
        assert as_app.fetchone() == (1,)
        as_app.execute("UPDATE later_migration_table SET note = 'changed'")
        as_app.execute("DELETE FROM later_migration_table")
        with pytest.raises(psycopg2.errors.InsufficientPrivilege):
            as_app.execute("TRUNCATE later_migration_table")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE later_migration_table")
