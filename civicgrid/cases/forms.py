from __future__ import annotations

import uuid

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .choices import HandlingMode, Rating, Source
from .images import BadImage, reencode
from .models import MatterItem

# Channels a staff member may record a case from (the portal and imports set theirs).
STAFF_SOURCES = ("patrol", "hotline", "visit", "meeting", "leader_visit", "gig_worker")

MAX_PHOTOS = 6
_IMAGE_SIGNATURES = {
    b"\xff\xd8\xff": "image/jpeg",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"RIFF": "image/webp",
    b"GIF8": "image/gif",
}


def sniff_image(head: bytes) -> str | None:
    for sig, ctype in _IMAGE_SIGNATURES.items():
        if head.startswith(sig):
            if ctype == "image/webp" and head[8:12] != b"WEBP":
                return None
            return ctype
    # HEIC/HEIF from phones: ISO BMFF 'ftyp' box with a HEIF brand.
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"hevc"):
        return "image/heic"
    return None


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    widget = MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"})

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(_("最多上传 %(n)d 张照片。") % {"n": MAX_PHOTOS})
        limit = getattr(settings, "CIVICGRID_PHOTO_MAX_BYTES", 10 * 1024 * 1024)
        cleaned = []
        for f in files:
            if f.size > limit:
                raise forms.ValidationError(
                    _("照片「%(name)s」超过 %(mb)d MB。")
                    % {"name": f.name, "mb": limit // (1024 * 1024)}
                )
            head = f.read(16)
            f.seek(0)
            ctype = sniff_image(head)
            if ctype is None:
                raise forms.ValidationError(
                    _("「%(name)s」不是图片(只接受 JPEG、PNG、WebP、GIF、HEIC)。")
                    % {"name": f.name}
                )
            try:
                cleaned.append(reencode(f, ctype))
            except BadImage as e:
                raise forms.ValidationError(str(e)) from e
        return cleaned


class CaseCreateForm(forms.Form):
    item = forms.ModelChoiceField(
        queryset=MatterItem.objects.filter(active=True).select_related("group"),
        label=_("事项类别"),
        error_messages={"required": _("请选择事项类别。"), "invalid_choice": _("未知的事项类别。")},
    )
    text = forms.CharField(
        label=_("情况描述"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        error_messages={
            "required": _("请填写情况描述。"),
            "max_length": _("情况描述不能超过 4000 字。"),
        },
    )
    address = forms.CharField(label=_("地点描述"), max_length=200, required=False)
    lon = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    grid = forms.IntegerField(required=False, widget=forms.HiddenInput)
    photos = PhotosField(label=_("现场照片"), required=False)
    quick = forms.BooleanField(
        label=_("当场办结(三个第一)"),
        required=False,
        help_text=_("能当场解决的社区级小事:登记、处置、上报一次完成。"),
    )
    quick_note = forms.CharField(label=_("处置情况"), required=False, max_length=2000)
    source = forms.ChoiceField(
        label=_("来源"),
        required=False,
        choices=[(v, label) for v, label in Source.choices if v in STAFF_SOURCES],
    )
    reporter_name = forms.CharField(label=_("诉求人"), max_length=50, required=False)
    reporter_phone = forms.CharField(label=_("诉求人电话"), max_length=20, required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)

    def clean_reporter_phone(self):
        value = self.cleaned_data.get("reporter_phone", "")
        if not value:
            return ""
        from django.core.exceptions import ValidationError

        from civicgrid.core.validators import validate_contact_phone

        try:
            return validate_contact_phone(value)
        except ValidationError as e:
            raise forms.ValidationError(e.messages)

    def clean(self):
        data = super().clean()
        if data.get("quick") and not (data.get("quick_note") or "").strip():
            self.add_error("quick_note", _("当场办结须填写处置情况。"))
        return data


class TransitionForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("说明"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
    rating = forms.ChoiceField(
        label=_("评价"),
        required=False,
        choices=[("", "—")] + [c for c in Rating.choices if c[0] != Rating.NONE],
    )
    to_unit = forms.IntegerField(required=False)
    to_area = forms.IntegerField(required=False)
    mode = forms.ChoiceField(required=False, choices=[("", "—"), *HandlingMode.choices])
    merged_into = forms.CharField(required=False, max_length=20)
    photos = PhotosField(label=_("照片"), required=False)
