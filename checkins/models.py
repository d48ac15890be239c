import secrets
import uuid

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Cohort, Organization, OrganizationQuerySet
from accounts.validators import text_length_check, validate_multi_line, validate_one_line
from contracts.models import Contract, Goal, Indicator
from matching.models import Pair

from . import limits


def _new_feed_token():
    return secrets.token_urlsafe(32)


class Meeting(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")

    class Origin(models.TextChoices):
        SCHEDULE = "schedule", _("From the contract's cadence")
        MANUAL = "manual", _("Added by a partner")

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="meetings"
    )
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="meetings")
    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="meetings")
    contract = models.ForeignKey(
        Contract, on_delete=models.SET_NULL, null=True, blank=True, related_name="meetings"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    origin = models.CharField(max_length=20, choices=Origin.choices, default=Origin.SCHEDULE)
    # Position in the contract's recurrence (0, 1, 2, ...), so re-scheduling is idempotent;
    # null for meetings a partner added.
    sequence = models.PositiveIntegerField(null=True, blank=True)
    note = models.CharField(
        _("note"), max_length=limits.MEETING_NOTE_MAX, blank=True, validators=[validate_one_line]
    )
    # The partner who last moved or cancelled it; null while it is as the schedule planned
    # (so re-planning after an amendment knows which meetings it may replace).
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Bumped whenever the time or the status changes: the iCalendar SEQUENCE, which tells
    # calendar apps that an event they already have was updated.
    revision = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["pair", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="meeting_ends_after_start",
                violation_error_message=_("A meeting must end after it starts."),
            ),
            models.UniqueConstraint(
                fields=["contract", "sequence"],
                condition=Q(sequence__isnull=False),
                name="meeting_sequence_unique",
                violation_error_message=_("This meeting of the schedule exists already."),
            ),
        ]

    def __str__(self):
        return f"Meeting of pair {self.pair_id} at {self.starts_at:%Y-%m-%d %H:%M}"


class CheckIn(models.Model):
    """One partner's log after a meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="checkins")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checkins"
    )
    learned = models.TextField(
        _("what I learned"),
        blank=True,
        max_length=limits.CHECKIN_TEXT_MAX,
        validators=[MaxLengthValidator(limits.CHECKIN_TEXT_MAX), validate_multi_line],
    )
    taught = models.TextField(
        _("what I taught"),
        blank=True,
        max_length=limits.CHECKIN_TEXT_MAX,
        validators=[MaxLengthValidator(limits.CHECKIN_TEXT_MAX), validate_multi_line],
    )
    blockers = models.TextField(
        _("blockers"),
        blank=True,
        max_length=limits.CHECKIN_TEXT_MAX,
        validators=[MaxLengthValidator(limits.CHECKIN_TEXT_MAX), validate_multi_line],
    )
    time_effectiveness = models.PositiveSmallIntegerField(
        _("how effectively we spent our time since the last meeting (1–5)")
    )
    confidence = models.PositiveSmallIntegerField(_("confidence (1–5)"))
    # The contract's "how we will measure the help", carried out: asked on every new check-in,
    # empty on those logged before it was asked.
    help_rating = models.PositiveSmallIntegerField(
        _("help received since the last meeting (1–5)"), null=True, blank=True
    )
    help_example = models.TextField(
        _("one example of the help"),
        blank=True,
        max_length=limits.HELP_EXAMPLE_MAX,
        validators=[MaxLengthValidator(limits.HELP_EXAMPLE_MAX), validate_multi_line],
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user"],
                name="checkin_unique",
                violation_error_message=_("You have already checked in for this meeting."),
            ),
            models.CheckConstraint(
                condition=Q(time_effectiveness__gte=1, time_effectiveness__lte=5),
                name="checkin_time_effectiveness_range",
                violation_error_message=_("Choose a rating from 1 to 5."),
            ),
            models.CheckConstraint(
                condition=Q(confidence__gte=1, confidence__lte=5),
                name="checkin_confidence_range",
                violation_error_message=_("Choose a rating from 1 to 5."),
            ),
            models.CheckConstraint(
                condition=Q(help_rating__isnull=True) | Q(help_rating__gte=1, help_rating__lte=5),
                name="checkin_help_rating_range",
                violation_error_message=_("Choose a rating from 1 to 5."),
            ),
            text_length_check(
                model="checkin",
                field="help_example",
                limit=limits.HELP_EXAMPLE_MAX,
                label=_("The example of the help"),
            ),
            text_length_check(
                model="checkin",
                field="learned",
                limit=limits.CHECKIN_TEXT_MAX,
                label=_("What you learned"),
            ),
            text_length_check(
                model="checkin",
                field="taught",
                limit=limits.CHECKIN_TEXT_MAX,
                label=_("What you taught"),
            ),
            text_length_check(
                model="checkin",
                field="blockers",
                limit=limits.CHECKIN_TEXT_MAX,
                label=_("Blockers"),
            ),
        ]

    def __str__(self):
        return f"Check-in by {self.user_id} for meeting {self.meeting_id}"


class CheckInReply(models.Model):
    """A partner's reply to a check-in: one thread per check-in, between the two partners.

    Coordinators never read replies (no coordinator page, export or dashboard loads them).
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checkin_replies"
    )
    body = models.TextField(
        _("reply"),
        max_length=limits.REPLY_BODY_MAX,
        validators=[MaxLengthValidator(limits.REPLY_BODY_MAX), validate_multi_line],
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["checkin", "created_at"])]
        constraints = [
            text_length_check(
                model="checkinreply", field="body", limit=limits.REPLY_BODY_MAX, label=_("A reply")
            ),
        ]

    def __str__(self):
        return f"Reply by {self.author_id} to check-in {self.checkin_id}"


class GoalProgress(models.Model):
    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="goal_progress")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="progress")
    rating = models.PositiveSmallIntegerField(_("progress (1–5)"))
    note = models.TextField(
        _("note"),
        blank=True,
        max_length=limits.GOAL_NOTE_MAX,
        validators=[MaxLengthValidator(limits.GOAL_NOTE_MAX), validate_multi_line],
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["checkin", "goal"],
                name="goal_progress_unique",
                violation_error_message=_("This goal is already rated in the check-in."),
            ),
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5),
                name="goal_progress_rating_range",
                violation_error_message=_("Choose a rating from 1 to 5."),
            ),
            text_length_check(
                model="goalprogress", field="note", limit=limits.GOAL_NOTE_MAX, label=_("The note")
            ),
        ]

    def __str__(self):
        return f"{self.goal_id}: {self.rating}"


class IndicatorValue(models.Model):
    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="indicator_values")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    met = models.BooleanField(null=True, blank=True)  # for yes/no indicators
    note = models.CharField(
        _("note"), max_length=limits.INDICATOR_NOTE_MAX, blank=True, validators=[validate_one_line]
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["checkin", "indicator"],
                name="indicator_value_unique",
                violation_error_message=_("This indicator already has a value in the check-in."),
            ),
        ]

    def __str__(self):
        return f"{self.indicator_id}: {self.value if self.met is None else self.met}"


class NextStep(models.Model):
    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="next_steps")
    checkin = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="next_steps")
    description = models.CharField(
        _("next step"), max_length=limits.NEXT_STEP_MAX, validators=[validate_one_line]
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="next_steps"
    )
    due_on = models.DateField(_("due date"))
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self):
        return self.description


class NotificationPreference(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    meeting_day_before = models.BooleanField(
        _("a reminder 24 hours before a meeting"), default=True
    )
    meeting_hour_before = models.BooleanField(_("a reminder 1 hour before a meeting"), default=True)
    checkin_nudge = models.BooleanField(
        _("a nudge when a check-in is missing after a meeting"), default=True
    )
    coordinator_digest = models.BooleanField(
        _("a weekly digest of at-risk pairs (coordinators)"), default=True
    )
    program_messages = models.BooleanField(
        _("messages from coordinators, e.g. to complete my profile"), default=True
    )
    checkin_replies = models.BooleanField(
        _("an email when my partner replies to a check-in"), default=True
    )
    partner_nudges = models.BooleanField(
        _("a gentle note when my partner's check-ins suggest they could use support"),
        default=True,
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Notification preferences of {self.user_id}"


class CalendarFeed(models.Model):
    """A private calendar URL (secret token) with all of a user's meetings."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=_new_feed_token)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Calendar feed of {self.user_id}"


class Reminder(models.Model):
    """One email to one recipient, sent exactly once.

    Rows are created ahead of time with `due_at`; a periodic scan claims due rows with
    SELECT … FOR UPDATE SKIP LOCKED, marks them `sending` with a lease, and queues one send task
    per row after commit. A lease that runs out (a worker died) makes the row claimable again.
    """

    class Kind(models.TextChoices):
        MEETING_DAY_BEFORE = "meeting_24h", _("Meeting tomorrow")
        MEETING_HOUR_BEFORE = "meeting_1h", _("Meeting in an hour")
        CHECKIN_MISSING = "checkin_missing", _("Check-in missing")
        COORDINATOR_DIGEST = "coordinator_digest", _("Weekly digest")
        PROGRAM_MESSAGE = "program_message", _("Message from the coordinator")
        CHECKIN_REPLY = "checkin_reply", _("Reply to a check-in")
        PARTNER_NUDGE = "partner_nudge", _("Your partner could use support")
        PARTNERSHIP_REVIEW = "partnership_review", _("Partnership review")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")
        FAILED = "failed", _("Failed")

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders"
    )
    # What it is about, e.g. "meeting:<id>" or "digest:<cohort id>:<ISO week>".
    subject_key = models.CharField(max_length=120)
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    pair = models.ForeignKey(
        Pair, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    # The check-in a reply or a partner nudge is about.
    checkin = models.ForeignKey(
        CheckIn, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    data = models.JSONField(default=dict, blank=True)
    due_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(
        blank=True,
        max_length=limits.REMINDER_ERROR_MAX,
        validators=[MaxLengthValidator(limits.REMINDER_ERROR_MAX)],
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["due_at"]
        indexes = [models.Index(fields=["status", "due_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subject_key", "recipient"],
                name="reminder_unique",
                violation_error_message=_("This reminder is already planned."),
            ),
            text_length_check(
                model="reminder",
                field="last_error",
                limit=limits.REMINDER_ERROR_MAX,
                label=_("The error"),
            ),
        ]

    def __str__(self):
        return f"{self.kind} for {self.recipient_id} at {self.due_at:%Y-%m-%d %H:%M}"


# The closing survey --------------------------------------------------------------------------


class ClosingSurveyRequest(models.Model):
    """A member asked for the closing survey when their cohort closed, and whether they answered.

    It names the member; the answer (`ClosingSurvey`) does not. The two are written in one
    transaction and nothing links them, so that nobody (coordinators, exports, the admin) can
    tell who wrote what. `answered_at` makes "one answer per member" a conditional update.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, related_name="closing_survey_requests"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="closing_survey_requests"
    )
    requested_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "user"],
                name="closing_survey_request_unique",
                violation_error_message=_("This member has already been asked for the survey."),
            )
        ]

    def __str__(self):
        return f"Closing survey of {self.cohort_id} for {self.user_id}"


class ClosingSurvey(models.Model):
    """One member's anonymous answer to a closed cohort's survey.

    No user, no time of day, and a random primary key: rows can't be put in the order the
    members answered (which `ClosingSurveyRequest.answered_at` would otherwise reveal).
    """

    class GoalReached(models.TextChoices):
        YES = "yes", _("Yes")
        PARTLY = "partly", _("Partly")
        NO = "no", _("No")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="closing_surveys")
    goal_reached = models.CharField(
        _("did you reach your goal?"), max_length=10, choices=GoalReached.choices
    )
    would_pair_again = models.BooleanField(_("would you pair with your partner again?"))
    what_helped = models.TextField(
        _("what helped?"),
        blank=True,
        max_length=limits.WHAT_HELPED_MAX,
        validators=[MaxLengthValidator(limits.WHAT_HELPED_MAX), validate_multi_line],
    )
    submitted_on = models.DateField()

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["submitted_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(goal_reached__in=["yes", "partly", "no"]),
                name="closing_survey_goal_reached_valid",
                violation_error_message=_("Choose yes, partly or no."),
            ),
            text_length_check(
                model="closingsurvey",
                field="what_helped",
                limit=limits.WHAT_HELPED_MAX,
                label=_("What helped"),
            ),
        ]

    def __str__(self):
        return f"Closing survey answer in {self.cohort_id}"


# Ending, reviewing and renewing a partnership ------------------------------------------------


class PartnershipEnding(models.Model):
    """How and why an active pair ended: by a partner or a coordinator, early or at its review,
    or moved on into the program's next cohort. The pair itself becomes `dissolved`.

    The reason and the note are private to the organization's coordinators: the partner's
    email and the pair page never show them.
    """

    class Reason(models.TextChoices):
        NOT_WORKING = "not_working", _("The partnership isn't working for us")
        NO_TIME = "no_time", _("Not enough time")
        GOALS_REACHED = "goals_reached", _("Goals reached")
        CIRCUMSTANCES = "circumstances", _("Changed circumstances (work, health, life)")
        OTHER = "other", _("Another reason")
        COMPLETED = "completed", _("Completed at the review")

    class Kind(models.TextChoices):
        EARLY = "early", _("Ended early")
        AT_REVIEW = "at_review", _("Ended at the review")
        CONTINUED = "continued", _("Continued in the next cohort")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="pair_endings")
    pair = models.OneToOneField(Pair, on_delete=models.CASCADE, related_name="ending")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.EARLY)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    note = models.TextField(
        _("note for the coordinators"),
        blank=True,
        max_length=limits.ENDING_NOTE_MAX,
        validators=[MaxLengthValidator(limits.ENDING_NOTE_MAX), validate_multi_line],
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    by_coordinator = models.BooleanField(default=False)
    # The one meeting kept as the partners' wrap-up; every other future meeting is cancelled.
    wrap_up = models.ForeignKey(
        Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ended_at = models.DateTimeField()

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["-ended_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    reason__in=[
                        "not_working",
                        "no_time",
                        "goals_reached",
                        "circumstances",
                        "other",
                        "completed",
                    ]
                ),
                name="partnership_ending_reason_valid",
                violation_error_message=_("Choose a reason from the list."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["early", "at_review", "continued"]),
                name="partnership_ending_kind_valid",
                violation_error_message=_("Choose a valid way of ending."),
            ),
            text_length_check(
                model="partnershipending",
                field="note",
                limit=limits.ENDING_NOTE_MAX,
                label=_("The note"),
            ),
        ]

    def __str__(self):
        return f"Pair {self.pair_id} ended ({self.kind}, {self.reason})"


class PartnershipReview(models.Model):
    """The review at a signed contract's review date: renew, continue in the next cohort, or
    end. Each partner's choice is a `ReviewChoice`; `outcome` is set once it is decided."""

    class Choice(models.TextChoices):
        RENEW = "renew", _("Renew with new goals")
        CONTINUE = "continue", _("Continue in the next cohort")
        END = "end", _("End the partnership")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="pair_reviews")
    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="reviews")
    contract = models.OneToOneField(Contract, on_delete=models.CASCADE, related_name="review")
    due_on = models.DateField()
    outcome = models.CharField(max_length=20, choices=Choice.choices, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # What the decision made: the amendment (renew), or the pair in the next cohort (continue).
    new_contract = models.ForeignKey(
        Contract, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    new_pair = models.ForeignKey(
        Pair, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["-due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=["", "renew", "continue", "end"]),
                name="partnership_review_outcome_valid",
                violation_error_message=_("Choose renew, continue or end."),
            ),
        ]

    def __str__(self):
        return f"Review of pair {self.pair_id} on {self.due_on} ({self.outcome or 'open'})"


class ReviewChoice(models.Model):
    review = models.ForeignKey(PartnershipReview, on_delete=models.CASCADE, related_name="choices")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    choice = models.CharField(max_length=20, choices=PartnershipReview.Choice.choices)
    chosen_at = models.DateTimeField()

    class Meta:
        ordering = ["chosen_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "user"],
                name="review_choice_unique",
                violation_error_message=_("You have already made your choice."),
            ),
            models.CheckConstraint(
                condition=Q(choice__in=["renew", "continue", "end"]),
                name="review_choice_valid",
                violation_error_message=_("Choose renew, continue or end."),
            ),
        ]

    def __str__(self):
        return f"{self.user_id} chose {self.choice} in review {self.review_id}"


class GoalAchievement(models.Model):
    """A goal its owner marked achieved, with the date. Kept outside the contract, whose signed
    content (and hash) must not change."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="goal_achievements")
    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="goal_achievements")
    goal = models.OneToOneField(Goal, on_delete=models.CASCADE, related_name="achievement")
    achieved_on = models.DateField(_("achieved on"))
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["achieved_on", "pk"]

    def __str__(self):
        return f"Goal {self.goal_id} achieved on {self.achieved_on}"
