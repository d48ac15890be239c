"""Members' answers and partner requests: what members do with the pairs offered to them.

A member accepts or declines a published pair (all accepting makes it active; one decline ends
it and forbids its members from being proposed to each other again). Where the cohort allows
requests, a member asks a suggested member to pair up, and the member asked accepts (the two
become an active pair, and their other open requests are withdrawn) or declines.
"""

from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.idempotency import AlreadyDone
from accounts.models import Cohort, Enrolment, User
from accounts.services import audit

from .. import selectors, tasks
from ..models import Pair, PairMember, PartnerRequest
from .common import _create_pair, _forbid, _in_current_pair, _lock_cohort, _locked_pair

# Members' answers ------------------------------------------------------------------------


@transaction.atomic
def pair_respond(
    *, pair: Pair, user: User, accept: bool, reason: str = "", notify: bool = True
) -> Pair:
    """A member accepts or declines their published pair.

    When every member has accepted, the pair is active. One decline ends the pair, and its
    members are never proposed to each other again in this cohort.
    """
    _lock_cohort(pair.cohort_id, "answer_pairing")
    pair = _locked_pair(pair)
    members = list(pair.members.all())
    me = next((member for member in members if member.user_id == user.pk), None)
    if me is None:
        raise ValidationError(_("You are not in this pair."))
    if accept and me.response == PairMember.Response.ACCEPTED:
        raise AlreadyDone(_("You have already accepted this partner."))
    if not accept and me.response == PairMember.Response.DECLINED:
        raise AlreadyDone(_("You have already declined this proposal."))
    if pair.status == Pair.Status.ACTIVE:
        raise ValidationError(_("This pair is already active."))
    if pair.status != Pair.Status.PUBLISHED:
        raise ValidationError(_("This pair can no longer be answered."))
    reason = reason.strip()
    if not accept and not reason:
        raise ValidationError(
            {"reason": _("Please say why, so that your next proposal fits better.")}
        )
    now = timezone.now()
    me.response = PairMember.Response.ACCEPTED if accept else PairMember.Response.DECLINED
    me.decline_reason = "" if accept else reason
    me.responded_at = now
    me.save(update_fields=["response", "decline_reason", "responded_at"])
    common = {"organization": pair.organization, "actor": user, "pair": pair.pk}
    if not accept:
        pair.status = Pair.Status.DECLINED
        pair.save(update_fields=["status"])
        _forbid(
            cohort=pair.cohort,
            user_ids=[member.user_id for member in members],
            actor=user,
            reason=_("Declined by %(name)s") % {"name": user.display_name},
        )
        audit(action="pair.declined", reason=reason, **common)
        if notify:
            transaction.on_commit(partial(tasks.send_pair_declined_email.delay, pair.pk))
        return pair
    audit(action="pair.accepted", **common)
    if all(member.response == PairMember.Response.ACCEPTED for member in members):
        pair.status = Pair.Status.ACTIVE
        pair.activated_at = now
        pair.save(update_fields=["status", "activated_at"])
        audit(action="pair.activated", **common)
        if notify:
            transaction.on_commit(partial(tasks.send_pair_active_emails.delay, pair.pk))
    return pair


# Partner requests ------------------------------------------------------------------------


@transaction.atomic
def partner_request_create(
    *, cohort: Cohort, from_user: User, to_user: User, message: str = ""
) -> PartnerRequest:
    """Ask a suggested member to pair up (when the cohort allows requests)."""
    cohort = _lock_cohort(cohort, "answer_pairing")
    if not selectors.match_settings_for(cohort=cohort).allow_requests:
        raise ValidationError(_("Members of this cohort can't request partners."))
    name = {"name": to_user.display_name}
    pending = PartnerRequest.objects.filter(cohort=cohort, status=PartnerRequest.Status.PENDING)
    if pending.filter(from_user=to_user, to_user=from_user).exists():
        raise ValidationError(_("%(name)s has already asked you: answer their request.") % name)
    if pending.filter(from_user=from_user, to_user=to_user).exists():
        raise ValidationError(_("You have already asked %(name)s.") % name)
    if not selectors.may_request(cohort=cohort, from_user=from_user, to_user=to_user):
        raise ValidationError(
            _(
                "You can't ask %(name)s: one of you already has a partner, a profile is not "
                "complete, or the cohort's rules don't allow this pair."
            )
            % name
        )
    partner_request = PartnerRequest(
        cohort=cohort, from_user=from_user, to_user=to_user, message=message.strip()
    )
    partner_request.full_clean()
    partner_request.save()
    audit(
        organization=cohort.organization,
        actor=from_user,
        action="partner_request.created",
        request=partner_request.pk,
        to=to_user.pk,
    )
    transaction.on_commit(partial(tasks.send_partner_request_email.delay, partner_request.pk))
    return partner_request


@transaction.atomic
def partner_request_answer(
    *, partner_request: PartnerRequest, user: User, accept: bool
) -> PartnerRequest:
    """The member asked accepts (the two become an active pair) or declines."""
    cohort = _lock_cohort(partner_request.cohort_id, "answer_pairing")
    partner_request = (
        PartnerRequest.objects.select_for_update()
        .select_related("from_user", "to_user")
        .get(pk=partner_request.pk)
    )
    if partner_request.to_user_id != user.pk:
        raise ValidationError(_("Only the member who was asked can answer this request."))
    if accept and partner_request.status == PartnerRequest.Status.ACCEPTED:
        raise AlreadyDone(_("You have already accepted this request."))
    if not accept and partner_request.status == PartnerRequest.Status.DECLINED:
        raise AlreadyDone(_("You have already declined this request."))
    if partner_request.status != PartnerRequest.Status.PENDING:
        raise ValidationError(_("This request has already been answered or withdrawn."))
    now = timezone.now()
    partner_request.answered_at = now
    if not accept:
        partner_request.status = PartnerRequest.Status.DECLINED
        partner_request.save(update_fields=["status", "answered_at"])
        audit(
            organization=cohort.organization,
            actor=user,
            action="partner_request.declined",
            request=partner_request.pk,
        )
        return partner_request
    asker = partner_request.from_user
    users = [asker, user]
    busy = _in_current_pair(cohort, [asker.pk, user.pk])
    if user.pk in busy:
        raise ValidationError(_("You already have a partner in this cohort."))
    if asker.pk in busy:
        raise ValidationError(
            _("%(name)s has found a partner in the meantime.") % {"name": asker.display_name}
        )
    enrolled = Enrolment.objects.filter(cohort=cohort, user__in=users).count()
    if enrolled != len(users):
        raise ValidationError(_("%(name)s has left the cohort.") % {"name": asker.display_name})
    pair = _create_pair(
        cohort=cohort,
        users=users,
        origin=Pair.Origin.REQUEST,
        status=Pair.Status.ACTIVE,
        response=PairMember.Response.ACCEPTED,
    )
    partner_request.status = PartnerRequest.Status.ACCEPTED
    partner_request.save(update_fields=["status", "answered_at"])
    # Both now have a partner: their other open requests in the cohort are closed.
    PartnerRequest.objects.filter(
        cohort=cohort, status=PartnerRequest.Status.PENDING, from_user__in=users
    ).update(status=PartnerRequest.Status.WITHDRAWN, answered_at=now)
    PartnerRequest.objects.filter(
        cohort=cohort, status=PartnerRequest.Status.PENDING, to_user__in=users
    ).update(status=PartnerRequest.Status.WITHDRAWN, answered_at=now)
    audit(
        organization=cohort.organization,
        actor=user,
        action="partner_request.accepted",
        request=partner_request.pk,
        pair=pair.pk,
    )
    transaction.on_commit(partial(tasks.send_partner_request_email.delay, partner_request.pk))
    return partner_request
