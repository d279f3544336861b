from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from oncosite import front_cache
from tumours import surrogate_keys
from tumours.cache import drop_public_pages


class Command(BaseCommand):
    help = (
        "Purge the front caches (FRONT_CACHE_PURGE_URLS): the surrogate keys given (e.g. tumour-12 index), or "
        "everything with --all (after a deploy that changes templates). --pending retries the purges that failed "
        "(run it from cron as a safety net)."
    )

    def add_arguments(self, parser):
        parser.add_argument("keys", nargs="*", help="Surrogate keys, e.g. tumour-12 kit-3 index sitemap.")
        parser.add_argument("--all", action="store_true", help="Purge every public page.")
        parser.add_argument("--pending", action="store_true", help="Retry the purges still queued.")
        parser.add_argument("--due", action="store_true", help="With --pending: only those whose back-off passed.")

    def handle(self, *args, keys, all, pending, due, **options):
        if not (keys or all or pending):
            raise CommandError("Name the keys to purge, or give --all or --pending.")
        if keys or all:
            if not settings.FRONT_CACHE_PURGE_URLS:
                raise CommandError("FRONT_CACHE_PURGE_URLS is empty: there is no front cache to purge.")
            # The app's own cached pages first: the front cache fetching them again must get new ones.
            drop_public_pages()
            purges = front_cache.purge([surrogate_keys.ALL] if all else keys)
            for purge in purges:
                purge.refresh_from_db()
                outcome = "done" if purge.state == purge.State.DONE else f"failed ({purge.last_error}), will retry"
                self.stdout.write(f"{front_cache.where(purge.target)}: {' '.join(purge.keys)}: {outcome}")
        if pending:
            done, queued = front_cache.send_pending(due_only=due)
            self.stdout.write(f"{done} front cache purge(s) done, {queued} still queued.")
