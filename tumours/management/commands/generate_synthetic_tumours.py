from django.core.management.base import BaseCommand, CommandError

from tumours.synthetic import RealSiteError, delete_synthetic_tumours, generate_synthetic_tumours


class Command(BaseCommand):
    help = (
        "Benchmarks only: create N SYNTHETIC published tumours (slugs synthetic-NNNNN, 8 sections each). "
        "Refused on a database with real pages; --delete removes them again."
    )

    def add_arguments(self, parser):
        parser.add_argument("count", type=int, nargs="?", default=0, help="How many synthetic tumours to add.")
        parser.add_argument("--delete", action="store_true", help="Remove every synthetic tumour instead.")

    def handle(self, *args, count, delete, **options):
        if delete:
            deleted = delete_synthetic_tumours()
            self.stdout.write(f"Deleted {deleted} synthetic rows.")
            return
        if count <= 0:
            raise CommandError("Give the number of synthetic tumours to create, e.g. 10000.")
        try:
            generate_synthetic_tumours(count=count)
        except RealSiteError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Created {count} synthetic tumours with 8 sections each."))
