"""The staff roles and exactly what each may do. Applied by a migration and kept current after every migrate."""

CLINICAL_EDITORS = "Clinical editors"
CLINICAL_REVIEWERS = "Clinical reviewers"
SALES_TEAM = "Sales team"

# Editors change pages (tumour pages and test kit pages) only through drafts (tumours/services.py), which carry
# the sections and sources: nothing they save reaches the public until a reviewer approves it. Visitors' feedback
# on the pages is theirs to read and close.
EDITOR_TUMOUR_PERMISSIONS = [
    "add_tumour",
    "change_tumour",
    "view_tumour",
    "add_testkit",
    "change_testkit",
    "view_testkit",
    "view_pagefeedback",
    "change_pagefeedback",
]

ROLES = {
    CLINICAL_EDITORS: {"tumours": EDITOR_TUMOUR_PERMISSIONS},
    # Reviewers sign pages off: everything an editor does, plus approving, scheduling and unpublishing drafts.
    CLINICAL_REVIEWERS: {
        "tumours": [*EDITOR_TUMOUR_PERMISSIONS, "publish_tumour", "publish_testkit", "view_oldslug"]
    },
    SALES_TEAM: {
        "orders": ["view_testrequest", "change_testrequest"],
        "tumours": ["view_tumour"],
    },
}  # fmt: skip


def apply_roles(apps) -> None:
    """Give each role group exactly its permissions (apps: a migration's or the live registry)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, perms_by_app in ROLES.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        wanted = Permission.objects.none()
        for app_label, codenames in perms_by_app.items():
            wanted |= Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        group.permissions.set(wanted)


def sync_roles_after_migrate(sender, apps=None, using="default", **kwargs):
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions

    apps = apps or global_apps  # `flush` (and transactional tests) send post_migrate without it

    # post_migrate is sent once per app with models (not for this one): act once, after the last app,
    # when every app's new permissions exist.
    with_models = [config for config in global_apps.get_app_configs() if config.models_module]
    if sender.label != with_models[-1].label:
        return
    try:
        apps.get_model("auth", "Group")
    except LookupError:
        return  # `migrate <app>` for an app that does not need auth: the groups wait for a full migrate
    for app_config in with_models:
        create_permissions(app_config, verbosity=0, using=using, apps=apps)
    apply_roles(apps)
