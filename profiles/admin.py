from django.contrib import admin

from accounts.dates import DateWindowAdminMixin

from .models import Need, Offer, Profile, Tag


@admin.register(Tag)
class TagAdmin(DateWindowAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "organization", "retired_at", "merged_into"]
    list_filter = ["kind"]
    search_fields = ["name"]
    list_select_related = ["organization", "merged_into"]
    raw_id_fields = ["organization", "merged_into", "created_by"]


class OfferInline(admin.TabularInline):
    model = Offer
    raw_id_fields = ["tag"]
    extra = 0


class NeedInline(admin.TabularInline):
    model = Need
    raw_id_fields = ["tag"]
    extra = 0


@admin.register(Profile)
class ProfileAdmin(DateWindowAdminMixin, admin.ModelAdmin):
    list_display = ["user", "organization", "department", "timezone", "updated_at"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "department"]
    list_select_related = ["user", "organization"]
    raw_id_fields = ["user", "organization"]
    inlines = [OfferInline, NeedInline]
