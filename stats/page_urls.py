"""The statistics pages, mounted at /stats/."""

from django.urls import path

from stats.views import pages

urlpatterns = [
    path("", pages.mine, name="stats-mine"),
    path("<slug:table>.csv", pages.mine_csv, name="stats-mine-csv"),
    path("staff/", pages.staff, name="stats-staff"),
    path("staff/<slug:table>.csv", pages.staff_csv, name="stats-staff-csv"),
]
