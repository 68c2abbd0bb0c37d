"""API routes of the torrents app, mounted under /api/."""

from django.urls import path, re_path

from torrents.api import (
    adding,
    control,
    downloads,
    file_priorities,
    labels,
    list_counts,
    moderation,
    stats,
    trackers,
)
from torrents.api import torrents as torrent_views

urlpatterns = [
    re_path(r"^torrents/?$", torrent_views.TorrentListCreateView.as_view(), name="api-torrents"),
    path("torrents/counts", list_counts.TorrentCountsView.as_view(), name="api-torrent-counts"),
    path("torrents/totals", list_counts.TorrentTotalsView.as_view(), name="api-torrent-totals"),
    path("torrents/<int:pk>", control.TorrentView.as_view(), name="api-torrent"),
    path("torrents/check", adding.TorrentCheckView.as_view(), name="api-torrents-check"),
    path("torrents/preview", adding.TorrentPreviewView.as_view(), name="api-torrents-preview"),
    path("torrents/fetches/<int:pk>", adding.TorrentFetchView.as_view(), name="api-torrent-fetch"),
    path(
        "torrents/<int:pk>/torrent",
        torrent_views.TorrentMetainfoView.as_view(),
        name="api-torrent-metainfo",
    ),
    path(
        "torrents/<int:pk>/approve",
        moderation.TorrentApproveView.as_view(),
        name="api-torrent-approve",
    ),
    path(
        "torrents/<int:pk>/reject",
        moderation.TorrentRejectView.as_view(),
        name="api-torrent-reject",
    ),
    # Sync, control and downloads (torrents/api/control.py, downloads.py, stats.py).
    *[
        path(
            f"torrents/<int:pk>/{action}",
            control.TorrentActionView.as_view(action_name=action),
            name=f"api-torrent-{action}",
        )
        for action in ("pause", "resume", "recheck", "reannounce", "repush")
    ],
    path(
        "torrents/<int:pk>/trackers",
        trackers.TorrentTrackersView.as_view(),
        name="api-torrent-trackers",
    ),
    path("torrents/<int:pk>/files", downloads.TorrentFilesView.as_view(), name="api-torrent-files"),
    path(
        "torrents/<int:pk>/files/priorities",
        file_priorities.TorrentFilePrioritiesView.as_view(),
        name="api-torrent-file-priorities",
    ),
    path(
        "torrents/<int:pk>/files/<int:file_id>",
        file_priorities.TorrentFilePriorityView.as_view(),
        name="api-torrent-file-priority",
    ),
    path(
        "torrents/<int:pk>/files/<int:file_id>/download",
        downloads.TorrentFileDownloadView.as_view(),
        name="api-torrent-file-download",
    ),
    path(
        "torrents/<int:pk>/download.zip",
        downloads.TorrentZipView.as_view(),
        name="api-torrent-zip",
    ),
    path("users/<int:pk>/stats", stats.UserStatsView.as_view(), name="api-user-stats"),
    path("server", stats.ServerView.as_view(), name="api-server"),
    path("labels", labels.LabelListView.as_view(), name="api-labels"),
    path("labels/<int:pk>", labels.LabelDetailView.as_view(), name="api-label"),
    path("trackers", trackers.TrackerRuleListView.as_view(), name="api-trackers"),
    path("trackers/<int:pk>", trackers.TrackerRuleDetailView.as_view(), name="api-tracker"),
]
