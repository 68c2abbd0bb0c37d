"""Avatar re-encoding: by content, size-limited, metadata stripped (real Pillow, real files)."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, PngImagePlugin

from accounts.avatars import AVATAR_SIZE, avatar_reencode


def upload(data: bytes, name: str = "a.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def jpeg_with_exif(size=(800, 600)) -> bytes:
    image = Image.new("RGB", size, (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    exif[0x0131] = "secret-editor"  # Software
    exif[0x0112] = 6  # Orientation: rotate 90° to show upright
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), comment=b"hidden comment")
    return out.getvalue()


def test_jpeg_is_resized_turned_upright_and_stripped_of_exif():
    clean = avatar_reencode(upload(jpeg_with_exif()))

    image = Image.open(io.BytesIO(clean.read()))
    assert image.format == "JPEG"
    assert image.size == (AVATAR_SIZE * 600 // 800, AVATAR_SIZE)  # rotated by its EXIF, resized
    assert not image.getexif()
    assert "comment" not in image.info
    assert "exif" not in image.info
    assert clean.name.endswith(".jpg")


def test_png_text_chunks_and_trailing_data_are_dropped():
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "someone private")
    out = io.BytesIO()
    Image.new("RGBA", (50, 50), (0, 255, 0, 128)).save(out, "PNG", pnginfo=info)
    data = out.getvalue() + b"<?php system($_GET['c']); ?>"

    clean = avatar_reencode(upload(data, "a.png")).read()

    image = Image.open(io.BytesIO(clean))
    assert image.format == "PNG"
    assert image.mode == "RGBA"
    assert image.size == (50, 50)
    assert "Author" not in image.info
    assert b"someone private" not in clean
    assert b"php" not in clean


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "WEBP"])
def test_other_image_formats_are_refused(fmt):
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, fmt)

    with pytest.raises(ValidationError, match="Only PNG and JPEG"):
        avatar_reencode(upload(out.getvalue(), "a.png"))


def test_garbage_with_an_image_name_is_refused():
    with pytest.raises(ValidationError, match="not a readable"):
        avatar_reencode(upload(b"\x89PNG\r\n\x1a\nnot really", "a.png"))


def test_too_many_bytes_is_refused_before_decoding(settings):
    settings.SEEDBOX_AVATAR_MAX_BYTES = 1000

    with pytest.raises(ValidationError, match="larger than 1000 bytes"):
        avatar_reencode(upload(jpeg_with_exif()))


def test_too_many_pixels_is_refused_before_decoding():
    out = io.BytesIO()
    Image.new("1", (8000, 8000)).save(out, "PNG")  # tiny file, 64 megapixels

    with pytest.raises(ValidationError, match="too many pixels"):
        avatar_reencode(upload(out.getvalue(), "a.png"))
