"""The contract pages as partners and coordinators use them."""

from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Membership
from contracts import services
from contracts.models import Contract, Goal, Indicator, Signature
from tests.contracts.factories import active_pair, filled, goal_kwargs, ready, sign, started
from tests.factories import EnrolmentFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(cohort, member, partner):
    return active_pair(cohort, member, partner)


def url(name, contract, **kwargs):
    return reverse(
        name,
        kwargs={"org_slug": contract.organization.slug, "contract_id": contract.pk, **kwargs},
    )


def page_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def goal_post(**overrides) -> dict:
    data = {
        "goal-horizon": "1y",
        "goal-statement": "Lead quarterly planning on my own",
        "strategies-TOTAL_FORMS": "2",
        "strategies-INITIAL_FORMS": "0",
        "strategies-0-description": "Run the Monday stand-up",
        "strategies-1-description": "Shadow the planning lead",
        "indicators-TOTAL_FORMS": "2",
        "indicators-INITIAL_FORMS": "0",
        "indicators-0-description": "Plans presented",
        "indicators-0-kind": "number",
        "indicators-0-target_value": "4",
        "indicators-0-unit": "plans",
        "indicators-0-due_on": "2027-06-30",
        "indicators-1-description": "Manager signs off",
        "indicators-1-kind": "yes_no",
        "indicators-1-due_on": "2027-03-01",
    }
    return {**data, **overrides}


def sign_post(contract, **overrides) -> dict:
    return {
        "typed_name": "Ana Silva",
        "password": "pass-word-123",
        "content_hash": contract.content_hash,
        **overrides,
    }


# Opening -----------------------------------------------------------------------------------


def test_a_partner_opening_the_pair_contract_is_offered_to_start_it_and_nothing_is_written(
    client_for, pair, member
):
    pair_url = reverse(
        "pair_contract", kwargs={"org_slug": pair.organization.slug, "pair_id": pair.pk}
    )

    response = client_for(member).get(pair_url)

    assert response.status_code == 200
    assert "Start our contract" in response.content.decode()
    assert not Contract.objects.exists()


def test_a_partner_starting_the_contract_gets_the_draft_once(client_for, pair, member, partner):
    pair_url = reverse(
        "pair_contract", kwargs={"org_slug": pair.organization.slug, "pair_id": pair.pk}
    )

    response = client_for(member).post(pair_url)
    again = client_for(partner).post(pair_url)
    opened = client_for(member).get(pair_url)

    contract = Contract.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("contract_detail", contract)
    assert again["Location"] == opened["Location"] == response["Location"]


def test_a_coordinator_opening_a_pair_without_contract_sees_an_empty_state(
    client_for, pair, coordinator
):
    response = client_for(coordinator).get(
        reverse("pair_contract", kwargs={"org_slug": pair.organization.slug, "pair_id": pair.pk})
    )

    assert response.status_code == 200
    assert "hasn't started a contract yet" in response.content.decode()
    assert not Contract.objects.exists()


def test_the_contract_page_shows_both_sections_the_terms_and_the_partners_actions(
    client_for, pair, member
):
    contract = filled(started(pair, member))

    response = client_for(member).get(url("contract_detail", contract))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Ana 1y: lead my team" in page and "Ben 1y: lead my team" in page
    assert "Ben 1m: run the Monday stand-up" in page
    assert "target 4 plans" in page
    assert "What we say stays between us." in page
    assert url("contract_section_edit", contract) in page
    assert url("contract_ready", contract) in page
    assert "Everything needed is in place" in page


def test_a_coordinator_reads_the_contract_without_any_action(client_for, pair, member, coordinator):
    contract = filled(started(pair, member))

    response = client_for(coordinator).get(url("contract_detail", contract))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Ana 1y: lead my team" in page
    assert "reading this contract as a coordinator" in page
    for name in ("contract_section_edit", "contract_terms_edit", "contract_ready"):
        assert url(name, contract) not in page


def test_the_draft_page_lists_what_is_missing(client_for, pair, member):
    contract = started(pair, member)

    page = client_for(member).get(url("contract_detail", contract)).content.decode()

    assert "Ana Silva&#x27;s section has no goal yet." in page
    assert "Ben Okafor&#x27;s section has no goal yet." in page


# Editing -----------------------------------------------------------------------------------


def test_saving_ones_section_says_when_it_was_saved(client_for, pair, member):
    contract = started(pair, member)

    response = client_for(member).post(
        url("contract_section_edit", contract),
        {"assets": "Budgeting", "needs": "Public speaking", "will_help_with": "Grant drafts"},
        follow=True,
    )

    section = contract.sections.get(user=member)
    assert (section.assets, section.will_help_with) == ("Budgeting", "Grant drafts")
    assert any(text.startswith("Saved at ") for text in page_messages(response))
    assert response.redirect_chain[-1][0] == url("contract_section_edit", contract)


def test_the_section_page_shows_the_partners_section(client_for, pair, member, partner):
    contract = filled(started(pair, member))

    page = client_for(member).get(url("contract_section_edit", contract)).content.decode()

    assert "Ben needs public speaking" in page
    assert "Edit goal, strategies and indicators" in page


def test_adding_a_goal_saves_its_strategies_and_indicators(client_for, pair, member):
    contract = started(pair, member)

    response = client_for(member).post(url("contract_goal_add", contract), goal_post())

    assert response.status_code == 302
    goal = Goal.objects.get(section__user=member)
    assert goal.statement == "Lead quarterly planning on my own"
    assert list(goal.strategies.values_list("description", flat=True)) == [
        "Run the Monday stand-up",
        "Shadow the planning lead",
    ]
    number, yes_no = goal.indicators.all()
    assert (number.target_value, number.unit, yes_no.kind) == (4, "plans", Indicator.Kind.YES_NO)


def test_a_goal_with_errors_keeps_everything_typed_and_saves_nothing(client_for, pair, member):
    contract = started(pair, member)

    response = client_for(member).post(
        url("contract_goal_add", contract), goal_post(**{"indicators-0-target_value": ""})
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert not Goal.objects.exists()
    assert "Give a target number, or measure it as yes or no." in page
    assert "Everything you typed is still here." in page
    for typed in ("Lead quarterly planning on my own", "Shadow the planning lead", "plans"):
        assert typed in page


def test_editing_a_goal_shows_its_rows_and_removes_the_ones_marked(client_for, pair, member):
    contract = started(pair, member)
    goal = services.goal_save(
        section=contract.sections.get(user=member), actor=member, **goal_kwargs("Ana")
    )
    strategy = goal.strategies.get()
    number, yes_no = goal.indicators.all()
    edit_url = url("contract_goal_edit", contract, goal_id=goal.pk)

    assert "Ana: run the Monday stand-up" in client_for(member).get(edit_url).content.decode()
    response = client_for(member).post(
        edit_url,
        {
            "goal-horizon": "6m",
            "goal-statement": "Ana: plan on my own",
            "strategies-TOTAL_FORMS": "1",
            "strategies-INITIAL_FORMS": "1",
            "strategies-0-id": strategy.pk,
            "strategies-0-description": "Ana: run it twice",
            "indicators-TOTAL_FORMS": "2",
            "indicators-INITIAL_FORMS": "2",
            "indicators-0-id": number.pk,
            "indicators-0-description": "Plans presented",
            "indicators-0-kind": "number",
            "indicators-0-target_value": "6",
            "indicators-0-unit": "plans",
            "indicators-1-id": yes_no.pk,
            "indicators-1-description": "Manager signs off",
            "indicators-1-kind": "yes_no",
            "indicators-1-DELETE": "on",
        },
    )

    assert response.status_code == 302
    goal.refresh_from_db()
    assert (goal.horizon, goal.statement) == ("6m", "Ana: plan on my own")
    assert list(goal.strategies.values_list("pk", "description")) == [
        (strategy.pk, "Ana: run it twice")
    ]
    assert list(goal.indicators.values_list("pk", "target_value")) == [(number.pk, 6)]


def test_removing_a_goal(client_for, pair, member):
    contract = started(pair, member)
    goal = services.goal_save(
        section=contract.sections.get(user=member), actor=member, **goal_kwargs("Ana")
    )

    response = client_for(member).post(url("contract_goal_delete", contract, goal_id=goal.pk))

    assert response.status_code == 302
    assert not Goal.objects.exists()


def test_editing_the_shared_terms(client_for, pair, member):
    contract = started(pair, member)
    data = {
        "starts_on": "2026-09-01",
        "ends_on": "2027-06-30",
        "cadence": "monthly",
        "medium": "in_person",
        "meeting_minutes": "90",
        "meeting_weekday": "4",
        "meeting_time": "17:30",
        "timezone": "Europe/Copenhagen",
        "agenda": "Goals first",
        "help_measure": "Ratings",
        "boundaries": "No salaries",
        "confidentiality": "Between us",
    }

    response = client_for(member).post(url("contract_terms_edit", contract), data)
    invalid = client_for(member).post(
        url("contract_terms_edit", contract), {**data, "ends_on": "2026-08-01"}
    )

    contract.refresh_from_db()
    assert response.status_code == 302
    assert (contract.cadence, contract.meeting_minutes, contract.meeting_time.hour) == (
        "monthly",
        90,
        17,
    )
    assert invalid.status_code == 200
    assert "must come after the start date" in invalid.content.decode()


def test_editing_pages_of_a_locked_contract_send_back_to_it(client_for, pair, member):
    contract = ready(pair)

    response = client_for(member).get(url("contract_section_edit", contract), follow=True)

    assert response.redirect_chain[-1][0] == url("contract_detail", contract)
    assert "locked for signature" in " ".join(page_messages(response))


def test_posting_to_a_signed_contract_is_refused_with_the_amendment_hint(client_for, pair, member):
    contract = ready(pair)
    for user in (member, contract.sections.exclude(user=member).get().user):
        sign(contract, user, notify=False)

    response = client_for(member).post(
        url("contract_section_edit", contract),
        {"assets": "new", "needs": "", "will_help_with": ""},
    )

    assert "This contract is signed; propose an amendment instead." in response.content.decode()
    assert contract.sections.get(user=member).assets != "new"


# Ready, sign, withdraw, reopen ---------------------------------------------------------------


def test_marking_an_incomplete_draft_ready_says_what_is_missing(client_for, pair, member):
    contract = started(pair, member)

    response = client_for(member).post(url("contract_ready", contract), follow=True)

    text = " ".join(page_messages(response))
    assert "can't be marked ready yet" in text
    assert "Ben Okafor's section has no goal yet." in text
    contract.refresh_from_db()
    assert contract.status == Contract.Status.DRAFT


def test_marking_a_complete_draft_ready(client_for, pair, member):
    contract = filled(started(pair, member))

    client_for(member).post(url("contract_ready", contract))

    contract.refresh_from_db()
    assert contract.status == Contract.Status.READY and contract.content_hash


def test_the_sign_page_says_coordinators_can_read_it_and_carries_the_hash(client_for, pair, member):
    contract = ready(pair)

    page = client_for(member).get(url("contract_sign", contract)).content.decode()

    assert "Who can read this contract:" in page
    assert "the coordinators of your program" in page
    assert f'value="{contract.content_hash}"' in page


def test_signing_with_the_right_name_and_password(client_for, pair, member):
    contract = ready(pair)

    response = client_for(member).post(
        url("contract_sign", contract),
        sign_post(contract, typed_name="ana silva"),
        HTTP_USER_AGENT="TestBrowser/1.0",
        REMOTE_ADDR="198.51.100.7",
    )

    assert response.status_code == 302
    signature = Signature.objects.get(user=member)
    assert (signature.ip, signature.user_agent) == ("198.51.100.7", "TestBrowser/1.0")


def test_behind_a_trusted_proxy_the_signature_records_the_clients_address(
    client_for, pair, member, settings
):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    contract = ready(pair)

    client_for(member).post(
        url("contract_sign", contract),
        sign_post(contract, typed_name="ana silva"),
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.50, 198.51.100.7",
    )

    assert Signature.objects.get(user=member).ip == "198.51.100.7"


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"password": "wrong"}, "That password is not right."),
        ({"typed_name": "Ben Okafor"}, "Type your full name as it appears on your account"),
        ({"content_hash": "0" * 64}, "changed since you opened this page"),
    ],
    ids=["wrong password", "wrong name", "stale page"],
)
def test_signing_is_refused_with_a_clear_error(client_for, pair, member, overrides, error):
    contract = ready(pair)

    response = client_for(member).post(
        url("contract_sign", contract), sign_post(contract, **overrides)
    )

    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Signature.objects.exists()


def test_after_five_wrong_passwords_signing_is_paused(client_for, pair, member):
    contract = ready(pair)
    client = client_for(member)
    for _attempt in range(5):
        client.post(url("contract_sign", contract), sign_post(contract, password="wrong"))

    response = client.post(url("contract_sign", contract), sign_post(contract))

    assert "Too many wrong passwords" in response.content.decode()
    assert not Signature.objects.exists()


def test_both_partners_sign_through_the_pages(client_for, pair, member, partner):
    contract = ready(pair)

    client_for(member).post(url("contract_sign", contract), sign_post(contract))
    with mock.patch("contracts.tasks.render_contract_document.delay"):
        response = client_for(partner).post(
            url("contract_sign", contract), sign_post(contract, typed_name="Ben Okafor")
        )

    contract.refresh_from_db()
    assert response.status_code == 302
    assert contract.status == Contract.Status.SIGNED
    page = client_for(member).get(url("contract_detail", contract)).content.decode()
    assert "Propose an amendment" in page


def test_withdrawing_then_reopening(client_for, pair, member):
    contract = ready(pair)
    sign(contract, member, notify=False)
    client = client_for(member)

    refused = client.post(url("contract_reopen", contract), follow=True)
    client.post(url("contract_withdraw", contract))
    client.post(url("contract_reopen", contract))

    assert "withdrawn" in " ".join(page_messages(refused))
    contract.refresh_from_db()
    assert contract.status == Contract.Status.DRAFT


# Amendments --------------------------------------------------------------------------------


def test_amending_after_confirmation_keeps_every_version_readable(
    client_for, pair, member, partner, coordinator
):
    contract = ready(pair)
    sign(contract, member, notify=False)
    sign(contract, partner, notify=False)
    client = client_for(partner)

    confirm = client.get(url("contract_amend", contract))
    response = client.post(url("contract_amend", contract))

    amendment = Contract.objects.get(version=2)
    assert "stays in force" in confirm.content.decode()
    assert response["Location"] == url("contract_detail", amendment)
    for user in (member, coordinator):
        for version in (contract, amendment):
            assert client_for(user).get(url("contract_detail", version)).status_code == 200
    page = client.get(url("contract_detail", contract)).content.decode()
    assert url("contract_detail", amendment) in page
    assert "An amendment is in progress" in page


# Coordinators' overview ----------------------------------------------------------------------


def test_the_cohort_overview_lists_each_pair_with_version_status_and_signatures(
    client_for, cohort, pair, member, coordinator
):
    contract = ready(pair)
    sign(contract, member, notify=False)
    other = active_pair(cohort, *(EnrolmentFactory(cohort=cohort).user for _ in range(2)))

    response = client_for(coordinator).get(
        reverse(
            "cohort_contracts",
            kwargs={"org_slug": cohort.organization.slug, "cohort_id": cohort.pk},
        )
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Ready for signature" in page
    assert "Ana Silva" in page and "Not started" in page
    assert response.context["counts"] == {
        "none": 1,
        "draft": 0,
        "ready": 1,
        "signed": 0,
        "superseded": 0,
    }
    assert [row.pk for row in response.context["page"]] == [pair.pk, other.pk]


# Query counts --------------------------------------------------------------------------------


def queries_for(client, address) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(address)
    assert response.status_code == 200
    return len(captured)


def test_the_contract_page_makes_the_same_number_of_queries_whatever_its_size(
    client_for, pair, member, partner, django_assert_max_num_queries
):
    contract = ready(pair)
    sign(contract, member, notify=False)
    client = client_for(member)
    client.get(url("contract_detail", contract))  # the first visit saves the session
    small = queries_for(client, url("contract_detail", contract))

    services.contract_withdraw_signature(contract=contract, user=member)
    services.contract_reopen(contract=contract, actor=member)
    for user in (member, partner):
        section = contract.sections.get(user=user)
        for number in range(4):
            services.goal_save(section=section, actor=user, **goal_kwargs(f"extra {number}"))
    contract = services.contract_mark_ready(contract=contract, actor=member, notify=False)
    sign(contract, member, notify=False)

    assert queries_for(client, url("contract_detail", contract)) == small
    with django_assert_max_num_queries(20):
        client.get(url("contract_detail", contract))


def test_the_cohort_overview_makes_the_same_number_of_queries_whatever_the_number_of_pairs(
    client_for, cohort, pair, coordinator, django_assert_max_num_queries
):
    ready(pair)
    address = reverse(
        "cohort_contracts", kwargs={"org_slug": cohort.organization.slug, "cohort_id": cohort.pk}
    )
    client = client_for(coordinator)
    client.get(address)  # the first visit saves the session
    small = queries_for(client, address)

    for _index in range(4):
        more = active_pair(cohort, *(EnrolmentFactory(cohort=cohort).user for _ in range(2)))
        ready(more)
        sign(more.contracts.get(), more.members.first().user, notify=False)

    assert queries_for(client, address) == small
    with django_assert_max_num_queries(20):
        client.get(address)


def test_members_cannot_see_the_cohort_overview(client_for, cohort, member):
    response = client_for(member).get(
        reverse(
            "cohort_contracts",
            kwargs={"org_slug": cohort.organization.slug, "cohort_id": cohort.pk},
        )
    )

    assert response.status_code == 403


def test_a_coordinator_who_is_also_a_partner_can_edit_their_own_section(
    client_for, cohort, member, organization
):
    both = MembershipFactory(organization=organization, role=Membership.Role.COORDINATOR).user
    contract = started(active_pair(cohort, member, both), member)

    response = client_for(both).get(url("contract_section_edit", contract))

    assert response.status_code == 200
