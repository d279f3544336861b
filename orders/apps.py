from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = "Test requests"

    def ready(self):
        from . import checks, webhooks  # noqa: F401  (register the settings checks)
