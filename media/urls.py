"""API routes of the media app (metadata), mounted under /api/."""

from django.urls import path

from media.api import metadata

urlpatterns = [
    path("torrents/<int:pk>/media", metadata.TorrentMediaView.as_view(), name="api-media-torrent"),
    path("torrents/<int:pk>/poster", metadata.TorrentPosterView.as_view(), name="api-media-poster"),
    path(
        "torrents/<int:pk>/files/<int:file_id>/poster",
        metadata.FilePosterView.as_view(),
        name="api-media-file-poster",
    ),
]
