from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Cohort, Organization, OrganizationQuerySet
from accounts.validators import text_length_check, validate_multi_line, validate_one_line
from matching.models import Pair

from . import limits

DEFAULT_AGENDA = _(
    "1. Review of short- and long-term goals\n"
    "2. Progress on each success indicator\n"
    "3. How effectively we spent our time since the last meeting\n"
    "4. Teach-each-other slot: one of us teaches the other something\n"
    "5. Next steps, each with an owner and a date"
)


class Contract(models.Model):
    """One version of a pair's written agreement.

    A draft is edited by the partners; `ready` locks the content for signature; when every
    partner has signed it is `signed` and immutable. A change after that is an amendment: a new
    version (previous -> this one) that needs every signature again, while earlier versions stay
    readable.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        READY = "ready", _("Ready for signature")
        SIGNED = "signed", _("Signed")
        SUPERSEDED = "superseded", _("Superseded by an amendment")

    class Cadence(models.TextChoices):
        WEEKLY = "weekly", _("Weekly")
        BIWEEKLY = "biweekly", _("Every two weeks")
        MONTHLY = "monthly", _("Monthly")

    class Medium(models.TextChoices):
        VIDEO = "video", _("Video")
        PHONE = "phone", _("Phone")
        IN_PERSON = "in_person", _("In person")

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="contracts"
    )
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="contracts")
    pair = models.ForeignKey(Pair, on_delete=models.CASCADE, related_name="contracts")
    version = models.PositiveIntegerField(default=1)
    previous = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="amendment"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)

    # Shared terms.
    starts_on = models.DateField(_("start date"), null=True, blank=True)
    ends_on = models.DateField(_("review / end date"), null=True, blank=True)
    cadence = models.CharField(
        _("meeting cadence"), max_length=20, choices=Cadence.choices, default=Cadence.BIWEEKLY
    )
    medium = models.CharField(
        _("medium"), max_length=20, choices=Medium.choices, default=Medium.VIDEO
    )
    meeting_minutes = models.PositiveSmallIntegerField(_("usual length (minutes)"), default=60)
    meeting_weekday = models.PositiveSmallIntegerField(
        _("usual day"), choices=Weekday.choices, default=Weekday.TUESDAY
    )
    meeting_time = models.TimeField(_("usual time"), null=True, blank=True)
    timezone = models.CharField(_("time zone of the meetings"), max_length=64, blank=True)
    agenda = models.TextField(
        _("agenda format"),
        blank=True,
        default=DEFAULT_AGENDA,
        max_length=limits.AGENDA_MAX,
        validators=[MaxLengthValidator(limits.AGENDA_MAX), validate_multi_line],
    )
    help_measure = models.TextField(
        _("how we will measure the help"),
        blank=True,
        max_length=limits.TERM_TEXT_MAX,
        validators=[MaxLengthValidator(limits.TERM_TEXT_MAX), validate_multi_line],
    )
    boundaries = models.TextField(
        _("boundaries (topics off limits)"),
        blank=True,
        max_length=limits.TERM_TEXT_MAX,
        validators=[MaxLengthValidator(limits.TERM_TEXT_MAX), validate_multi_line],
    )
    confidentiality = models.TextField(
        _("confidentiality"),
        blank=True,
        max_length=limits.TERM_TEXT_MAX,
        validators=[MaxLengthValidator(limits.TERM_TEXT_MAX), validate_multi_line],
    )
    why = models.TextField(
        _("why we are doing this"),
        blank=True,
        max_length=limits.TERM_TEXT_MAX,
        validators=[MaxLengthValidator(limits.TERM_TEXT_MAX), validate_multi_line],
    )

    # Set when the content is locked for signature: SHA-256 of the canonical serialization.
    content_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["pair_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["pair", "version"],
                name="contract_version_unique",
                violation_error_message=_(
                    "This version of the contract exists already; reload the page."
                ),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "ready", "signed", "superseded"]),
                name="contract_status_valid",
                violation_error_message=_("Choose a valid status for the contract."),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gt=F("starts_on")),
                name="contract_ends_after_start",
                violation_error_message=_("The review / end date must come after the start date."),
            ),
            models.CheckConstraint(
                condition=Q(meeting_minutes__gte=5, meeting_minutes__lte=480),
                name="contract_meeting_minutes_range",
                violation_error_message=_("A meeting lasts from 5 to 480 minutes."),
            ),
            text_length_check(
                model="contract", field="agenda", limit=limits.AGENDA_MAX, label=_("The agenda")
            ),
            text_length_check(
                model="contract",
                field="help_measure",
                limit=limits.TERM_TEXT_MAX,
                label=_("How you will measure the help"),
            ),
            text_length_check(
                model="contract",
                field="boundaries",
                limit=limits.TERM_TEXT_MAX,
                label=_("The boundaries"),
            ),
            text_length_check(
                model="contract",
                field="confidentiality",
                limit=limits.TERM_TEXT_MAX,
                label=_("The confidentiality"),
            ),
            text_length_check(
                model="contract",
                field="why",
                limit=limits.TERM_TEXT_MAX,
                label=_("Why you are doing this"),
            ),
        ]

    def __str__(self):
        return f"Contract {self.pair_id} v{self.version} ({self.status})"

    @property
    def is_editable(self):
        return self.status == self.Status.DRAFT


class ContractSection(models.Model):
    """One partner's part of the contract."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="sections")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="contract_sections"
    )
    assets = models.TextField(
        _("what I already bring"),
        blank=True,
        max_length=limits.SECTION_TEXT_MAX,
        validators=[MaxLengthValidator(limits.SECTION_TEXT_MAX), validate_multi_line],
    )
    needs = models.TextField(
        _("what I need from my partner"),
        blank=True,
        max_length=limits.SECTION_TEXT_MAX,
        validators=[MaxLengthValidator(limits.SECTION_TEXT_MAX), validate_multi_line],
    )
    will_help_with = models.TextField(
        _("what I will help my partner with"),
        blank=True,
        max_length=limits.SECTION_TEXT_MAX,
        validators=[MaxLengthValidator(limits.SECTION_TEXT_MAX), validate_multi_line],
    )

    class Meta:
        ordering = ["user__first_name", "user__last_name", "user__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "user"],
                name="contract_section_unique",
                violation_error_message=_("This partner already has a section in the contract."),
            ),
            text_length_check(
                model="contractsection",
                field="assets",
                limit=limits.SECTION_TEXT_MAX,
                label=_("What you already bring"),
            ),
            text_length_check(
                model="contractsection",
                field="needs",
                limit=limits.SECTION_TEXT_MAX,
                label=_("What you need from your partner"),
            ),
            text_length_check(
                model="contractsection",
                field="will_help_with",
                limit=limits.SECTION_TEXT_MAX,
                label=_("What you will help your partner with"),
            ),
        ]

    def __str__(self):
        return f"{self.user} in {self.contract}"


class Goal(models.Model):
    class Horizon(models.TextChoices):
        ONE_MONTH = "1m", _("One month")
        THREE_MONTHS = "3m", _("Three months")
        SIX_MONTHS = "6m", _("Six months")
        ONE_YEAR = "1y", _("One year")
        VISION = "5y", _("Three to five years (vision)")

    # Steps toward a one-year goal: each may name the one-year goal it serves.
    SHORT_TERM = ("1m", "3m", "6m")

    section = models.ForeignKey(ContractSection, on_delete=models.CASCADE, related_name="goals")
    horizon = models.CharField(
        _("horizon"), max_length=4, choices=Horizon.choices, default=Horizon.ONE_YEAR
    )
    statement = models.TextField(
        _("goal (the what)"),
        max_length=limits.GOAL_STATEMENT_MAX,
        validators=[MaxLengthValidator(limits.GOAL_STATEMENT_MAX), validate_multi_line],
    )
    serves = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="steps",
        verbose_name=_("the one-year goal it serves"),
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            text_length_check(
                model="goal",
                field="statement",
                limit=limits.GOAL_STATEMENT_MAX,
                label=_("The goal"),
            ),
        ]

    def __str__(self):
        return self.statement[:60]

    def clean(self):
        if self.serves_id is None:
            return
        if self.horizon not in self.SHORT_TERM:
            raise ValidationError(
                {"serves": _("Only a one-, three- or six-month goal serves a one-year goal.")}
            )
        serves = self.serves
        if (
            serves.horizon != self.Horizon.ONE_YEAR
            or serves.section_id != self.section_id
            or serves.pk == self.pk
        ):
            raise ValidationError({"serves": _("Choose one of your own one-year goals.")})


class Strategy(models.Model):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="strategies")
    description = models.TextField(
        _("strategy (the how)"),
        max_length=limits.STRATEGY_MAX,
        validators=[MaxLengthValidator(limits.STRATEGY_MAX), validate_multi_line],
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name_plural = "strategies"
        constraints = [
            text_length_check(
                model="strategy",
                field="description",
                limit=limits.STRATEGY_MAX,
                label=_("A strategy"),
            ),
        ]

    def __str__(self):
        return self.description[:60]


class Indicator(models.Model):
    """How will I know when I'm there? A target value with a unit, or a yes/no."""

    class Kind(models.TextChoices):
        NUMBER = "number", _("A number to reach")
        YES_NO = "yes_no", _("Yes or no")

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="indicators")
    description = models.CharField(
        _("success indicator"), max_length=limits.INDICATOR_MAX, validators=[validate_one_line]
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.NUMBER)
    target_value = models.DecimalField(
        _("target"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    unit = models.CharField(
        _("unit"), max_length=limits.UNIT_MAX, blank=True, validators=[validate_one_line]
    )
    due_on = models.DateField(_("due date"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="yes_no") | Q(target_value__isnull=False),
                name="indicator_number_has_target",
                violation_error_message=_("Give a target number, or measure it as yes or no."),
            ),
        ]

    def __str__(self):
        return self.description


class Signature(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="signatures")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    typed_name = models.CharField(max_length=limits.TYPED_NAME_MAX, validators=[validate_one_line])
    signed_at = models.DateTimeField()
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=limits.USER_AGENT_MAX, blank=True)
    content_hash = models.CharField(max_length=64)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["signed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "user"],
                condition=Q(withdrawn_at__isnull=True),
                name="signature_one_active_per_partner",
                violation_error_message=_("You have already signed this contract."),
            ),
        ]

    def __str__(self):
        return f"{self.typed_name} signed {self.contract} at {self.signed_at:%Y-%m-%d %H:%M}"


class ContractDocument(models.Model):
    """The signed PDF of a signed contract version, kept so it can be verified byte for byte."""

    contract = models.OneToOneField(Contract, on_delete=models.CASCADE, related_name="document")
    pdf = models.BinaryField()
    sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"PDF of {self.contract}"


class ContractExport(models.Model):
    """A ZIP of a cohort's signed contracts, built in the background for a coordinator."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Rendering")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="contract_exports")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    archive = models.FileField(upload_to="exports/", blank=True)
    error = models.TextField(
        blank=True,
        max_length=limits.EXPORT_ERROR_MAX,
        validators=[MaxLengthValidator(limits.EXPORT_ERROR_MAX)],
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            text_length_check(
                model="contractexport",
                field="error",
                limit=limits.EXPORT_ERROR_MAX,
                label=_("The error"),
            ),
        ]

    def __str__(self):
        return f"Contracts of {self.cohort} ({self.status})"
