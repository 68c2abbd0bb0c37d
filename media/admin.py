"""Media in the admin: read-only views of what was probed and which links exist (keys hidden)."""

from django.contrib import admin

from media.models import MediaFile, MediaTitle


class ReadOnlyAdmin(admin.ModelAdmin):
    """What the metadata task wrote, to read (a new probe is the task's, not a form's)."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(MediaFile)
class MediaFileAdmin(ReadOnlyAdmin):
    list_display = (
        "file", "kind", "duration_seconds", "width", "height", "video_codec", "audio_codec",
        "browser_playable", "hls_mode", "probed_at", "error",
    )  # fmt: skip
    list_filter = ("kind", "browser_playable", "hls_mode")
    search_fields = ("file__path", "title")
    list_select_related = ("file",)
    raw_id_fields = ("file",)


@admin.register(MediaTitle)
class MediaTitleAdmin(ReadOnlyAdmin):
    list_display = ("torrent", "title", "year", "media_type", "source", "tmdb_id", "error")
    list_filter = ("source", "media_type")
    search_fields = ("title", "torrent__name")
    list_select_related = ("torrent",)
    raw_id_fields = ("torrent",)
