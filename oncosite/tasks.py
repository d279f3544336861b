from django_tasks import task

from . import front_cache


@task()
def purge_front_cache(purge_id: int) -> None:
    purge = front_cache.attempt(purge_id)
    if purge is not None and purge_front_cache.get_backend().supports_defer:
        # As for e-mails: the database queue retries after the back-off; `purge_front_cache --pending` is the
        # safety net (and the only retry with the immediate backend).
        purge_front_cache.using(run_after=purge.next_attempt_at).enqueue(purge_id)
