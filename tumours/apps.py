from django.apps import AppConfig


class TumoursConfig(AppConfig):
    name = "tumours"
    verbose_name = "Tumour pages"
