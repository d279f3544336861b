from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

USERNAME = "admin"
PASSWORD = "admin"  # noqa: S105 - a local-only login, refused outside the dev settings


class Command(BaseCommand):
    help = "Create a local superuser admin/admin. Refused unless the dev settings are in use."

    def handle(self, *args, **options):
        if not getattr(settings, "ALLOW_DEV_ADMIN", False):
            raise CommandError("create_dev_admin only runs with the dev settings (oncosite.settings.dev).")
        User = get_user_model()
        if not User.objects.filter(username=USERNAME).exists():
            User.objects.create_superuser(USERNAME, "admin@oncosite.invalid", PASSWORD)
        self.stdout.write(f"Admin: http://127.0.0.1:8000/admin/  user: {USERNAME}  password: {PASSWORD}")
