"""Images uploaded from the markdown editor: decoded to prove what they are, re-encoded clean, renamed."""

import io
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_MB = 5
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1024 * 1024
MAX_MEGAPIXELS = 40  # a file of the largest size that decodes to more is a decompression bomb, not a figure
MAX_PIXELS = MAX_MEGAPIXELS * 1_000_000
TOO_LARGE = f"This image is larger than {MAX_UPLOAD_MB} MB. Save it smaller and upload it again."
ALLOWED_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}
REFUSED = "Upload a PNG, JPEG or WebP image. Other files, including SVG, are not accepted."


class ImageRejected(Exception):
    pass


def _decode(data: bytes) -> Image.Image:
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()  # catches truncated and corrupt files before a full decode
        image = Image.open(io.BytesIO(data))
        if image.format not in ALLOWED_FORMATS:
            raise ImageRejected(REFUSED)
        if image.width * image.height > MAX_PIXELS:
            raise ImageRejected(f"This image has too many pixels. Resize it to at most {MAX_MEGAPIXELS} megapixels.")
        image.load()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError) as error:
        raise ImageRejected(REFUSED) from error
    return image


def _clean_copy(image: Image.Image) -> Image.Image:
    # Turn the photo upright, then copy only the pixels: EXIF, GPS, XMP, ICC and text chunks stay behind.
    upright = ImageOps.exif_transpose(image)
    mode = upright.mode if upright.mode in ("RGB", "RGBA", "L", "LA") else "RGBA"
    if image.format == "JPEG":
        mode = "L" if upright.mode == "L" else "RGB"
    pixels = upright.convert(mode)
    return Image.frombytes(mode, pixels.size, pixels.tobytes())


def store_uploaded_image(*, upload: UploadedFile) -> str:
    """Save a safe copy of the upload and return its public URL. Raises ImageRejected with a message for editors."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise ImageRejected(TOO_LARGE)
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImageRejected(TOO_LARGE)
    image = _decode(data)
    image_format = image.format
    output = io.BytesIO()
    _clean_copy(image).save(output, format=image_format, **({"quality": 90} if image_format != "PNG" else {}))
    name = f"{settings.MARKDOWNX_MEDIA_PATH}{uuid.uuid4().hex}.{ALLOWED_FORMATS[image_format]}"
    stored = default_storage.save(name, ContentFile(output.getvalue()))
    return default_storage.url(stored)
