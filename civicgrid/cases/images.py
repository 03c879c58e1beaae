"""Photos are decoded and written anew before they are stored.

A phone photo carries EXIF metadata — the GPS position of the person who took it, the phone's
make and serial, the time — that must not travel further with the case (PIPL: a reporter's
home, seen by a department handler or published). Re-encoding also drops anything hidden
after the image data and refuses files that only pretend to be images or would unpack to
an enormous bitmap (a decompression bomb).

- The orientation from EXIF is applied to the pixels first, so the photo still stands up.
- JPEG and HEIC/HEIF (iPhones) become JPEG (quality 85); PNG stays PNG, WebP stays WebP,
  GIF keeps its first frame as PNG. No metadata is written.
- More than CIVICGRID_PHOTO_MAX_PIXELS (default 40 megapixels) is refused; a photo longer than
  CIVICGRID_PHOTO_MAX_SIDE pixels (default 4096) on a side is scaled down to it.
"""

from __future__ import annotations

import io
import os
import warnings

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

try:  # HEIC/HEIF decoder (bundles libheif)
    import pillow_heif

    pillow_heif.register_heif_opener()
except ImportError:  # pragma: no cover - the dependency is pinned
    pillow_heif = None

OUTPUT = {  # sniffed type -> (Pillow format, content type, extension)
    "image/jpeg": ("JPEG", "image/jpeg", "jpg"),
    "image/heic": ("JPEG", "image/jpeg", "jpg"),
    "image/png": ("PNG", "image/png", "png"),
    "image/webp": ("WEBP", "image/webp", "webp"),
    "image/gif": ("PNG", "image/png", "png"),
}


class BadImage(ValueError):
    """The file cannot be used as a photo; the message says why (translated)."""


def reencode(upload, sniffed_type: str):
    """A new upload object holding the re-encoded photo, with ``sniffed_type`` set."""
    max_pixels = getattr(settings, "CIVICGRID_PHOTO_MAX_PIXELS", 40_000_000)
    max_side = getattr(settings, "CIVICGRID_PHOTO_MAX_SIDE", 4096)
    fmt, ctype, ext = OUTPUT[sniffed_type]
    name = getattr(upload, "name", "photo") or "photo"
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as im:
                if im.width * im.height > max_pixels:
                    raise BadImage(_("照片「%(name)s」像素过多,无法处理。") % {"name": name})
                im.seek(0)
                im.load()
                im = ImageOps.exif_transpose(im)
                if fmt == "JPEG":
                    im = im.convert("RGB")
                elif im.mode not in ("RGB", "RGBA", "L", "LA"):
                    im = im.convert("RGBA")
                if max(im.size) > max_side:
                    im.thumbnail((max_side, max_side))
                out = io.BytesIO()
                options = {"quality": 85} if fmt in ("JPEG", "WEBP") else {"optimize": True}
                im.save(out, format=fmt, **options)
    except BadImage:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as exc:
        raise BadImage(_("照片「%(name)s」已损坏或无法识别。") % {"name": name}) from exc
    stem = os.path.splitext(os.path.basename(name))[0][:80] or "photo"
    cleaned = SimpleUploadedFile(f"{stem}.{ext}", out.getvalue(), content_type=ctype)
    cleaned.sniffed_type = ctype
    return cleaned
