"""The staff roles and exactly what each may do. Applied by a migration and kept current after every migrate."""

CLINICAL_EDITORS = "Clinical editors"
SALES_TEAM = "Sales team"

ROLES = {
    CLINICAL_EDITORS: {
        "tumours": [
            "add_tumour", "change_tumour", "view_tumour",
            "add_section", "change_section", "view_section", "delete_section",
            "add_testkit", "change_testkit", "view_testkit",
            "add_source", "change_source", "view_source", "delete_source",
        ],
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


def sync_roles_after_migrate(sender, apps, **kwargs):
    apply_roles(apps)
