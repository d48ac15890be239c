import functools
import zoneinfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.formsets import BoundedFormSet, bounded_formset_factory
from accounts.validators import TextRulesMixin
from accounts.widgets import Select

from . import limits, selectors
from .models import LEVEL_CHOICES, PRIORITY_CHOICES, CareerStage, Profile, Role, Tag
from .services import normalize_languages

MAX_ENTRIES = 30
TAG_OPTIONS_ID = "tag-options"


@functools.cache
def timezone_choices() -> list[tuple[str, str]]:
    zones = sorted(zoneinfo.available_timezones())
    return [(zone, zone.replace("_", " ")) for zone in zones]


def tag_input(**attrs):
    attrs = {
        "list": TAG_OPTIONS_ID,
        "autocomplete": "off",
        "maxlength": limits.TAG_NAME_MAX,
        **attrs,
    }
    return forms.TextInput(attrs=attrs)


class ProfileForm(TextRulesMixin, forms.ModelForm):
    """The member's own fields. The department is absent on purpose: coordinators set it."""

    languages = forms.CharField(
        label=_("Languages"),
        max_length=limits.LANGUAGES_INPUT_MAX,
        required=False,
        help_text=_("Separate them with commas, e.g. English, Danish. Codes such as en, da work."),
    )
    timezone = forms.ChoiceField(label=_("Time zone"), required=False, widget=Select)
    wished_partner = forms.EmailField(
        label=_("A colleague you would like as your partner (optional)"),
        required=False,
        max_length=254,
        help_text=_(
            "Their email address; they must be in your cohort. When you name each other, "
            "the matching keeps you together if the cohort's rules allow it."
        ),
        widget=forms.EmailInput(attrs={"list": "cohort-mates", "autocomplete": "off"}),
    )

    class Meta:
        model = Profile
        fields = ["goal", "career_stage", "role", "about", "cadence", "medium"]
        widgets = {
            "about": forms.Textarea(attrs={"rows": 4}),
            "career_stage": Select,
            "role": Select,
            "cadence": Select,
            "medium": Select,
        }
        help_texts = {
            "goal": _(
                "Start here: one sentence your partner will understand, e.g. “Lead my first "
                "team of five with confidence”. Your profile is complete only with it, and it "
                "becomes your one-year goal in your contract."
            ),
            "career_stage": _("Partners are peers: the matching pairs members at similar stages."),
            "role": _("Members in similar roles face similar challenges."),
            "about": _("Your background, what you enjoy, what a partner should know."),
        }

    field_order = [
        "goal",
        "career_stage",
        "role",
        "about",
        "languages",
        "timezone",
        "cadence",
        "medium",
        "wished_partner",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["timezone"].choices = [("", _("Choose your time zone")), *timezone_choices()]
        self.fields["cadence"].choices = [("", _("No preference")), *Profile.Cadence.choices]
        self.fields["medium"].choices = [("", _("No preference")), *Profile.Medium.choices]
        self.fields["career_stage"].choices = [
            ("", _("Choose your career stage")),
            *CareerStage.choices,
        ]
        self.fields["role"].choices = [("", _("Choose your role")), *Role.choices]
        self.initial.setdefault("languages", ", ".join(self.instance.languages or []))
        self.initial.setdefault("timezone", self.instance.timezone)
        wished = self.instance.wished_partner if self.instance.wished_partner_id else None
        self.initial.setdefault("wished_partner", wished.email if wished else "")

    def clean_languages(self):
        raw = self.cleaned_data["languages"].replace(";", ",").split(",")
        return normalize_languages(raw)


class _EntryForm(TextRulesMixin, forms.Form):
    tag = forms.CharField(label=_("Tag"), max_length=limits.TAG_NAME_MAX, widget=tag_input())
    kind = forms.ChoiceField(
        label=_("Kind, if new"),
        choices=Tag.Kind.choices,
        initial=Tag.Kind.SKILL,
        required=False,
        widget=Select,
    )
    note = forms.CharField(label=_("Note"), max_length=limits.ENTRY_NOTE_MAX, required=False)

    def clean_tag(self):
        return " ".join(self.cleaned_data["tag"].split())


class OfferForm(_EntryForm):
    level = forms.TypedChoiceField(
        label=_("Level"),
        choices=LEVEL_CHOICES,
        coerce=int,
        initial=3,
        widget=Select,
    )
    field_order = ["tag", "level", "kind", "note"]


class NeedForm(_EntryForm):
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        choices=PRIORITY_CHOICES,
        coerce=int,
        initial=3,
        widget=Select,
    )
    field_order = ["tag", "priority", "kind", "note"]


class BaseEntryFormSet(BoundedFormSet):
    """Offers (or needs) of one profile: one row per tag, tags chosen or typed by name.

    Checks what a form can see before saving: a tag listed twice (including two names of one
    merged tag) and retired tags that the profile did not have already.
    """

    def __init__(self, *args, organization, kept_tag_ids=(), **kwargs):
        self.organization = organization
        self.kept_tag_ids = set(kept_tag_ids)
        super().__init__(*args, **kwargs)

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["DELETE"].label = _("Remove")
        form.fields["DELETE"].widget.attrs["class"] = "form-check-input"

    def _kept_forms(self):
        for form in self.forms:
            if form.cleaned_data and not self._should_delete_form(form):
                yield form

    def clean(self):
        if any(self.errors):
            return
        forms_ = list(self._kept_forms())
        tags = selectors.tags_by_name(
            organization=self.organization, names=[f.cleaned_data["tag"] for f in forms_]
        )
        seen, duplicates = {}, []
        for form in forms_:
            name = form.cleaned_data["tag"]
            tag = tags.get(name.lower())
            if tag is not None and tag.retired_at and tag.pk not in self.kept_tag_ids:
                form.add_error(
                    "tag", _("“%(name)s” has been retired; choose another tag.") % {"name": name}
                )
                continue
            key = tag.pk if tag is not None else name.lower()
            if key in seen:
                shown = tag.name if tag is not None else name
                form.add_error("tag", _("“%(name)s” is already in this list.") % {"name": shown})
                duplicates.append(shown)
            seen[key] = form
        if duplicates:
            raise ValidationError(
                _("Each tag can be listed only once; remove the repeated %(names)s.")
                % {"names": ", ".join(f"“{name}”" for name in duplicates)}
            )

    def entries(self, value_field: str) -> list[dict]:
        return [
            {
                "tag": form.cleaned_data["tag"],
                "kind": form.cleaned_data.get("kind") or Tag.Kind.SKILL,
                value_field: form.cleaned_data[value_field],
                "note": form.cleaned_data.get("note", ""),
            }
            for form in self._kept_forms()
        ]


def _formset(form):
    return bounded_formset_factory(
        form, formset=BaseEntryFormSet, extra=1, can_delete=True, max_num=MAX_ENTRIES
    )


OfferFormSet = _formset(OfferForm)
NeedFormSet = _formset(NeedForm)


class ProfileEditForms:
    """The profile edit page's three forms, validated and read together."""

    def __init__(self, data=None, *, profile: Profile):
        # A profile not saved yet (never started) has no rows.
        offers = list(profile.offers.select_related("tag")) if profile.pk else []
        needs = list(profile.needs.select_related("tag")) if profile.pk else []
        kept = {row.tag_id for row in offers + needs}
        self.profile = ProfileForm(data, instance=profile)
        self.offers = OfferFormSet(
            data,
            prefix="offers",
            organization=profile.organization,
            kept_tag_ids=kept,
            initial=[
                {"tag": o.tag.name, "kind": o.tag.kind, "level": o.level, "note": o.note}
                for o in offers
            ],
        )
        self.needs = NeedFormSet(
            data,
            prefix="needs",
            organization=profile.organization,
            kept_tag_ids=kept,
            initial=[
                {"tag": n.tag.name, "kind": n.tag.kind, "priority": n.priority, "note": n.note}
                for n in needs
            ],
        )

    def is_valid(self) -> bool:
        return all([self.profile.is_valid(), self.offers.is_valid(), self.needs.is_valid()])

    def service_kwargs(self) -> dict:
        data = self.profile.cleaned_data
        return {
            "about": data["about"],
            "goal": data["goal"],
            "languages": data["languages"],
            "timezone": data["timezone"],
            "cadence": data["cadence"],
            "medium": data["medium"],
            "career_stage": data["career_stage"],
            "role": data["role"],
            "wished_partner_email": data["wished_partner"],
            "offers": self.offers.entries("level"),
            "needs": self.needs.entries("priority"),
        }

    def add_error(self, error: ValidationError) -> None:
        """Show a service's ValidationError next to what it concerns."""
        if not hasattr(error, "error_dict"):
            self.profile.add_error(None, error)
            return
        for field, errors in error.error_dict.items():
            if field == "offers":
                self.offers.non_form_errors().extend(errors)
            elif field == "needs":
                self.needs.non_form_errors().extend(errors)
            else:
                self.profile.add_error(field if field in self.profile.fields else None, errors)


class DepartmentForm(TextRulesMixin, forms.Form):
    department = forms.CharField(
        label=_("Department"), max_length=limits.DEPARTMENT_MAX, required=False
    )


class TagForm(TextRulesMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=limits.TAG_NAME_MAX)
    kind = forms.ChoiceField(label=_("Kind"), choices=Tag.Kind.choices, initial=Tag.Kind.SKILL)


class TagFilterForm(TextRulesMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=limits.TAG_NAME_MAX)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *Tag.Kind.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All")),
            ("active", _("In use")),
            ("retired", _("Retired")),
            ("merged", _("Merged")),
        ],
    )

    def filters(self) -> dict[str, str]:
        if not self.is_valid():
            return {"kind": "", "status": "", "search": ""}
        data = self.cleaned_data
        return {"kind": data["kind"], "status": data["status"], "search": data["q"]}


class TagMergeForm(forms.Form):
    target = forms.ModelChoiceField(
        label=_("Merge into"),
        queryset=Tag.objects.none(),
        empty_label=_("Choose the tag to keep"),
    )

    def __init__(self, *args, source: Tag, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = selectors.tag_merge_targets(source=source)


class CohortProfileFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("", _("Everyone")), ("complete", _("Complete")), ("incomplete", _("Incomplete"))],
    )

    def status_value(self) -> str:
        return self.cleaned_data["status"] if self.is_valid() else ""
