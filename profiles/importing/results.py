"""What a members import reports, and the limits it checks.

The file's columns and the limits on its size, cells, tags and languages; the cleaned rows the
parser produces (`MemberRow`, `ParsedFile`); what the import does or would do for each row
(`MemberStatus`, `MemberOutcome`) and for the whole file (`ImportReport`); the problems that
stop it (`Problem`); and the two errors a confirmed import raises (`ImportInvalid`,
`ImportChanged`).
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.models import User

from ..models import LEVEL_LABELS, PRIORITY_LABELS, Profile, Tag

COLUMNS = (
    "email",
    "first_name",
    "last_name",
    "department",
    "offers",
    "needs",
    "languages",
    "timezone",
)
# Columns a file may have, or not: a file without them leaves these fields as they are.
OPTIONAL_COLUMNS = ("goal", "career_stage", "role")
ENTRY_SEPARATOR = ";"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# Rows are read and written in batches: each batch costs a fixed number of queries.
BATCH_SIZE = 1000

MAX_LENGTHS = {
    "email": User._meta.get_field("email").max_length,
    "first_name": User._meta.get_field("first_name").max_length,
    "last_name": User._meta.get_field("last_name").max_length,
    "department": Profile._meta.get_field("department").max_length,
    "goal": Profile._meta.get_field("goal").max_length,
}
TAG_NAME_MAX_LENGTH = Tag._meta.get_field("name").max_length
LANGUAGE_MAX_LENGTH = 50
# Any single cell: generous for a dozen offers, small enough to refuse pasted documents.
CELL_MAX_LENGTH = 2000


@dataclass(frozen=True)
class Problem:
    """One reason the file cannot be imported, on one line of it."""

    line: int
    message: str

    def __str__(self) -> str:
        return _("Line %(line)s: %(message)s") % {"line": self.line, "message": self.message}


@dataclass(frozen=True)
class MemberRow:
    """A valid row: cleaned values, tags as written (tidied), each tag once per cell."""

    line: int
    email: str
    first_name: str
    last_name: str
    department: str
    offers: tuple[tuple[str, int], ...]
    needs: tuple[tuple[str, int], ...]
    languages: tuple[str, ...]
    timezone: str
    # The optional columns the file has (`given`), and their values.
    goal: str = ""
    career_stage: int | None = None
    role: str = ""
    given: tuple[str, ...] = ()

    @property
    def offers_read(self) -> list[str]:
        """Each offer as the preview shows it: "Python: 4 – advanced"."""
        return [f"{tag}: {level} – {LEVEL_LABELS[level]}" for tag, level in self.offers]

    @property
    def needs_read(self) -> list[str]:
        """Each need as the preview shows it: "Leadership: 3 – important"."""
        return [f"{tag}: {priority} – {PRIORITY_LABELS[priority]}" for tag, priority in self.needs]


@dataclass
class ParsedFile:
    records: int = 0
    rows: list[MemberRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class MemberStatus:
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class MemberOutcome:
    """What the import does (or would do) for one row."""

    line: int
    email: str
    status: str
    changes: tuple[str, ...] = ()


@dataclass
class ImportReport:
    """What an import found, planned and (when `written`) did."""

    rows: int = 0
    outcomes: list[MemberOutcome] = field(default_factory=list)
    new_tags: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    fingerprint: str = ""
    # The valid rows as read from the file, for the preview to show before anything is saved.
    read: list[MemberRow] = field(default_factory=list)
    written: bool = False
    # Invitations written but not emailed: the organization's daily email limit was reached.
    invitations_held: int = 0
    # Welcome emails queued to the accounts the import made (when asked to welcome them now),
    # and those held for the daily email limit: the published matching's email welcomes them.
    welcomes_sent: int = 0
    welcomes_held: int = 0

    def _with(self, status: str) -> list[MemberOutcome]:
        return [outcome for outcome in self.outcomes if outcome.status == status]

    @property
    def created(self) -> list[MemberOutcome]:
        return self._with(MemberStatus.CREATED)

    @property
    def updated(self) -> list[MemberOutcome]:
        return self._with(MemberStatus.UPDATED)

    @property
    def unchanged(self) -> list[MemberOutcome]:
        return self._with(MemberStatus.UNCHANGED)

    @property
    def is_valid(self) -> bool:
        return not self.problems

    @property
    def changes_anything(self) -> bool:
        return bool(self.new_tags) or any(
            outcome.status != MemberStatus.UNCHANGED for outcome in self.outcomes
        )

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "new_tags": len(self.new_tags),
        }


class ImportInvalid(ValidationError):
    """The file has problems; nothing was written. `report.problems` lists them by line."""

    def __init__(self, report: ImportReport):
        super().__init__([str(problem) for problem in report.problems], code="invalid_import")
        self.report = report


class ImportChanged(ValidationError):
    """The file or the database changed since the preview; `report` is the new preview."""

    def __init__(self, report: ImportReport):
        super().__init__(
            _("The import would now do something else than the preview showed."),
            code="import_changed",
        )
        self.report = report
