from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .dates import DateWindowAdminMixin
from .models import (
    AuditEvent,
    Cohort,
    Enrolment,
    Invitation,
    Membership,
    Organization,
    Program,
    User,
)


@admin.register(User)
class UserAdmin(DateWindowAdminMixin, BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Personal info", {"fields": ["first_name", "last_name"]}),
        (
            "Permissions",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Important dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


class MembershipInline(admin.TabularInline):
    model = Membership
    raw_id_fields = ["user"]
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(DateWindowAdminMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    inlines = [MembershipInline]


@admin.register(Program)
class ProgramAdmin(DateWindowAdminMixin, admin.ModelAdmin):
    list_display = ["name", "organization"]
    list_select_related = ["organization"]


@admin.register(Cohort)
class CohortAdmin(DateWindowAdminMixin, admin.ModelAdmin):
    list_display = ["name", "program", "organization", "status", "starts_on", "ends_on"]
    list_filter = ["status"]
    list_select_related = ["program", "organization"]


@admin.register(Enrolment)
class EnrolmentAdmin(DateWindowAdminMixin, admin.ModelAdmin):
    list_display = ["user", "cohort", "joined_at"]
    raw_id_fields = ["user", "cohort"]
    list_select_related = ["user", "cohort"]


@admin.register(Invitation)
class InvitationAdmin(DateWindowAdminMixin, admin.ModelAdmin):
    list_display = ["email", "cohort", "sent_at", "accepted_at", "revoked_at"]
    raw_id_fields = ["cohort", "invited_by", "accepted_by"]
    exclude = ["key"]
    list_select_related = ["cohort"]


@admin.register(AuditEvent)
class AuditEventAdmin(DateWindowAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "organization", "actor", "action"]
    list_filter = ["action"]
    list_select_related = ["organization", "actor"]
    readonly_fields = ["organization", "actor", "action", "data", "created_at"]
