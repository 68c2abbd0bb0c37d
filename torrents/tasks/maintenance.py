"""Housekeeping on beat: stale temporary uploads (torrents/services/incoming.py)."""

from dataclasses import asdict

from celery import shared_task

from torrents.services.incoming import incoming_clean


@shared_task(ignore_result=True)
def clean_incoming() -> dict:
    return asdict(incoming_clean())
