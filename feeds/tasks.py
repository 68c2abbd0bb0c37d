"""Thin tasks: beat queues a poll per due feed; a poll takes a feed id and is safe twice."""

from celery import shared_task

from feeds.services.polling import feed_poll, feeds_due_claim
from seedbox.periodic import periodic_run_record
from seedbox.queue import enqueue


@shared_task(ignore_result=True)
def poll_feed(feed_id: int) -> str:
    result = feed_poll(feed_id=feed_id)
    return (
        "skipped" if result is None else f"{result.status}: {result.new} new, {result.taken} taken"
    )


@shared_task(ignore_result=True)
def poll_due_feeds() -> int:
    periodic_run_record(name="feeds")
    due = feeds_due_claim()
    for feed_id in due:
        enqueue("feeds.tasks.poll_feed", feed_id)
    return len(due)
