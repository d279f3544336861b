from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from oncosite.roles import CLINICAL_EDITORS, CLINICAL_REVIEWERS
from tumours.editorial import ReviewerProfile

USERNAME = "admin"
PASSWORD = "admin"  # noqa: S105 - a local-only login, refused outside the dev settings
# Two clinicians, so that a newcomer can try drafts and approval (four eyes: the editor edits, the reviewer
# approves). Each logs in with its username as password.
CLINICIANS = [
    ("editor", CLINICAL_EDITORS, None),
    ("reviewer", CLINICAL_REVIEWERS, {"display_name": "Dr Dev Reviewer", "role": "Consultant (local demo)"}),
]


class Command(BaseCommand):
    help = "Create local logins: superuser admin/admin, editor/editor and reviewer/reviewer. Dev settings only."

    def handle(self, *args, **options):
        if not getattr(settings, "ALLOW_DEV_ADMIN", False):
            raise CommandError("create_dev_admin only runs with the dev settings (oncosite.settings.dev).")
        User = get_user_model()
        if not User.objects.filter(username=USERNAME).exists():
            User.objects.create_superuser(USERNAME, "admin@oncosite.invalid", PASSWORD)
        for username, group, profile in CLINICIANS:
            if not User.objects.filter(username=username).exists():
                user = User.objects.create_user(username, f"{username}@oncosite.invalid", username, is_staff=True)
                user.groups.add(Group.objects.get(name=group))
                if profile:
                    ReviewerProfile.objects.create(user=user, **profile)
        self.stdout.write(f"Admin: http://127.0.0.1:8000/admin/  user: {USERNAME}  password: {PASSWORD}")
        self.stdout.write("       clinical editor: editor / editor   clinical reviewer: reviewer / reviewer")
