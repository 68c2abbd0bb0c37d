"""The statistics pages: /stats/ (the user's own) and /stats/staff/ (404 for anyone not staff),
each table also as CSV (/stats/<table>.csv, /stats/staff/<table>.csv) with the same query."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.views.decorators.http import require_safe

from accounts.traffic_chart import period_chart, traffic_chart
from stats.periods import PERIODS, BadPeriod, period_parse, window_days
from stats.selectors import user_totals
from stats.services.exports import table_csv_export
from stats.staff_selectors import active_users, node_traffic_hours, window_start
from stats.tables import staff_tables, user_tables

# How a chart's dates are written under its axis, per period.
LABEL_FORMATS = {"day": "j M", "week": "j M", "month": "M Y"}


def _user_tables(request: HttpRequest):
    period, count = period_parse(name=request.GET.get("period"), count=request.GET.get("count"))
    return period, user_tables(user=request.user, period=period, count=count)


@login_required
@require_safe
def mine(request: HttpRequest) -> HttpResponse:
    try:
        period, tables = _user_tables(request)
    except BadPeriod as exc:
        return HttpResponseBadRequest(str(exc))
    traffic = tables["traffic"]
    chart = period_chart(periods=[(row[0], row[1], row[2]) for row in traffic.rows])
    return render(
        request,
        "stats/mine.html",
        {
            "totals": user_totals(user=request.user),
            "period": period,
            "periods": list(PERIODS),
            "chart": chart,
            "label_format": LABEL_FORMATS[period.name],
            "tables": tables,
            "query": request.GET.urlencode(),
        },
    )


@login_required
@require_safe
def mine_csv(request: HttpRequest, table: str) -> HttpResponse:
    try:
        _, tables = _user_tables(request)
    except BadPeriod as exc:
        return HttpResponseBadRequest(str(exc))
    if table not in tables:
        raise Http404
    return table_csv_export(table=tables[table], prefix="my-stats")


def _staff_tables(request: HttpRequest):
    if not request.user.is_staff:
        raise Http404
    days = window_days(request.GET.get("days"))
    first_days, since = window_start(days=days)
    return days, since, staff_tables(first_days=first_days, since=since)


@login_required
@require_safe
def staff(request: HttpRequest) -> HttpResponse:
    try:
        days, since, tables = _staff_tables(request)
    except BadPeriod as exc:
        return HttpResponseBadRequest(str(exc))
    return render(
        request,
        "stats/staff.html",
        {
            "days": days,
            "chart": traffic_chart(series=node_traffic_hours(since=since), days=days),
            "label_format": LABEL_FORMATS["day"],
            "users": active_users(since=since),
            "tables": tables,
            "query": request.GET.urlencode(),
        },
    )


@login_required
@require_safe
def staff_csv(request: HttpRequest, table: str) -> HttpResponse:
    try:
        _, _, tables = _staff_tables(request)
    except BadPeriod as exc:
        return HttpResponseBadRequest(str(exc))
    if table not in tables:
        raise Http404
    return table_csv_export(table=tables[table], prefix="seedbox-stats")
