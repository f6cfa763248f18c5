"""A decision record is final once its date of publication has come, in the database too.

Written by hand. On PostgreSQL, triggers refuse to change or delete a published decision record,
and to change or delete what its meeting contributes to the printed record (the council, the kind
of meeting, its date or the words for it, and the title of the item), so no script or console
session can rewrite a record the public has been given. A record not yet published can still be
corrected. Row triggers only, as for progress updates and issued reports: TRUNCATE (used by test
database flushes) is not a row change, and a restore's COPY only inserts.

"Today" is London's: the app's TIME_ZONE is Europe/London and `Decision.is_published` compares
with `timezone.localdate()`. `current_date` would follow the session's TimeZone, which Django sets
to UTC when USE_TZ is on, so between midnight and 1 a.m. in summer the database would still let a
record published "today" be changed. `now() AT TIME ZONE 'Europe/London'` is the same instant in
London whatever the session's setting.
"""

from django.db import migrations

LONDON_TODAY = "(now() AT TIME ZONE 'Europe/London')::date"

FINAL_SQL = f"""
CREATE OR REPLACE FUNCTION authorities_decision_final() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'A decision record published on % is final: it cannot be changed or deleted',
        to_char(OLD.published_on, 'FMDD FMMonth YYYY');
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER authorities_decision_final
    BEFORE UPDATE OR DELETE ON authorities_decision
    FOR EACH ROW WHEN (OLD.published_on IS NOT NULL AND OLD.published_on <= {LONDON_TODAY})
    EXECUTE FUNCTION authorities_decision_final();

-- The fields templates/pdf/includes/decision_record_content.html prints from the meeting. The rest
-- (the report summary, the source citation) may still be corrected.
CREATE OR REPLACE FUNCTION authorities_meeting_of_final_decision() RETURNS trigger AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM authorities_decision
        WHERE meeting_id = OLD.id AND published_on <= {LONDON_TODAY}
    ) THEN
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION 'This meeting has a published decision record: it cannot be deleted';
        END IF;
        IF (NEW.authority_id, NEW.kind, NEW.date, NEW.date_wording, NEW.report_title)
            IS DISTINCT FROM (OLD.authority_id, OLD.kind, OLD.date, OLD.date_wording, OLD.report_title)
        THEN
            RAISE EXCEPTION 'This meeting has a published decision record: what it prints cannot change';
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER authorities_meeting_of_final_decision
    BEFORE UPDATE OR DELETE ON authorities_meeting
    FOR EACH ROW EXECUTE FUNCTION authorities_meeting_of_final_decision();
"""
DROP_SQL = """
DROP TRIGGER IF EXISTS authorities_meeting_of_final_decision ON authorities_meeting;
DROP FUNCTION IF EXISTS authorities_meeting_of_final_decision();
DROP TRIGGER IF EXISTS authorities_decision_final ON authorities_decision;
DROP FUNCTION IF EXISTS authorities_decision_final();
"""


def run_on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            # No parameters: the driver then leaves the `%` of RAISE's format alone.
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("authorities", "0003_pdf_jobs"),
    ]

    operations = [
        migrations.RunPython(run_on_postgresql(FINAL_SQL), run_on_postgresql(DROP_SQL)),
    ]
