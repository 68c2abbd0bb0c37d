"""API routes of the media app (metadata), mounted under /api/."""

urlpatterns: list = []
