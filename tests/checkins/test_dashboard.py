"""The cohort dashboard's numbers, checked against a cohort where every answer is known.

`known_cohort` builds, in the shared `cohort`:

- invitations: one pending and one expired to people who never joined (2 counted), one
  revoked, one accepted, and one open invitation to an enrolled member's address typed in
  capitals (neither of those three adds anyone);
- 17 enrolled members: Alma (no profile) and Arvo (no time zone) — joined only; Bea (no pair),
  Bo and Bruno (a published pair awaiting answers) — profile complete; Cyd and Cleo (active,
  draft contract) — matched; Dag and Dora (signed weekly contract 40 days ago, no check-in:
  at risk) — contract signed; Eli and Eva (on track, last check-in 2 days ago), Finn (no
  profile!) and Fay (on track, 4 days ago), Gus and Gia (signed 3 days ago, a check-in
  yesterday: too early to tell), Hal and Hedy (a check-in 3 days ago but an indicator overdue:
  at risk) — meeting regularly, except Finn, who counts as stuck at "joined".

So: invited 19, joined 17, profile complete 14, matched 11, contract signed 9, meeting
regularly 7; stuck 2, 3, 3, 2, 2, 7.
"""

import datetime
import re
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Invitation
from checkins.models import Reminder
from checkins.oversight import dashboard
from contracts.models import Contract
from matching.models import Pair
from profiles.selectors import cohort_profile_counts
from tests.checkins.factories import (
    checkin,
    give_goal,
    log_value,
    meeting_at,
    next_step,
    rate_goal,
    signed_contract,
)
from tests.factories import EnrolmentFactory, InvitationFactory
from tests.matching.factories import enrol, give_profile, make_pair

DAY = datetime.timedelta(days=1)
COMPLETE = {"offers": {"Public speaking": 4}, "needs": {"Fundraising": 4}}


def _days_ago(days, now=None):
    return (now or timezone.now()) - days * DAY


def _signed(cohort, users, *, score, started_days_ago, checkin_days_ago=None, goals=True):
    """An active pair with a weekly contract whose first meeting was `started_days_ago`, and
    optionally a meeting a day before a check-in (by the first user) `checkin_days_ago`."""
    pair = make_pair(cohort, users, status=Pair.Status.ACTIVE, score=score)
    contract = signed_contract(pair, starts_on=_days_ago(started_days_ago).date(), goals=goals)
    meeting_at(pair, _days_ago(started_days_ago), contract=contract)
    if checkin_days_ago is not None:
        meeting = meeting_at(pair, _days_ago(checkin_days_ago + 1), contract=contract)
        checkin(meeting, users[0], created_at=_days_ago(checkin_days_ago))
    return SimpleNamespace(pair=pair, contract=contract)


def build_known_cohort(cohort, coordinator):
    """The cohort described in the module docstring; returns its people and pairs by name."""
    people = SimpleNamespace()
    people.alma = enrol(cohort, "Alma")
    people.arvo = enrol(cohort, "Arvo", timezone_name="", **COMPLETE)
    for name in ("bea", "bo", "bruno", "cyd", "cleo", "dag", "dora", "eli", "eva"):
        setattr(people, name, enrol(cohort, name.title(), **COMPLETE))
    people.finn = enrol(cohort, "Finn")
    for name in ("fay", "gus", "gia", "hal", "hedy"):
        setattr(people, name, enrol(cohort, name.title(), **COMPLETE))

    now = timezone.now()
    InvitationFactory(cohort=cohort, email="pending@elsewhere.test", invited_by=coordinator)
    InvitationFactory(cohort=cohort, email="late@elsewhere.test", sent_at=now - 60 * DAY)
    InvitationFactory(cohort=cohort, email="revoked@elsewhere.test", revoked_at=now)
    InvitationFactory(
        cohort=cohort, email=people.eli.email, accepted_at=now, accepted_by=people.eli
    )
    InvitationFactory(cohort=cohort, email=people.alma.email.upper())

    pairs = SimpleNamespace()
    pairs.b = make_pair(cohort, [people.bo, people.bruno], status=Pair.Status.PUBLISHED, score=45)
    make_pair(cohort, [people.bea, people.cyd], status=Pair.Status.DISSOLVED, score=20)
    pairs.c = make_pair(cohort, [people.cyd, people.cleo], status=Pair.Status.ACTIVE, score=62)
    signed_contract(pairs.c, status=Contract.Status.DRAFT)
    pairs.d = _signed(cohort, [people.dag, people.dora], score=35, started_days_ago=40).pair
    pairs.e = _signed(
        cohort, [people.eli, people.eva], score=81, started_days_ago=60, checkin_days_ago=2
    ).pair
    pairs.f = _signed(
        cohort, [people.finn, people.fay], score=74, started_days_ago=60, checkin_days_ago=4
    ).pair
    pairs.g = _signed(
        cohort, [people.gus, people.gia], score=90, started_days_ago=3, checkin_days_ago=1
    ).pair
    h = _signed(
        cohort,
        [people.hal, people.hedy],
        score=55,
        started_days_ago=60,
        checkin_days_ago=3,
        goals=False,
    )
    give_goal(h.contract, people.hal, "Ship the course", due_on=_days_ago(5).date())
    pairs.h = h.pair
    return SimpleNamespace(people=people, pairs=pairs)


@pytest.fixture
def known(cohort, coordinator):
    return build_known_cohort(cohort, coordinator)


def _names(users) -> set[str]:
    return {user.first_name for user in users}


def dashboard_url(cohort, **query):
    url = reverse(
        "cohort_dashboard", kwargs={"org_slug": cohort.organization.slug, "cohort_id": cohort.pk}
    )
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def step_url(cohort, step):
    return reverse(
        "cohort_funnel_step",
        kwargs={"org_slug": cohort.organization.slug, "cohort_id": cohort.pk, "step": step},
    )


# The funnel ------------------------------------------------------------------------------------

EXPECTED = {
    # step: (count, % of invited, % of the step before, stuck here)
    "invited": (19, 100, None, 2),
    "joined": (17, 89, 89, 3),
    "profile_complete": (14, 74, 82, 3),
    "matched": (11, 58, 79, 2),
    "contract_signed": (9, 47, 82, 2),
    "meeting_regularly": (7, 37, 78, 7),
}


def test_the_funnel_counts_each_step_of_a_known_cohort(cohort, known):
    funnel = dashboard.cohort_funnel(cohort=cohort)

    assert [step.key for step in funnel] == list(EXPECTED)
    assert {
        step.key: (step.count, step.percent, step.of_previous, step.stuck) for step in funnel
    } == EXPECTED


def test_profile_complete_agrees_with_the_profiles_page(cohort, known):
    """The funnel uses the model's rule (`Profile.objects.complete()`); the Profiles tab its
    per-member flags. Both must count the same people."""
    funnel = {step.key: step.count for step in dashboard.cohort_funnel(cohort=cohort)}

    assert cohort_profile_counts(cohort=cohort) == {"total": 17, "complete": 14}
    assert funnel["profile_complete"] == 14


def test_every_invited_person_is_stuck_at_exactly_one_step(cohort, known):
    funnel = dashboard.cohort_funnel(cohort=cohort)

    assert sum(step.stuck for step in funnel) == funnel[0].count


def test_the_dashboard_page_shows_each_count_and_percentage(client_for, coordinator, cohort, known):
    html = client_for(coordinator).get(dashboard_url(cohort)).content.decode()

    shown = dict(re.findall(r'data-step="(\w+)">(\d+)</strong>', html))
    assert shown == {step: str(count) for step, (count, *_rest) in EXPECTED.items()}
    for step, (_count, share, _previous, _stuck) in EXPECTED.items():
        block = html.split(f'id="funnel-{step}"')[1].split("</li>")[0]
        assert f"· {share}%" in block
        assert step_url(cohort, step) in block


def test_an_empty_cohort_has_no_percentages(cohort):
    funnel = dashboard.cohort_funnel(cohort=cohort)

    assert [(step.count, step.percent) for step in funnel] == [(0, None)] * 6


def test_percentages_round_half_up():
    assert dashboard.percent(1, 8) == 13  # 12.5
    assert dashboard.percent(1, 3) == 33
    assert dashboard.percent(2, 3) == 67
    assert dashboard.percent(0, 0) is None


# The people stuck at each step -----------------------------------------------------------------

STUCK = {
    "joined": {"Alma", "Arvo", "Finn"},
    "profile_complete": {"Bea", "Bo", "Bruno"},
    "matched": {"Cyd", "Cleo"},
    "contract_signed": {"Dag", "Dora"},
    "meeting_regularly": {"Eli", "Eva", "Fay", "Gus", "Gia", "Hal", "Hedy"},
}


@pytest.mark.parametrize("step", list(STUCK))
def test_each_step_lists_the_members_stuck_at_it(cohort, known, step):
    people = dashboard.funnel_step_people(cohort=cohort, step=step)

    assert _names(row.user for row in people.rows) == STUCK[step]


def test_the_invited_step_lists_the_open_invitations_of_people_not_enrolled(cohort, known):
    people = dashboard.funnel_step_people(cohort=cohort, step="invited")

    assert [row.email for row in people.rows] == ["late@elsewhere.test", "pending@elsewhere.test"]
    assert [row.status for row in people.rows] == [
        Invitation.Status.EXPIRED,
        Invitation.Status.PENDING,
    ]


def test_the_step_pages_list_the_stuck_members_with_what_holds_them(
    client_for, coordinator, cohort, known
):
    client = client_for(coordinator)

    joined = client.get(step_url(cohort, "joined")).content.decode()
    complete = client.get(step_url(cohort, "profile_complete")).content.decode()
    matched = client.get(step_url(cohort, "matched")).content.decode()
    signed = client.get(step_url(cohort, "contract_signed")).content.decode()

    rows = re.findall(r'class="pm-stuck-row" data-user="(\d+)"', joined)
    people = known.people
    assert {int(pk) for pk in rows} == {people.alma.pk, people.arvo.pk, people.finn.pk}
    assert "the whole profile" in joined and "a time zone" in joined
    assert "Proposed a partner, awaiting answers" in complete and "No partner yet" in complete
    assert "Draft" in matched
    assert "At risk" in signed


def test_the_invited_step_page_lists_invitations_and_sends_no_message(
    client_for, coordinator, cohort, known
):
    client = client_for(coordinator)

    page = client.get(step_url(cohort, "invited")).content.decode()
    response = client.post(step_url(cohort, "invited"), {"subject": "Hi", "body": "Join"})

    assert "pending@elsewhere.test" in page and "late@elsewhere.test" in page
    assert "revoked@elsewhere.test" not in page
    assert 'name="subject"' not in page
    assert response.status_code == 200
    assert not Reminder.objects.exists()


def test_an_unknown_step_is_404(client_for, coordinator, cohort):
    response = client_for(coordinator).get(step_url(cohort, "signed"))

    assert response.status_code == 404


def test_the_step_list_is_paginated(client_for, coordinator, cohort):
    for index in range(55):
        EnrolmentFactory(cohort=cohort, user__first_name=f"Member{index:02d}")
    client = client_for(coordinator)

    first = client.get(step_url(cohort, "joined")).content.decode()
    second = client.get(step_url(cohort, "joined") + "?page=2").content.decode()

    assert first.count('class="pm-stuck-row"') == 50
    assert second.count('class="pm-stuck-row"') == 5
    assert "55 people at this step" in first


# The bulk reminder -----------------------------------------------------------------------------


def _reminder_rows(cohort):
    return Reminder.objects.filter(cohort=cohort, kind=Reminder.Kind.PROGRAM_MESSAGE)


def test_the_reminder_form_suggests_a_message_for_the_step(client_for, coordinator, cohort, known):
    page = client_for(coordinator).get(step_url(cohort, "joined")).content.decode()

    assert f"Complete your profile for {cohort.name}" in page
    assert reverse("profile_edit", kwargs={"org_slug": cohort.organization.slug}) in page


def test_a_reminder_is_confirmed_before_anything_is_queued(client_for, coordinator, cohort, known):
    data = {"subject": "Complete your profile", "body": "Two minutes, please."}

    response = client_for(coordinator).post(step_url(cohort, "joined"), data)

    assert response.status_code == 200
    assert "Send this message to 3 members?" in response.content.decode()
    assert not _reminder_rows(cohort).exists()


def test_a_confirmed_reminder_queues_one_row_per_stuck_member_and_is_audited(
    client_for, coordinator, cohort, known
):
    data = {"subject": "Complete your profile", "body": "Two minutes, please.", "confirmed": "True"}

    response = client_for(coordinator).post(step_url(cohort, "joined"), data, follow=True)

    rows = _reminder_rows(cohort)
    assert _names(row.recipient for row in rows) == {"Alma", "Arvo", "Finn"}
    assert {row.data["subject"] for row in rows} == {"Complete your profile"}
    assert "Message queued for 3 members." in response.content.decode()
    event = AuditEvent.objects.get(action="reminder.program_message_queued")
    assert event.actor == coordinator
    assert event.data["recipients"] == 3


def test_sending_the_same_reminder_twice_queues_nothing_new(client_for, coordinator, cohort, known):
    data = {"subject": "Sign your contract", "body": "Please.", "confirmed": "True"}
    client = client_for(coordinator)

    client.post(step_url(cohort, "matched"), data)
    second = client.post(step_url(cohort, "matched"), data, follow=True)

    assert _reminder_rows(cohort).count() == 2
    assert "had already been sent this message" in second.content.decode()


def test_a_reminder_sent_again_reaches_only_those_who_joined_the_list_since(
    client_for, coordinator, cohort, known
):
    data = {"subject": "Complete your profile", "body": "Please.", "confirmed": "True"}
    client = client_for(coordinator)
    client.post(step_url(cohort, "joined"), data)
    newcomer = enrol(cohort, "Nils")

    response = client.post(step_url(cohort, "joined"), data, follow=True)

    assert _reminder_rows(cohort).filter(recipient=newcomer).count() == 1
    assert _reminder_rows(cohort).count() == 4
    assert "Message queued for 1 member. 3 had already been sent this message." in (
        response.content.decode()
    )


def test_an_empty_reminder_is_not_sent(client_for, coordinator, cohort, known):
    response = client_for(coordinator).post(
        step_url(cohort, "joined"), {"subject": "", "body": "", "confirmed": "True"}
    )

    assert response.status_code == 200
    assert not _reminder_rows(cohort).exists()


def test_a_member_cannot_send_reminders(client_for, cohort, known):
    data = {"subject": "Hi", "body": "Hello", "confirmed": "True"}

    response = client_for(known.people.eli).post(step_url(cohort, "joined"), data)

    assert response.status_code == 403
    assert not _reminder_rows(cohort).exists()


# The pairs table -------------------------------------------------------------------------------


def _table_order(client, cohort, **query) -> list[int]:
    html = client.get(dashboard_url(cohort, **query)).content.decode()
    return [int(pk) for pk in re.findall(r'class="pm-pair-row" data-pair="(\d+)"', html)]


def _pks(*pairs):
    return [pair.pk for pair in pairs]


def test_the_pairs_table_puts_pairs_at_risk_first(client_for, coordinator, cohort, known):
    p = known.pairs

    assert _table_order(client_for(coordinator), cohort) == _pks(p.d, p.h, p.c, p.g, p.f, p.e)


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("score", "d h c f e g"),
        ("-score", "g e f c h d"),
        ("last_checkin", "c d f h e g"),
        ("-last_checkin", "g e h f d c"),
        ("nonsense", "d h c g f e"),
    ],
)
def test_the_pairs_table_sorts(client_for, coordinator, cohort, known, sort, expected):
    pairs = [getattr(known.pairs, name) for name in expected.split()]

    assert _table_order(client_for(coordinator), cohort, sort=sort) == _pks(*pairs)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"health": "at_risk"}, "d h"),
        ({"health": "on_track"}, "f e"),
        ({"health": "too_early"}, "g"),
        ({"health": "no_contract"}, "c"),
        ({"contract": "draft"}, "c"),
        ({"contract": "signed", "health": "at_risk", "sort": "-score"}, "h d"),
        ({"contract": "ready"}, ""),
    ],
)
def test_the_pairs_table_filters(client_for, coordinator, cohort, known, query, expected):
    pairs = [getattr(known.pairs, name) for name in expected.split()]

    assert _table_order(client_for(coordinator), cohort, **query) == _pks(*pairs)


def test_the_pairs_table_shows_statuses_and_dates(client_for, coordinator, cohort, known):
    html = client_for(coordinator).get(dashboard_url(cohort, health="no_contract")).content
    row = html.decode().split('class="pm-pair-row"')[1].split("</tr>")[0]

    assert "Cyd Tester" in row and "Cleo Tester" in row
    assert ">62<" in row
    assert "Draft" in row
    assert "No signed contract" in row


def test_the_health_counts_cover_every_active_pair(cohort, known):
    data = dashboard.cohort_dashboard(cohort=cohort)

    assert data.health_counts == {"at_risk": 2, "no_contract": 1, "too_early": 1, "on_track": 2}
    assert data.pair_count == 6


def test_the_pairs_table_is_paginated(client_for, coordinator, cohort):
    for index in range(27):
        users = [enrol(cohort, f"P{index}a"), enrol(cohort, f"P{index}b")]
        make_pair(cohort, users, status=Pair.Status.ACTIVE, score=index)
    client = client_for(coordinator)

    assert len(_table_order(client, cohort)) == 25
    assert len(_table_order(client, cohort, page=2)) == 2


# Charts on the known cohort ----------------------------------------------------------------------


def test_the_score_chart_counts_active_and_published_pairs_in_tens(cohort, known):
    chart = dashboard.score_distribution(cohort=cohort)

    assert dict(chart.rows) == {
        "0–9": "0",
        "10–19": "0",
        "20–29": "0",  # the dissolved pair (20) is left out
        "30–39": "1",
        "40–49": "1",
        "50–59": "1",
        "60–69": "1",
        "70–79": "1",
        "80–89": "1",
        "90–100": "1",
    }
    assert "<title" in chart.svg and "<desc" in chart.svg


def test_the_dashboard_renders_each_chart_with_a_table(client_for, coordinator, cohort, known):
    eli_checkin = known.pairs.e.meetings.get(checkins__isnull=False).checkins.get()
    indicator = Contract.objects.get(pair=known.pairs.e).sections.get(user=known.people.eli)
    log_value(eli_checkin, indicator.goals.get().indicators.get(kind="number"), value=12)

    html = client_for(coordinator).get(dashboard_url(cohort)).content.decode()

    for chart_id in ("chart-checkins", "chart-indicators", "chart-scores"):
        assert f'aria-labelledby="{chart_id}-title {chart_id}-desc"' in html
    assert html.count("Show as a table") == 3


# Privacy ---------------------------------------------------------------------------------------


def test_coordinators_never_see_check_in_content(client_for, coordinator, cohort, known):
    pair = known.pairs.e
    contract = Contract.objects.get(pair=pair)
    meeting = meeting_at(pair, _days_ago(1), contract=contract)
    row = checkin(
        meeting,
        known.people.eva,
        learned="SECRET-LEARNED",
        taught="SECRET-TAUGHT",
        blockers="SECRET-BLOCKER",
    )
    goal = give_goal(contract, known.people.eva, "SECRET-GOAL-NOTE-NOT-SHOWN")
    rate_goal(row, goal, note="SECRET-PROGRESS")
    log_value(row, goal.indicators.first(), value=3, note="SECRET-VALUE-NOTE")
    next_step(row, known.people.eva, "SECRET-NEXT-STEP")
    client = client_for(coordinator)

    pages = [client.get(dashboard_url(cohort)).content.decode()]
    pages += [client.get(step_url(cohort, step)).content.decode() for step in dashboard.STEPS]

    for html in pages:
        assert "SECRET" not in html


# Navigation ------------------------------------------------------------------------------------


def test_coordinators_get_a_dashboard_tab_first(client_for, coordinator, cohort):
    html = client_for(coordinator).get(dashboard_url(cohort)).content.decode()
    tabs = html.split('aria-label="Cohort sections"')[1].split("</nav>")[0]

    dashboard_link = f'href="{dashboard_url(cohort)}"'
    overview_link = f'href="{cohort.get_absolute_url()}"'
    assert tabs.index(dashboard_link) < tabs.index(overview_link)
    assert 'aria-current="page" href="' + dashboard_url(cohort) in tabs


def test_members_get_no_dashboard_tab(client_for, member, cohort):
    html = client_for(member).get(cohort.get_absolute_url()).content.decode()

    assert dashboard_url(cohort) not in html


def test_give_profile_helper_is_complete_for_the_funnel(cohort):
    """Guards the builder: the profile the tests call complete is complete for the funnel."""
    user = EnrolmentFactory(cohort=cohort).user
    give_profile(user, cohort.organization, **COMPLETE)

    assert dashboard.cohort_funnel(cohort=cohort)[2].count == 1
