"""Contracts in the admin are read-only: every change goes through the services, which check
the workflow, keep the content hash true and write the audit log."""

from django.contrib import admin

from .models import Contract, ContractSection, Goal, Signature


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SectionInline(ReadOnlyMixin, admin.StackedInline):
    model = ContractSection
    fields = ["user", "assets", "needs", "will_help_with"]
    extra = 0


class SignatureInline(ReadOnlyMixin, admin.TabularInline):
    model = Signature
    fields = ["user", "typed_name", "signed_at", "ip", "content_hash", "withdrawn_at"]
    extra = 0


@admin.register(Contract)
class ContractAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["pk", "organization", "cohort", "pair", "version", "status", "signed_at"]
    list_filter = ["status"]
    list_select_related = ["organization", "cohort", "pair"]
    search_fields = ["sections__user__email", "organization__slug"]
    inlines = [SectionInline, SignatureInline]


@admin.register(Goal)
class GoalAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["statement", "horizon", "section"]
    list_select_related = ["section__user"]
