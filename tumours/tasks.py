from django_tasks import task

from . import emails, link_checker, services


@task()
def deliver_editorial_email(email_id: int) -> None:
    email = emails.attempt(email_id)
    if email is not None and deliver_editorial_email.get_backend().supports_defer:
        # As for request notifications: the database queue retries after the back-off; in development
        # send_pending_notifications does.
        deliver_editorial_email.using(run_after=email.next_attempt_at).enqueue(email_id)


@task()
def publish_scheduled_changes() -> None:
    services.publish_due_changes()


@task()
def check_links() -> str:
    return str(link_checker.check_links())
