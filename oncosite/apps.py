from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OncositeConfig(AppConfig):
    name = "oncosite"
    verbose_name = "Oncosite"

    def ready(self):
        from . import checks  # noqa: F401  (registers the deployment checks)
        from .roles import sync_roles_after_migrate

        # Keeps the role groups' permissions current as models and permissions are added. It is sent once
        # per app with models: listen to all, and act after the last one.
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="oncosite.sync_roles")
