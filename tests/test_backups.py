"""A backup taken as the README says restores into a fresh database with nothing lost (README, "Backups").

Everything lives in the database: the records, the progress timeline, issued Cabinet reports with
their PDFs, and the background queue. The test dumps the test database with `pg_dump -Fc`, restores
it with `pg_restore` into a new database owned by an owner role that is not a superuser, and
compares every table's row count and every issued PDF's checksum.
"""

import datetime
import hashlib
import os
import subprocess
import uuid

import psycopg2
import pytest
from django.db import connection
from psycopg2 import sql

from authorities.models import Authority, CabinetReport, Meeting, Membership
from responses.cabinet import services
from responses.models import LocalResponse, ProgressUpdate
from responses.services import record_progress

from .conftest import load_reference_data_if_flushed, make_user
from .worker import run_queued_tasks

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reference_data_put_back")]

# The triggers that keep records final must come back with the data.
FINAL_RECORD_TRIGGERS = {
    "responses_progressupdate_append_only",
    "authorities_cabinetreport_frozen",
    "authorities_decision_final",
    "authorities_meeting_of_final_decision",
    "authorities_peoplechange_append_only",
}


def server_options():
    db = connection.settings_dict
    return [f"--host={db['HOST'] or '127.0.0.1'}", f"--port={db['PORT'] or 5432}"]


def run(*command, user):
    """Run a PostgreSQL client program as `user`, as an operator would from the shell."""
    env = {**os.environ, "PGPASSWORD": connection.settings_dict["PASSWORD"] or ""}
    arguments = [*map(str, command), *server_options(), f"--username={user}"]
    result = subprocess.run(arguments, capture_output=True, text=True, env=env)
    assert result.returncode == 0, f"{command[0]} failed: {result.stderr}"
    assert result.stderr == ""  # not even a warning


def connect(dbname):
    db = connection.settings_dict
    return psycopg2.connect(
        dbname=dbname,
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"],
    )


def table_row_counts(dbname):
    """Every table in schema public, with its number of rows."""
    with connect(dbname) as conn, conn.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
        )
        tables = [name for (name,) in cursor.fetchall()]
        counts = {}
        for table in tables:
            cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
            counts[table] = cursor.fetchone()[0]
    conn.close()
    return counts


def issued_pdfs(dbname):
    """Each issued report's stored checksum and the SHA-256 of its stored PDF."""
    with connect(dbname) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT id, pdf_sha256, pdf FROM authorities_cabinetreport WHERE status = 'issued'")
        pdfs = {pk: (checksum, hashlib.sha256(bytes(pdf)).hexdigest()) for pk, checksum, pdf in cursor}
    conn.close()
    return pdfs


def triggers(dbname):
    with connect(dbname) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled = 'O'")
        names = {name for (name,) in cursor.fetchall()}
    conn.close()
    return names


def officer_updates_a_response(darlington):
    response = LocalResponse.objects.filter(authority=darlington, part=None).order_by("pk").first()
    record_progress(
        authority=darlington,
        recommendation=response.recommendation,
        part=None,
        by=make_user("officer.backup-darlington", darlington, Membership.Role.OFFICER),
        expected_version=response.version,
        text=response.text,
        status=response.status,
        rag=response.rag,
        lead_officer=response.lead_officer,
        target_date=response.target_date,
        target_date_reason="",
        evidence=response.evidence,
        note="Checked before the backup.",
    )


def clerk_issues_a_report(darlington):
    clerk = make_user("clerk.backup-darlington", darlington, Membership.Role.CLERK)
    draft = services.create_report(
        authority=darlington,
        by=clerk,
        title="Laming: progress in Darlington",
        new_meeting_kind=Meeting.Kind.CABINET,
        new_meeting_date=datetime.date(2009, 7, 21),
    )
    services.issue_report(report=draft, by=clerk, expected_version=draft.version)
    run_queued_tasks()  # issuing renders in the worker
    report = CabinetReport.objects.get(pk=draft.pk)
    assert report.is_issued
    return report


@pytest.fixture
def fresh_database_and_owner():
    """A new database owned by a new login role that is not a superuser, as the README's restore."""
    suffix = uuid.uuid4().hex[:10]
    owner, dbname = f"laming_owner_test_{suffix}", f"laming_restore_test_{suffix}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{owner}" LOGIN')
        cursor.execute(f'CREATE DATABASE "{dbname}" OWNER "{owner}"')
    try:
        yield dbname, owner
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
            cursor.execute(f'DROP ROLE "{owner}"')


def test_a_dump_restores_into_a_fresh_database_with_every_row_and_pdf(fresh_database_and_owner, tmp_path):
    assert connection.vendor == "postgresql", "the backups are PostgreSQL's"
    load_reference_data_if_flushed()
    darlington = Authority.objects.get(slug="darlington")
    officer_updates_a_response(darlington)
    report = clerk_issues_a_report(darlington)
    source = connection.settings_dict["NAME"]
    restored, owner = fresh_database_and_owner
    dump = tmp_path / "laming.dump"

    # The README's commands: dump as the owner; restore as the new database's owner.
    run("pg_dump", "--format=custom", f"--file={dump}", source, user=connection.settings_dict["USER"])
    run("pg_restore", "--no-owner", "--no-acl", "--exit-on-error", f"--dbname={restored}", dump, user=owner)

    counts = table_row_counts(source)
    assert counts["responses_progressupdate"] == ProgressUpdate.objects.count() > 0
    assert counts["authorities_cabinetreport"] == 1
    assert len(counts) > 20  # every app's tables, not a few
    assert table_row_counts(restored) == counts

    pdfs = issued_pdfs(source)
    assert pdfs == {report.pk: (report.pdf_sha256, report.pdf_sha256)}
    assert issued_pdfs(restored) == pdfs

    assert triggers(restored) >= FINAL_RECORD_TRIGGERS
