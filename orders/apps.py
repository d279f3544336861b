from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = "Test requests"

    def ready(self):
        from . import checks  # noqa: F401  (registers the settings checks)
