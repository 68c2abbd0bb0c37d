from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm

from torrents.models import Node, Ownership, SeedingFloor, Torrent, TrackerRule
from torrents.services.adopt import AdoptError, node_adopt
from torrents.services.control import torrent_remove
from torrents.services.moderation import ModerationError, torrent_approve, torrent_reject
from torrents.services.placement import nodes_drain
from torrents.services.throttle import node_limits_apply
from torrents.services.tracker_rules import tracker_rule_clean_pattern


@admin.register(Node)
class NodeAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "rpc_url",
        "data_root",
        "enabled",
        "accepts_new_torrents",
        "managed",
        "upload_limit_kib",
        "download_limit_kib",
    ]
    list_filter = ["enabled", "accepts_new_torrents", "managed"]
    filter_horizontal = ["pinned_users"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "files_url":
            kwargs["assume_scheme"] = "https"  # a node's files are served over https
        return super().formfield_for_dbfield(db_field, request, **kwargs)
    actions = ["drain", "undrain", "adopt"]

    @admin.action(description="Adopt the torrents its rTorrent already has, for me")
    def adopt(self, request, queryset) -> None:
        for node in queryset:
            try:
                report = node_adopt(node=node, owner=request.user)
            except AdoptError as exc:
                self.message_user(request, str(exc), level=messages.ERROR)
                continue
            summary = (
                f"{node.name}: {len(report.adopted)} adopted, {len(report.skipped)} already "
                f"here, {len(report.refused)} refused"
            )
            refused = "; ".join(f"{name}: {why}" for name, why in report.refused[:10])
            level = messages.WARNING if report.refused else messages.SUCCESS
            self.message_user(request, f"{summary}. {refused}".strip(". "), level=level)

    @admin.action(description="Drain: take no new torrents (keep syncing and seeding)")
    def drain(self, request, queryset) -> None:
        nodes_drain(nodes=queryset, draining=True)

    @admin.action(description="Take new torrents again")
    def undrain(self, request, queryset) -> None:
        nodes_drain(nodes=queryset, draining=False)

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        node_limits_apply(node=obj)  # the global limits reach rTorrent after the commit


@admin.register(SeedingFloor)
class SeedingFloorAdmin(admin.ModelAdmin):
    """One row: what every torrent seeds at least before an owner's rule may stop it."""

    list_display = ["__str__", "min_ratio", "min_hours"]

    def has_add_permission(self, request) -> bool:
        return not SeedingFloor.objects.exists()


class ModerationActionForm(ActionForm):
    reason = forms.CharField(required=False, label="Reason (for reject)", max_length=2000)


class OwnershipInline(admin.TabularInline):
    model = Ownership
    extra = 0
    fields = [
        "user",
        "charged_bytes",
        "created_at",
        "upload_limit_kib",
        "download_limit_kib",
        "seed_ratio",
        "seed_hours",
    ]
    readonly_fields = fields
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


@admin.register(Torrent)
class TorrentAdmin(admin.ModelAdmin):
    """Moderation and inspection: approve and reject call the same services as the API."""

    list_display = ["name", "status", "size_bytes", "node", "added_by", "push_attempts"]
    list_filter = ["status", "node", "private"]
    search_fields = ["name", "info_hash"]
    list_select_related = ["node", "added_by"]
    readonly_fields = [
        "info_hash", "size_bytes", "piece_length", "private", "magnet_uri", "node", "status",
        "added_by", "push_attempts", "last_push_at", "last_error", "reviewed_by", "reviewed_at",
        "completed_bytes", "rtorrent_message", "synced_at",
    ]  # fmt: skip
    fields = ["name", "status_message", "file_count", *readonly_fields]
    readonly_fields = ["file_count", *readonly_fields]
    # A torrent can hold 20,000 files: the page shows their number; the API and the torrent
    # page list them.
    inlines = [OwnershipInline]
    action_form = ModerationActionForm
    actions = ["approve", "reject", "remove_for_everyone"]

    @admin.display(description="files")
    def file_count(self, torrent: Torrent) -> int:
        return torrent.files.count()

    def has_delete_permission(self, request, obj=None) -> bool:
        # Deleting the row would skip the quota release, rTorrent and the data on disk: the
        # "remove" action goes through the same service as DELETE /api/torrents/:id.
        return False

    @admin.action(description="Remove selected torrents for every owner (erase, delete data)")
    def remove_for_everyone(self, request, queryset):
        removed = 0
        for torrent in queryset.defer("metainfo"):
            torrent_remove(torrent=torrent, by=request.user, everyone=True)
            removed += 1
        self.message_user(request, f"{removed} torrent(s) removed.", messages.SUCCESS)

    @admin.action(description="Approve selected torrents")
    def approve(self, request, queryset):
        self._decide(request, queryset, lambda t: torrent_approve(torrent=t, by=request.user))

    @admin.action(description="Reject selected torrents (give a reason)")
    def reject(self, request, queryset):
        reason = request.POST.get("reason", "").strip()
        if not reason:
            self.message_user(request, "Give a reason: the owners read it.", messages.ERROR)
            return
        self._decide(
            request, queryset, lambda t: torrent_reject(torrent=t, by=request.user, reason=reason)
        )

    def _decide(self, request, queryset, decide) -> None:
        done = 0
        for torrent in queryset:
            try:
                decide(torrent)
                done += 1
            except ModerationError as exc:
                self.message_user(request, str(exc), messages.WARNING)
        self.message_user(request, f"{done} torrent(s) done.", messages.SUCCESS)


class TrackerRuleForm(forms.ModelForm):
    class Meta:
        model = TrackerRule
        fields = ["pattern", "action", "note"]

    def clean_pattern(self) -> str:
        return tracker_rule_clean_pattern(self.cleaned_data["pattern"])


@admin.register(TrackerRule)
class TrackerRuleAdmin(admin.ModelAdmin):
    form = TrackerRuleForm
    list_display = ["pattern", "action", "note", "created_at"]
    list_filter = ["action"]
    search_fields = ["pattern", "note"]
