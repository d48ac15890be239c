"""Browser journeys: a partnership that ends and whose members are matched again, and one that
is renewed with new goals at its contract's review date."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from checkins import reminders
from checkins import services as checkin_services
from checkins.models import Meeting, PartnershipEnding
from checkins.partnership import services as partnership_services
from contracts.models import Contract, Goal
from matching import services as matching_services
from matching.models import Pair
from tests.e2e import arrange
from tests.e2e.arrange import ANA, BEN, PASSWORD
from tests.e2e.test_journeys import emailed_link, log_in, sign

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CARL, DINA = "carl@northwind.test", "dina@northwind.test"


def path(name: str, **kwargs) -> str:
    return reverse(name, kwargs=kwargs)


def members_of(pair: Pair) -> set[str]:
    return set(pair.members.values_list("user__email", flat=True))


def two_active_pairs_with_meetings() -> arrange.Cast:
    """Ana and Ben signed, with meetings ahead; Carl and Dina active too."""
    cast = arrange.after_journey_3()
    carl_and_dina = Pair.objects.get(cohort=cast.cohort, members__user__email=CARL)
    for email in (CARL, DINA):
        matching_services.pair_respond(
            pair=carl_and_dina, user=cast.member(email), accept=True, notify=False
        )
    now = timezone.now()
    for days in (3, 10):
        checkin_services.meeting_add(
            pair=cast.pair,
            actor=cast.member(ANA),
            starts_at=now.replace(microsecond=0) + datetime.timedelta(days=days),
            minutes=45,
        )
    mail.outbox.clear()
    return cast


def test_one_partner_ends_the_partnership_and_the_rerun_pairs_both_again(journey):
    cast = arrange.build(two_active_pairs_with_meetings)
    org, cohort = cast.organization.slug, cast.cohort.pk
    old_pair = cast.pair
    carl_and_dina = Pair.objects.get(cohort=cast.cohort, members__user__email=CARL)
    trip = journey("ending-and-rematching")
    ana, cora = trip.person("ana"), trip.person("cora")

    log_in(ana, ANA)
    ana.goto(path("pair_detail", org_slug=org, pair_id=old_pair.pk), shot="pair-page")
    ana.click("End the partnership", shot="end-confirm")
    assert "Only your coordinators see the reason" in ana.text()
    ana.page.get_by_label("Not enough time").check()
    ana.fill("Anything your coordinators should know?", "A new job with a lot of travel.")
    first = Meeting.objects.filter(pair=old_pair, starts_at__gt=timezone.now()).first()
    ana.select("Keep one meeting to wrap up", str(first.pk))
    ana.click("End the partnership", shot="ended")
    assert "The partnership has ended" in ana.messages

    ending = PartnershipEnding.objects.get(pair=old_pair)
    assert (ending.reason, ending.wrap_up_id) == ("no_time", first.pk)
    statuses = set(
        Meeting.objects.filter(pair=old_pair, starts_at__gt=timezone.now())
        .exclude(pk=first.pk)
        .values_list("status", flat=True)
    )
    assert statuses == {Meeting.Status.CANCELLED}
    told = [m for m in mail.outbox if BEN in m.to]
    assert told and "A new job" not in told[0].body and "Not enough time" not in told[0].body
    assert any("A new job" in m.body for m in mail.outbox if cast.coordinator.email in m.to)

    # The coordinator ends Carl and Dina's partnership from its page, then re-runs the matching
    # for the members without a partner.
    log_in(cora, arrange.COORDINATOR["email"], PASSWORD)
    cora.goto(path("pair_detail", org_slug=org, pair_id=old_pair.pk), shot="coordinator-sees")
    assert "Reason (coordinators only): Not enough time" in cora.text()
    cora.goto(path("pair_detail", org_slug=org, pair_id=carl_and_dina.pk))
    cora.click("End the partnership")
    cora.page.get_by_label("Changed circumstances (work, health, life)").check()
    cora.click("End the partnership")
    assert "Both partners were told" in cora.messages

    cora.goto(path("cohort_dashboard", org_slug=org, cohort_id=cohort), shot="dashboard")
    counts = cora.page.get_by_role("heading", name="How partnerships went").locator("..")
    assert "Not enough time: 1" in counts.inner_text()

    cora.goto(path("matching_cohort", org_slug=org, cohort_id=cohort))
    cora.click("Match the 4 members without a partner", shot="rerun")
    proposals = [
        members_of(pair)
        for pair in Pair.objects.filter(cohort=cast.cohort, status=Pair.Status.PROPOSED)
    ]
    assert len(proposals) == 2
    assert {ANA, BEN} not in proposals and {CARL, DINA} not in proposals
    assert set().union(*proposals) == {ANA, BEN, CARL, DINA}
    trip.finish()


def review_due() -> arrange.Cast:
    """Ana and Ben's signed contract reaches its review date today; the review task runs."""
    cast = arrange.after_journey_3()
    Contract.objects.filter(pk=cast.contract.pk).update(ends_on=timezone.localdate())
    mail.outbox.clear()
    partnership_services.partnership_reviews_queue()
    reminders.reminders_send_due()
    return cast


def test_a_renewal_at_the_review_date(journey):
    cast = arrange.build(review_due)
    org = cast.organization.slug
    old = cast.contract
    trip = journey("renewal-at-review")
    ana, ben = trip.person("ana"), trip.person("ben")
    log_in(ana, ANA)
    log_in(ben, BEN)

    ana.goto("/", shot="home-review-due")
    assert "Review your partnership" in ana.text()
    ana.goto(emailed_link(ANA, "/review/"), shot="review")
    ana.page.get_by_label("Renew with new goals").check()
    ana.click("Save my choice")
    assert "once your partner agrees" in ana.messages

    ben.goto(emailed_link(BEN, "/review/"), shot="review-partner-chose")
    assert "Ana Silva chose: Renew with new goals" in ben.text()
    ben.page.get_by_label("Renew with new goals").check()
    ben.click("Save my choice", shot="amendment")
    amendment = Contract.objects.get(previous=old)
    assert amendment.status == Contract.Status.DRAFT
    assert amendment.starts_on == timezone.localdate()

    # Ben sets a new goal in the amendment; then both sign it.
    ben.click("Edit my section")
    ben.click("Add a goal")
    ben.select("Horizon", "6m")
    ben.fill("Goal (the what)", "Lead the yearly budget review")
    ben.fill("Strategy (the how)", "Rehearse it with Ana twice")
    indicator = ben.page.locator("#indicators-rows [data-formset-row]").first
    ben.fill("Success indicator", "Rehearsals held", within=indicator)
    ben.select("Measured as", "number", within=indicator)
    ben.fill("Target", "2", within=indicator)
    ben.fill("Unit", "rehearsals", within=indicator)
    ben.fill("Due date", amendment.ends_on.isoformat(), within=indicator)
    ben.click("Save goal")
    ben.click("Back to the contract")
    ben.click("Mark ready for signature")
    ben.click("Read and sign")
    sign(ben, "Ben Okafor", PASSWORD)
    ana.goto(path("contract_detail", org_slug=org, contract_id=amendment.pk))
    ana.click("Read and sign")
    sign(ana, "Ana Silva", PASSWORD, shot="renewed")

    amendment.refresh_from_db()
    old.refresh_from_db()
    assert amendment.status == Contract.Status.SIGNED
    assert old.status == Contract.Status.SUPERSEDED
    assert Goal.objects.filter(
        section__contract=amendment, statement="Lead the yearly budget review"
    ).exists()
    trip.finish()
