"""Builders for the contract document tests: contracts made directly with the models.

`signed_contract(cohort, [ana, ben])` gives a contract every partner signed, with two goals per
partner, each with strategies and indicators (a number with a unit and a yes/no), and the
content hash that `contracts.canonical` computes. Every text is unique to its contract (it names
the contract's `tag`), so a test can tell one contract's PDF from another's.

`use_temporary_files(settings, tmp_path)` points the signing keys and the media folder at a
temporary folder, so no test writes into the repository.
"""

import datetime
import hashlib
from decimal import Decimal

from contracts.models import (
    Contract,
    ContractSection,
    Goal,
    Indicator,
    Signature,
    Strategy,
)
from matching.models import Pair, PairMember

SIGNED_AT = datetime.datetime(2026, 9, 14, 17, 30, tzinfo=datetime.UTC)


def use_temporary_files(settings, tmp_path):
    settings.CONTRACT_SIGNING_DIR = tmp_path / "signing"
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.CONTRACT_SIGNING_DIR


def make_pair(cohort, users) -> Pair:
    pair = Pair.objects.create(
        organization=cohort.organization,
        cohort=cohort,
        status=Pair.Status.ACTIVE,
        origin=Pair.Origin.MANUAL,
    )
    for user in users:
        PairMember.objects.create(pair=pair, user=user, response=PairMember.Response.ACCEPTED)
    return pair


def content_hash_of(contract: Contract) -> str:
    try:
        from contracts.canonical import content_hash
    except ImportError:  # the edit/sign workflow's module isn't there: any stable 64 hex digits
        return hashlib.sha256(f"placeholder {contract.pk}".encode()).hexdigest()
    return content_hash(contract)


def _write_section(contract: Contract, user, tag: str, goals: int) -> None:
    name = user.first_name
    section = ContractSection.objects.create(
        contract=contract,
        user=user,
        assets=f"{name} brings ten years of budgeting ({tag})",
        needs=f"{name} needs feedback on public speaking ({tag})",
        will_help_with=f"{name} will review grant drafts ({tag})",
    )
    for number in range(1, goals + 1):
        goal = Goal.objects.create(
            section=section,
            horizon=Goal.Horizon.ONE_YEAR if number == 1 else Goal.Horizon.ONE_MONTH,
            statement=f"{name} goal {number}: lead a team of five ({tag})",
            position=number,
        )
        for step in (1, 2):
            Strategy.objects.create(
                goal=goal,
                description=f"{name} strategy {number}.{step}: practise weekly ({tag})",
                position=step,
            )
        Indicator.objects.create(
            goal=goal,
            description=f"{name} indicator {number}: talks given ({tag})",
            kind=Indicator.Kind.NUMBER,
            target_value=Decimal("12.50"),
            unit="talks",
            due_on=datetime.date(2027, 3, 31),
            position=1,
        )
        Indicator.objects.create(
            goal=goal,
            description=f"{name} indicator {number}: promotion agreed ({tag})",
            kind=Indicator.Kind.YES_NO,
            position=2,
        )


def signed_contract(
    cohort,
    users,
    *,
    tag: str = "alpha",
    status: str = Contract.Status.SIGNED,
    version: int = 1,
    previous: Contract | None = None,
    pair: Pair | None = None,
    goals: int = 2,
    signed_at: datetime.datetime = SIGNED_AT,
) -> Contract:
    """A contract of `users` (a new active pair unless `pair` is given) in `status`.

    Drafts have no hash and no signatures; `ready` ones a hash but no signatures; signed and
    superseded ones a signature per partner, typed "<First> <Last>", a minute apart.
    """
    contract = Contract.objects.create(
        organization=cohort.organization,
        cohort=cohort,
        pair=pair or make_pair(cohort, users),
        version=version,
        previous=previous,
        status=status,
        starts_on=datetime.date(2026, 9, 15),
        ends_on=datetime.date(2027, 6, 30),
        cadence=Contract.Cadence.BIWEEKLY,
        medium=Contract.Medium.VIDEO,
        meeting_minutes=60,
        meeting_weekday=Contract.Weekday.TUESDAY,
        meeting_time=datetime.time(18, 0),
        timezone="Europe/Copenhagen",
        help_measure=f"We rate each meeting from 1 to 5 ({tag})",
        boundaries=f"No talk about salaries ({tag})",
        confidentiality=f"What we say stays between us ({tag})",
    )
    for user in users:
        _write_section(contract, user, tag, goals)
    if status == Contract.Status.DRAFT:
        return contract
    contract.content_hash = content_hash_of(contract)
    if status in (Contract.Status.SIGNED, Contract.Status.SUPERSEDED):
        for minute, user in enumerate(users):
            Signature.objects.create(
                contract=contract,
                user=user,
                typed_name=f"{user.first_name} {user.last_name}",
                signed_at=signed_at + datetime.timedelta(minutes=minute),
                ip="192.0.2.10",
                content_hash=contract.content_hash,
            )
        contract.signed_at = signed_at + datetime.timedelta(minutes=len(users) - 1)
    contract.save(update_fields=["content_hash", "signed_at"])
    return contract


def contract_texts(contract: Contract) -> list[str]:
    """Every goal, strategy and indicator, and each typed name: what the PDF must show."""
    texts = []
    for goal in Goal.objects.filter(section__contract=contract):
        texts.append(goal.statement)
        texts += [strategy.description for strategy in goal.strategies.all()]
        texts += [indicator.description for indicator in goal.indicators.all()]
    texts += [signature.typed_name for signature in contract.signatures.all()]
    return texts
