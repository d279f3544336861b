from django_tasks import task

from . import webhooks
from .notifications import attempt


@task()
def deliver_notification(notification_id: int) -> None:
    notification = attempt(notification_id)
    if notification is not None and deliver_notification.get_backend().supports_defer:
        # The database queue retries after the back-off; the immediate backend (development) cannot wait, so
        # there send_pending_notifications retries.
        deliver_notification.using(run_after=notification.next_attempt_at).enqueue(notification_id)


@task()
def deliver_webhook(delivery_id: int) -> None:
    delivery = webhooks.attempt(delivery_id)
    if delivery is not None and deliver_webhook.get_backend().supports_defer:
        # As for e-mails: the database queue retries after the back-off; send_pending_webhooks is the safety net.
        deliver_webhook.using(run_after=delivery.next_attempt_at).enqueue(delivery_id)
