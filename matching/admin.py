from django.contrib import admin

from accounts.dates import DateWindowAdminMixin

from .models import (
    MatchRun,
    MatchSettings,
    Pair,
    PairMember,
    PairRule,
    PartnerRequest,
    UnmatchedMember,
)


@admin.register(MatchSettings)
class MatchSettingsAdmin(DateWindowAdminMixin, admin.ModelAdmin):
    list_display = [
        "cohort",
        "share_language",
        "different_department",
        "exclude_previous_partners",
        "allow_requests",
    ]
    list_select_related = ["cohort"]


@admin.register(PairRule)
class PairRuleAdmin(DateWindowAdminMixin, admin.ModelAdmin):
    list_display = ["cohort", "kind", "user_a", "user_b", "reason", "created_by", "created_at"]
    list_select_related = ["cohort", "user_a", "user_b", "created_by"]
    raw_id_fields = ["cohort", "user_a", "user_b", "created_by"]


class UnmatchedMemberInline(admin.TabularInline):
    model = UnmatchedMember
    raw_id_fields = ["user"]
    extra = 0


@admin.register(MatchRun)
class MatchRunAdmin(DateWindowAdminMixin, admin.ModelAdmin):
    list_display = [
        "cohort",
        "status",
        "scope",
        "progress",
        "created_at",
        "finished_at",
        "started_by",
    ]
    list_filter = ["status", "scope"]
    list_select_related = ["cohort", "started_by"]
    raw_id_fields = ["organization", "cohort", "started_by"]
    inlines = [UnmatchedMemberInline]


class PairMemberInline(admin.TabularInline):
    model = PairMember
    raw_id_fields = ["user"]
    extra = 0


@admin.register(Pair)
class PairAdmin(DateWindowAdminMixin, admin.ModelAdmin):
    list_display = ["pk", "cohort", "status", "origin", "score", "locked", "created_at"]
    list_filter = ["status", "origin", "locked"]
    list_select_related = ["cohort"]
    raw_id_fields = ["organization", "cohort", "run"]
    inlines = [PairMemberInline]


@admin.register(PartnerRequest)
class PartnerRequestAdmin(DateWindowAdminMixin, admin.ModelAdmin):
    list_display = ["cohort", "from_user", "to_user", "status", "created_at", "answered_at"]
    list_filter = ["status"]
    list_select_related = ["cohort", "from_user", "to_user"]
    raw_id_fields = ["cohort", "from_user", "to_user"]
