"""Feeds in the admin: to see what a user's feeds do and stop one. The cookie is not shown, nor
the URL's query (a passkey), nor an item's link (a download link holds the passkey too); changes
go through the services (enabled only)."""

from django.contrib import admin

from feeds.display import url_shown
from feeds.models import Feed, FeedItem
from feeds.services.feeds import feed_update


@admin.register(Feed)
class FeedAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "shown_url", "interval", "enabled", "last_polled_at", "failures"]
    list_filter = ["enabled"]
    search_fields = ["user__email", "title"]
    fields = ["user", "title", "shown_url", "interval", "enabled", "last_polled_at", "last_status",
              "last_items", "last_error", "failures", "next_poll_at"]  # fmt: skip
    readonly_fields = [f for f in fields if f != "enabled"]
    actions = ["disable"]

    @admin.display(description="URL")
    def shown_url(self, feed: Feed) -> str:
        return url_shown(feed.url)

    def has_add_permission(self, request) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        feed_update(feed=Feed.objects.get(pk=obj.pk), enabled=obj.enabled)

    @admin.action(description="Disable the selected feeds")
    def disable(self, request, queryset) -> None:
        for feed in queryset:
            feed_update(feed=feed, enabled=False)


@admin.register(FeedItem)
class FeedItemAdmin(admin.ModelAdmin):
    list_display = ["id", "feed", "title", "state", "seen_at"]
    list_filter = ["state"]
    search_fields = ["title"]
    fields = [
        "feed",
        "title",
        "state",
        "reason",
        "size",
        "info_hash",
        "seen_at",
        "torrent",
        "fetch_shown",
    ]
    readonly_fields = fields

    @admin.display(description="Fetch of the .torrent")
    def fetch_shown(self, item: FeedItem) -> str:
        """The fetch's state and error, not its URL (a tracker's download link holds the same
        passkey as the feed's URL)."""
        if item.fetch is None:
            return "-"
        error = f": {item.fetch.error}" if item.fetch.error else ""
        return f"{item.fetch.get_state_display()}{error}"

    def has_add_permission(self, request) -> bool:
        return False
