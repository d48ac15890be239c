"""The goal first in the contract: each partner's profile goal becomes their one-year goal,
short-term goals name the one-year goal they serve, a vision horizon and a shared "why" —
and contracts written before any of this hash exactly as they did."""

import hashlib
import json
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from contracts import canonical, services
from contracts.models import Contract, Goal
from tests.contracts.factories import (
    active_pair,
    filled,
    goal_kwargs,
    partners_of,
    signed,
    started,
    terms,
)
from tests.contracts.pdf_factories import use_temporary_files
from tests.contracts.test_canonical import build
from tests.contracts.test_pdf_document import text_of
from tests.matching.factories import give_profile

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(cohort, member, partner):
    return active_pair(cohort, member, partner)


def section_of(contract, user):
    return contract.sections.get(user=user)


def add_goal(contract, user, horizon, name, **extra):
    return services.goal_save(
        section=section_of(contract, user),
        actor=user,
        **{**goal_kwargs(name, horizon=horizon), **extra},
    )


# The profile goal ----------------------------------------------------------------------------


def test_each_partners_profile_goal_becomes_their_one_year_goal(pair, member, partner):
    give_profile(member, pair.organization, goal="Lead my first team of five")
    give_profile(partner, pair.organization, goal="")

    contract = started(pair)

    goals = list(Goal.objects.filter(section__contract=contract).select_related("section"))
    assert [(g.section.user, g.horizon, g.statement) for g in goals] == [
        (member, Goal.Horizon.ONE_YEAR, "Lead my first team of five")
    ]


def test_the_carried_goal_can_be_edited_in_the_draft(pair, member):
    give_profile(member, pair.organization, goal="Lead my first team of five")
    contract = started(pair)
    goal = Goal.objects.get(section__contract=contract)

    services.goal_save(
        section=goal.section, actor=member, goal=goal, **goal_kwargs("Ana", Goal.Horizon.ONE_YEAR)
    )

    goal.refresh_from_db()
    assert goal.statement == "Ana: lead my team's quarterly planning on my own"


# Short-term goals serve a one-year goal ------------------------------------------------------


def test_a_one_month_step_serves_a_one_year_goal(pair, member):
    contract = started(pair)
    year = add_goal(contract, member, Goal.Horizon.ONE_YEAR, "year")

    step = add_goal(contract, member, Goal.Horizon.ONE_MONTH, "step", serves=year)

    assert step.serves == year
    assert list(year.steps.all()) == [step]


@pytest.mark.parametrize("case", ["year serves", "serves a step", "partner's goal", "vision"])
def test_a_wrong_link_is_refused_and_nothing_is_saved(pair, member, partner, case):
    contract = started(pair)
    year = add_goal(contract, member, Goal.Horizon.ONE_YEAR, "year")
    step = add_goal(contract, member, Goal.Horizon.THREE_MONTHS, "step")
    theirs = add_goal(contract, partner, Goal.Horizon.ONE_YEAR, "theirs")
    horizon, serves = {
        "year serves": (Goal.Horizon.ONE_YEAR, year),
        "serves a step": (Goal.Horizon.ONE_MONTH, step),
        "partner's goal": (Goal.Horizon.ONE_MONTH, theirs),
        "vision": (Goal.Horizon.VISION, year),
    }[case]
    before = Goal.objects.count()

    with pytest.raises(ValidationError):
        add_goal(contract, member, horizon, "new", serves=serves)

    assert Goal.objects.count() == before


def test_a_one_year_goal_made_shorter_lets_go_of_its_steps(pair, member):
    contract = started(pair)
    year = add_goal(contract, member, Goal.Horizon.ONE_YEAR, "year")
    step = add_goal(contract, member, Goal.Horizon.ONE_MONTH, "step", serves=year)

    services.goal_save(
        section=year.section, actor=member, goal=year, **goal_kwargs("year", Goal.Horizon.VISION)
    )

    step.refresh_from_db()
    assert step.serves is None


def test_the_goal_page_offers_only_ones_own_one_year_goals(client_for, pair, member, partner):
    contract = started(pair)
    year = add_goal(contract, member, Goal.Horizon.ONE_YEAR, "mine")
    add_goal(contract, member, Goal.Horizon.ONE_MONTH, "my step")
    add_goal(contract, partner, Goal.Horizon.ONE_YEAR, "theirs")
    url = reverse(
        "contract_goal_add",
        kwargs={"org_slug": pair.organization.slug, "contract_id": contract.pk},
    )

    form = client_for(member).get(url).context["forms"].goal

    assert list(form.fields["serves"].queryset) == [year]
    assert ("5y", "Three to five years (vision)") in form.fields["horizon"].choices


def test_the_contract_page_shows_the_why_and_each_steps_goal(client_for, pair, member):
    contract = started(pair)
    services.contract_terms_update(
        contract=contract, actor=member, **terms(why="To grow into leaders together.")
    )
    year = add_goal(contract, member, Goal.Horizon.ONE_YEAR, "year")
    add_goal(contract, member, Goal.Horizon.ONE_MONTH, "step", serves=year)
    url = reverse(
        "contract_detail",
        kwargs={"org_slug": pair.organization.slug, "contract_id": contract.pk},
    )

    content = client_for(member).get(url).content.decode()

    assert "Why we are doing this" in content and "To grow into leaders together." in content
    assert "A step toward the one-year goal: year: lead my team" in content


def test_the_signed_pdf_shows_the_why_and_the_links(settings, tmp_path, pair, member, partner):
    use_temporary_files(settings, tmp_path)
    contract = filled(started(pair))
    services.contract_terms_update(
        contract=contract, actor=member, **terms(why="To grow into leaders together.")
    )
    year = contract.sections.get(user=member).goals.get(horizon=Goal.Horizon.ONE_YEAR)
    step = contract.sections.get(user=member).goals.get(horizon=Goal.Horizon.ONE_MONTH)
    services.goal_save(
        section=step.section,
        actor=member,
        goal=step,
        serves=year,
        **goal_kwargs("Ana 1m", Goal.Horizon.ONE_MONTH),
    )
    from contracts import documents

    services.contract_mark_ready(contract=contract, actor=member, notify=False)
    contract.refresh_from_db()
    for user in partners_of(contract):
        services.contract_sign(
            contract=contract,
            user=user,
            typed_name=user.get_full_name(),
            content_hash=contract.content_hash,
            notify=False,
        )
    contract.refresh_from_db()

    text = text_of(documents.signed_contract_pdf(contract=contract))

    assert "To grow into leaders together." in text
    assert "A step toward the one-year goal" in text


# The hash ------------------------------------------------------------------------------------


def _value(value):
    """The serialization of values as it was before the new fields (copied on purpose)."""
    import datetime
    from decimal import Decimal

    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


OLD_TERMS = (
    "starts_on", "ends_on", "cadence", "medium", "meeting_minutes", "meeting_weekday",
    "meeting_time", "timezone", "agenda", "help_measure", "boundaries", "confidentiality",
)  # fmt: skip


def old_layout_hash(contract: Contract) -> str:
    """The hash as the layout computed it before goals could be linked and terms had a why."""

    def ordered(rows):
        return sorted(rows, key=lambda row: (row.position, row.pk))

    content = {
        "format": "peermentor.contract/1",
        "terms": {name: _value(getattr(contract, name)) for name in OLD_TERMS},
        "sections": [
            {
                **{n: _value(getattr(s, n)) for n in ("assets", "needs", "will_help_with")},
                "goals": [
                    {
                        "horizon": _value(g.horizon),
                        "statement": _value(g.statement),
                        "strategies": [
                            {"description": _value(r.description)}
                            for r in ordered(g.strategies.all())
                        ],
                        "indicators": [
                            {
                                n: _value(getattr(r, n))
                                for n in ("description", "kind", "target_value", "unit", "due_on")
                            }
                            for r in ordered(g.indicators.all())
                        ],
                    }
                    for g in ordered(s.goals.all())
                ],
            }
            for s in contract.sections.order_by("user_id")
        ],
    }
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_a_contract_without_the_new_fields_hashes_exactly_as_before(pair, member, partner):
    contract = build(pair, [member, partner])

    assert canonical.content_hash(contract) == old_layout_hash(contract)
    assert "why" not in canonical.contract_content(contract)["terms"]


def test_a_contract_signed_before_still_verifies(client, pair, member):
    # Signing recomputes the hash and compares it with the one locked for signature.
    contract = signed(pair)
    assert contract.content_hash == old_layout_hash(contract)

    response = client.get(reverse("contract_verify"), {"hash": contract.content_hash})

    assert "Authentic: this is a contract signed on this site." in response.content.decode()


def test_the_why_and_a_link_each_change_the_hash(pair, member, partner):
    contract = build(pair, [member, partner])
    before = canonical.content_hash(contract)
    Contract.objects.filter(pk=contract.pk).update(why="To grow together.")
    with_why = canonical.content_hash(Contract.objects.get(pk=contract.pk))
    year, step = Goal.objects.filter(section__contract=contract, section__user=member).order_by(
        "position"
    )
    Goal.objects.filter(pk=step.pk).update(serves=year)
    linked = canonical.content_hash(Contract.objects.get(pk=contract.pk))

    assert len({before, with_why, linked}) == 3
    member_section = canonical.contract_content(Contract.objects.get(pk=contract.pk))["sections"]
    assert [goal.get("serves") for goal in member_section[0]["goals"]] == [None, 0]


def test_an_amendment_copies_the_why_and_the_links(pair, member):
    contract = signed(pair)
    amendment = services.contract_amend(contract=contract, actor=member)
    services.contract_terms_update(
        contract=amendment, actor=member, **terms(why="To grow together.")
    )
    year = amendment.sections.get(user=member).goals.get(horizon=Goal.Horizon.ONE_YEAR)
    step = amendment.sections.get(user=member).goals.get(horizon=Goal.Horizon.ONE_MONTH)
    services.goal_save(
        section=step.section, actor=member, goal=step, serves=year, **goal_kwargs("Ana 1m", "1m")
    )
    services.contract_mark_ready(contract=amendment, actor=member, notify=False)
    amendment.refresh_from_db()
    for user in partners_of(amendment):
        services.contract_sign(
            contract=amendment,
            user=user,
            typed_name=user.get_full_name(),
            content_hash=amendment.content_hash,
            notify=False,
        )

    second = services.contract_amend(contract=amendment, actor=member)

    assert second.why == "To grow together."
    copied = second.sections.get(user=member).goals.get(horizon=Goal.Horizon.ONE_MONTH)
    assert copied.serves.statement == year.statement
    assert copied.serves.section.contract == second
    assert canonical.content_hash(second) == amendment.content_hash
