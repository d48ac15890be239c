"""Background work for matching. Tasks take ids, re-fetch, and return quietly when the row is
gone or no longer in the state they were queued for. Each task imports the services it calls
inside its body, so the services can import this module to queue tasks without an import
circle."""

from celery import shared_task

from .models import IntroCall, MatchRun, Pair, PairMessage, PartnerRequest


def _pair(pair_id: int, status: str) -> Pair | None:
    return (
        Pair.objects.select_related("cohort", "organization")
        .filter(pk=pair_id, status=status)
        .first()
    )


@shared_task
def run_matching(run_id: int) -> None:
    from . import services

    run = (
        MatchRun.objects.select_related("cohort__organization", "organization", "started_by")
        .filter(pk=run_id, status=MatchRun.Status.QUEUED)
        .first()
    )
    if run is None:
        return
    services.matching_run_execute(run=run)


@shared_task
def send_pair_published_emails(pair_id: int) -> None:
    from . import services

    pair = _pair(pair_id, Pair.Status.PUBLISHED)
    if pair is not None:
        services.pair_published_email_send(pair=pair)


@shared_task
def send_pair_active_emails(pair_id: int) -> None:
    from . import services

    pair = _pair(pair_id, Pair.Status.ACTIVE)
    if pair is not None:
        services.pair_active_email_send(pair=pair)


@shared_task
def send_pair_declined_email(pair_id: int) -> None:
    from . import services

    pair = _pair(pair_id, Pair.Status.DECLINED)
    if pair is not None:
        services.pair_declined_email_send(pair=pair)


@shared_task
def send_partner_request_email(request_id: int) -> None:
    from . import services

    partner_request = (
        PartnerRequest.objects.select_related("cohort__organization", "from_user", "to_user")
        .filter(pk=request_id)
        .first()
    )
    if partner_request is not None:
        services.partner_request_email_send(partner_request=partner_request)


@shared_task
def send_pair_message_email(message_id: int) -> None:
    from .conversation import services

    message = (
        PairMessage.objects.select_related("pair__cohort", "pair__organization", "author")
        .filter(pk=message_id)
        .first()
    )
    if message is not None:
        services.pair_message_email_send(message=message)


@shared_task
def send_intro_call_email(call_id: int, kind: str, actor_id: int) -> None:
    """Tell the other members of a proposed or accepted intro call time, unless the call has
    changed since (a newer proposal sends its own email)."""
    from accounts.models import User

    from .conversation import services

    call = (
        IntroCall.objects.select_related("pair__cohort", "pair__organization")
        .filter(pk=call_id, status=kind)
        .first()
    )
    actor = User.objects.filter(pk=actor_id).first()
    if call is None or actor is None:
        return
    if kind == IntroCall.Status.PROPOSED and call.proposed_by_id != actor.pk:
        return
    services.intro_call_email_send(call=call, kind=kind, actor=actor)
