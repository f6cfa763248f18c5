"""Meetings recorded twice are merged, so that 0011 can add the rule that a council has one meeting of a
kind on a day (the rule the report form's "A new meeting" broke).

Meetings already recorded twice are merged: for each council, kind
and date with more than one record, one is kept (the one with a decision record or an issued report,
if one has; otherwise the first recorded) and the others' draft reports are moved to it before they
are deleted. Their own title and summary go with them: the kept meeting's stay. A duplicate that has a
decision record or an issued report of its own cannot be merged without rewriting a record that is
final, so if two records of one meeting both have one, the migration stops and names them, changing
nothing, for an administrator to settle by hand. A database made by `load_reference` has no duplicates.

The constraint is added in a migration of its own: on PostgreSQL a table cannot be altered in the
transaction that has just deleted rows other tables refer to ("pending trigger events").
"""

from django.db import migrations
from django.db.models import Count

KINDS = {"cabinet": "Cabinet", "lscb": "LSCB", "scrutiny": "scrutiny committee"}


def merge_duplicate_meetings(apps, schema_editor):
    Meeting = apps.get_model("authorities", "Meeting")
    CabinetReport = apps.get_model("authorities", "CabinetReport")
    Decision = apps.get_model("authorities", "Decision")
    PdfJob = apps.get_model("authorities", "PdfJob")
    groups = (
        Meeting.objects.filter(date__isnull=False)
        .values("authority", "kind", "date")
        .annotate(records=Count("pk"))
        .filter(records__gt=1)
        .order_by("authority", "kind", "date")
    )
    stuck = []
    for group in groups:
        meetings = list(
            Meeting.objects.filter(authority=group["authority"], kind=group["kind"], date=group["date"])
            .select_related("authority")
            .order_by("pk")
        )
        final = set(Decision.objects.filter(meeting__in=meetings).values_list("meeting_id", flat=True))
        final |= set(
            CabinetReport.objects.filter(meeting__in=meetings, status="issued").values_list("meeting_id", flat=True)
        )
        if len(final) > 1:
            first = meetings[0]
            stuck.append(
                f"{first.authority.short_name} {KINDS.get(first.kind, first.kind)} on {first.date:%-d %B %Y} "
                f"(meetings {', '.join(str(meeting.pk) for meeting in meetings)})"
            )
            continue
        kept = next((meeting for meeting in meetings if meeting.pk in final), meetings[0])
        for extra in meetings:
            if extra.pk == kept.pk:
                continue
            moved = CabinetReport.objects.filter(meeting=extra).update(meeting=kept)
            PdfJob.objects.filter(subject=f"meeting:{extra.pk}").delete()
            print(
                f"\n  Meeting {extra.pk} was a second record of meeting {kept.pk} ({kept.authority.short_name} "
                f"{KINDS.get(kept.kind, kept.kind)}, {kept.date:%-d %B %Y}): merged, {moved} draft report(s) moved."
            )
            extra.delete()
    if stuck:
        raise RuntimeError(
            "These meetings are recorded more than once, and more than one record of each has a decision "
            "record or an issued report, which cannot be moved: " + "; ".join(stuck) + ". Nothing has been "
            "changed. Correct them by hand (a wrongly entered date or kind, in the admin) and migrate again."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("authorities", "0009_council_ons_code_and_region"),
    ]

    operations = [
        migrations.RunPython(merge_duplicate_meetings, migrations.RunPython.noop),
    ]
