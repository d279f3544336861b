from django.apps import AppConfig


class TumoursConfig(AppConfig):
    name = "tumours"
    verbose_name = "Tumour pages"

    def ready(self):
        from . import signals

        signals.connect()
