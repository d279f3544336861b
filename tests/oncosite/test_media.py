import pytest

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.SERVE_MEDIA = True
    (tmp_path / "uploads").mkdir()
    return tmp_path / "uploads"


def test_images_are_shown_inline_with_nosniff(client, media):
    (media / "scan.png").write_bytes(PNG)
    response = client.get("/media/uploads/scan.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert not response.get("Content-Disposition", "").startswith("attachment")


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("page.html", b"<script>alert(1)</script>"),
        ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ("report.pdf", b"%PDF-1.4"),
        ("notes.txt", b"hello"),
        ("no-extension", b"<html><script>alert(1)</script>"),
    ],
)
def test_anything_but_an_image_is_a_download(client, media, name, body):
    (media / name).write_bytes(body)
    response = client.get(f"/media/uploads/{name}")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_paths_outside_the_media_folder_are_not_served(client, media, tmp_path):
    (tmp_path.parent / "secret.txt").write_text("secret")
    for url in ("/media/../secret.txt", "/media/uploads/%2e%2e/%2e%2e/secret.txt"):
        response = client.get(url)
        assert response.status_code in (400, 404), url
        assert b"secret" not in response.content


def test_media_are_not_served_by_django_unless_asked(client, media, settings):
    (media / "scan.png").write_bytes(PNG)
    settings.SERVE_MEDIA = False
    assert client.get("/media/uploads/scan.png").status_code == 404
