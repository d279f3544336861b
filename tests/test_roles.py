from django.contrib.auth.models import Group


def perms(name):
    return set(Group.objects.get(name=name).permissions.values_list("content_type__app_label", "codename"))


def test_clinical_editors_edit_pages_and_see_no_orders(db):
    granted = perms("Clinical editors")
    assert ("tumours", "change_tumour") in granted
    assert not any(app == "orders" for app, _ in granted)
    assert ("tumours", "delete_tumour") not in granted


def test_only_reviewers_approve_pages_of_either_kind(db):
    editors, reviewers = perms("Clinical editors"), perms("Clinical reviewers")
    assert editors < reviewers
    for permission in ["publish_tumour", "publish_testkit"]:
        assert ("tumours", permission) in reviewers - editors
    # Editors draft kit pages as they draft tumour pages: the kit box text changes only by an approval.
    assert {("tumours", "change_testkit"), ("tumours", "add_testkit")} <= editors
    # Sections and sources change only inside a page's draft: nobody edits the live rows.
    for group in (editors, reviewers):
        assert not {code for app, code in group if code.endswith(("_section", "_source", "_kitsection"))}


def test_sales_team_works_requests_and_only_views_tumours(db):
    granted = perms("Sales team")
    assert granted >= {("orders", "view_testrequest"), ("orders", "change_testrequest"), ("tumours", "view_tumour")}
    assert not any(app == "tumours" and not code.startswith("view_") for app, code in granted)
    assert ("orders", "delete_testrequest") not in granted
