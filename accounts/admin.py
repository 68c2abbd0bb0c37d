"""Django admin for users: quota, use, trust and confirmation at a glance; quota and trust edited
here. API tokens appear on each user (revocable), never with their keys."""

from allauth.account.models import EmailAddress
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Exists, OuterRef
from django.template.defaultfilters import filesizeformat

from accounts.models import ApiToken, User
from accounts.services.users import CAP_FIELDS, user_change_refusal, user_delete
from torrents.services.throttle import user_throttles_apply


class ConfirmedFilter(admin.SimpleListFilter):
    title = "email confirmed"
    parameter_name = "confirmed"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(email_confirmed=self.value() == "yes")
        return queryset


class ApiTokenInline(admin.TabularInline):
    model = ApiToken
    extra = 0
    fields = ["name", "prefix", "created", "last_used", "expires"]
    readonly_fields = fields
    can_delete = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # a key is shown once to its owner; admins do not make keys for others


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    # Deleting here is the same service as DELETE /api/users/:id: the user's torrents are
    # released (and purged when nobody owns them any more), not left orphaned in rTorrent.
    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and user_change_refusal(user=obj, by=request.user):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and user_change_refusal(user=obj, by=request.user):
            return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj) -> None:
        user_delete(user=obj)

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if change and CAP_FIELDS & set(form.changed_data):
            user_throttles_apply(user=obj)  # rTorrent's groups follow, after the commit

    def delete_queryset(self, request, queryset) -> None:
        for user in queryset:
            if not user_change_refusal(user=user, by=request.user):
                user_delete(user=user)

    ordering = ["email"]
    list_display = [
        "email",
        "confirmed",
        "quota",
        "used",
        "trusted",
        "is_staff",
        "is_active",
        "date_joined",
    ]
    list_filter = [ConfirmedFilter, "is_staff", "is_active", "trusted"]
    list_editable = ["trusted"]
    search_fields = ["email"]
    fieldsets = [
        (None, {"fields": ["email", "password", "avatar"]}),
        ("Seedbox", {"fields": ["quota_bytes", "used_bytes", "trusted"]}),
        ("Speed", {"fields": ["upload_cap_kib", "download_cap_kib"]}),
        ("Seeding rule (the user's own)", {"fields": ["seed_ratio", "seed_hours"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    readonly_fields = ["used_bytes", "last_login", "date_joined"]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    inlines = [ApiTokenInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                email_confirmed=Exists(
                    EmailAddress.objects.filter(
                        user=OuterRef("pk"), email__iexact=OuterRef("email"), verified=True
                    )
                )
            )
        )

    @admin.display(boolean=True, description="confirmed", ordering="email_confirmed")
    def confirmed(self, user: User) -> bool:
        return user.email_confirmed

    @admin.display(description="quota", ordering="quota_bytes")
    def quota(self, user: User) -> str:
        return filesizeformat(user.quota_bytes)

    @admin.display(description="used", ordering="used_bytes")
    def used(self, user: User) -> str:
        return filesizeformat(user.used_bytes)
