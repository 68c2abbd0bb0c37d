"""Thin tasks of the accounts app: beat's weekly summary (accounts/services/weekly_summary.py)."""

from celery import shared_task

from accounts.services.weekly_summary import weekly_summaries_send


@shared_task(ignore_result=True)
def send_weekly_summaries() -> int:
    return weekly_summaries_send()
