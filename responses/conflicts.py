"""A save refused because someone else saved first, field by field. Nothing here writes.

When record_progress refuses a stale form, the edit page compares three versions of each field: the
response as the officer loaded it (the version their form was based on, rebuilt from its progress
update), as it is saved now ("theirs"), and as the officer typed it ("yours"). For each field:

- yours and theirs are the same: nothing to decide;
- yours is what you loaded (you did not change it) and theirs is not: their change is kept, and the
  page says so ("kept their change");
- otherwise the officer must choose, with both values in view: this includes a field only you changed,
  because they saved a whole new response in between and your change should be confirmed against it.

Nothing is taken silently from either side: every field where what you typed differs from what is
saved is either chosen by you or, when you had not touched it, kept as they saved it and listed.
"""

from dataclasses import dataclass, field

from laming.forms import date_as_post

from .models import LocalResponse, ProgressUpdate, Rag, Status

# The fields two saves can disagree on, in the order the page asks about them: (name, label, what the
# error message calls it: "Choose whose status to keep").
COMPARED = [
    ("status", "Status", "status"),
    ("rag", "RAG rating", "RAG rating"),
    ("lead_officer", "Lead officer", "lead officer"),
    ("target_date", "Target date", "target date"),
    ("text", "Response text", "response text"),
    ("evidence", "Evidence", "evidence"),
]
# Shown under the radio rather than in its label: a label should be short enough to read at a glance.
LONG = {"text", "evidence"}
# What the edit form offers for a recommendation not yet answered: the "version 0" an officer starts from.
FIRST_ANSWER = {
    "status": Status.NOT_STARTED,
    "rag": Rag.NOT_RATED,
    "lead_officer": "",
    "target_date": None,
    "text": "",
    "evidence": "",
}


def state_of_response(response: LocalResponse) -> dict:
    return {name: getattr(response, name) for name, _, _ in COMPARED}


def same(a, b) -> bool:
    """Equal as the officer would read them: a browser sends a textarea's line breaks as CRLF, and the
    form strips what is typed, so text saved by a source or a spreadsheet is compared the same way."""
    if isinstance(a, str) and isinstance(b, str):
        return a.replace("\r\n", "\n").strip() == b.replace("\r\n", "\n").strip()
    return a == b


def shown(name: str, value) -> str:
    """A field's value in the page's words."""
    if name == "status":
        return Status(value).label
    if name == "rag":
        return Rag(value).label
    if name == "target_date":
        return f"{value:%-d %B %Y}" if value else "No target date"
    return value or "Not given"


@dataclass
class Difference:
    """One field where what you typed is not what is now saved."""

    name: str
    label: str
    noun: str
    theirs: object
    yours: object
    # Whether their saves changed it from what you loaded; None when that is not known.
    they_changed: bool | None

    @property
    def theirs_shown(self) -> str:
        return shown(self.name, self.theirs)

    @property
    def yours_shown(self) -> str:
        return shown(self.name, self.yours)

    @property
    def is_long(self) -> bool:
        return self.name in LONG


@dataclass
class SaveConflict:
    """What the page after a refused save shows: their saves since you loaded the form, what is kept
    from them, and what you must choose between."""

    response: LocalResponse  # as saved now: "theirs"
    loaded_version: int  # the version your form was based on
    yours: dict  # what you typed, for each of COMPARED
    since: list[ProgressUpdate] = field(default_factory=list)  # their saves, oldest first
    to_choose: list[Difference] = field(default_factory=list)
    kept_theirs: list[Difference] = field(default_factory=list)

    @property
    def version(self) -> int:
        return self.response.version

    @property
    def theirs(self) -> dict:
        return state_of_response(self.response)

    def difference(self, name: str) -> Difference | None:
        return next((d for d in self.to_choose if d.name == name), None)

    @property
    def their_target_reason(self) -> str:
        """Why their saves moved the target date, if they did: the latest reason given."""
        moves = [update for update in self.since if update.target_date_moved and update.target_date_reason]
        return moves[-1].target_date_reason if moves else ""

    @property
    def needs_target_reason(self) -> bool:
        """Whether choosing your target date would move theirs, which needs a reason (target_move_problem)."""
        difference = self.difference("target_date")
        return difference is not None and difference.theirs is not None


def find_conflict(*, response: LocalResponse, loaded_version: int, yours: dict) -> SaveConflict:
    """Compare what you typed (`yours`, from a form based on `loaded_version`) with `response` as it is
    saved now. One query: the progress updates from the version you loaded on."""
    updates = list(
        response.updates.filter(response_version__gte=loaded_version).order_by(
            "response_version", "created_at", "pk"
        )
    )
    if loaded_version == 0:
        loaded = FIRST_ANSWER
    else:
        at_load = [update for update in updates if update.response_version == loaded_version]
        # None: not known (a response older than the timeline's full record), so every difference is asked.
        loaded = at_load[-1].state_after() if at_load else None
    conflict = SaveConflict(
        response=response,
        loaded_version=loaded_version,
        yours={name: yours[name] for name, _, _ in COMPARED},
        since=[update for update in updates if update.response_version > loaded_version],
    )
    theirs = conflict.theirs
    for name, label, noun in COMPARED:
        if same(yours[name], theirs[name]):
            continue
        difference = Difference(
            name=name,
            label=label,
            noun=noun,
            theirs=theirs[name],
            yours=yours[name],
            they_changed=None if loaded is None else not same(loaded[name], theirs[name]),
        )
        if loaded is not None and same(yours[name], loaded[name]):
            conflict.kept_theirs.append(difference)
        else:
            conflict.to_choose.append(difference)
    return conflict


def carried(values: dict) -> list[tuple[str, str]]:
    """What you typed as the hidden inputs of the page after a refused save (ResponseValuesForm with the
    prefix "yours"), so that choosing yours saves exactly that."""
    return [
        ("yours-text", values["text"]),
        ("yours-status", values["status"]),
        ("yours-rag", values["rag"]),
        ("yours-lead_officer", values["lead_officer"]),
        *date_as_post("yours-target_date", values["target_date"]).items(),
        ("yours-evidence", values["evidence"]),
    ]
