"""Every email the project sends: names with ', & and " read as written in the subject and the
text part, which are plain text; only the HTML part is escaped."""

import datetime
import html
import re
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import User
from accounts.services import invitation_email_send
from accounts.welcome import welcome_email_send
from checkins.models import CheckIn, CheckInReply, Reminder
from checkins.oversight import lifecycle
from checkins.partnership.emails import partnership_ended_email_send
from checkins.partnership.services import partnership_end
from checkins.reminders.emails import reminder_email_send
from checkins.services.meetings import meeting_changed_email_send
from contracts.services.emails import contract_email_send
from matching.conversation.services import intro_call_email_send, pair_message_email_send
from matching.models import IntroCall, Pair, PairMember, PairMessage, PartnerRequest
from matching.services.emails import (
    pair_active_email_send,
    pair_declined_email_send,
    pair_published_email_send,
    partner_request_email_send,
)
from tests.checkins.factories import signed_contract
from tests.checkins.reminder_factories import active_pair, meeting_for, reminder
from tests.factories import (
    CohortFactory,
    EnrolmentFactory,
    InvitationFactory,
    MembershipFactory,
    OrganizationFactory,
    ProgramFactory,
    UserFactory,
)
from tests.matching.factories import make_pair

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
ORGANIZATION = 'Writers\' Circle & "Friends"'
PROGRAM = 'Peers & "Pals"'
COHORT = 'Autumn \'26 & "Co"'
ANA = 'Ana "Rose" O\'Brien & Co'
BEN = 'Ben & "Jerry" D\'Arcy'
CORA = 'Cora O\'Neil & "Sons"'
NAMES = (ORGANIZATION, PROGRAM, COHORT, ANA, BEN, CORA)
# What plain text must never hold: HTML escapes of ' & " < > and Python reprs of objects.
ESCAPED = re.compile(r"&(amp|lt|gt|quot|apos|#x27|#39|#34);|<User:|\[<|<QuerySet")


def split(full_name):
    first, last = full_name.split(" ", 1)
    return {"user__first_name": first, "user__last_name": last}


@pytest.fixture
def people():
    organization = OrganizationFactory(name=ORGANIZATION, slug="writers")
    program = ProgramFactory(organization=organization, name=PROGRAM)
    cohort = CohortFactory(program=program, name=COHORT, slug="autumn")
    ana = EnrolmentFactory(cohort=cohort, user__email="ana@writers.test", **split(ANA)).user
    ben = EnrolmentFactory(cohort=cohort, user__email="ben@writers.test", **split(BEN)).user
    first, last = CORA.split(" ", 1)
    cora = UserFactory(email="cora@writers.test", first_name=first, last_name=last)
    MembershipFactory(organization=organization, user=cora, role="coordinator")
    return cohort, ana, ben, cora


def send_invitation(cohort, ana, ben, cora):
    invitation_email_send(
        invitation=InvitationFactory(cohort=cohort, email="new@writers.test", invited_by=cora)
    )
    return ORGANIZATION


def send_welcome(cohort, ana, ben, cora):
    first, last = ANA.split(" ", 1)
    imported = User.objects.create_user(email="imported@writers.test", first_name=first)
    imported.last_name = last
    imported.set_unusable_password()
    imported.save()
    MembershipFactory(organization=cohort.organization, user=imported)
    welcome_email_send(user=imported)
    return ORGANIZATION


def send_closing_survey(cohort, ana, ben, cora):
    active_pair(cohort, ana, ben)
    lifecycle._ask_for_survey(cohort=cohort, actor=cora, now=timezone.now())
    mail.outbox.clear()
    for row in Reminder.objects.filter(recipient=ana):
        reminder_email_send(reminder=row)
    return COHORT


def send_meeting_changed(cohort, ana, ben, cora):
    meeting = meeting_for(active_pair(cohort, ana, ben), note="Bring 'notes' & \"ideas\"")
    meeting_changed_email_send(meeting_id=meeting.pk, actor_id=ana.pk, change="added")
    return ANA


def send_reminder(kind):
    def send(cohort, ana, ben, cora):
        pair = active_pair(cohort, ana, ben)
        meeting = meeting_for(pair, starts_in=-2 if kind == "checkin_missing" else 20)
        recipient = cora if kind == "coordinator_digest" else ben
        data = {"subject": 'Plan & "review" \'26', "body": "Read & reply", "sender": CORA}
        row = reminder(
            recipient,
            cohort,
            kind=kind,
            meeting=meeting if kind != "coordinator_digest" else None,
            pair=pair if kind != "coordinator_digest" else None,
            data=data if kind == "program_message" else {},
        )
        reminder_email_send(reminder=row)
        return {
            "coordinator_digest": COHORT,
            "program_message": data["subject"],
        }.get(kind, ANA)

    return send


def send_partner_email(kind):
    """A reply to Ana's check-in (from Ben, to Ana), or a nudge about it (to Ben)."""

    def send(cohort, ana, ben, cora):
        pair = active_pair(cohort, ana, ben)
        meeting = meeting_for(pair, starts_in=-2)
        checkin = CheckIn.objects.create(
            meeting=meeting, user=ana, time_effectiveness=3, confidence=2, blockers="Fear & 'doubt'"
        )
        if kind == "checkin_reply":
            CheckInReply.objects.create(
                organization=cohort.organization,
                checkin=checkin,
                author=ben,
                body='You\'ve got this & "more"',
            )
        row = reminder(
            ana if kind == "checkin_reply" else ben,
            cohort,
            kind=kind,
            pair=pair,
            checkin=checkin,
            data={
                "author_id": (ben if kind == "checkin_reply" else ana).pk,
                "reasons": ["confidence_dropping", "blocker_back"],
            },
        )
        reminder_email_send(reminder=row)
        return BEN if kind == "checkin_reply" else ANA

    return send


def send_contract(template):
    def send(cohort, ana, ben, cora):
        contract = signed_contract(active_pair(cohort, ana, ben))
        contract_email_send(
            template=f"contracts/emails/{template}",
            contract_id=contract.pk,
            actor_id=ana.pk,
            recipient_ids=[ben.pk],
        )
        return None if template == "contract_signed" else ANA

    return send


def send_pair(template):
    def send(cohort, ana, ben, cora):
        status = {"pair_active": Pair.Status.ACTIVE}.get(template, Pair.Status.PUBLISHED)
        pair = make_pair(cohort, [ana, ben], status=status, explanation="Both like 'tea' & \"jam\"")
        if template == "pair_declined":
            PairMember.objects.filter(pair=pair, user=ben).update(
                response=PairMember.Response.DECLINED, decline_reason="Too busy & 'tired'"
            )
            pair_declined_email_send(pair=pair)
            return COHORT
        {"pair_active": pair_active_email_send, "pair_published": pair_published_email_send}[
            template
        ](pair=pair)
        return (ANA, BEN) if template == "pair_active" else COHORT

    return send


def send_pair_message(cohort, ana, ben, cora):
    pair = make_pair(cohort, [ana, ben], status=Pair.Status.PUBLISHED)
    message = PairMessage.objects.create(pair=pair, author=ana, body='Tea & "jam" at Ben\'s?')
    pair_message_email_send(message=message)
    (sent,) = mail.outbox
    assert sent.to == ["ben@writers.test"]
    assert "ana@writers.test" not in sent.body + sent.alternatives[0][0]
    assert 'Tea & "jam" at Ben\'s?' in sent.body
    return ANA


def send_intro_call(cohort, ana, ben, cora):
    pair = make_pair(cohort, [ana, ben], status=Pair.Status.PUBLISHED)
    call = IntroCall.objects.create(
        pair=pair, starts_at=timezone.now() + datetime.timedelta(days=2), proposed_by=ana
    )
    intro_call_email_send(call=call, kind=IntroCall.Status.PROPOSED, actor=ana)
    (sent,) = mail.outbox
    assert "ana@writers.test" not in sent.body + sent.alternatives[0][0]
    return ANA


def send_partner_request(status):
    def send(cohort, ana, ben, cora):
        partner_request = PartnerRequest.objects.create(
            cohort=cohort,
            from_user=ana,
            to_user=ben,
            message='Let\'s talk & "plan"',
            status=status,
        )
        partner_request_email_send(partner_request=partner_request)
        return ANA if status == PartnerRequest.Status.PENDING else BEN

    return send


def send_partnership_ended(audience):
    def send(cohort, ana, ben, cora):
        pair = active_pair(cohort, ana, ben)
        signed_contract(pair)
        ending = partnership_end(
            pair=pair, actor=ana, reason="no_time", note="Busy & 'tired' of \"it\""
        )
        mail.outbox.clear()
        partnership_ended_email_send(ending_id=ending.pk)
        mail.outbox[:] = [
            m for m in mail.outbox if (m.to == [cora.email]) == (audience == "coordinators")
        ]
        return ANA if audience == "partner" else (ANA, BEN)

    return send


def send_review_reminder(cohort, ana, ben, cora):
    pair = active_pair(cohort, ana, ben)
    contract = signed_contract(pair)
    row = reminder(
        ben,
        cohort,
        kind="partnership_review",
        pair=pair,
        data={"contract": contract.pk, "due_on": contract.ends_on.isoformat()},
    )
    reminder_email_send(reminder=row)
    return ANA


SCENARIOS = {
    "invitation": send_invitation,
    "welcome": send_welcome,
    "closing_survey": send_closing_survey,
    "meeting_changed": send_meeting_changed,
    "reminder_checkin_missing": send_reminder("checkin_missing"),
    "reminder_coordinator_digest": send_reminder("coordinator_digest"),
    "reminder_meeting_1h": send_reminder("meeting_1h"),
    "reminder_meeting_24h": send_reminder("meeting_24h"),
    "reminder_program_message": send_reminder("program_message"),
    "reminder_checkin_reply": send_partner_email("checkin_reply"),
    "reminder_partner_nudge": send_partner_email("partner_nudge"),
    "reminder_partnership_review": send_review_reminder,
    "partnership_ended": send_partnership_ended("partner"),
    "partnership_ended_coordinators": send_partnership_ended("coordinators"),
    "contract_partner_signed": send_contract("contract_partner_signed"),
    "contract_ready": send_contract("contract_ready"),
    "contract_signed": send_contract("contract_signed"),
    "pair_active": send_pair("pair_active"),
    "pair_declined": send_pair("pair_declined"),
    "pair_published": send_pair("pair_published"),
    "pair_message": send_pair_message,
    "intro_call": send_intro_call,
    "partner_request_accepted": send_partner_request(PartnerRequest.Status.ACCEPTED),
    "partner_request_received": send_partner_request(PartnerRequest.Status.PENDING),
}


def test_every_email_template_of_the_project_is_covered_here():
    found = {
        path.parent.name
        for path in ROOT.glob("*/templates/*/emails/*/subject.txt")
        if ".venv" not in path.parts
    }

    assert found == set(SCENARIOS)


@pytest.mark.parametrize("template", sorted(SCENARIOS))
def test_names_read_as_written_in_subject_and_text_and_stay_escaped_in_html(template, people):
    in_subject = SCENARIOS[template](*people)

    assert mail.outbox, f"{template} sent nothing"
    for message in mail.outbox:
        text = message.body
        assert not ESCAPED.search(message.subject), message.subject
        assert not ESCAPED.search(text), text
        if in_subject:
            expected = (in_subject,) if isinstance(in_subject, str) else in_subject
            assert any(name in message.subject for name in expected), message.subject
        assert any(name in text for name in NAMES), text
        for content, mimetype in message.alternatives:
            assert mimetype == "text/html"
            shown = [name for name in NAMES if html.escape(name) in content]
            assert shown, content
            assert not any(name in content for name in NAMES)


def test_the_contract_signed_text_names_the_partners(people):
    send_contract("contract_signed")(*people)

    (message,) = mail.outbox
    assert f"You and {ANA} have signed version 1" in message.body
    assert f"You and <strong>{html.escape(ANA)}</strong>" in message.alternatives[0][0]
