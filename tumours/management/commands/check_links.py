from django.core.management.base import BaseCommand

from tumours.link_checker import check_links


class Command(BaseCommand):
    help = (
        "Check every source address and every link in the live pages' text. A link failing on two different "
        "days is marked broken, one that redirects permanently is marked moved; Admin → Tumours → Link problems "
        "lists them. Run daily from cron (or as the task tumours.tasks.check_links)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue", action="store_true", help="Queue the check for the task worker instead of running it here."
        )

    def handle(self, *args, **options):
        if options["enqueue"]:
            from tumours.tasks import check_links as task

            result = task.enqueue()
            self.stdout.write(f"Link check queued ({result.id}).")
            return
        self.stdout.write(str(check_links()))
