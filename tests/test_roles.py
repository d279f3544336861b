from django.contrib.auth.models import Group


def perms(name):
    return set(Group.objects.get(name=name).permissions.values_list("content_type__app_label", "codename"))


def test_clinical_editors_edit_pages_and_see_no_orders(db):
    granted = perms("Clinical editors")
    assert ("tumours", "change_tumour") in granted
    assert ("tumours", "change_section") in granted
    assert not any(app == "orders" for app, _ in granted)
    assert ("tumours", "delete_tumour") not in granted


def test_sales_team_works_requests_and_only_views_tumours(db):
    granted = perms("Sales team")
    assert granted >= {("orders", "view_testrequest"), ("orders", "change_testrequest"), ("tumours", "view_tumour")}
    assert not any(app == "tumours" and not code.startswith("view_") for app, code in granted)
    assert ("orders", "delete_testrequest") not in granted
