from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Cohort, Organization, OrganizationQuerySet
from accounts.validators import text_length_check, validate_multi_line, validate_one_line

from . import limits


class MatchSettings(models.Model):
    """A cohort's matching rules, set by its coordinators."""

    cohort = models.OneToOneField(Cohort, on_delete=models.CASCADE, related_name="match_settings")
    share_language = models.BooleanField(_("partners share a language"), default=True)
    different_department = models.BooleanField(
        _("partners come from different departments"), default=True
    )
    exclude_previous_partners = models.BooleanField(
        _("never pair previous partners again"), default=True
    )
    allow_requests = models.BooleanField(
        _("members may browse their best suggestions and request a partner"), default=False
    )
    # On by default with one step: partners are peers ("about the same level"), and on a
    # five-step scale two steps apart (early career and experienced) is a mentor and a mentee.
    keep_stages_close = models.BooleanField(_("keep partners close in career stage"), default=True)
    max_stage_distance = models.PositiveSmallIntegerField(
        _("at most this many career stages apart"),
        default=1,
        validators=[MinValueValidator(0), MaxValueValidator(limits.STAGE_DISTANCE_MAX)],
    )
    honour_wishes = models.BooleanField(
        _("keep members who named each other as wished partners together"), default=True
    )
    allow_pair_again = models.BooleanField(
        _("previous partners who both would pair again may be paired again"), default=True
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(max_stage_distance__lte=limits.STAGE_DISTANCE_MAX),
                name="match_settings_stage_distance",
                violation_error_message=_("Choose a career stage distance from 0 to 4."),
            ),
        ]

    def __str__(self):
        return f"Matching settings of {self.cohort}"

    @property
    def stage_distance(self) -> int | None:
        """The engine's `max_stage_distance`: None when the rule is off."""
        return self.max_stage_distance if self.keep_stages_close else None


class PairRuleQuerySet(OrganizationQuerySet):
    organization_field = "cohort__organization"


class PairRule(models.Model):
    """A coordinator's decision about two members: never pair them, or keep them together."""

    class Kind(models.TextChoices):
        FORBID = "forbid", _("Never pair")
        # Two members named each other, and a coordinator chose not to keep them together:
        # the matching treats them like any other two members.
        IGNORE_WISH = "ignore_wish", _("Don't keep together")

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="pair_rules")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.FORBID)
    # Stored with user_a.pk < user_b.pk so that a pair has one row whatever the order.
    user_a = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    user_b = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(
        max_length=limits.FORBID_REASON_MAX, blank=True, validators=[validate_one_line]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PairRuleQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "user_a", "user_b"],
                name="pair_rule_unique",
                violation_error_message=_("These two members are already never to be paired."),
            ),
            models.CheckConstraint(
                condition=Q(user_a__lt=F("user_b")),
                name="pair_rule_ordered",
                violation_error_message=_("Choose two different members."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.user_a_id} & {self.user_b_id}"


class PairAgainQuerySet(OrganizationQuerySet):
    organization_field = "cohort__organization"


class PairAgain(models.Model):
    """A member said, with their name, that they would pair with their partner of `cohort`
    again: when their partner said so too, a later cohort's matching may pair them again
    despite the previous-partner rule. Kept apart from the anonymous closing survey."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="pair_again")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PairAgainQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "user"],
                name="pair_again_unique",
                violation_error_message=_("This member has already said so for this cohort."),
            ),
        ]

    def __str__(self):
        return f"{self.user_id} would pair again ({self.cohort_id})"


class MatchRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Ready for review")
        FAILED = "failed", _("Failed")
        PUBLISHED = "published", _("Published")
        SUPERSEDED = "superseded", _("Superseded")

    class Scope(models.TextChoices):
        COHORT = "cohort", _("Whole cohort")
        UNPAIRED = "unpaired", _("Members without a partner")

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="match_runs"
    )
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="match_runs")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    scope = models.CharField(max_length=20, choices=Scope.choices, default=Scope.COHORT)
    progress = models.PositiveSmallIntegerField(default=0)
    progress_note = models.CharField(max_length=limits.PROGRESS_NOTE_MAX, blank=True)
    # Summary figures: members, pairs, trios, total and lowest score, seconds, unmatched.
    stats = models.JSONField(default=dict, blank=True)
    error = models.TextField(
        blank=True,
        max_length=limits.RUN_ERROR_MAX,
        validators=[MaxLengthValidator(limits.RUN_ERROR_MAX)],
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        get_latest_by = "created_at"
        constraints = [
            text_length_check(
                model="matchrun", field="error", limit=limits.RUN_ERROR_MAX, label=_("The error")
            ),
        ]

    def __str__(self):
        return f"Matching of {self.cohort} at {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_finished(self):
        return self.status not in (self.Status.QUEUED, self.Status.RUNNING)


class UnmatchedMember(models.Model):
    """A member a run could not pair, with the reason in words."""

    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="unmatched")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=limits.UNMATCHED_REASON_MAX)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["run", "user"],
                name="unmatched_unique",
                violation_error_message=_("This member is already listed as unmatched."),
            ),
        ]

    def __str__(self):
        return f"{self.user_id}: {self.reason}"


class SuggestedPartners(models.Model):
    """A member's best partners as a finished run scored them, so that the member's suggestions
    page reads them instead of scoring the whole cohort again.

    `partners` is `[[user id, score 0..100], ...]`, best first, allowed by the run's rules:
    the run's top candidates for the member, and the best among those the run left without
    a partner.
    """

    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="suggested_partners")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    partners = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["run", "user"],
                name="suggested_partners_unique",
                violation_error_message=_("This run holds suggestions for this member already."),
            ),
        ]
        indexes = [models.Index(fields=["user", "run"], name="suggested_partners_user")]

    def __str__(self):
        return f"Suggestions for {self.user_id} from run {self.run_id}"


class PairQuerySet(OrganizationQuerySet):
    def current(self):
        """Pairs that hold their members: proposed, awaiting answers, or active."""
        return self.filter(
            status__in=[Pair.Status.PROPOSED, Pair.Status.PUBLISHED, Pair.Status.ACTIVE]
        )


class Pair(models.Model):
    """Two members (rarely three) who mentor each other."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        PUBLISHED = "published", _("Awaiting answers")
        ACTIVE = "active", _("Active")
        DECLINED = "declined", _("Declined")
        DISSOLVED = "dissolved", _("Dissolved")

    class Origin(models.TextChoices):
        MATCHING = "matching", _("Matching")
        MANUAL = "manual", _("Paired by a coordinator")
        REQUEST = "request", _("Requested by a member")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="pairs")
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="pairs")
    run = models.ForeignKey(
        MatchRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="pairs"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    origin = models.CharField(max_length=20, choices=Origin.choices, default=Origin.MATCHING)
    score = models.FloatField(default=0)
    explanation = models.TextField(
        blank=True,
        max_length=limits.EXPLANATION_MAX,
        validators=[MaxLengthValidator(limits.EXPLANATION_MAX)],
    )
    locked = models.BooleanField(default=False)
    # Proposed because the two named each other as wished partners and the rules allowed it.
    wished = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)

    objects = PairQuerySet.as_manager()

    class Meta:
        ordering = ["score"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    status__in=["proposed", "published", "active", "declined", "dissolved"]
                ),
                name="pair_status_valid",
                violation_error_message=_("Choose a valid status for the pair."),
            ),
            text_length_check(
                model="pair",
                field="explanation",
                limit=limits.EXPLANATION_MAX,
                label=_("The explanation"),
            ),
        ]

    def __str__(self):
        return " & ".join(str(m.user) for m in self.members.all())


class PairMember(models.Model):
    class Response(models.TextChoices):
        PENDING = "pending", _("No answer yet")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pair_memberships"
    )
    response = models.CharField(max_length=20, choices=Response.choices, default=Response.PENDING)
    decline_reason = models.CharField(
        max_length=limits.DECLINE_REASON_MAX, blank=True, validators=[validate_multi_line]
    )
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["user__first_name", "user__last_name", "user__email"]
        constraints = [
            # A member appears once in a pair, so a pair's members always differ.
            models.UniqueConstraint(
                fields=["pair", "user"],
                name="pair_member_unique",
                violation_error_message=_("This member is already in the pair."),
            ),
        ]

    def __str__(self):
        return f"{self.user} in pair {self.pair_id}"


class PartnerRequest(models.Model):
    """A member asking one of their suggested partners to pair up (when the cohort allows it)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="partner_requests")
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    message = models.CharField(
        max_length=limits.REQUEST_MESSAGE_MAX, blank=True, validators=[validate_one_line]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "from_user", "to_user"],
                condition=Q(status="pending"),
                name="partner_request_pending_unique",
                violation_error_message=_(
                    "You have already asked this member; wait for the answer."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(from_user=F("to_user")),
                name="partner_request_not_self",
                violation_error_message=_("You can't ask yourself to pair up."),
            ),
        ]

    def __str__(self):
        return f"{self.from_user_id} → {self.to_user_id} ({self.status})"


class PairMessageQuerySet(OrganizationQuerySet):
    organization_field = "pair__organization"


class PairMessage(models.Model):
    """A message in a pair's thread: written while the pair awaits answers or is active, read
    by the pair's members only (coordinators don't see it), and emailed to the other members."""

    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="messages")
    # A member's erasure takes what they wrote with it.
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.TextField(
        max_length=limits.MESSAGE_MAX,
        validators=[MaxLengthValidator(limits.MESSAGE_MAX), validate_multi_line],
    )
    # Whether the email to the other members was queued (the daily email limit may refuse it).
    emailed = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = PairMessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["pair", "-created_at"], name="pair_message_thread")]
        constraints = [
            text_length_check(
                model="pairmessage",
                field="body",
                limit=limits.MESSAGE_MAX,
                label=_("The message"),
            ),
        ]

    def __str__(self):
        return f"Message {self.pk} in pair {self.pair_id}"


class IntroCallQuerySet(OrganizationQuerySet):
    organization_field = "pair__organization"


class IntroCall(models.Model):
    """The one current proposal of a first call between proposed partners: one member
    proposes a time, the other accepts it or proposes another (which replaces it)."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Agreed")

    pair = models.OneToOneField(Pair, on_delete=models.CASCADE, related_name="intro_call")
    starts_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)

    objects = IntroCallQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["proposed", "accepted"]),
                name="intro_call_status_valid",
                violation_error_message=_("Choose a valid status for the intro call."),
            ),
            models.CheckConstraint(
                condition=Q(status="proposed", accepted_at__isnull=True)
                | Q(status="accepted", accepted_at__isnull=False),
                name="intro_call_accepted_has_time",
                violation_error_message=_("An agreed intro call records when it was agreed."),
            ),
        ]

    def __str__(self):
        return f"Intro call of pair {self.pair_id} at {self.starts_at:%Y-%m-%d %H:%M}"
