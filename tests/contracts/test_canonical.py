"""The canonical content hash: the same words give the same hash whatever the rows' ids and
creation order, and any change to any field a partner writes gives another hash."""

import datetime
import hashlib
import json
from decimal import Decimal

import pytest

from contracts import canonical
from contracts.models import Contract, ContractSection, Goal, Indicator, Strategy
from tests.contracts.factories import active_pair, terms

pytestmark = pytest.mark.django_db


def goal_specs(user) -> list[dict]:
    name = user.first_name
    return [
        {
            "horizon": Goal.Horizon.ONE_YEAR,
            "statement": f"{name}: lead quarterly planning",
            "strategies": [f"{name}: run the stand-up", f"{name}: shadow the planning lead"],
            "indicators": [
                {
                    "description": f"{name}: plans presented",
                    "kind": Indicator.Kind.NUMBER,
                    "target_value": Decimal("4"),
                    "unit": "plans",
                    "due_on": datetime.date(2027, 6, 30),
                },
                {
                    "description": f"{name}: manager signs off",
                    "kind": Indicator.Kind.YES_NO,
                    "target_value": None,
                    "unit": "",
                    "due_on": datetime.date(2027, 3, 1),
                },
            ],
        },
        {
            "horizon": Goal.Horizon.ONE_MONTH,
            "statement": f"{name}: draft the first plan",
            "strategies": [f"{name}: block Friday mornings"],
            "indicators": [
                {
                    "description": f"{name}: draft shared",
                    "kind": Indicator.Kind.YES_NO,
                    "target_value": None,
                    "unit": "",
                    "due_on": datetime.date(2026, 10, 1),
                }
            ],
        },
    ]


def in_order(items, backwards):
    items = list(enumerate(items))
    return list(reversed(items)) if backwards else items


def build(pair, users, *, version=1, backwards=False) -> Contract:
    """A contract written straight into the tables; `backwards` creates every list's rows in
    reverse order (so the ids run the other way) with the same positions."""
    contract = Contract.objects.create(
        organization=pair.organization, cohort=pair.cohort, pair=pair, version=version, **terms()
    )
    for _index, user in in_order(users, backwards):
        section = ContractSection.objects.create(
            contract=contract,
            user=user,
            assets=f"{user.first_name} brings budgeting",
            needs=f"{user.first_name} needs public speaking",
            will_help_with=f"{user.first_name} will review drafts",
        )
        for position, spec in in_order(goal_specs(user), backwards):
            goal = Goal.objects.create(
                section=section,
                horizon=spec["horizon"],
                statement=spec["statement"],
                position=position,
            )
            for row, description in in_order(spec["strategies"], backwards):
                Strategy.objects.create(goal=goal, description=description, position=row)
            for row, indicator in in_order(spec["indicators"], backwards):
                Indicator.objects.create(goal=goal, position=row, **indicator)
    return contract


@pytest.fixture
def pair(cohort, member, partner):
    return active_pair(cohort, member, partner)


@pytest.fixture
def contract(pair, member, partner):
    return build(pair, [member, partner])


def fresh_hash(contract) -> str:
    return canonical.content_hash(Contract.objects.get(pk=contract.pk))


# Stable ------------------------------------------------------------------------------------


def test_hash_is_the_sha256_of_the_canonical_json(contract):
    data = canonical.canonical_bytes(contract)

    assert canonical.content_hash(contract) == hashlib.sha256(data).hexdigest()
    assert (
        json.dumps(
            json.loads(data), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()
        == data
    )


def test_same_content_gives_the_same_hash_whatever_the_creation_order_and_ids(
    pair, member, partner, contract
):
    backwards = build(pair, [partner, member], version=2, backwards=True)

    assert set(backwards.sections.values_list("pk", flat=True)).isdisjoint(
        contract.sections.values_list("pk", flat=True)
    )
    assert canonical.content_hash(backwards) == canonical.content_hash(contract)


def test_hash_does_not_depend_on_status_or_bookkeeping(contract):
    before = canonical.content_hash(contract)
    Contract.objects.filter(pk=contract.pk).update(
        status=Contract.Status.READY, content_hash="x" * 64, version=7
    )

    assert fresh_hash(contract) == before


def test_positions_count_only_as_an_order(contract):
    before = canonical.content_hash(contract)
    Goal.objects.filter(section__contract=contract).update(position=10)
    Goal.objects.filter(section__contract=contract, horizon=Goal.Horizon.ONE_MONTH).update(
        position=20
    )

    assert fresh_hash(contract) == before


def test_dates_are_iso_and_decimals_without_trailing_zeros(contract, member):
    content = canonical.contract_content(contract)
    first = content["sections"][0]
    number = first["goals"][0]["indicators"][0]

    assert content["format"] == canonical.FORMAT
    assert content["terms"]["starts_on"] == "2026-09-01"
    assert content["terms"]["meeting_time"] == "08:30:00"
    assert number["target_value"] == "4"
    assert number["due_on"] == "2027-06-30"
    assert first["assets"] == f"{member.first_name} brings budgeting"


@pytest.mark.parametrize(
    ("stored", "expected"), [("4.00", "4"), ("4.50", "4.5"), ("50", "50"), ("0.25", "0.25")]
)
def test_equal_decimals_serialize_alike(contract, stored, expected):
    Indicator.objects.filter(goal__section__contract=contract, unit="plans").update(
        target_value=Decimal(stored)
    )
    content = canonical.contract_content(Contract.objects.get(pk=contract.pk))

    assert content["sections"][0]["goals"][0]["indicators"][0]["target_value"] == expected


def test_windows_line_endings_hash_like_unix_ones(contract):
    ContractSection.objects.filter(contract=contract).update(assets="one\ntwo")
    unix = fresh_hash(contract)
    ContractSection.objects.filter(contract=contract).update(assets="one\r\ntwo")

    assert fresh_hash(contract) == unix


def test_the_field_lists_cover_every_field_of_every_part():
    for model, fields in (
        (Contract, canonical.TERMS_FIELDS + canonical.OPTIONAL_TERMS_FIELDS),
        (ContractSection, canonical.SECTION_FIELDS),
        (Goal, canonical.GOAL_FIELDS + canonical.OPTIONAL_GOAL_FIELDS),
        (Strategy, canonical.STRATEGY_FIELDS),
        (Indicator, canonical.INDICATOR_FIELDS),
    ):
        concrete = {field.name for field in model._meta.concrete_fields}
        assert concrete == set(fields) | canonical.EXCLUDED[model], model.__name__


# Any change changes it ---------------------------------------------------------------------

NEW_VALUES = {
    "terms": {
        "starts_on": datetime.date(2026, 9, 2),
        "ends_on": datetime.date(2027, 7, 1),
        "cadence": Contract.Cadence.MONTHLY,
        "medium": Contract.Medium.PHONE,
        "meeting_minutes": 90,
        "meeting_weekday": Contract.Weekday.MONDAY,
        "meeting_time": datetime.time(8, 31),
        "timezone": "Europe/Oslo",
        "agenda": "Goals, indicators, time, teach each other, next steps!",
        "help_measure": "We rate the help from 1 to 10.",
        "boundaries": "No salaries.",
        "confidentiality": "What we say stays between us, mostly.",
    },
    "section": {
        "assets": "brings budgeting and contacts",
        "needs": "needs public speaking and writing",
        "will_help_with": "will review drafts weekly",
    },
    "goal": {"horizon": Goal.Horizon.SIX_MONTHS, "statement": "lead quarterly planning alone"},
    "strategy": {"description": "run the stand-up twice"},
    "indicator": {
        "description": "plans presented to the board",
        "kind": Indicator.Kind.YES_NO,
        "target_value": Decimal("4.5"),
        "unit": "talks",
        "due_on": datetime.date(2027, 6, 29),
    },
}
FIELDS = {
    "terms": canonical.TERMS_FIELDS,
    "section": canonical.SECTION_FIELDS,
    "goal": canonical.GOAL_FIELDS,
    "strategy": canonical.STRATEGY_FIELDS,
    "indicator": canonical.INDICATOR_FIELDS,
}
FIELD_CASES = [(part, field) for part, fields in FIELDS.items() for field in fields]


def rows(contract, part, partner):
    """The rows of `part` to change: in `partner`'s section, its first goal, the number
    indicator."""
    if part == "terms":
        return Contract.objects.filter(pk=contract.pk)
    section = ContractSection.objects.filter(contract=contract, user=partner)
    if part == "section":
        return section
    goal = Goal.objects.filter(section__in=section, position=0)
    if part == "goal":
        return goal
    if part == "strategy":
        return Strategy.objects.filter(goal__in=goal, position=1)
    return Indicator.objects.filter(goal__in=goal, kind=Indicator.Kind.NUMBER)


def test_every_field_has_a_new_value_to_try():
    assert {part: set(values) for part, values in NEW_VALUES.items()} == {
        part: set(fields) for part, fields in FIELDS.items()
    }


@pytest.mark.parametrize(("part", "field"), FIELD_CASES, ids=[f"{p}.{f}" for p, f in FIELD_CASES])
def test_changing_any_field_changes_the_hash(contract, partner, part, field):
    before = canonical.content_hash(contract)
    changed = rows(contract, part, partner).update(**{field: NEW_VALUES[part][field]})

    assert changed == 1
    assert fresh_hash(contract) != before


def swap_positions(queryset):
    first, second = queryset.order_by("position")[:2]
    type(first).objects.filter(pk=first.pk).update(position=second.position)
    type(second).objects.filter(pk=second.pk).update(position=first.position)


@pytest.mark.parametrize(
    "change",
    [
        "goal order",
        "strategy order",
        "indicator order",
        "sections swapped between partners",
        "strategy added",
        "indicator removed",
        "goal removed",
    ],
)
def test_changing_an_order_or_a_list_changes_the_hash(contract, member, partner, change):
    before = canonical.content_hash(contract)
    goal = Goal.objects.get(section__contract=contract, section__user=member, position=0)
    if change == "goal order":
        swap_positions(Goal.objects.filter(section__contract=contract, section__user=member))
    elif change == "strategy order":
        swap_positions(goal.strategies.all())
    elif change == "indicator order":
        swap_positions(goal.indicators.all())
    elif change == "sections swapped between partners":
        first, second = ContractSection.objects.filter(contract=contract).order_by("user_id")
        first_goals = list(first.goals.values_list("pk", flat=True))
        second_goals = list(second.goals.values_list("pk", flat=True))
        for source, target, goals in ((first, second, first_goals), (second, first, second_goals)):
            texts = {name: getattr(source, name) for name in canonical.SECTION_FIELDS}
            ContractSection.objects.filter(pk=target.pk).update(**texts)
            Goal.objects.filter(pk__in=goals).update(section=target)
    elif change == "strategy added":
        Strategy.objects.create(goal=goal, description="one more", position=5)
    elif change == "indicator removed":
        goal.indicators.filter(kind=Indicator.Kind.YES_NO).delete()
    else:
        goal.delete()

    assert fresh_hash(contract) != before
