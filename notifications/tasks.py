"""Thin tasks: one per delivery (queued when its event is handled), and the sweep beat runs for
retries, lost tasks and claims of workers that died."""

from celery import shared_task

from notifications.services.deliveries import deliveries_due, delivery_send
from notifications.services.pruning import notifications_prune


@shared_task(acks_late=True, ignore_result=True)
def deliver(delivery_id: int) -> str:
    return delivery_send(delivery_id=delivery_id)


@shared_task(ignore_result=True)
def sweep_deliveries() -> int:
    due = deliveries_due()
    for delivery_id in due:
        delivery_send(delivery_id=delivery_id)
    notifications_prune()
    return len(due)
