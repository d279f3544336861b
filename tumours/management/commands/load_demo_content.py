from django.core.management.base import BaseCommand

from tumours.demo_content import load_demo_content


class Command(BaseCommand):
    help = "Create or refresh the Oncofocus kit and the published Leiomyosarcoma page. Safe to run again."

    def handle(self, *args, **options):
        tumour = load_demo_content()
        self.stdout.write(self.style.SUCCESS(f"Demo content ready: {tumour.get_absolute_url()}"))
