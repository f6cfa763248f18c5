"""Adding a council: the form an administrator fills in on /authorities/new/. The same form checks each
row of a spreadsheet of councils (councils.py), so the page and the file follow one set of rules and
say the same thing when something is wrong."""

import re
from dataclasses import asdict, dataclass, field

from django import forms
from django.utils.text import slugify

from .models import ONS_CODE_MESSAGE, Authority, validate_ons_code

# Darlington's implications table has 11 rows; one more for a council whose table is longer. Without
# JavaScript the page cannot add boxes as they are needed, so it offers them all, and empty ones are
# left out.
IMPLICATION_ROWS = 12
IMPLICATION_TEXT_LIMIT = 2_000
# /authorities/new/ adds a council, so no council can be found at that address.
RESERVED_SLUGS = {"new"}
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

# A council's formal name without the words every council's name has, for its short name:
# "Stockton-on-Tees Borough Council" -> "Stockton-on-Tees". A suggestion, shown before anything is
# saved from a spreadsheet and changeable in the admin afterwards.
NAME_PREFIXES = ("London Borough of ", "Royal Borough of ", "Council of the ")
NAME_SUFFIXES = (
    " Metropolitan Borough Council",
    " Metropolitan District Council",
    " Borough Council",
    " City Council",
    " County Council",
    " District Council",
    " Council",
)


def suggested_short_name(name: str) -> str:
    short = name.strip()
    for prefix in NAME_PREFIXES:
        if short.startswith(prefix):
            short = short[len(prefix) :]
    for suffix in NAME_SUFFIXES:
        if short.endswith(suffix):
            short = short[: -len(suffix)]
            break
    return short.strip()[:60]


def suggested_slug(short_name: str) -> str:
    return slugify(short_name)[:60].strip("-")


def normalised_ons_code(typed: str) -> str:
    """What was typed, as ONS codes are written: no spaces, capital E ("e06 000005" -> "E06000005")."""
    return re.sub(r"\s+", "", typed).upper()


@dataclass
class NewCouncil:
    """A council ready to be added: what the form or a spreadsheet row gave, checked."""

    name: str
    short_name: str
    slug: str
    ons_code: str
    region: str
    lscb_name: str = ""
    childrens_trust_name: str = ""
    directorate: str = ""
    director_name: str = ""
    director_title: str = ""
    contact_officer: str = ""
    contact_details: str = ""
    first_administrator_email: str = ""
    implications: list[tuple[str, str]] = field(default_factory=list)
    row: int | None = None  # the spreadsheet row it came from

    AUTHORITY_FIELDS = (
        "name",
        "short_name",
        "slug",
        "ons_code",
        "region",
        "lscb_name",
        "childrens_trust_name",
        "directorate",
        "director_name",
        "director_title",
        "contact_officer",
        "contact_details",
    )

    @property
    def region_label(self):
        return Authority.Region(self.region).label

    def as_form_data(self) -> dict:
        """What CouncilForm takes to check this council again (as the confirm step does)."""
        data = {name: value for name, value in asdict(self).items() if name not in ("implications", "row")}
        for number, (heading, text) in enumerate(self.implications, start=1):
            data[f"implication_{number}_heading"] = heading
            data[f"implication_{number}_text"] = text
        return data

    def as_json(self) -> dict:
        return {**asdict(self), "implications": [list(pair) for pair in self.implications]}

    @classmethod
    def from_json(cls, data: dict) -> "NewCouncil":
        return cls(**{**data, "implications": [tuple(pair) for pair in data["implications"]]})


class TakenNames:
    """The names, slugs and ONS codes already in use, each with who uses it, read in one query. A
    spreadsheet adds each row's as it is checked, so a second row with the same slug is refused too."""

    def __init__(self):
        self.names, self.slugs, self.ons_codes = {}, {}, {}

    @classmethod
    def now(cls) -> "TakenNames":
        """What the councils in the tracker hold now."""
        taken = cls()
        for name, slug, ons_code in Authority.objects.values_list("name", "slug", "ons_code"):
            taken.claim(name=name, slug=slug, ons_code=ons_code, by=name)
        return taken

    @classmethod
    def none(cls) -> "TakenNames":
        return cls()

    def claim(self, *, name="", slug="", ons_code="", by):
        if name:
            self.names.setdefault(name.casefold(), by)
        if slug:
            self.slugs.setdefault(slug, by)
        if ons_code:
            self.ons_codes.setdefault(ons_code, by)


def text(label, *, limit, required=False, hint="", error_label=None, rows=None):
    what = error_label or f"{label[0].lower()}{label[1:]}"
    messages = {"max_length": f"{label} must be {limit:,} characters or fewer"}
    if required:
        messages["required"] = f"Enter the council's {what}"
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput
    return forms.CharField(
        label=label,
        required=required,
        max_length=limit,
        help_text=hint,
        error_messages=messages,
        widget=widget,
    )


class CouncilForm(forms.Form):
    """A council an administrator adds: its name and national identity, the facts its Cabinet reports
    need, its implications table, and who will administer it first."""

    name = text(
        "Name",
        limit=150,
        required=True,
        hint="As the council names itself, for example Darlington Borough Council",
    )
    short_name = text(
        "Short name",
        limit=60,
        hint="How pages name it, for example Darlington. Leave it empty to use the name without words such "
        "as Borough Council or City Council.",
    )
    slug = text(
        "Slug",
        limit=60,
        hint="The council's name in web addresses: lower-case letters, numbers and hyphens, for example "
        "darlington for /authorities/darlington/. Leave it empty to make it from the short name.",
    )
    ons_code = text(
        "ONS code",
        limit=20,
        required=True,
        hint="The Office for National Statistics' code for the council: E06, E07, E08, E09 or E10 followed "
        "by six digits, for example E06000005",
        error_label="ONS code",
    )
    region = forms.ChoiceField(
        label="Region",
        choices=Authority.Region.choices,
        error_messages={
            "required": "Select the council's region",
            "invalid_choice": "Region must be one of England's nine regions, for example North East",
        },
    )
    lscb_name = text(
        "Local Safeguarding Children Board (LSCB)", limit=150, hint="For example, Darlington LSCB"
    )
    childrens_trust_name = text("Children's Trust", limit=150)
    directorate = text("Directorate", limit=150, hint="For example, Children, Families & Learning")
    director_name = text("Director's name", limit=100)
    director_title = text(
        "Director's job title", limit=150, hint="For example, Director of Children's Services"
    )
    contact_officer = text("Contact officer", limit=100, hint="Who a Cabinet report names for enquiries")
    contact_details = text("Contact officer's details", limit=150, hint="For example, Extension 2861")
    first_administrator_email = forms.EmailField(
        label="First administrator's email address",
        required=False,
        max_length=254,
        help_text="The person who will manage the council's people in the tracker. Leave it empty to "
        "invite them later.",
        error_messages={
            "invalid": "Enter the first administrator's email address in the correct format, like "
            "name@example.com",
            "max_length": "The first administrator's email address must be 254 characters or fewer",
        },
    )

    def __init__(self, *args, taken: TakenNames | None = None, row: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._taken = taken
        self.row = row

    @property
    def taken(self) -> TakenNames:
        """Read only when the form is checked, not to draw an empty form."""
        if self._taken is None:
            self._taken = TakenNames.now()
        return self._taken

    def implication_fields(self):
        """[(number, heading field, text field)] for the page."""
        return [
            (number, self[f"implication_{number}_heading"], self[f"implication_{number}_text"])
            for number in range(1, IMPLICATION_ROWS + 1)
        ]

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if (owner := self.taken.names.get(name.casefold())) is not None:
            raise forms.ValidationError(
                f"{name} is already in the tracker"
                if owner.casefold() == name.casefold()
                else f"A council named {name} is already in {owner}"
            )
        return name

    def clean_ons_code(self):
        code = normalised_ons_code(self.cleaned_data["ons_code"])
        try:
            validate_ons_code(code)
        except forms.ValidationError:
            raise forms.ValidationError(ONS_CODE_MESSAGE) from None
        if (owner := self.taken.ons_codes.get(code)) is not None:
            raise forms.ValidationError(f"The ONS code {code} is already used by {owner}")
        return code

    def clean(self):
        cleaned = super().clean()
        name = cleaned.get("name")
        short_name = " ".join(cleaned.get("short_name", "").split())
        if not short_name and name:
            short_name = suggested_short_name(name)
        cleaned["short_name"] = short_name
        self.clean_slug_from(cleaned, short_name)
        self.clean_implications(cleaned)
        # What this council holds, so that a later row of the same file cannot have it too; each as
        # soon as it is good on its own, so a clash is found even while the row has other problems.
        self.taken.claim(
            **{
                name: cleaned.get(name, "")
                for name in ("name", "slug", "ons_code")
                if name not in self.errors
            },
            by=f"row {self.row} of this file" if self.row else cleaned.get("name", ""),
        )
        return cleaned

    def clean_slug_from(self, cleaned, short_name):
        if "slug" not in cleaned:
            return
        typed = cleaned["slug"].strip()
        slug = typed or suggested_slug(short_name)
        if not slug:
            if short_name:
                self.add_error(
                    "slug", "Enter a slug of lower-case letters, numbers and hyphens, for example darlington"
                )
            return
        if not SLUG.fullmatch(slug):
            self.add_error(
                "slug",
                "The slug must only include lower-case letters, numbers and hyphens, for example "
                "stockton-on-tees",
            )
        elif slug in RESERVED_SLUGS:
            self.add_error(
                "slug",
                f"The slug “{slug}” cannot be used: /authorities/{slug}/ is the page that adds a council",
            )
        elif (owner := self.taken.slugs.get(slug)) is not None:
            made = "" if typed else ", made from the short name,"
            self.add_error(
                "slug", f"The slug “{slug}”{made} is already used by {owner}. Enter a different slug"
            )
        cleaned["slug"] = slug

    def clean_implications(self, cleaned):
        rows = []
        for number in range(1, IMPLICATION_ROWS + 1):
            heading_name, text_name = f"implication_{number}_heading", f"implication_{number}_text"
            if heading_name not in cleaned or text_name not in cleaned:
                continue  # too long: already said
            heading = " ".join(cleaned[heading_name].split())
            body = cleaned[text_name].strip()
            if heading and not body:
                self.add_error(
                    text_name, f"Implications row {number} has a heading but no text: enter its text"
                )
            elif body and not heading:
                self.add_error(
                    heading_name, f"Implications row {number} has text but no heading: enter its heading"
                )
            elif heading:
                rows.append((heading, body))
        cleaned["implications"] = rows

    def new_council(self) -> NewCouncil:
        data = self.cleaned_data
        return NewCouncil(
            **{name: data[name] for name in NewCouncil.AUTHORITY_FIELDS},
            first_administrator_email=data["first_administrator_email"],
            implications=data["implications"],
            row=self.row,
        )


# The implications table's rows, declared once for every form (a spreadsheet checks one form a row).
for _number in range(1, IMPLICATION_ROWS + 1):
    CouncilForm.base_fields[f"implication_{_number}_heading"] = text(
        f"Implications row {_number} heading", limit=100
    )
    CouncilForm.base_fields[f"implication_{_number}_text"] = text(
        f"Implications row {_number} text", limit=IMPLICATION_TEXT_LIMIT, rows=2
    )
