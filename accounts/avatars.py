"""Avatar images: checked by content (not by name), re-encoded, metadata stripped.

Re-encoding from the decoded pixels drops EXIF (GPS position, camera serial), ICC and text chunks,
and whatever a crafted file hid after its image data.
"""

import io
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

from seedbox.sizes import human_size

AVATAR_SIZE = 256  # pixels, longest side
MAX_PIXELS = 40_000_000  # refuse larger images before decoding them (decompression bombs)
_FORMATS = {"PNG": ("png", "PNG"), "JPEG": ("jpg", "JPEG")}


def avatar_reencode(upload) -> ContentFile:
    """A clean PNG or JPEG at most AVATAR_SIZE wide and high, or ValidationError saying why not."""
    if upload.size > settings.SEEDBOX_AVATAR_MAX_BYTES:
        raise ValidationError(
            f"The image is larger than {human_size(settings.SEEDBOX_AVATAR_MAX_BYTES)}.",
            code="too_large",
        )
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            if image.format not in _FORMATS:
                raise ValidationError("Only PNG and JPEG images are accepted.", code="format")
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError("The image has too many pixels.", code="too_large")
            extension, encoder = _FORMATS[image.format]
            image = ImageOps.exif_transpose(image)  # keep it upright once EXIF is gone
            image.thumbnail((AVATAR_SIZE, AVATAR_SIZE))
            mode = "RGBA" if encoder == "PNG" else "RGB"
            clean = Image.new(mode, image.size)
            clean.paste(image.convert(mode))
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError) as exc:
        raise ValidationError("This is not a readable PNG or JPEG image.", code="invalid") from exc
    out = io.BytesIO()
    if encoder == "JPEG":
        clean.save(out, "JPEG", quality=88, optimize=True)
    else:
        clean.save(out, "PNG", optimize=True)
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.{extension}")
