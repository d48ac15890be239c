"""What your coordinator sees: the one statement of what coordinators can read about a member's
partnership, shown on the "What your coordinator sees" page and linked from the check-in form,
the contract page and the check-in threads.

It is data: `SEEN` holds one `Item` per thing coordinators see, naming the columns of the
coordinator exports (`columns`, by file) and the figures of the dashboards and pages they open
(`figures`, as `Class.field` of the selectors' dataclasses, or a chart's id) that show it.
`NEVER` lists what they never see, naming the model fields it covers. The page renders both;
`tests/checkins/test_coordinator_view.py` generates every export and reads the selectors'
dataclasses, and fails when coordinators can read a column or figure that no item names, or
when an item names one that doesn't exist. A new column or figure needs one more entry here
(or a field added to the item it belongs to); `NOT_ABOUT_MEMBERS` holds the figures that
describe the coordinator's own view (the sort they chose), not anybody. The pages of the
layers below (profiles, matching, contracts) are named in `pages` by hand: the test reads the
check-ins layer's exports and pages, and the contracts' index.
"""

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# The coordinator exports, by the name the page shows. The cohort's four CSV files come from
# `checkins.oversight.exports.KINDS`; `contracts.csv` is `index.csv` of the signed contracts'
# ZIP (`contracts.export.INDEX_COLUMNS`).
MEMBERS_CSV, PAIRS_CSV, CHECKINS_CSV, SURVEY_CSV = "members", "pairs", "checkins", "survey"
CONTRACTS_INDEX = "contracts"
EXPORT_FILES = {
    MEMBERS_CSV: "members.csv",
    PAIRS_CSV: "pairs.csv",
    CHECKINS_CSV: "checkins.csv",
    SURVEY_CSV: "survey.csv",
    CONTRACTS_INDEX: _("index.csv in the contracts download"),
}

DASHBOARD = _("the cohort dashboard")
PAIRS_PAGE = _("the cohort's pairs page")
PAIR_PAGE = _("your pair's page")
PROGRAM_DASHBOARD = _("the program dashboard")
STUCK_PAGE = _("the lists of members at each step of the dashboard's funnel")
CONTRACT_PAGE = _("your contract's page and its signed PDF")
PROFILE_PAGE = _("your profile page")
MATCHING_PAGES = _("the cohort's matching pages and the email telling them a proposal was declined")


@dataclass(frozen=True)
class Item:
    key: str
    title: Promise
    detail: Promise
    pages: tuple[Promise, ...] = ()
    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    figures: tuple[str, ...] = ()

    @property
    def where(self) -> list[str]:
        """The pages, then each export with its columns: "checkins.csv (a, b)"."""
        files = [
            f"{EXPORT_FILES[name]} ({', '.join(columns)})" for name, columns in self.columns.items()
        ]
        return [str(page) for page in self.pages] + files


@dataclass(frozen=True)
class Never:
    key: str
    title: Promise
    fields: tuple[str, ...]  # "model.field" of what stays between the partners


SEEN: tuple[Item, ...] = (
    Item(
        "who",
        _("Who you are"),
        _(
            "Your name, your email address, your department and when you joined the cohort; "
            "on the dashboard, which step of the programme you have reached."
        ),
        pages=(STUCK_PAGE, PAIR_PAGE),
        columns={
            MEMBERS_CSV: ("email", "first_name", "last_name", "department", "joined_at_utc"),
            PAIRS_CSV: ("partners", "emails"),
            CHECKINS_CSV: ("pair", "logged_by", "logged_by_email"),
            CONTRACTS_INDEX: ("partners", "emails"),
        },
        figures=("StuckList.rows", "StuckList.step", "PairPage.partners", "StuckList.cohort"),
    ),
    Item(
        "profile",
        _("Your profile"),
        _(
            "Everything on your profile (what you offer and need, languages, time zone, "
            "department), as the members of your cohort see it too, and whether it has what "
            "matching needs."
        ),
        pages=(PROFILE_PAGE, DASHBOARD),
        columns={MEMBERS_CSV: ("profile_complete", "missing")},
    ),
    Item(
        "pairing",
        _("Your partner and your match"),
        _(
            "Who your partner is, the match score and why the matching paired you, whether "
            "the pair is active, and the reason you gave if you declined a proposed partner."
        ),
        pages=(MATCHING_PAGES, DASHBOARD, PAIRS_PAGE, PAIR_PAGE),
        columns={
            MEMBERS_CSV: ("pair_status",),
            PAIRS_CSV: ("pair_id", "score", "status"),
            CHECKINS_CSV: ("pair_id",),
        },
        figures=(
            "PairTableRow.pair_id",
            "PairTableRow.score",
            "PairTableRow.pair",
            "PairTableRow.partners",
            "PairPage.pair",
            "chart-scores",
        ),
    ),
    Item(
        "contract",
        _("Your contract"),
        _(
            "The whole contract you both signed: goals, indicators and their targets, the "
            "terms (how you measure the help, boundaries, confidentiality), its version, "
            "status and when it was signed."
        ),
        pages=(CONTRACT_PAGE, DASHBOARD, PAIR_PAGE),
        columns={
            PAIRS_CSV: ("contract_version", "contract_status", "contract_signed_at_utc"),
            CONTRACTS_INDEX: ("file", "version", "signed_at", "content_hash", "pdf_sha256"),
        },
        figures=("PairTableRow.contract_status", "PairPage.contract", "PairHealth.contract"),
    ),
    Item(
        "meetings",
        _("Your meetings"),
        _("When your meetings are, whether one was cancelled, and your meeting time zone."),
        pages=(PAIR_PAGE, PAIRS_PAGE),
        columns={PAIRS_CSV: ("next_meeting_at_utc",), CHECKINS_CSV: ("meeting_starts_at_utc",)},
        figures=(
            "PairPage.upcoming",
            "PairPage.next_meeting",
            "PairPage.past",
            "PairPage.timezone",
            "MeetingRow.meeting",
            "PairHealth.next_meeting_at",
            "PairHealth.started_at",
        ),
    ),
    Item(
        "checked_in",
        _("That you checked in, and when"),
        _("Whether and when each of you logged a check-in after a meeting."),
        pages=(PAIR_PAGE, PAIRS_PAGE, DASHBOARD),
        columns={PAIRS_CSV: ("last_checkin_at_utc",), CHECKINS_CSV: ("logged_at_utc",)},
        figures=("MeetingRow.checkins", "PairHealth.last_checkin_at", "chart-checkins"),
    ),
    Item(
        "ratings",
        _("Two ratings of each check-in"),
        _(
            "How effectively you spent your time since the last meeting (1–5) and how "
            "confident you are that you'll reach your goals (1–5), per check-in, with your name."
        ),
        columns={CHECKINS_CSV: ("time_effectiveness", "confidence")},
    ),
    Item(
        "health",
        _("How the pair is doing"),
        _(
            "On track, at risk or too early to tell, and why: no check-in for a while, or an "
            "indicator past its date and not met. Not the values you logged."
        ),
        pages=(DASHBOARD, PAIRS_PAGE, PAIR_PAGE, PROGRAM_DASHBOARD),
        columns={PAIRS_CSV: ("health", "health_reason")},
        figures=(
            "PairTableRow.health",
            "PairHealth.assessment",
            "PairPage.health",
            "CohortDashboard.health_counts",
            "ProgramCohortRow.at_risk",
            "StuckList.healths",
        ),
    ),
    Item(
        "indicators_met",
        _("Whether your indicators are met"),
        _(
            "Counted with the whole cohort's, week by week: how many indicators' latest "
            "readings meet their target. Not the values or notes you logged."
        ),
        pages=(DASHBOARD,),
        figures=("chart-indicators",),
    ),
    Item(
        "cohort_counts",
        _("Counts for the whole cohort"),
        _(
            "How many people are at each step from invitation to meeting regularly, how many "
            "pairs there are, and how many are signed; numbers, not names."
        ),
        pages=(DASHBOARD, PROGRAM_DASHBOARD),
        figures=(
            "CohortDashboard.funnel",
            "CohortDashboard.pair_count",
            "CohortDashboard.pairs",
            "CohortDashboard.charts",
            "CohortDashboard.lifecycle_move",
            "ProgramCohortRow.cohort",
        ),
    ),
    Item(
        "ending",
        _("How your partnership ended or went on"),
        _(
            "If a partnership ends: who ended it, when, the reason chosen from the list and "
            "the private note written for the coordinators; what you both chose at the "
            "contract's review date (renew, continue in the next cohort or end); and how many "
            "of your goals you marked achieved (the number, not which goals). On the dashboard "
            "these are counted for the whole cohort, with the reasons grouped."
        ),
        pages=(PAIR_PAGE, DASHBOARD),
        figures=("CohortDashboard.partnerships",),
    ),
    Item(
        "survey",
        _("Your closing survey answer, without your name"),
        _(
            "Whether you reached your goal, whether you would pair again and what helped, "
            "with the day you answered; nothing links an answer to you."
        ),
        pages=(DASHBOARD,),
        columns={SURVEY_CSV: ("submitted_on", "goal_reached", "would_pair_again", "what_helped")},
        figures=("CohortDashboard.survey",),
    ),
)

NEVER: tuple[Never, ...] = (
    Never(
        "written",
        _("What you write in a check-in: what you learned, what you taught, your blockers"),
        ("checkin.learned", "checkin.taught", "checkin.blockers"),
    ),
    Never(
        "help",
        _("The help you rated since the last meeting, and your example of it"),
        ("checkin.help_rating", "checkin.help_example"),
    ),
    Never(
        "progress",
        _("Your goal progress ratings and notes, and the values and notes of your indicators"),
        (
            "goalprogress.rating",
            "goalprogress.note",
            "indicatorvalue.value",
            "indicatorvalue.met",
            "indicatorvalue.note",
        ),
    ),
    Never(
        "next_steps",
        _("Your next steps"),
        ("nextstep.description", "nextstep.due_on", "nextstep.done_at"),
    ),
    Never(
        "messages",
        _("The messages you and your partner write to each other, and your intro call"),
        ("pairmessage.body", "introcall.starts_at"),
    ),
    Never(
        "replies",
        _("Replies to check-ins, and the notes a partner gets when the other may need support"),
        ("checkinreply.body",),
    ),
)

# Figures of the coordinators' pages that describe their own view, not a member.
NOT_ABOUT_MEMBERS = frozenset(
    {
        "CohortDashboard.cohort",
        "CohortDashboard.sort",
        "CohortDashboard.computed_at",
        "CohortDashboard.health_filter",
        "CohortDashboard.contract_filter",
        "PairPage.private",
        "PairPage.today",
        "MeetingRow.mine",  # the viewer's own check-in: none for a coordinator
    }
)
# Figures of the pair page that only its partners get (empty for a coordinator: tested).
PARTNERS_ONLY = frozenset(
    {"PairPage.agenda", "PairPage.next_steps", "PairPage.goals", "PairPage.support"}
)


def seen_columns() -> dict[str, set[str]]:
    """Every export column the statement covers, by export."""
    found: dict[str, set[str]] = {name: set() for name in EXPORT_FILES}
    for item in SEEN:
        for name, columns in item.columns.items():
            found[name] |= set(columns)
    return found


def seen_figures() -> set[str]:
    return {figure for item in SEEN for figure in item.figures}
