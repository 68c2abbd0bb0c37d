from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import Count, Q, Sum

from seedbox.sizes import human_size
from torrents.models import Node, Ownership, SeedingFloor, Torrent, TorrentStatus, TrackerRule
from torrents.services.adopt import AdoptError, node_adopt
from torrents.services.control import torrent_remove
from torrents.services.moderation import ModerationError, torrent_approve, torrent_reject
from torrents.services.move import MoveError, torrent_move_enqueue
from torrents.services.placement import nodes_drain
from torrents.services.throttle import node_limits_apply
from torrents.services.tracker_rules import tracker_rule_clean_pattern
from torrents.storage import node_free_bytes


@admin.register(Node)
class NodeAdmin(admin.ModelAdmin):
    """Each node's load (torrents held, their rates), free space, state and last error at a
    glance; drain, adopt and the global limits."""

    list_display = [
        "name",
        "is_up",
        "enabled",
        "accepts_new_torrents",
        "torrent_count",
        "rates",
        "free_space",
        "last_seen_at",
        "error",
        "queue",
        "data_root",
    ]
    list_filter = ["enabled", "accepts_new_torrents", "managed", "is_up"]
    filter_horizontal = ["pinned_users"]
    readonly_fields = ["is_up", "version", "last_seen_at", "last_error", "free_space"]
    actions = ["drain", "undrain", "adopt"]

    def get_queryset(self, request):
        held = ~Q(torrents__status=TorrentStatus.REMOVED)
        return (
            super()
            .get_queryset(request)
            .annotate(
                held=Count("torrents", filter=held),
                up=Sum("torrents__up_rate", filter=held),
                down=Sum("torrents__down_rate", filter=held),
            )
        )

    @admin.display(description="torrents", ordering="held")
    def torrent_count(self, node: Node) -> int:
        return node.held

    @admin.display(description="up / down")
    def rates(self, node: Node) -> str:
        return f"{human_size(node.up or 0)}/s / {human_size(node.down or 0)}/s"

    @admin.display(description="free space")
    def free_space(self, node: Node) -> str:
        free = node_free_bytes(node)
        return "not visible from here" if free is None else human_size(free)

    @admin.display(description="last error")
    def error(self, node: Node) -> str:
        return node.last_error[:120]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "files_url":
            kwargs["assume_scheme"] = "https"  # a node's files are served over https
        return super().formfield_for_dbfield(db_field, request, **kwargs)

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


class TorrentActionForm(ActionForm):
    reason = forms.CharField(required=False, label="Reason (for reject)", max_length=2000)
    node = forms.ModelChoiceField(
        Node.objects.filter(enabled=True), required=False, label="Node (for move)"
    )


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

    list_display = [
        "name",
        "status",
        "size_bytes",
        "node",
        "moving_to",
        "added_by",
        "push_attempts",
        "error",
    ]
    list_filter = ["status", "node", "private"]
    search_fields = ["name", "info_hash"]
    list_select_related = ["node", "moving_to", "added_by"]
    readonly_fields = [
        "info_hash", "size_bytes", "piece_length", "private", "magnet_uri", "node", "status",
        "added_by", "push_attempts", "last_push_at", "last_error", "reviewed_by", "reviewed_at",
        "completed_bytes", "rtorrent_message", "synced_at", "moving_to",
    ]  # fmt: skip
    fields = ["name", "status_message", "file_count", *readonly_fields]
    readonly_fields = ["file_count", *readonly_fields]
    # A torrent can hold 20,000 files: the page shows their number; the API and the torrent
    # page list them.
    inlines = [OwnershipInline]
    action_form = TorrentActionForm
    actions = ["approve", "reject", "remove_for_everyone", "move_to_node"]

    @admin.display(description="last error")
    def error(self, torrent: Torrent) -> str:
        """The start of it (a failed move says why here); the whole on the change page."""
        return torrent.last_error[:100]

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

    @admin.action(description="Move to node… (choose the node: data copied, rechecked, switched)")
    def move_to_node(self, request, queryset):
        target = Node.objects.filter(pk=request.POST.get("node") or None, enabled=True).first()
        if target is None:
            self.message_user(request, "Choose the node to move them to.", messages.ERROR)
            return
        queued = 0
        for torrent in queryset.select_related("node"):
            try:
                torrent_move_enqueue(torrent=torrent, target=target)
                queued += 1
            except MoveError as exc:
                self.message_user(request, f"{torrent.name}: {exc}", messages.WARNING)
        if queued:
            self.message_user(
                request,
                f"{queued} torrent(s) moving to {target.name}: each seeds on its node until the "
                "copy is checked; a failure is shown in its last error.",
                messages.SUCCESS,
            )

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
