"""Photos lose their metadata (the GPS position of whoever took them) before they are stored."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from civicgrid.cases.forms import PhotosField
from civicgrid.cases.images import BadImage, reencode

GPS_IFD = 0x8825


def _jpeg_with_gps(orientation: int | None = None, size=(40, 20)) -> bytes:
    im = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0131] = "Camera 1.0"  # Software
    exif[GPS_IFD] = {1: "N", 2: (23.0, 5.0, 30.0), 3: "E", 4: (114.0, 17.0, 10.0)}
    if orientation:
        exif[0x0112] = orientation
    out = io.BytesIO()
    im.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def _upload(data: bytes, name="p.jpg"):
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def test_fixture_really_has_gps():
    with Image.open(io.BytesIO(_jpeg_with_gps())) as im:
        assert im.getexif().get_ifd(GPS_IFD)


def test_jpeg_metadata_is_dropped():
    cleaned = reencode(_upload(_jpeg_with_gps()), "image/jpeg")
    data = cleaned.read()
    assert b"PhoneMaker" not in data
    with Image.open(io.BytesIO(data)) as im:
        assert im.format == "JPEG"
        exif = im.getexif()
        assert not exif.get_ifd(GPS_IFD)
        assert 0x010F not in exif
        assert im.size == (40, 20)
    assert cleaned.sniffed_type == "image/jpeg"
    assert cleaned.name == "p.jpg"


def test_orientation_is_applied_to_the_pixels():
    # Orientation 6: the camera was turned; viewers rotate 90°. After cleaning the pixels are
    # rotated and no tag is needed.
    cleaned = reencode(_upload(_jpeg_with_gps(orientation=6)), "image/jpeg")
    with Image.open(cleaned) as im:
        assert im.size == (20, 40)
        assert 0x0112 not in im.getexif()


def test_png_text_chunks_and_trailing_bytes_are_dropped():
    im = Image.new("RGBA", (8, 8), (0, 0, 255, 128))
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "家庭住址 东门路1号")
    out = io.BytesIO()
    im.save(out, format="PNG", pnginfo=info)
    data = out.getvalue() + b"<?php hidden ?>"
    cleaned = reencode(SimpleUploadedFile("x.png", data), "image/png").read()
    assert "东门路".encode() not in cleaned and b"hidden" not in cleaned
    with Image.open(io.BytesIO(cleaned)) as back:
        assert back.format == "PNG" and back.mode == "RGBA"


def test_heic_becomes_jpeg():
    im = Image.new("RGB", (32, 16), "green")
    out = io.BytesIO()
    im.save(out, format="HEIF")
    cleaned = reencode(SimpleUploadedFile("IMG_0001.HEIC", out.getvalue()), "image/heic")
    assert cleaned.sniffed_type == "image/jpeg" and cleaned.name == "IMG_0001.jpg"
    with Image.open(cleaned) as back:
        assert back.format == "JPEG" and back.size == (32, 16)


def test_large_photos_are_scaled_down(settings):
    settings.CIVICGRID_PHOTO_MAX_SIDE = 100
    cleaned = reencode(_upload(_jpeg_with_gps(size=(400, 200))), "image/jpeg")
    with Image.open(cleaned) as im:
        assert im.size == (100, 50)


def test_too_many_pixels_refused(settings):
    settings.CIVICGRID_PHOTO_MAX_PIXELS = 500
    with pytest.raises(BadImage, match="像素过多"):
        reencode(_upload(_jpeg_with_gps(size=(40, 20))), "image/jpeg")


def test_a_fake_image_is_refused_by_the_form():
    fake = SimpleUploadedFile("evil.jpg", b"\xff\xd8\xff\xe0" + b"not really a jpeg" * 10)
    from django import forms

    with pytest.raises(forms.ValidationError) as info:
        PhotosField(required=False).clean([fake])
    assert "已损坏或无法识别" in str(info.value)


def test_form_returns_clean_files():
    [cleaned] = PhotosField(required=False).clean([_upload(_jpeg_with_gps())])
    assert b"PhoneMaker" not in cleaned.read()
    assert cleaned.sniffed_type == "image/jpeg"
