"""An uploaded spreadsheet's rows checked against a council's responses, before anything is applied.

plan_import reads every row and sorts it into one of four: a change to make (checked by the edit form's
own rules, ResponseForm, so a row needs what the form needs: a progress note, a reason for moving a
target date, a response text and a status for a first answer), a row someone else has saved since the
file was downloaded (its version in the hidden column is not the response's: left out, with their
change shown), a row with a problem (left out, said plainly by spreadsheet row number), or a row with
nothing changed. Nothing here writes: responses/services.py applies a plan's changes.
"""

import datetime
import hashlib
import json
import re
from dataclasses import dataclass, field

from django import forms

from authorities.models import Authority
from laming.forms import date_as_post
from recommendations.models import Recommendation

from .exports import NO_RESPONSE, NOTE, plain_newlines
from .forms import ResponseForm
from .models import LocalResponse, ProgressUpdate, Rag, Status
from .spreadsheets import DOWNLOAD_AGAIN, Cell, FileRefused, Table

KEY_PATTERN = re.compile(r"^(\d{1,3})(?:\(([a-z])\))?$")
# The fields a row can change, in the order the preview lists them, and their names there.
FIELDS = {
    "status": "Status",
    "rag": "RAG",
    "lead_officer": "Lead officer",
    "target_date": "Target date",
    "target_date_reason": "Reason target date moved",
    "text": "Response",
}
COMPARED = ["status", "rag", "lead_officer", "target_date", "text"]
STATUS_BY_LABEL = {label.casefold(): value for value, label in Status.choices}
RAG_BY_LABEL = {label.casefold(): value for value, label in Rag.choices}


@dataclass
class FieldChange:
    """One field of a row, as the tracker has it and as the file has it, in words."""

    name: str
    before: str
    after: str


@dataclass
class RowChange:
    """A row that will update a response (or record its first one) when the import is confirmed."""

    row: int
    title: str
    key: str
    recommendation: Recommendation
    part: object
    response: LocalResponse | None
    expected_version: int
    values: dict  # the edit form's cleaned data, for record_progress
    fields: list[FieldChange]

    @property
    def note(self):
        return self.values["note"]


@dataclass
class RowConflict:
    """A row changed in the file whose response someone has saved since the file was downloaded."""

    row: int
    title: str
    key: str
    response: LocalResponse | None
    downloaded_version: int
    fields: list[FieldChange]  # what the file changes, from the response as it was downloaded
    note: str
    since: list = field(default_factory=list)  # their progress updates since, oldest first


@dataclass
class RowError:
    row: int
    title: str
    messages: list[str]


@dataclass
class ImportPlan:
    rows: int = 0
    changes: list[RowChange] = field(default_factory=list)
    conflicts: list[RowConflict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    unchanged: int = 0
    # Of the unchanged rows, those not touched in the file but saved by someone since it was downloaded.
    unchanged_but_saved_since: int = 0

    @property
    def digest(self) -> str:
        """What confirming would apply, as a checksum: the preview's confirm button carries it, and the
        confirm applies nothing unless the file, checked again then, still gives the same."""
        applied = [
            [change.row, change.key, change.expected_version, sorted(change.values.items())]
            for change in self.changes
        ]
        return hashlib.sha256(json.dumps(applied, default=str).encode()).hexdigest()

    def counts(self) -> dict:
        return {
            "rows": self.rows,
            "changes": len(self.changes),
            "conflicts": len(self.conflicts),
            "errors": len(self.errors),
            "unchanged": self.unchanged,
        }


class RowProblem(Exception):
    def __init__(self, *messages):
        super().__init__(*messages)
        self.messages = list(messages)


def plan_import(authority: Authority, table: Table) -> ImportPlan:
    """Every row of `table` checked against `authority`'s responses as they stand (four queries, and one
    more when a row was saved by someone since the download). Raises FileRefused for a file of another
    council's."""
    _check_council(authority, table)
    recommendations = {r.number: r for r in Recommendation.objects.prefetch_related("parts")}
    responses = {
        (response.recommendation_id, response.part_id): response
        for response in LocalResponse.objects.filter(authority=authority).select_related(
            "recommendation", "part"
        )
    }
    plan = ImportPlan(rows=len(table.rows))
    seen = {}
    rows_form = RowsForm()
    behind = []  # (row, proposed, ...) whose response has moved on since the download
    for number, cells in table.rows:
        title = ""
        try:
            recommendation, part, title = _identify(cells, recommendations)
            key = _key(recommendation, part)
            if key in seen:
                raise RowProblem(
                    f"This row is for recommendation {key}, as row {seen[key]} is. Keep one row for each "
                    "recommendation or part, as in the downloaded file."
                )
            seen[key] = number
            current = responses.get((recommendation.pk, part.pk if part else None))
            version = _version(cells, current)
            proposed = _proposed(cells)
        except RowProblem as problem:
            plan.errors.append(RowError(row=number, title=title, messages=problem.messages))
            continue
        candidate = (number, title, key, recommendation, part, current, version, proposed)
        if version != (current.version if current else 0):
            behind.append(candidate)
            continue
        try:
            change = _change(*candidate, rows_form)
        except RowProblem as problem:
            plan.errors.append(RowError(row=number, title=title, messages=problem.messages))
            continue
        if change is None:
            plan.unchanged += 1
        else:
            plan.changes.append(change)
    _sort_behind(plan, behind)
    return plan


def _check_council(authority, table):
    """The whole file is refused if any row says it is another council's."""
    codes = {_text(cells["Council code"]) for _, cells in table.rows} - {""}
    others = sorted(codes - {authority.slug})
    if not others:
        return
    other = Authority.objects.filter(slug=others[0]).first()
    if other is None:
        raise FileRefused(
            f"The selected file is not {authority.short_name}’s: its rows are marked for another council. "
            + DOWNLOAD_AGAIN
        )
    raise FileRefused(
        f"The selected file is {other.name}’s responses, not {authority.name}’s. Upload it on "
        f"{other.short_name}’s page, or download {authority.short_name}’s file from this page."
    )


def _identify(cells, recommendations):
    """The recommendation or part a row is for, from its hidden key, checked against the visible
    Recommendation and Part columns."""
    if cells["Council code"].blank:
        raise RowProblem(
            "This row was not in the downloaded file. Write a first response in the row for its "
            "recommendation or part, which the downloaded file has."
        )
    match = KEY_PATTERN.match(_text(cells["Recommendation key"]))
    recommendation = recommendations.get(int(match[1])) if match else None
    part = None
    if recommendation and match[2]:
        part = next((p for p in recommendation.parts.all() if p.letter == match[2]), None)
    if recommendation is None or (match[2] and part is None):
        raise RowProblem("The hidden Recommendation key column has been changed. " + DOWNLOAD_AGAIN)
    title = f"Recommendation {part.numbered_title if part else recommendation.numbered_title}"
    shown_number = _whole_number(cells["Recommendation"])
    shown_letter = _text(cells["Part"]).lower()
    if shown_number != recommendation.number or shown_letter != (part.letter if part else ""):
        raise RowProblem(
            f"The Recommendation or Part column has been changed: this row was downloaded for "
            f"recommendation {_key(recommendation, part)}. Put them back as they were."
        )
    return recommendation, part, title


def _version(cells, current) -> int:
    """The version the row was downloaded at, checked against the hidden response id."""
    changed = RowProblem("The hidden Response id or Version column has been changed. " + DOWNLOAD_AGAIN)
    version = _whole_number(cells["Version"])
    response_id = _whole_number(cells["Response id"])
    if version is None or version < 0:
        raise changed
    if response_id is None:
        if version != 0:
            raise changed
    elif current is None or current.pk != response_id or version == 0 or version > current.version:
        raise changed
    return version


def _proposed(cells) -> dict:
    """What the row says, read from its cells: every cell that cannot be read is named."""
    problems = [
        f"The {heading} cell holds a formula ({cell.value[:40]}). Type the value itself: "
        "formulas are not read."
        for heading, cell in cells.items()
        if cell.formula
    ]
    if problems:
        raise RowProblem(*problems)
    status_label = _text(cells["Status"])
    status = "" if status_label in ("", NO_RESPONSE) else STATUS_BY_LABEL.get(status_label.casefold())
    if status is None:
        problems.append(
            f"“{status_label}” is not a status. Choose one from the list: "
            + ", ".join(label for _, label in Status.choices)
            + "."
        )
    rag_label = _text(cells["RAG"])
    rag = RAG_BY_LABEL.get(rag_label.casefold()) if rag_label else Rag.NOT_RATED
    if rag is None:
        problems.append(
            f"“{rag_label}” is not a RAG rating. Choose one from the list: "
            + ", ".join(label for _, label in Rag.choices)
            + "."
        )
    target_date = None
    try:
        target_date = _date(cells["Target date"])
    except forms.ValidationError as error:
        problems.extend(error.messages)
    if problems:
        raise RowProblem(*problems)
    return {
        "status": status,
        "rag": rag,
        "lead_officer": _text(cells["Lead officer"]),
        "target_date": target_date,
        "target_date_reason": _text(cells["Reason target date moved"]),
        "text": _text(cells["Response"]),
        "note": _text(cells[NOTE]),
    }


def _date(cell: Cell) -> datetime.date | None:
    """A target date: a real date in Excel, or text such as 31/03/2010 or 2010-03-31 (CSV, or typed as
    text). Checked by the edit form's date field, so a date that does not exist (31/02/2009) or is out
    of range gets its message."""
    value = cell.value
    if cell.blank:
        return None
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        parts = [str(value.day), str(value.month), str(value.year)]
    else:
        text = str(value).strip()
        iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
        british = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
        # Anything else (a number, "next spring") goes to the field as it is, which says it is not a
        # real date.
        parts = [iso[3], iso[2], iso[1]] if iso else list(british.groups()) if british else [text] * 3
    return ResponseForm.base_fields["target_date"].clean(parts)


def _state(response: LocalResponse | None) -> dict:
    """A response's fields as a row would give them; no response is a blank row."""
    if response is None:
        return {"status": "", "rag": "", "lead_officer": "", "target_date": None, "text": "", "reason": ""}
    return {
        "status": response.status,
        "rag": response.rag,
        "lead_officer": _plain(response.lead_officer),
        "target_date": response.target_date,
        "text": _plain(response.text),
        "reason": _plain(response.target_date_reason),
    }


def _update_state(update: ProgressUpdate) -> dict:
    """A response's fields as a progress update left them (the reason is not kept whole there)."""
    state = update.state_after()
    return {
        **state,
        "lead_officer": _plain(state["lead_officer"]),
        "text": _plain(state["text"]),
        "reason": None,
    }


def _differences(state, proposed) -> list[FieldChange]:
    return [
        FieldChange(FIELDS[name], _shown(name, state[name]), _shown(name, proposed[name]))
        for name in COMPARED
        if state[name] != proposed[name]
    ]


class RowsForm:
    """The edit form, bound to one row after another. Building a ResponseForm copies its fields (about
    half a millisecond), most of the time a 300-row check would take; cleaning a bound form again
    starts from nothing (BaseForm.full_clean), and ResponseForm.clean reads the response it is given."""

    def __init__(self):
        self.form = None

    def bound_to(self, data, response) -> ResponseForm:
        if self.form is None:
            self.form = ResponseForm(data, response=response)
        else:
            self.form.data, self.form.response = data, response
            self.form._errors = None  # so that is_valid() cleans the new data
        return self.form


def _change(
    number, title, key, recommendation, part, current, version, proposed, rows_form
) -> RowChange | None:
    """The row as a change to make, checked by the edit form; None if the row changes nothing."""
    state = _state(current)
    fields = _differences(state, proposed)
    moved = state["target_date"] is not None and proposed["target_date"] != state["target_date"]
    # The reason column holds the reason for the last move: a reason counts as given for this move only
    # if it was written over, as the edit form's reason box starts empty.
    reason = proposed["target_date_reason"] if proposed["target_date_reason"] != state["reason"] else ""
    if reason and not moved:
        raise RowProblem(
            "The Reason target date moved has been changed but the target date has not. Change the target "
            "date too, or put the reason back as it was."
        )
    if not fields and not proposed["note"]:
        return None
    if moved and reason:
        fields.append(FieldChange(FIELDS["target_date_reason"], state["reason"] or "None", reason))
    form = rows_form.bound_to(_form_data(proposed, reason, current, version), current)
    if not form.is_valid():
        raise RowProblem(*[message for errors in form.errors.values() for message in errors])
    return RowChange(
        row=number,
        title=title,
        key=key,
        recommendation=recommendation,
        part=part,
        response=current,
        expected_version=version,
        values={name: value for name, value in form.cleaned_data.items() if name != "version"},
        fields=fields,
    )


def _form_data(proposed, reason, current, version) -> dict:
    """The edit form's POST for this row: evidence is not in the file, so it stays as it is."""
    return {
        "text": proposed["text"],
        "status": proposed["status"],
        "rag": proposed["rag"],
        "lead_officer": proposed["lead_officer"],
        **date_as_post("target_date", proposed["target_date"]),
        "target_date_reason": reason,
        "evidence": current.evidence if current else "",
        "note": proposed["note"],
        "version": str(version),
    }


def _sort_behind(plan, behind):
    """Rows whose response someone saved after the download: left out if the file changes them, with
    what was saved since; counted as unchanged if it does not."""
    if not behind:
        return
    updates = {}
    for update in ProgressUpdate.objects.filter(
        response__in=[current for *_, current, _, _ in behind if current is not None]
    ).order_by("response_version", "created_at", "id"):
        updates.setdefault(update.response_id, []).append(update)
    for number, title, key, _recommendation, _part, current, version, proposed in behind:
        timeline = updates.get(current.pk, []) if current else []
        if version == 0:
            downloaded = _state(None)
        else:
            at_download = [u for u in timeline if u.response_version == version]
            downloaded = _update_state(at_download[-1]) if at_download else _state(current)
        fields = _differences(downloaded, proposed)
        if not fields and not proposed["note"]:
            plan.unchanged += 1
            plan.unchanged_but_saved_since += 1
            continue
        plan.conflicts.append(
            RowConflict(
                row=number,
                title=title,
                key=key,
                response=current,
                downloaded_version=version,
                fields=fields,
                note=proposed["note"],
                since=[u for u in timeline if u.response_version > version],
            )
        )
    plan.conflicts.sort(key=lambda conflict: conflict.row)


def _key(recommendation, part) -> str:
    return f"{recommendation.number}({part.letter})" if part else str(recommendation.number)


def _plain(text: str) -> str:
    return plain_newlines(text).strip()


def _text(cell: Cell) -> str:
    """A cell's text as the tracker keeps it: numbers without a trailing .0, dates as 2010-03-31."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        value = value.isoformat()
    return _plain(str(value))


def _whole_number(cell: Cell) -> int | None:
    value = cell.value
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = _text(cell)
    return int(text) if text.isdigit() and len(text) < 10 else None


def _shown(name, value) -> str:
    """A field's value in the preview's words."""
    if name == "status":
        return Status(value).label if value else NO_RESPONSE
    if name == "rag":
        return Rag(value).label
    if name == "target_date":
        return f"{value:%-d %B %Y}" if value else "Not set"
    return value or "None"
