"""Streams, HLS playlists, segments and subtitles, mounted under /api/."""

urlpatterns: list = []
