import pytest
from django.core.management import CommandError, call_command

from tumours.models import Section, Tumour

pytestmark = pytest.mark.django_db


def test_generates_published_synthetic_tumours_with_eight_sections(demo_tumour, client):
    call_command("generate_synthetic_tumours", "25")
    synthetic = Tumour.objects.filter(slug__startswith="synthetic-")
    assert synthetic.count() == 25
    assert Section.objects.filter(tumour__in=synthetic).count() == 25 * 8
    assert all(t.name.startswith("Synthetic ") and "Synthetic benchmark page" in t.summary for t in synthetic)
    page = client.get(synthetic.first().get_absolute_url())
    assert page.status_code == 200
    assert "Synthetic benchmark page" in page.content.decode()
    # Running again adds more without clashing.
    call_command("generate_synthetic_tumours", "5")
    assert Tumour.objects.filter(slug__startswith="synthetic-").count() == 30


def test_delete_removes_only_synthetic_tumours(demo_tumour):
    call_command("generate_synthetic_tumours", "3")
    call_command("generate_synthetic_tumours", "--delete")
    assert list(Tumour.objects.all()) == [demo_tumour]


def test_a_count_is_required():
    with pytest.raises(CommandError):
        call_command("generate_synthetic_tumours")


def test_refused_on_a_database_with_real_pages(demo_tumour, live):
    with pytest.raises(CommandError, match="real tumour pages"):
        call_command("generate_synthetic_tumours", "3")
    assert not Tumour.objects.filter(slug__startswith="synthetic-").exists()
