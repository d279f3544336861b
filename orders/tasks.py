from django_tasks import task

from .notifications import attempt


@task()
def deliver_notification(notification_id: int) -> None:
    notification = attempt(notification_id)
    if notification is not None and deliver_notification.get_backend().supports_defer:
        # The database queue retries after the back-off; the immediate backend (development) cannot wait, so
        # there send_pending_notifications retries.
        deliver_notification.using(run_after=notification.next_attempt_at).enqueue(notification_id)
