"""Every free text of a contract is bounded, refuses hidden characters where it is one line,
and a tampered list of rows is refused: in each case the page says why and nothing is saved."""

import datetime

import pytest
from django.urls import reverse

from contracts import limits, services
from contracts.canonical import contract_content
from contracts.models import Contract, Goal
from tests.contracts.factories import active_pair, filled, goal_kwargs, started, terms

pytestmark = pytest.mark.django_db

HUGE = "x" * 100_000


@pytest.fixture
def contract(cohort, member, partner):
    return filled(started(active_pair(cohort, member, partner)))


@pytest.fixture
def goal(contract, member):
    return Goal.objects.filter(section__contract=contract, section__user=member).first()


def url(name, contract, **kwargs):
    return reverse(
        name, kwargs={"org_slug": contract.organization.slug, "contract_id": contract.pk, **kwargs}
    )


def snapshot(contract) -> dict:
    return contract_content(Contract.objects.get(pk=contract.pk))


def too_long(limit: int) -> str:
    return f"Ensure this value has at most {limit} characters (it has {len(HUGE)})."


def terms_post(**overrides) -> dict:
    values = terms()
    data = {
        name: value.isoformat() if isinstance(value, datetime.date | datetime.time) else value
        for name, value in values.items()
    }
    return {**data, "meeting_time": "08:30", **overrides}


def goal_post(goal, **overrides) -> dict:
    strategies = list(goal.strategies.all())
    indicators = list(goal.indicators.all())
    data = {
        "goal-horizon": goal.horizon,
        "goal-statement": goal.statement,
        "strategies-TOTAL_FORMS": str(len(strategies)),
        "strategies-INITIAL_FORMS": str(len(strategies)),
        "indicators-TOTAL_FORMS": str(len(indicators)),
        "indicators-INITIAL_FORMS": str(len(indicators)),
    }
    for index, strategy in enumerate(strategies):
        data[f"strategies-{index}-id"] = str(strategy.pk)
        data[f"strategies-{index}-description"] = strategy.description
    for index, indicator in enumerate(indicators):
        prefix = f"indicators-{index}-"
        data[prefix + "id"] = str(indicator.pk)
        data[prefix + "description"] = indicator.description
        data[prefix + "kind"] = indicator.kind
        data[prefix + "target_value"] = (
            "" if indicator.target_value is None else indicator.target_value
        )
        data[prefix + "unit"] = indicator.unit
        data[prefix + "due_on"] = indicator.due_on.isoformat() if indicator.due_on else ""
    return {**data, **overrides}


@pytest.mark.parametrize(
    ("field", "limit"),
    [
        ("agenda", limits.AGENDA_MAX),
        ("help_measure", limits.TERM_TEXT_MAX),
        ("boundaries", limits.TERM_TEXT_MAX),
        ("confidentiality", limits.TERM_TEXT_MAX),
    ],
)
def test_an_over_long_term_is_refused_with_the_count(client_for, contract, member, field, limit):
    before = snapshot(contract)

    response = client_for(member).post(
        url("contract_terms_edit", contract), terms_post(**{field: HUGE})
    )

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [too_long(limit)]
    assert snapshot(contract) == before


@pytest.mark.parametrize("field", ["assets", "needs", "will_help_with"])
def test_an_over_long_section_text_is_refused_with_the_count(client_for, contract, member, field):
    before = snapshot(contract)
    data = {"assets": "Budgeting", "needs": "Speaking", "will_help_with": "Drafts", field: HUGE}

    response = client_for(member).post(url("contract_section_edit", contract), data)

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [too_long(limits.SECTION_TEXT_MAX)]
    assert too_long(limits.SECTION_TEXT_MAX) in response.content.decode()
    assert snapshot(contract) == before


@pytest.mark.parametrize(
    ("key", "limit"),
    [
        ("goal-statement", limits.GOAL_STATEMENT_MAX),
        ("strategies-0-description", limits.STRATEGY_MAX),
        ("indicators-0-description", limits.INDICATOR_MAX),
        ("indicators-0-unit", limits.UNIT_MAX),
    ],
)
def test_an_over_long_goal_text_is_refused_with_the_count(
    client_for, contract, member, goal, key, limit
):
    before = snapshot(contract)

    response = client_for(member).post(
        url("contract_goal_edit", contract, goal_id=goal.pk), goal_post(goal, **{key: HUGE})
    )

    assert response.status_code == 200
    assert too_long(limit) in response.content.decode()
    assert snapshot(contract) == before


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("indicators-0-description", "Plans presented\u202e"),
        ("indicators-0-unit", "pla\u200bns"),
        ("goal-statement", "Lead planning \u2066on my own"),
        ("strategies-0-description", "Run the stand-up\x07"),
    ],
    ids=["bidi-override", "zero-width-space", "bidi-isolate", "bell"],
)
def test_hidden_characters_in_a_goal_are_refused(client_for, contract, member, goal, key, text):
    before = snapshot(contract)

    response = client_for(member).post(
        url("contract_goal_edit", contract, goal_id=goal.pk), goal_post(goal, **{key: text})
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Remove the" in page and "U+" in page
    assert snapshot(contract) == before


def test_line_breaks_and_tabs_stay_allowed_in_a_section(client_for, contract, member):
    data = {
        "assets": "Budgeting\r\n\tand planning",
        "needs": "Speaking",
        "will_help_with": "Drafts",
    }

    response = client_for(member).post(url("contract_section_edit", contract), data)

    assert response.status_code == 302
    assert contract.sections.get(user=member).assets == "Budgeting\r\n\tand planning"


@pytest.mark.parametrize("prefix", ["strategies", "indicators"])
@pytest.mark.parametrize("total", ["-1", "100000"])
def test_a_tampered_row_count_is_refused_and_deletes_nothing(
    client_for, contract, member, goal, prefix, total
):
    before = snapshot(contract)
    rows = goal.strategies.count() + goal.indicators.count()

    response = client_for(member).post(
        url("contract_goal_edit", contract, goal_id=goal.pk),
        goal_post(goal, **{f"{prefix}-TOTAL_FORMS": total}),
    )

    assert response.status_code == 200
    assert response.context["forms"].__dict__[prefix].non_form_errors()
    assert goal.strategies.count() + goal.indicators.count() == rows
    assert snapshot(contract) == before


def test_a_negative_initial_count_is_refused(client_for, contract, member, goal):
    before = snapshot(contract)

    response = client_for(member).post(
        url("contract_goal_edit", contract, goal_id=goal.pk),
        goal_post(goal, **{"strategies-INITIAL_FORMS": "-5"}),
    )

    assert "arrived incomplete or altered" in response.content.decode()
    assert snapshot(contract) == before


def test_a_missing_row_count_is_refused_with_a_clear_message(client_for, contract, member, goal):
    before = snapshot(contract)
    data = goal_post(goal)
    del data["strategies-TOTAL_FORMS"], data["strategies-INITIAL_FORMS"]

    response = client_for(member).post(url("contract_goal_edit", contract, goal_id=goal.pk), data)

    assert response.status_code == 200
    assert "The form arrived incomplete or altered" in response.content.decode()
    assert snapshot(contract) == before


def test_the_goal_page_posted_unchanged_but_for_the_statement_saves(
    client_for, contract, member, goal
):
    """The control for the tests above: the same post, valid, is saved with its rows."""
    rows = goal.strategies.count(), goal.indicators.count()

    response = client_for(member).post(
        url("contract_goal_edit", contract, goal_id=goal.pk),
        goal_post(goal, **{"goal-statement": "Lead planning by May"}),
    )

    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.statement == "Lead planning by May"
    assert (goal.strategies.count(), goal.indicators.count()) == rows


@pytest.mark.parametrize("minutes", ["1", "1000"])
def test_a_meeting_length_out_of_range_is_explained_not_named_by_its_constraint(
    client_for, contract, member, minutes
):
    before = snapshot(contract)

    response = client_for(member).post(
        url("contract_terms_edit", contract), terms_post(meeting_minutes=minutes)
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "A meeting lasts from 5 to 480 minutes." in page
    assert "contract_meeting_minutes_range" not in page and "is violated" not in page
    assert snapshot(contract) == before


def test_a_section_holds_a_bounded_number_of_goals(client_for, contract, member):
    section = contract.sections.get(user=member)
    while section.goals.count() < limits.GOALS_PER_SECTION_MAX:
        services.goal_save(section=section, actor=member, **goal_kwargs("More"))
    before = snapshot(contract)
    data = {
        "goal-horizon": "1m",
        "goal-statement": "One goal too many",
        "strategies-TOTAL_FORMS": "0",
        "strategies-INITIAL_FORMS": "0",
        "indicators-TOTAL_FORMS": "0",
        "indicators-INITIAL_FORMS": "0",
    }

    response = client_for(member).post(url("contract_goal_add", contract), data)

    assert response.status_code == 200
    assert "A section holds at most 10 goals; edit or remove one first." in (
        response.content.decode()
    )
    assert section.goals.count() == limits.GOALS_PER_SECTION_MAX
    assert snapshot(contract) == before
