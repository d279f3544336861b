"""Images from the markdown editor: only real PNG, JPEG and WebP, cleaned, renamed, staff only."""

import io
import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

UPLOAD_URL = "/admin/markdownx/upload/"
AJAX = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}


def image_bytes(fmt: str, size=(8, 6), **save_kwargs) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 60)).save(buffer, format=fmt, **save_kwargs)
    return buffer.getvalue()


def exif_with_gps() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0131] = "SecretEditor 1.0"  # Software
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}  # GPS: where the photo was taken
    return exif


def upload(client, name: str, data: bytes, content_type: str = "image/png"):
    return client.post(UPLOAD_URL, {"image": SimpleUploadedFile(name, data, content_type=content_type)}, **AJAX)


def stored_file(response) -> Image.Image:
    code = response.json()["image_code"]
    url = re.fullmatch(r"!\[\]\((.+)\)", code).group(1)
    assert url.startswith(settings.MEDIA_URL if settings.MEDIA_URL.startswith("/") else "/" + settings.MEDIA_URL)
    relative = url.split(settings.MEDIA_URL.strip("/") + "/", 1)[1]
    return Image.open(settings.MEDIA_ROOT / relative)


@pytest.mark.parametrize(("fmt", "ext"), [("PNG", "png"), ("JPEG", "jpg"), ("WEBP", "webp")])
def test_each_allowed_format_is_stored_under_a_server_chosen_name(editor_client, fmt, ext):
    response = upload(editor_client, f"../../my photo.{ext}", image_bytes(fmt))
    assert response.status_code == 200
    stored = stored_file(response)
    assert stored.format == fmt
    assert stored.size == (8, 6)
    name = response.json()["image_code"].rsplit("/", 1)[1].rstrip(")")
    assert re.fullmatch(rf"[0-9a-f]{{32}}\.{ext}", name)


def test_png_named_jpg_is_judged_by_its_content(editor_client):
    response = upload(editor_client, "figure.jpg", image_bytes("PNG"), content_type="image/jpeg")
    assert response.status_code == 200
    assert response.json()["image_code"].endswith(".png)")
    assert stored_file(response).format == "PNG"


def test_svg_is_refused_with_a_clear_message(editor_client):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><rect width="5" height="5"/></svg>'
    response = upload(editor_client, "diagram.svg", svg, content_type="image/svg+xml")
    assert response.status_code == 400
    message = "Upload a PNG, JPEG or WebP image. Other files, including SVG, are not accepted."
    assert response.json() == {"image": [message]}


def test_text_renamed_png_is_refused(editor_client):
    response = upload(editor_client, "notes.png", b"just some text, not an image\n" * 10)
    assert response.status_code == 400
    assert "PNG, JPEG or WebP" in response.json()["image"][0]


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF"])
def test_other_real_image_formats_are_refused(editor_client, fmt):
    response = upload(editor_client, f"image.{fmt.lower()}", image_bytes(fmt))
    assert response.status_code == 400


def test_truncated_png_is_refused(editor_client):
    data = image_bytes("PNG", size=(64, 64))
    assert upload(editor_client, "broken.png", data[: len(data) // 2]).status_code == 400


def test_exif_and_gps_are_gone_after_upload(editor_client):
    original = image_bytes("JPEG", exif=exif_with_gps())
    assert Image.open(io.BytesIO(original)).getexif().get(0x0131) == "SecretEditor 1.0"  # the test's premise
    response = upload(editor_client, "photo.jpg", original, content_type="image/jpeg")
    assert response.status_code == 200
    stored = stored_file(response)
    assert len(stored.getexif()) == 0
    assert "exif" not in stored.info
    with open(stored.filename, "rb") as stored_bytes:
        raw = stored_bytes.read()
    assert b"SecretEditor" not in raw and b"PhoneMaker" not in raw


def test_png_text_chunks_are_dropped(editor_client):
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Private Person")
    response = upload(editor_client, "chart.png", image_bytes("PNG", pnginfo=info))
    stored = stored_file(response)
    assert "Author" not in stored.info


def test_files_over_5_mb_are_refused(editor_client):
    big = image_bytes("PNG") + b"\0" * (5 * 1024 * 1024)
    response = upload(editor_client, "huge.png", big)
    assert response.status_code == 400
    assert "larger than 5 MB" in response.json()["image"][0]


def test_too_many_pixels_is_refused_before_decoding(editor_client, monkeypatch):
    # The real cap is 40 megapixels; a small cap keeps the test fast and proves the check runs.
    monkeypatch.setattr("tumours.images.MAX_PIXELS", 50 * 50)
    response = upload(editor_client, "bomb.png", image_bytes("PNG", size=(60, 60)))
    assert response.status_code == 400
    assert "too many pixels" in response.json()["image"][0]
    assert upload(editor_client, "fine.png", image_bytes("PNG", size=(40, 40))).status_code == 200


def test_missing_file_is_a_clear_400(editor_client):
    response = editor_client.post(UPLOAD_URL, {}, **AJAX)
    assert response.status_code == 400
    assert response.json() == {"image": ["Choose an image to upload."]}


def test_anonymous_and_non_staff_cannot_upload(client, db):
    from tests.factories import UserFactory

    assert upload(client, "a.png", image_bytes("PNG")).status_code == 403
    client.force_login(UserFactory(username="visitor", is_staff=False))
    assert upload(client, "a.png", image_bytes("PNG")).status_code == 403
