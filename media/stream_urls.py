"""Streams, HLS playlists, segments and subtitles, mounted under /api/."""

from django.urls import path, re_path

from media.api.streams import (
    HlsPlaylistView,
    HlsSegmentView,
    PlaybackView,
    StreamView,
    SubtitleView,
)

_FILE = "torrents/<int:pk>/files/<int:file_id>"

urlpatterns = [
    path(f"{_FILE}/playback", PlaybackView.as_view(), name="api-media-playback"),
    path(f"{_FILE}/stream", StreamView.as_view(), name="api-media-stream"),
    path(f"{_FILE}/hls/index.m3u8", HlsPlaylistView.as_view(), name="api-media-hls"),
    re_path(
        r"^torrents/(?P<pk>[0-9]+)/files/(?P<file_id>[0-9]+)/hls/(?P<encode_id>[0-9]{1,18})/"
        r"(?P<segment>seg[0-9]{5,6}-[1-9][0-9]{0,11}\.ts)$",  # index, microseconds
        HlsSegmentView.as_view(),
        name="api-media-hls-segment",
    ),
    path(f"{_FILE}/subtitles/<str:sub_id>.vtt", SubtitleView.as_view(), name="api-media-subtitle"),
]
