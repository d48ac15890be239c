import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import limits
from .validators import text_length_check, validate_multi_line, validate_one_line


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


def anonymous_email(user_id: int) -> str:
    """The address a deleted account is left with (see checkins/privacy/services.py)."""
    return f"deleted-{user_id}@invalid"


class User(AbstractUser):
    """A person. Logs in with an email address; there are no usernames."""

    username = None
    first_name = models.CharField(
        _("first name"),
        max_length=limits.PERSON_NAME_MAX,
        blank=True,
        validators=[validate_one_line],
    )
    last_name = models.CharField(
        _("last name"),
        max_length=limits.PERSON_NAME_MAX,
        blank=True,
        validators=[validate_one_line],
    )
    email = models.EmailField(_("email address"), unique=True)
    # The language of this person's emails and PDFs; the site follows the browser or the
    # language switcher.
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="en"
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_ci_unique",
                violation_error_message=_("An account with this email address already exists."),
            )
        ]

    def __str__(self):
        return self.display_name

    @property
    def is_former_member(self) -> bool:
        """The account was deleted: the row stays, anonymised, for the history it belongs to."""
        return not self.is_active and self.email == anonymous_email(self.pk)

    @property
    def display_name(self):
        if self.is_former_member:
            return gettext("a former member")
        return self.get_full_name() or self.email


class OrganizationQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(memberships__user=user)


class Organization(models.Model):
    name = models.CharField(
        _("name"), max_length=limits.ORGANIZATION_NAME_MAX, validators=[validate_one_line]
    )
    slug = models.SlugField(_("short name"), max_length=limits.SLUG_MAX, unique=True)
    require_coordinator_mfa = models.BooleanField(
        _("coordinators must use two-factor authentication"), default=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("organization_detail", kwargs={"org_slug": self.slug})


class Membership(models.Model):
    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("Coordinator")
        MEMBER = "member", _("Member")

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user"],
                name="membership_unique",
                violation_error_message=_("This person is already a member of the organization."),
            ),
            models.CheckConstraint(
                condition=Q(role__in=["coordinator", "member"]),
                name="membership_role_valid",
                violation_error_message=_("Choose the role coordinator or member."),
            ),
        ]

    def __str__(self):
        return f"{self.user} in {self.organization} ({self.role})"

    @property
    def is_coordinator(self):
        return self.role == self.Role.COORDINATOR

    @property
    def can_manage_cohort(self):
        return self.is_coordinator


class OrganizationQuerySet(models.QuerySet):
    """`Model.objects.for_organization(org)`: the rows of one organization. A model whose rows
    reach their organization through a relation names it in a subclass's `organization_field`."""

    organization_field = "organization"

    def for_organization(self, organization):
        return self.filter(**{self.organization_field: organization})


class Program(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="programs"
    )
    name = models.CharField(
        _("name"), max_length=limits.PROGRAM_NAME_MAX, validators=[validate_one_line]
    )
    description = models.TextField(
        _("description"),
        blank=True,
        max_length=limits.PROGRAM_DESCRIPTION_MAX,
        validators=[MaxLengthValidator(limits.PROGRAM_DESCRIPTION_MAX), validate_multi_line],
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"],
                name="program_name_unique",
                violation_error_message=_("The organization already has a program of this name."),
            ),
            text_length_check(
                model="program",
                field="description",
                limit=limits.PROGRAM_DESCRIPTION_MAX,
                label=_("The description"),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse(
            "program_detail", kwargs={"org_slug": self.organization.slug, "program_id": self.pk}
        )


class Cohort(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for profiles")
        MATCHING = "matching", _("Matching")
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")

    # Denormalised from the program so that every cohort reaches its organization in one hop
    # and can be scoped without a join.
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="cohorts")
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="cohorts")
    name = models.CharField(
        _("name"), max_length=limits.COHORT_NAME_MAX, validators=[validate_one_line]
    )
    slug = models.SlugField(_("short name"), max_length=limits.SLUG_MAX)
    starts_on = models.DateField(_("start date"))
    ends_on = models.DateField(_("end date"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "slug"],
                name="cohort_slug_unique",
                violation_error_message=_(
                    "The organization already has a cohort with this short name."
                ),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")),
                name="cohort_ends_after_start",
                violation_error_message=_("The end date must be after the start date."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "open", "matching", "active", "closed"]),
                name="cohort_status_valid",
                violation_error_message=_("Choose a valid status for the cohort."),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse(
            "cohort_detail", kwargs={"org_slug": self.organization.slug, "cohort_id": self.pk}
        )


class EnrolmentQuerySet(OrganizationQuerySet):
    organization_field = "cohort__organization"


class Enrolment(models.Model):
    """A user taking part in a cohort."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="enrolments")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="enrolments")
    joined_at = models.DateTimeField(default=timezone.now)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        ordering = ["joined_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "user"],
                name="enrolment_unique",
                violation_error_message=_("This person is already in the cohort."),
            ),
        ]

    def __str__(self):
        return f"{self.user} in {self.cohort}"


def _new_invitation_key():
    return secrets.token_urlsafe(16)


class InvitationQuerySet(OrganizationQuerySet):
    def pending(self):
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, declined_at__isnull=True
        )


class Invitation(models.Model):
    """An emailed invitation to join a cohort.

    The link carries a signed token holding the invitation's id and its current `key`; resending
    rotates the key, so only the newest link works, and the signature's timestamp makes it expire.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Invited")
        ACCEPTED = "accepted", _("Joined")
        REVOKED = "revoked", _("Revoked")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations"
    )
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email address"))
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    key = models.CharField(max_length=40, default=_new_invitation_key)
    sent_at = models.DateTimeField(default=timezone.now)
    send_count = models.PositiveIntegerField(default=1)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    # What a members import said about someone who had an account already: their profile
    # fields and tags, applied only when they accept (see profiles.importing).
    import_data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            # One open invitation per address and cohort; accepted, revoked or declined ones
            # are history.
            models.UniqueConstraint(
                Lower("email"),
                "cohort",
                condition=Q(
                    accepted_at__isnull=True, revoked_at__isnull=True, declined_at__isnull=True
                ),
                name="invitation_pending_unique",
                violation_error_message=_(
                    "This address already has an open invitation to the cohort."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.email} → {self.cohort}"

    @property
    def expires_at(self):
        return self.sent_at + timedelta(days=settings.INVITATION_MAX_AGE_DAYS)

    @property
    def status(self):
        if self.accepted_at:
            return self.Status.ACCEPTED
        if self.revoked_at:
            return self.Status.REVOKED
        if self.declined_at:
            return self.Status.DECLINED
        if timezone.now() >= self.expires_at:
            return self.Status.EXPIRED
        return self.Status.PENDING

    @property
    def status_label(self):
        return self.Status(self.status).label

    @property
    def is_open(self):
        return self.status in (self.Status.PENDING, self.Status.EXPIRED)


class OutgoingEmailDay(models.Model):
    """How many counted emails an organization sent on one (UTC) day: the daily limit's tally.

    Which emails count is decided in `accounts.services.email_quota_take`.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "day"],
                name="outgoing_email_day_unique",
                violation_error_message=_("This day's email count exists already."),
            )
        ]

    def __str__(self):
        return f"{self.organization_id} {self.day}: {self.count}"


class AuditEvent(models.Model):
    """Who did what, when: written by every service that changes state."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=60)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "-created_at"])]

    def __str__(self):
        return f"{self.action} by {self.actor_id} at {self.created_at:%Y-%m-%d %H:%M}"
