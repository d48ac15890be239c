"""Reads for the privacy pages: everything PeerMentor holds about a member (`member_data`, the
`data.json` of their download) and what deleting their account would do."""

from collections import defaultdict
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from accounts.models import AuditEvent, Enrolment, Invitation, Membership, Organization, User
from contracts.models import Contract, ContractSection, Goal, Signature
from matching.models import Pair, PairMember, PairMessage, PartnerRequest
from profiles.models import Need, Offer, Profile

from ..models import (
    CalendarFeed,
    CheckIn,
    CheckInReply,
    GoalProgress,
    IndicatorValue,
    Meeting,
    NextStep,
    NotificationPreference,
    Reminder,
)
from ..partnership.selectors import member_partnership_data

EXPORT_FORMAT_VERSION = 1
CURRENT_PAIR_STATUSES = (Pair.Status.PROPOSED, Pair.Status.PUBLISHED, Pair.Status.ACTIVE)
UNSIGNED_STATUSES = (Contract.Status.DRAFT, Contract.Status.READY)


# What a member's download holds -----------------------------------------------------------


def _name(user: User | None) -> str:
    return user.get_full_name() if user is not None else ""


def _organization(organization: Organization | None) -> dict | None:
    if organization is None:
        return None
    return {"name": organization.name, "slug": organization.slug}


def _account(user: User) -> dict:
    addresses = EmailAddress.objects.filter(user=user).order_by("-primary", "email")
    return {
        "id": user.pk,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "language": user.language,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary} for a in addresses
        ],
    }


def _memberships(user: User) -> list[dict]:
    rows = Membership.objects.filter(user=user).select_related("organization").order_by("pk")
    return [
        {"organization": _organization(m.organization), "role": m.role, "since": m.created_at}
        for m in rows
    ]


def _enrolments(user: User) -> list[dict]:
    rows = (
        Enrolment.objects.filter(user=user)
        .select_related("cohort__program", "cohort__organization")
        .order_by("joined_at", "pk")
    )
    return [
        {
            "organization": _organization(e.cohort.organization),
            "program": e.cohort.program.name,
            "cohort": e.cohort.name,
            "cohort_starts_on": e.cohort.starts_on,
            "cohort_ends_on": e.cohort.ends_on,
            "joined_at": e.joined_at,
        }
        for e in rows
    ]


def _invitations(user: User) -> list[dict]:
    rows = (
        Invitation.objects.filter(Q(accepted_by=user) | Q(email__iexact=user.email))
        .select_related("organization", "cohort")
        .order_by("sent_at", "pk")
    )
    return [
        {
            "organization": _organization(i.organization),
            "cohort": i.cohort.name,
            "email": i.email,
            "sent_at": i.sent_at,
            "accepted_at": i.accepted_at,
            "declined_at": i.declined_at,
            "revoked_at": i.revoked_at,
            # What a members import said about the person, kept until they answer.
            "import_data": i.import_data,
        }
        for i in rows
    ]


def _profiles(user: User) -> list[dict]:
    rows = (
        Profile.objects.filter(user=user)
        .select_related("organization", "wished_partner")
        .prefetch_related(
            Prefetch("offers", queryset=Offer.objects.select_related("tag")),
            Prefetch("needs", queryset=Need.objects.select_related("tag")),
        )
        .order_by("pk")
    )
    return [
        {
            "organization": _organization(p.organization),
            "about": p.about,
            "goal": p.goal,
            "languages": p.languages,
            "timezone": p.timezone,
            "cadence": p.cadence,
            "medium": p.medium,
            "department": p.department,
            "career_stage": p.career_stage,
            "role": p.role,
            "wished_partner": _name(p.wished_partner) if p.wished_partner else None,
            "updated_at": p.updated_at,
            "offers": [
                {"tag": o.tag.name, "kind": o.tag.kind, "level": o.level, "note": o.note}
                for o in p.offers.all()
            ],
            "needs": [
                {"tag": n.tag.name, "kind": n.tag.kind, "priority": n.priority, "note": n.note}
                for n in p.needs.all()
            ],
        }
        for p in rows
    ]


def _pairs(user: User) -> list[dict]:
    """The member's pairs, with the partners' names only."""
    rows = (
        PairMember.objects.filter(user=user)
        .select_related("pair__organization", "pair__cohort")
        .prefetch_related(
            Prefetch("pair__members", queryset=PairMember.objects.select_related("user"))
        )
        .order_by("pair__created_at", "pair_id")
    )
    return [
        {
            "organization": _organization(m.pair.organization),
            "cohort": m.pair.cohort.name,
            "status": m.pair.status,
            "created_at": m.pair.created_at,
            "published_at": m.pair.published_at,
            "activated_at": m.pair.activated_at,
            "partners": [_name(o.user) for o in m.pair.members.all() if o.user_id != user.pk],
            "my_response": m.response,
            "my_decline_reason": m.decline_reason,
            "responded_at": m.responded_at,
        }
        for m in rows
    ]


def _messages(user: User) -> list[dict]:
    """The messages the member wrote in their pairs' threads (what partners wrote is theirs)."""
    rows = (
        PairMessage.objects.filter(author=user)
        .select_related("pair__organization", "pair__cohort")
        .order_by("created_at", "pk")
    )
    return [
        {
            "organization": _organization(m.pair.organization),
            "cohort": m.pair.cohort.name,
            "pair_id": m.pair_id,
            "written_at": m.created_at,
            "body": m.body,
            "emailed": m.emailed,
        }
        for m in rows
    ]


def _partner_requests(user: User) -> list[dict]:
    rows = (
        PartnerRequest.objects.filter(Q(from_user=user) | Q(to_user=user))
        .select_related("cohort__organization", "from_user", "to_user")
        .order_by("created_at", "pk")
    )
    return [
        {
            "organization": _organization(r.cohort.organization),
            "cohort": r.cohort.name,
            "direction": "sent" if r.from_user_id == user.pk else "received",
            "other_person": _name(r.to_user if r.from_user_id == user.pk else r.from_user),
            "status": r.status,
            "message": r.message,
            "created_at": r.created_at,
            "answered_at": r.answered_at,
        }
        for r in rows
    ]


def _goal(goal: Goal) -> dict:
    return {
        "horizon": goal.horizon,
        "statement": goal.statement,
        "strategies": [s.description for s in goal.strategies.all()],
        "indicators": [
            {
                "description": i.description,
                "kind": i.kind,
                "target_value": i.target_value,
                "unit": i.unit,
                "due_on": i.due_on,
            }
            for i in goal.indicators.all()
        ],
    }


def member_contract_sections(*, user: User):
    """The member's sections of every contract version they are a partner of."""
    return (
        ContractSection.objects.filter(user=user)
        .select_related("contract__organization", "contract__cohort")
        .prefetch_related(
            Prefetch("contract__pair__members", queryset=PairMember.objects.select_related("user")),
            Prefetch("goals", queryset=Goal.objects.order_by("position", "pk")),
            "goals__strategies",
            "goals__indicators",
        )
        .order_by("contract__pair_id", "contract__version")
    )


def _terms(contract: Contract) -> dict:
    return {
        "starts_on": contract.starts_on,
        "ends_on": contract.ends_on,
        "cadence": contract.cadence,
        "medium": contract.medium,
        "meeting_minutes": contract.meeting_minutes,
        "meeting_weekday": contract.get_meeting_weekday_display(),
        "meeting_time": contract.meeting_time,
        "timezone": contract.timezone,
        "agenda": contract.agenda,
        "help_measure": contract.help_measure,
        "boundaries": contract.boundaries,
        "confidentiality": contract.confidentiality,
    }


def _contracts(user: User, sections, pdf_paths: dict[int, str]) -> list[dict]:
    signatures = defaultdict(list)
    for signature in Signature.objects.filter(user=user).order_by("signed_at", "pk"):
        signatures[signature.contract_id].append(
            {
                "typed_name": signature.typed_name,
                "signed_at": signature.signed_at,
                "ip": signature.ip,
                "user_agent": signature.user_agent,
                "content_hash": signature.content_hash,
                "withdrawn_at": signature.withdrawn_at,
            }
        )
    result = []
    for section in sections:
        contract = section.contract
        members = contract.pair.members.all()
        result.append(
            {
                "organization": _organization(contract.organization),
                "cohort": contract.cohort.name,
                "version": contract.version,
                "status": contract.status,
                "created_at": contract.created_at,
                "ready_at": contract.ready_at,
                "signed_at": contract.signed_at,
                "content_hash": contract.content_hash,
                "partners": [_name(m.user) for m in members if m.user_id != user.pk],
                "shared_terms": _terms(contract),
                "my_section": {
                    "assets": section.assets,
                    "needs": section.needs,
                    "will_help_with": section.will_help_with,
                    "goals": [_goal(goal) for goal in section.goals.all()],
                },
                "my_signatures": signatures.get(contract.pk, []),
                "signed_pdf": pdf_paths.get(contract.pk),
            }
        )
    return result


def _meetings(user: User) -> list[dict]:
    rows = (
        Meeting.objects.filter(pair__members__user=user)
        .select_related("organization", "cohort")
        .order_by("starts_at", "pk")
    )
    return [
        {
            "organization": _organization(m.organization),
            "cohort": m.cohort.name,
            "starts_at": m.starts_at,
            "ends_at": m.ends_at,
            "status": m.status,
            "origin": m.origin,
            "note": m.note,
        }
        for m in rows
    ]


def _checkins(user: User) -> list[dict]:
    """The member's own check-ins (never the partner's)."""
    rows = (
        CheckIn.objects.filter(user=user)
        .select_related("meeting__organization")
        .prefetch_related(
            Prefetch("goal_progress", queryset=GoalProgress.objects.select_related("goal")),
            Prefetch(
                "indicator_values", queryset=IndicatorValue.objects.select_related("indicator")
            ),
            Prefetch("next_steps", queryset=NextStep.objects.select_related("owner")),
        )
        .order_by("created_at", "pk")
    )
    return [
        {
            "organization": _organization(c.meeting.organization),
            "meeting_starts_at": c.meeting.starts_at,
            "created_at": c.created_at,
            "learned": c.learned,
            "taught": c.taught,
            "blockers": c.blockers,
            "time_effectiveness": c.time_effectiveness,
            "confidence": c.confidence,
            "help_rating": c.help_rating,
            "help_example": c.help_example,
            "goal_progress": [
                {"goal": p.goal.statement, "rating": p.rating, "note": p.note}
                for p in c.goal_progress.all()
            ],
            "indicator_values": [
                {
                    "indicator": v.indicator.description,
                    "value": v.value,
                    "met": v.met,
                    "note": v.note,
                }
                for v in c.indicator_values.all()
            ],
            "next_steps": [
                {
                    "description": s.description,
                    "owner": _name(s.owner),
                    "due_on": s.due_on,
                    "done_at": s.done_at,
                }
                for s in c.next_steps.all()
            ],
        }
        for c in rows
    ]


def _checkin_replies(user: User) -> list[dict]:
    """The replies the member wrote to check-ins (theirs or their partner's)."""
    rows = (
        CheckInReply.objects.filter(author=user)
        .select_related("checkin__meeting", "checkin__user")
        .order_by("created_at", "pk")
    )
    return [
        {
            "meeting_starts_at": r.checkin.meeting.starts_at,
            "checkin_by": _name(r.checkin.user),
            "created_at": r.created_at,
            "body": r.body,
        }
        for r in rows
    ]


def _next_steps_owned(user: User) -> list[dict]:
    rows = NextStep.objects.filter(owner=user).order_by("due_on", "pk")
    return [{"description": s.description, "due_on": s.due_on, "done_at": s.done_at} for s in rows]


def _preferences(user: User) -> dict | None:
    preference = NotificationPreference.objects.filter(user=user).first()
    if preference is None:
        return None
    return {
        f.name: getattr(preference, f.name)
        for f in NotificationPreference._meta.concrete_fields
        if f.name not in ("id", "user")
    }


def _calendar_feed(user: User) -> dict | None:
    # The feed's secret token stays out of the file: it is a credential, not information.
    feed = CalendarFeed.objects.filter(user=user).first()
    return {"created_at": feed.created_at} if feed else None


def _reminders(user: User) -> list[dict]:
    rows = Reminder.objects.filter(recipient=user).select_related("organization").order_by("due_at")
    return [
        {
            "organization": _organization(r.organization),
            "kind": r.kind,
            "due_at": r.due_at,
            "status": r.status,
            "sent_at": r.sent_at,
        }
        for r in rows
    ]


def _audit_events(user: User) -> list[dict]:
    rows = (
        AuditEvent.objects.filter(actor=user)
        .select_related("organization")
        .order_by("created_at", "pk")
    )
    return [
        {
            "created_at": e.created_at,
            "organization": _organization(e.organization),
            "action": e.action,
            "data": e.data,
        }
        for e in rows
    ]


def member_data(*, user: User, pdf_paths: dict[int, str] | None = None) -> dict:
    """Everything PeerMentor holds about the member, as plain data for `data.json`."""
    sections = member_contract_sections(user=user)
    return {
        "format_version": EXPORT_FORMAT_VERSION,
        "exported_at": timezone.now(),
        "account": _account(user),
        "memberships": _memberships(user),
        "enrolments": _enrolments(user),
        "invitations": _invitations(user),
        "profiles": _profiles(user),
        "pairs": _pairs(user),
        "partner_requests": _partner_requests(user),
        "messages_i_wrote": _messages(user),
        "contracts": _contracts(user, sections, pdf_paths or {}),
        "meetings": _meetings(user),
        "checkins": _checkins(user),
        "checkin_replies": _checkin_replies(user),
        "next_steps_assigned_to_me": _next_steps_owned(user),
        "notification_preferences": _preferences(user),
        "calendar_feed": _calendar_feed(user),
        "reminders": _reminders(user),
        "partnership": member_partnership_data(user=user),
        "audit_events": _audit_events(user),
    }


def export_filename(*, now=None) -> str:
    return f"peermentor-data-{(now or timezone.now()).date().isoformat()}.zip"


# Deleting an account -------------------------------------------------------------------------


@dataclass
class DeletionSummary:
    """What deleting the account would do, for the page that asks to confirm it."""

    organizations: list[Organization] = field(default_factory=list)
    only_coordinator_of: list[Organization] = field(default_factory=list)
    signed_contracts: int = 0
    unsigned_contracts: int = 0
    current_pairs: int = 0
    checkins: int = 0

    @property
    def blocked(self) -> bool:
        return bool(self.only_coordinator_of)


def only_coordinator_of(user: User) -> list[Organization]:
    coordinated = Membership.objects.filter(user=user, role=Membership.Role.COORDINATOR)
    return list(
        Organization.objects.filter(pk__in=coordinated.values("organization_id"))
        .annotate(
            coordinators=Count(
                "memberships", filter=Q(memberships__role=Membership.Role.COORDINATOR)
            )
        )
        .filter(coordinators=1)
        .order_by("name")
    )


def member_deletion_summary(*, user: User) -> DeletionSummary:
    contracts = Contract.objects.filter(sections__user=user)
    signed = contracts.filter(
        Q(status=Contract.Status.SIGNED)
        | Q(status=Contract.Status.SUPERSEDED, signed_at__isnull=False)
    )
    return DeletionSummary(
        organizations=list(Organization.objects.for_user(user).order_by("name")),
        only_coordinator_of=only_coordinator_of(user),
        signed_contracts=signed.count(),
        unsigned_contracts=contracts.filter(status__in=UNSIGNED_STATUSES).count(),
        current_pairs=Pair.objects.filter(
            members__user=user, status__in=CURRENT_PAIR_STATUSES
        ).count(),
        checkins=CheckIn.objects.filter(user=user).count(),
    )
