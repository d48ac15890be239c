"""The contract workflow through its services: start, edit, ready, reopen, sign, withdraw,
amend, with trios, audit entries, emails and the PDF task on the last signature."""

import datetime
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from accounts.models import AuditEvent
from contracts import canonical, services
from contracts.demo import seed_contracts
from contracts.models import Contract, ContractSection, Goal, Indicator, Signature, Strategy
from contracts.services import IndicatorInput, StrategyInput
from matching.models import Pair
from tests.contracts.factories import (
    active_pair,
    filled,
    goal_kwargs,
    ready,
    sign,
    signed,
    started,
    terms,
)
from tests.factories import EnrolmentFactory
from tests.matching.factories import give_profile

pytestmark = pytest.mark.django_db

SIGNED = "This contract is signed; propose an amendment instead."


@pytest.fixture
def pair(cohort, member, partner):
    return active_pair(cohort, member, partner)


@pytest.fixture
def render_task():
    with mock.patch("contracts.tasks.render_contract_document.delay") as delay:
        yield delay


def messages_of(error: pytest.ExceptionInfo) -> str:
    return " ".join(error.value.messages)


# Starting ----------------------------------------------------------------------------------


def test_opening_an_active_pair_starts_a_draft_with_a_section_per_partner(pair, member, partner):
    contract = started(pair, member)

    assert contract.status == Contract.Status.DRAFT
    assert contract.version == 1
    assert set(contract.sections.values_list("user", flat=True)) == {member.pk, partner.pk}
    assert AuditEvent.objects.filter(action="contract.started", actor=member).exists()


def test_starting_twice_returns_the_same_contract(pair, member, partner):
    assert started(pair, member) == started(pair, partner)
    assert Contract.objects.count() == 1


def test_a_pair_not_yet_active_has_no_contract(cohort, member, partner):
    pair = active_pair(cohort, member, partner)
    Pair.objects.filter(pk=pair.pk).update(status=Pair.Status.PUBLISHED)

    with pytest.raises(ValidationError, match="accepted the pairing"):
        started(pair, member)


def test_the_draft_is_prefilled_from_the_profiles(cohort, pair, member, partner):
    organization = cohort.organization
    give_profile(
        member,
        organization,
        offers={"Public speaking": 5},
        needs={"Fundraising": 5, "Knitting": 2},
        cadence="weekly",
        medium="video",
    )
    give_profile(
        partner,
        organization,
        offers={"Fundraising": 4},
        needs={"Public speaking": 5},
        cadence="weekly",
        medium="phone",
    )

    contract = started(pair, member)
    mine = contract.sections.get(user=member)

    assert contract.cadence == "weekly"  # they agree
    assert contract.medium == Contract.Medium.VIDEO  # they don't: the default stays
    assert contract.timezone == "Europe/Copenhagen"
    assert contract.starts_on >= cohort.starts_on
    assert contract.ends_on == cohort.ends_on
    assert "Public speaking (expert)" in mine.assets
    assert "Fundraising, from Ben Okafor" in mine.needs
    assert "Knitting" not in mine.needs  # Ben doesn't offer it
    assert "Public speaking, for Ben Okafor" in mine.will_help_with


# Editing a draft ---------------------------------------------------------------------------


def test_a_partner_saves_a_goal_with_its_strategies_and_indicators_in_order(pair, member):
    contract = started(pair, member)
    section = contract.sections.get(user=member)

    goal = services.goal_save(
        section=section,
        actor=member,
        horizon=Goal.Horizon.ONE_MONTH,
        statement="  Run one planning meeting  ",
        strategies=[StrategyInput("Prepare with Ben"), StrategyInput("   ")],
        indicators=[
            IndicatorInput("Meeting held", kind=Indicator.Kind.YES_NO, target_value=3, unit="x"),
            IndicatorInput("Attendees", target_value=8, unit="people"),
        ],
    )

    assert goal.statement == "Run one planning meeting"
    assert list(goal.strategies.values_list("description", flat=True)) == ["Prepare with Ben"]
    yes_no, number = goal.indicators.all()
    assert (yes_no.target_value, yes_no.unit) == (None, "")  # a yes/no has no target
    assert (number.position, number.target_value, number.unit) == (1, 8, "people")


def test_editing_a_goal_updates_its_rows_in_place_and_drops_the_missing_ones(pair, member):
    contract = started(pair, member)
    section = contract.sections.get(user=member)
    goal = services.goal_save(section=section, actor=member, **goal_kwargs("Ana"))
    kept, dropped = goal.indicators.all()
    strategy = goal.strategies.get()

    services.goal_save(
        section=section,
        actor=member,
        goal=goal,
        horizon=Goal.Horizon.ONE_YEAR,
        statement="New statement",
        strategies=[StrategyInput("Added first"), StrategyInput("Changed", id=strategy.pk)],
        indicators=[IndicatorInput("Plans", target_value=5, unit="plans", id=kept.pk)],
    )

    assert list(goal.strategies.values_list("description", "position")) == [
        ("Added first", 0),
        ("Changed", 1),
    ]
    assert goal.strategies.filter(pk=strategy.pk).exists()
    assert list(goal.indicators.values_list("pk", "target_value")) == [(kept.pk, 5)]
    assert not Indicator.objects.filter(pk=dropped.pk).exists()


def test_a_number_indicator_needs_a_target(pair, member):
    section = started(pair, member).sections.get(user=member)

    with pytest.raises(ValidationError, match="needs a target number"):
        services.goal_save(
            section=section,
            actor=member,
            horizon=Goal.Horizon.ONE_YEAR,
            statement="Lead",
            strategies=[],
            indicators=[IndicatorInput("Talks given")],
        )


def test_a_partner_cannot_edit_the_other_partners_section(pair, member, partner):
    section = started(pair, member).sections.get(user=partner)

    with pytest.raises(ValidationError, match="your own section"):
        services.contract_section_update(
            section=section, actor=member, assets="x", needs="", will_help_with=""
        )
    with pytest.raises(ValidationError, match="your own section"):
        services.goal_save(section=section, actor=member, **goal_kwargs("Ana"))


def test_either_partner_edits_the_shared_terms(pair, member, partner):
    contract = started(pair, member)

    services.contract_terms_update(contract=contract, actor=partner, **terms(meeting_minutes=30))

    contract.refresh_from_db()
    assert contract.meeting_minutes == 30
    event = AuditEvent.objects.get(action="contract.terms_updated")
    assert event.actor == partner and "meeting_minutes" in event.data["fields"]


def test_the_end_must_come_after_the_start(pair, member):
    contract = started(pair, member)

    with pytest.raises(ValidationError, match="after the start date"):
        services.contract_terms_update(
            contract=contract,
            actor=member,
            **terms(starts_on=datetime.date(2027, 1, 1), ends_on=datetime.date(2026, 12, 1)),
        )


def test_someone_outside_the_pair_cannot_edit(pair, member, cohort):
    stranger = EnrolmentFactory(cohort=cohort).user
    contract = started(pair, member)

    with pytest.raises(ValidationError, match="Only the partners"):
        services.contract_terms_update(contract=contract, actor=stranger, **terms())


# Ready for signature -----------------------------------------------------------------------


def test_ready_requires_a_goal_with_a_strategy_and_an_indicator_in_every_section_and_the_dates(
    pair, member, partner
):
    contract = started(pair, member)
    section = contract.sections.get(user=member)
    services.goal_save(
        section=section,
        actor=member,
        horizon=Goal.Horizon.ONE_YEAR,
        statement="Lead planning",
        strategies=[],
        indicators=[],
    )
    services.contract_terms_update(contract=contract, actor=member, **terms(ends_on=None))

    with pytest.raises(ValidationError) as error:
        services.contract_mark_ready(contract=contract, actor=member)

    assert error.value.messages == [
        "Ana Silva's goal “Lead planning” has no strategy (the how) yet.",
        "Ana Silva's goal “Lead planning” has no success indicator yet.",
        "Ben Okafor's section has no goal yet.",
        "The shared terms have no review / end date yet.",
    ]
    contract.refresh_from_db()
    assert contract.status == Contract.Status.DRAFT and contract.content_hash == ""


def test_ready_locks_the_content_with_its_hash_and_tells_the_partner(
    pair, member, partner, django_capture_on_commit_callbacks
):
    contract = filled(started(pair, member))

    with django_capture_on_commit_callbacks(execute=True):
        contract = services.contract_mark_ready(contract=contract, actor=member)

    assert contract.status == Contract.Status.READY
    assert contract.ready_at is not None
    assert contract.content_hash == canonical.content_hash(contract)
    assert [message.to for message in mail.outbox] == [[partner.email]]
    assert "Ana Silva marked your contract ready" in mail.outbox[0].subject
    assert f"/contracts/{contract.pk}/" in mail.outbox[0].body


def test_ready_content_cannot_be_edited_until_reopened(pair, member):
    contract = ready(pair)
    section = contract.sections.get(user=member)

    with pytest.raises(ValidationError, match="locked for signature"):
        services.goal_save(section=section, actor=member, **goal_kwargs("Ana"))

    contract = services.contract_reopen(contract=contract, actor=member)

    assert contract.status == Contract.Status.DRAFT
    assert contract.content_hash == ""
    assert section.goals.count() == 2  # nothing but the hash is cleared
    services.goal_save(section=section, actor=member, **goal_kwargs("Ana"))


def test_reopening_is_refused_once_someone_has_signed(pair, member, partner):
    contract = ready(pair)
    sign(contract, partner, notify=False)

    with pytest.raises(ValidationError, match="withdrawn"):
        services.contract_reopen(contract=contract, actor=member)


# Signing -----------------------------------------------------------------------------------


def test_signing_records_the_name_time_ip_agent_and_hash(pair, member):
    contract = ready(pair)

    signature = services.contract_sign(
        contract=contract,
        user=member,
        typed_name="  ana   SILVA ",
        content_hash=contract.content_hash,
        ip="203.0.113.9",
        user_agent="Mozilla/5.0 " + "x" * 1000,
        notify=False,
    )

    assert signature.typed_name == "ana SILVA"
    assert signature.ip == "203.0.113.9"
    assert len(signature.user_agent) == 400
    assert signature.content_hash == contract.content_hash
    assert signature.signed_at.tzinfo is not None
    contract.refresh_from_db()
    assert contract.status == Contract.Status.READY  # Ben hasn't signed yet


@pytest.mark.parametrize("typed_name", ["Ana", "Ana Silva-Okafor", "Ben Okafor", ""])
def test_signing_requires_the_account_name(pair, member, typed_name):
    contract = ready(pair)

    with pytest.raises(ValidationError) as error:
        services.contract_sign(
            contract=contract,
            user=member,
            typed_name=typed_name,
            content_hash=contract.content_hash,
        )

    assert error.value.message_dict == {
        "typed_name": ["Type your full name as it appears on your account: Ana Silva."]
    }
    assert not Signature.objects.exists()


def test_signing_is_refused_when_the_contract_changed_since_the_page_was_opened(pair, member):
    contract = ready(pair)
    opened_with = contract.content_hash
    services.contract_reopen(contract=contract, actor=member)
    ContractSection.objects.filter(contract=contract, user=member).update(assets="changed")
    contract = services.contract_mark_ready(contract=contract, actor=member, notify=False)

    with pytest.raises(ValidationError, match="changed since you opened this page"):
        services.contract_sign(
            contract=contract, user=member, typed_name="Ana Silva", content_hash=opened_with
        )


def test_signing_is_refused_when_the_content_was_changed_behind_the_services(pair, member):
    contract = ready(pair)
    Strategy.objects.filter(goal__section__contract=contract).update(description="sneaky")

    with pytest.raises(ValidationError, match="no longer matches"):
        sign(contract, member)


def test_a_draft_cannot_be_signed(pair, member):
    contract = filled(started(pair, member))

    with pytest.raises(ValidationError, match="not ready for signature"):
        sign(contract, member)


def test_signing_twice_is_refused(pair, member):
    contract = ready(pair)
    sign(contract, member, notify=False)

    with pytest.raises(ValidationError, match="already signed"):
        sign(contract, member)


def test_the_first_signature_tells_the_partner(
    pair, member, partner, django_capture_on_commit_callbacks, render_task
):
    contract = ready(pair)

    with django_capture_on_commit_callbacks(execute=True):
        sign(contract, member)

    assert [message.to for message in mail.outbox] == [[partner.email]]
    assert mail.outbox[0].subject == "Ana Silva signed your contract"
    render_task.assert_not_called()


def test_the_last_signature_signs_the_contract_tells_both_and_queues_the_pdf(
    pair, member, partner, django_capture_on_commit_callbacks, render_task
):
    contract = ready(pair)
    sign(contract, member, notify=False)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        sign(contract, partner)
    render_task.assert_not_called()  # nothing before the commit
    for callback in callbacks:
        callback()

    contract.refresh_from_db()
    assert contract.status == Contract.Status.SIGNED
    assert contract.signed_at is not None
    render_task.assert_called_once_with(contract.pk)
    assert sorted(message.to[0] for message in mail.outbox) == [member.email, partner.email]
    assert all("is signed" in message.subject for message in mail.outbox)
    assert AuditEvent.objects.filter(action="contract.signed", actor=partner).exists()


def test_a_rolled_back_signature_queues_nothing(
    pair, member, partner, django_capture_on_commit_callbacks, render_task
):
    contract = ready(pair)
    sign(contract, member, notify=False)

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ValidationError),
    ):
        services.contract_sign(
            contract=contract, user=partner, typed_name="Nobody", content_hash="x"
        )

    assert callbacks == []
    render_task.assert_not_called()


EDITS = {
    "terms": lambda c, user: services.contract_terms_update(contract=c, actor=user, **terms()),
    "section": lambda c, user: services.contract_section_update(
        section=c.sections.get(user=user), actor=user, assets="x", needs="y", will_help_with="z"
    ),
    "goal added": lambda c, user: services.goal_save(
        section=c.sections.get(user=user), actor=user, **goal_kwargs("New")
    ),
    "goal edited": lambda c, user: services.goal_save(
        section=c.sections.get(user=user),
        actor=user,
        goal=Goal.objects.filter(section__contract=c, section__user=user).first(),
        **goal_kwargs("Edited"),
    ),
    "goal deleted": lambda c, user: services.goal_delete(
        goal=Goal.objects.filter(section__contract=c, section__user=user).first(), actor=user
    ),
    "ready": lambda c, user: services.contract_mark_ready(contract=c, actor=user),
    "reopen": lambda c, user: services.contract_reopen(contract=c, actor=user),
    "withdraw": lambda c, user: services.contract_withdraw_signature(contract=c, user=user),
}


@pytest.mark.parametrize("edit", EDITS)
def test_signing_freezes_the_contract(pair, member, edit):
    contract = signed(pair)
    before = canonical.content_hash(contract)

    with pytest.raises(ValidationError) as error:
        EDITS[edit](contract, member)

    if edit == "withdraw":
        assert "propose an amendment instead" in messages_of(error)
    else:
        assert messages_of(error) == SIGNED
    contract.refresh_from_db()
    assert contract.status == Contract.Status.SIGNED
    assert canonical.content_hash(contract) == before == contract.content_hash


# Withdrawing -------------------------------------------------------------------------------


def test_a_partner_withdraws_before_the_last_signature_and_can_sign_again(pair, member):
    contract = ready(pair)
    sign(contract, member, notify=False)

    withdrawn = services.contract_withdraw_signature(contract=contract, user=member)

    assert withdrawn.withdrawn_at is not None
    services.contract_reopen(contract=contract, actor=member)  # nobody's signature stands now
    contract = services.contract_mark_ready(contract=contract, actor=member, notify=False)
    sign(contract, member, notify=False)
    assert Signature.objects.filter(user=member).count() == 2


def test_withdrawing_after_the_last_signature_is_refused(pair, member):
    contract = signed(pair)

    with pytest.raises(ValidationError, match="no longer be withdrawn"):
        services.contract_withdraw_signature(contract=contract, user=member)


def test_withdrawing_without_a_signature_is_refused(pair, member):
    contract = ready(pair)

    with pytest.raises(ValidationError, match="haven't signed"):
        services.contract_withdraw_signature(contract=contract, user=member)


# Amending ----------------------------------------------------------------------------------


def test_an_amendment_is_a_draft_copy_while_the_signed_version_stays_in_force(
    pair, member, partner
):
    original = signed(pair)

    amendment = services.contract_amend(contract=original, actor=partner)

    original.refresh_from_db()
    assert (amendment.version, amendment.previous, amendment.status) == (2, original, "draft")
    assert original.status == Contract.Status.SIGNED
    assert canonical.content_hash(amendment) == original.content_hash  # a full copy
    assert Goal.objects.filter(section__contract=amendment).count() == 4
    assert services.contract_amend(contract=original, actor=member) == amendment  # only one


def test_signing_the_amendment_supersedes_the_previous_version(pair, member, partner, render_task):
    original = signed(pair)
    amendment = services.contract_amend(contract=original, actor=member)
    section = amendment.sections.get(user=member)
    goal = section.goals.first()
    services.goal_save(section=section, actor=member, goal=goal, **goal_kwargs("Ana v2"))
    amendment = services.contract_mark_ready(contract=amendment, actor=member, notify=False)
    sign(amendment, member, notify=False)

    original.refresh_from_db()
    assert original.status == Contract.Status.SIGNED  # until the last signature

    sign(amendment, partner, notify=False)

    original.refresh_from_db()
    amendment.refresh_from_db()
    assert amendment.status == Contract.Status.SIGNED
    assert original.status == Contract.Status.SUPERSEDED
    assert amendment.content_hash != original.content_hash
    assert original.signatures.filter(withdrawn_at__isnull=True).count() == 2  # still readable
    with pytest.raises(ValidationError, match="replaced by an amendment"):
        services.contract_amend(contract=Contract.objects.get(pk=original.pk), actor=member)


def test_only_a_signed_version_can_be_amended(pair, member):
    contract = ready(pair)

    with pytest.raises(ValidationError, match="Only a signed contract"):
        services.contract_amend(contract=contract, actor=member)


# Trios -------------------------------------------------------------------------------------


def test_a_trio_has_three_sections_and_needs_three_signatures(cohort, member, partner):
    third = EnrolmentFactory(cohort=cohort, user__first_name="Carl", user__last_name="Berg").user
    pair = active_pair(cohort, member, partner, third)
    contract = ready(pair)

    assert contract.sections.count() == 3
    sign(contract, member, notify=False)
    sign(contract, partner, notify=False)
    contract.refresh_from_db()
    assert contract.status == Contract.Status.READY

    sign(contract, third, notify=False)

    contract.refresh_from_db()
    assert contract.status == Contract.Status.SIGNED
    assert contract.signatures.count() == 3


# Re-authentication -------------------------------------------------------------------------


def test_the_right_password_passes_and_a_wrong_one_is_refused(pair, member):
    contract = ready(pair)

    services.contract_sign_reauthenticate(contract=contract, user=member, password="pass-word-123")
    with pytest.raises(ValidationError) as error:
        services.contract_sign_reauthenticate(contract=contract, user=member, password="nope")

    assert error.value.message_dict["password"] == [
        "That password is not right. Enter the password you log in with."
    ]


def test_five_wrong_passwords_pause_signing_even_with_the_right_one(pair, member, partner):
    contract = ready(pair)
    for _attempt in range(services.SIGN_PASSWORD_ATTEMPTS - 1):
        with pytest.raises(ValidationError, match="not right"):
            services.contract_sign_reauthenticate(contract=contract, user=member, password="no")

    with pytest.raises(ValidationError, match="Too many wrong passwords"):
        services.contract_sign_reauthenticate(contract=contract, user=member, password="no")
    with pytest.raises(ValidationError, match="Too many wrong passwords"):
        services.contract_sign_reauthenticate(
            contract=contract, user=member, password="pass-word-123"
        )

    assert AuditEvent.objects.filter(action="contract.sign_locked_out", actor=member).exists()
    services.contract_sign_reauthenticate(  # another user isn't affected
        contract=contract, user=partner, password="pass-word-123"
    )


# Demo --------------------------------------------------------------------------------------


def test_seed_contracts_signs_most_and_is_idempotent(cohort, render_task):
    users = [
        EnrolmentFactory(cohort=cohort, user__first_name=name, user__last_name="Demo").user
        for name in ("Ida", "Jon", "Kai", "Liv", "Mo", "Nia")
    ]
    for first, second in zip(users[::2], users[1::2], strict=True):
        active_pair(cohort, first, second)

    written = seed_contracts(cohort=cohort)
    again = seed_contracts(cohort=cohort)

    assert [contract.status for contract in written] == ["signed", "signed", "ready"]
    assert again == []
    assert Contract.objects.count() == 3
    for contract in written:
        assert contract.content_hash == canonical.content_hash(contract)
        horizons = set(Goal.objects.filter(section__contract=contract).values_list("horizon"))
        assert horizons == {("1y",), ("1m",)}
        assert not Indicator.objects.filter(goal__section__contract=contract, due_on=None).exists()
    assert not mail.outbox
