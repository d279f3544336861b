import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from tumours.editorial import ReviewerProfile


def test_dev_logins_let_a_newcomer_try_both_sides_of_four_eyes(db, settings, capsys):
    settings.ALLOW_DEV_ADMIN = True
    call_command("create_dev_admin")
    call_command("create_dev_admin")  # again: nothing new
    output = capsys.readouterr().out
    assert "user: admin  password: admin" in output and "editor / editor" in output
    users = get_user_model().objects
    editor, reviewer = users.get(username="editor"), users.get(username="reviewer")
    assert editor.check_password("editor") and reviewer.check_password("reviewer") and editor.is_staff
    assert editor.has_perm("tumours.change_tumour") and not editor.has_perm("tumours.publish_tumour")
    assert reviewer.has_perm("tumours.publish_tumour")
    assert ReviewerProfile.objects.get().user == reviewer


def test_refused_outside_the_dev_settings(db, settings):
    settings.ALLOW_DEV_ADMIN = False
    with pytest.raises(CommandError):
        call_command("create_dev_admin")
