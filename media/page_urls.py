"""The player page, mounted under /media/."""

urlpatterns: list = []
