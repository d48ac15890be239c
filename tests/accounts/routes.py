"""How the isolation test (`tests/test_isolation.py`) reaches the accounts routes."""

from tests.isolation import ENROLLED, MEMBERS, Route

ROUTES = {
    # accounts
    "organization_detail": Route(access=MEMBERS),
    "organization_members": Route(),
    "membership_role": Route(lambda w: {"membership_id": w.membership.pk}, methods=("post",)),
    "program_create": Route(),
    "program_detail": Route(lambda w: {"program_id": w.program.pk}),
    "program_edit": Route(lambda w: {"program_id": w.program.pk}),
    "cohort_create": Route(lambda w: {"program_id": w.program.pk}),
    "cohort_detail": Route(lambda w: {"cohort_id": w.cohort.pk}, access=ENROLLED),
    "cohort_edit": Route(lambda w: {"cohort_id": w.cohort.pk}),
    "cohort_invite": Route(lambda w: {"cohort_id": w.cohort.pk}),
    "invitation_resend": Route(lambda w: {"invitation_id": w.invitation.pk}, methods=("post",)),
    "invitation_revoke": Route(lambda w: {"invitation_id": w.invitation.pk}),
}
