import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, OrganizationQuerySet
from accounts.validators import text_length_check, validate_multi_line, validate_one_line

from . import limits

LEVEL_LABELS = {
    1: _("basic"),
    2: _("developing"),
    3: _("proficient"),
    4: _("advanced"),
    5: _("expert"),
}
PRIORITY_LABELS = {
    1: _("nice to have"),
    2: _("useful"),
    3: _("important"),
    4: _("very important"),
    5: _("most important"),
}
LEVEL_CHOICES = [(value, f"{value} – {label}") for value, label in LEVEL_LABELS.items()]
PRIORITY_CHOICES = [(value, f"{value} – {label}") for value, label in PRIORITY_LABELS.items()]
ONE_TO_FIVE = [MinValueValidator(1), MaxValueValidator(5)]


def validate_timezone(value: str) -> None:
    if value and value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("%(value)s is not a time zone name such as Europe/Copenhagen."),
            params={"value": value},
        )


class TagQuerySet(OrganizationQuerySet):
    def active(self):
        return self.filter(retired_at__isnull=True, merged_into__isnull=True)


class Tag(models.Model):
    """An entry of an organization's taxonomy of what members offer and need."""

    class Kind(models.TextChoices):
        SKILL = "skill", _("Skill")
        RESOURCE = "resource", _("Resource")
        CONTACT = "contact", _("Contact")
        EXPERTISE = "expertise", _("Expertise")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(
        _("name"), max_length=limits.TAG_NAME_MAX, validators=[validate_one_line]
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.SKILL)
    retired_at = models.DateTimeField(null=True, blank=True)
    # A merged tag points at the tag that replaced it, so old links and imports resolve.
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged_from"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TagQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "organization",
                Lower("name"),
                name="tag_name_unique_per_organization",
                violation_error_message=_("The organization already has a tag of this name."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["skill", "resource", "contact", "expertise"]),
                name="tag_kind_valid",
                violation_error_message=_("Choose the kind skill, resource, contact or expertise."),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_active(self):
        return self.retired_at is None and self.merged_into_id is None


class CareerStage(models.IntegerChoices):
    """Where a member is in their career: a small ordered scale, so that matching can keep
    partners within a few steps of each other (peers, not mentor and mentee)."""

    EARLY = 1, _("Early career")
    ESTABLISHED = 2, _("Established")
    EXPERIENCED = 3, _("Experienced")
    SENIOR = 4, _("Senior")
    EXPERT = 5, _("Expert or executive")


class Role(models.TextChoices):
    """What a member's work is like; members with the same role face similar challenges."""

    INDIVIDUAL = "individual", _("Individual contributor")
    SPECIALIST = "specialist", _("Specialist or adviser")
    TEAM_LEAD = "team_lead", _("Leads a small team")
    MANAGER = "manager", _("Manages managers or a department")
    EXECUTIVE = "executive", _("Executive or director")
    FOUNDER = "founder", _("Founder or self-employed")
    STUDENT = "student", _("Student or trainee")


class ProfileQuerySet(OrganizationQuerySet):
    def complete(self):
        """Profiles a cohort counts as complete: a one-year goal, an offer, a need, a
        language, a time zone.

        `Exists` rather than joins: joins repeat a profile per offer and need, and removing the
        repeats (DISTINCT over every column) took most of a second on a cohort of 20,000."""
        return (
            self.filter(
                Exists(Offer.objects.filter(profile=OuterRef("pk"))),
                Exists(Need.objects.filter(profile=OuterRef("pk"))),
            )
            .exclude(goal="")
            .exclude(languages=[])
            .exclude(timezone="")
        )


class Profile(models.Model):
    """What a member offers and needs, within one organization."""

    class Cadence(models.TextChoices):
        WEEKLY = "weekly", _("Weekly")
        BIWEEKLY = "biweekly", _("Every two weeks")
        MONTHLY = "monthly", _("Monthly")

    class Medium(models.TextChoices):
        VIDEO = "video", _("Video")
        PHONE = "phone", _("Phone")
        IN_PERSON = "in_person", _("In person")

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="profiles"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profiles"
    )
    about = models.TextField(
        _("about me"),
        blank=True,
        max_length=limits.ABOUT_MAX,
        validators=[MaxLengthValidator(limits.ABOUT_MAX), validate_multi_line],
    )
    goal = models.CharField(
        _("one-year goal"), max_length=limits.GOAL_MAX, blank=True, validators=[validate_one_line]
    )
    languages = models.JSONField(_("languages"), default=list, blank=True)
    timezone = models.CharField(
        _("time zone"), max_length=64, blank=True, validators=[validate_timezone]
    )
    cadence = models.CharField(
        _("preferred meeting cadence"), max_length=20, choices=Cadence.choices, blank=True
    )
    medium = models.CharField(
        _("preferred medium"), max_length=20, choices=Medium.choices, blank=True
    )
    department = models.CharField(
        _("department"),
        max_length=limits.DEPARTMENT_MAX,
        blank=True,
        validators=[validate_one_line],
    )
    career_stage = models.PositiveSmallIntegerField(
        _("career stage"), choices=CareerStage.choices, null=True, blank=True
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    # A colleague of the same cohort the member already trusts; the matching keeps two
    # members together when each names the other and the cohort's rules allow the pair.
    wished_partner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("wished partner"),
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProfileQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user"],
                name="profile_unique",
                violation_error_message=_("This member already has a profile here."),
            ),
            text_length_check(
                model="profile", field="about", limit=limits.ABOUT_MAX, label=_("About me")
            ),
            models.CheckConstraint(
                condition=Q(career_stage__isnull=True)
                | Q(career_stage__gte=CareerStage.EARLY, career_stage__lte=CareerStage.EXPERT),
                name="profile_career_stage_valid",
                violation_error_message=_("Choose a career stage from the list."),
            ),
            models.CheckConstraint(
                condition=Q(role__in=["", *Role.values]),
                name="profile_role_valid",
                violation_error_message=_("Choose a role from the list."),
            ),
            models.CheckConstraint(
                condition=~Q(wished_partner=F("user")),
                name="profile_wished_partner_not_self",
                violation_error_message=_("You can't name yourself as your wished partner."),
            ),
        ]

    def __str__(self):
        return f"{self.user} ({self.organization})"


class Offer(models.Model):
    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="offers")
    tag = models.ForeignKey(Tag, on_delete=models.PROTECT, related_name="offers")
    level = models.PositiveSmallIntegerField(
        _("level"), choices=LEVEL_CHOICES, validators=ONE_TO_FIVE
    )
    note = models.CharField(
        _("note"), max_length=limits.ENTRY_NOTE_MAX, blank=True, validators=[validate_one_line]
    )

    class Meta:
        ordering = ["-level", "tag__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "tag"],
                name="offer_unique",
                violation_error_message=_("Each tag can be listed only once."),
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=5),
                name="offer_level",
                violation_error_message=_("Choose a level from 1 to 5."),
            ),
        ]

    def __str__(self):
        return f"{self.tag} ({self.level})"

    @property
    def level_label(self):
        return LEVEL_LABELS[self.level]


class Need(models.Model):
    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="needs")
    tag = models.ForeignKey(Tag, on_delete=models.PROTECT, related_name="needs")
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=PRIORITY_CHOICES, validators=ONE_TO_FIVE
    )
    note = models.CharField(
        _("note"), max_length=limits.ENTRY_NOTE_MAX, blank=True, validators=[validate_one_line]
    )

    class Meta:
        ordering = ["-priority", "tag__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "tag"],
                name="need_unique",
                violation_error_message=_("Each tag can be listed only once."),
            ),
            models.CheckConstraint(
                condition=Q(priority__gte=1, priority__lte=5),
                name="need_priority",
                violation_error_message=_("Choose a priority from 1 to 5."),
            ),
        ]

    def __str__(self):
        return f"{self.tag} ({self.priority})"

    @property
    def priority_label(self):
        return PRIORITY_LABELS[self.priority]
