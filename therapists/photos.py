"""Photos a clinic uploads: therapists' headshots and a few pictures of the clinic.

An upload is trusted for nothing. Its real type is read by Pillow from its content
(the file name and the browser's content type are ignored), it may weigh at most
`PHOTO_MAX_BYTES` and hold at most `PHOTO_MAX_PIXELS` (a small file that decodes to
gigapixels is a decompression bomb). It is then decoded once, turned upright, cropped
to the shape the pages show and re-encoded as JPEG in each size the pages use: the
original bytes, with their EXIF data (GPS position, camera serial), are never stored.

Pillow directly rather than django-imagekit or easy-thumbnails: the pages need three
fixed sizes per kind, made once at upload, and those libraries' lazy generation,
cache backends and template tags would be more to run than these few functions.

A photo is stored as its largest rendition ("photos/headshots/3f9c…-320.jpg"); the
smaller ones sit beside it under the same name with their width
("…-160.jpg", "…-80.jpg"), so pages build every URL from the one stored name.
"""

import io
import secrets
from dataclasses import dataclass
from pathlib import PurePosixPath

from django import forms
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
JPEG_QUALITY = 82


@dataclass(frozen=True)
class Shape:
    """The renditions of one kind of photo: widths in pixels (largest last) and aspect (width / height)."""

    folder: str
    widths: tuple[int, ...]
    aspect: float

    def height(self, width: int) -> int:
        return round(width / self.aspect)


# A card shows a headshot 80 px wide, a profile 160 px: each at 1x and 2x.
HEADSHOT = Shape("photos/headshots", (80, 160, 320), 1.0)
# A clinic photo is 4:3, up to 480 px wide on a card-sized tile and 960 px at 2x.
CLINIC_PHOTO = Shape("photos/clinics", (480, 960), 4 / 3)

NOT_AN_IMAGE = _("Upload a photo in JPEG, PNG or WebP format. This file is not one.")
TOO_LARGE = _("This photo is %(size)s MB; the limit is %(limit)s MB. Upload a smaller copy.")
TOO_MANY_PIXELS = _(
    "This photo is %(width)s × %(height)s pixels; the limit is %(limit)s megapixels. Upload a smaller copy."
)
TOO_SMALL = _("This photo is %(width)s × %(height)s pixels; upload one at least %(minimum)s pixels wide.")


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f}".removesuffix(".0")


def open_upload(upload) -> Image.Image:
    """The upload decoded into pixels, upright, after every check; raises ValidationError."""
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    if size > settings.PHOTO_MAX_BYTES:
        raise forms.ValidationError(
            TOO_LARGE,
            code="too_large",
            params={"size": _megabytes(size), "limit": _megabytes(settings.PHOTO_MAX_BYTES)},
        )
    upload.seek(0)
    try:
        # Opening reads the header only: the format and the pixel size are known before decoding.
        with Image.open(upload, formats=sorted(ACCEPTED_FORMATS)) as probe:
            width, height = probe.size
            if width * height > settings.PHOTO_MAX_PIXELS:
                raise forms.ValidationError(
                    TOO_MANY_PIXELS,
                    code="too_many_pixels",
                    params={
                        "width": width,
                        "height": height,
                        "limit": f"{settings.PHOTO_MAX_PIXELS / 1_000_000:g}",
                    },
                )
            probe.verify()
        upload.seek(0)
        image = Image.open(upload, formats=sorted(ACCEPTED_FORMATS))
        image.load()
    except forms.ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise forms.ValidationError(NOT_AN_IMAGE, code="too_many_pixels") from None
    except (OSError, SyntaxError, ValueError, Image.UnidentifiedImageError, EOFError):
        raise forms.ValidationError(NOT_AN_IMAGE, code="not_an_image") from None
    return ImageOps.exif_transpose(image)


def renditions(image: Image.Image, shape: Shape) -> dict[int, bytes]:
    """JPEG bytes for each width of `shape`, cropped to its aspect around the centre.

    Re-encoding from pixels carries no metadata across: EXIF, GPS and comments stay behind.
    """
    check_width(image, shape)
    if image.mode != "RGB":
        background = Image.new("RGB", image.size, "white")  # transparent areas on white
        rgba = image.convert("RGBA")
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    largest = shape.widths[-1]
    cropped = ImageOps.fit(image, (largest, shape.height(largest)), Image.Resampling.LANCZOS)
    made = {}
    for width in shape.widths:
        rendition = (
            cropped if width == largest else cropped.resize((width, shape.height(width)), Image.LANCZOS)
        )
        buffer = io.BytesIO()
        rendition.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        made[width] = buffer.getvalue()
    return made


def check_width(image: Image.Image, shape: Shape) -> None:
    """Refuse a photo narrower than the smallest rendition (it would be blown up)."""
    if image.width < shape.widths[0]:
        raise forms.ValidationError(
            TOO_SMALL,
            code="too_small",
            params={"width": image.width, "height": image.height, "minimum": shape.widths[0]},
        )


def rendition_name(name: str, width: int) -> str:
    """The stored name of one rendition, from the photo's stored name (its largest)."""
    path = PurePosixPath(name)
    stem = path.stem.rsplit("-", 1)[0]
    return str(path.with_name(f"{stem}-{width}{path.suffix}"))


def store(image: Image.Image, shape: Shape, storage=None) -> str:
    """Save every rendition of `image` under a new random name; returns the stored name."""
    return store_as(image, shape, f"{shape.folder}/{secrets.token_hex(12)}-{shape.widths[-1]}.jpg", storage)


def store_as(image: Image.Image, shape: Shape, name: str, storage=None) -> str:
    """Save every rendition of `image` as the stored name `name` (e.g. a demo photo's)."""
    storage = storage or default_storage
    for width, data in renditions(image, shape).items():
        path = rendition_name(name, width)
        storage.delete(path)  # the same name again: replace it rather than save beside it
        storage.save(path, ContentFile(data))
    return name


def delete(name: str, shape: Shape, storage=None) -> None:
    """Remove every rendition of a stored photo (when it is replaced or removed)."""
    storage = storage or default_storage
    if name:
        for width in shape.widths:
            storage.delete(rendition_name(name, width))


@dataclass(frozen=True)
class Picture:
    """What an `<img>` needs: the fallback source, a srcset and the intrinsic size."""

    src: str
    srcset: str
    width: int
    height: int


def renditions_of(name: str, shape: Shape, storage=None) -> list[dict]:
    """Every stored rendition of a photo: url, width and height (pixels), smallest first."""
    storage = storage or default_storage
    if not name:
        return []
    return [
        {"url": storage.url(rendition_name(name, width)), "width": width, "height": shape.height(width)}
        for width in shape.widths
    ]


def picture(name: str, shape: Shape, display_width: int, storage=None) -> Picture | None:
    """The `<img>` attributes for a stored photo shown `display_width` CSS pixels wide."""
    if not name:
        return None
    storage = storage or default_storage
    urls = {width: storage.url(rendition_name(name, width)) for width in shape.widths}
    fallback = min((w for w in shape.widths if w >= display_width), default=shape.widths[-1])
    return Picture(
        src=urls[fallback],
        srcset=", ".join(f"{url} {width}w" for width, url in urls.items()),
        width=display_width,
        height=shape.height(display_width),
    )


def _upload_help() -> str:
    # Read when the form is shown: in the reader's language, with the limit in force then.
    return _("JPEG, PNG or WebP, up to %(limit)s MB. Location data and other camera details are removed.") % {
        "limit": _megabytes(settings.PHOTO_MAX_BYTES)
    }


class PhotoField(forms.FileField):
    """A photo upload in a form: checked and decoded in `clean`, stored by `store`.

    Its cleaned value is the decoded image (a PIL Image), or None when nothing was
    uploaded; `apply` stores it.
    """

    widget = forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})

    def __init__(self, *args, shape: Shape, **kwargs):
        self.shape = shape
        kwargs.setdefault("help_text", lazy(_upload_help, str)())
        super().__init__(*args, **kwargs)

    def to_python(self, data):
        upload = super().to_python(data)
        if upload is None:
            return None
        image = open_upload(upload)
        check_width(image, self.shape)
        return image


def apply(instance, shape: Shape, image: Image.Image | None, remove: bool = False) -> None:
    """Put a new photo (or none) on `instance.photo` before it is saved; the renditions
    it replaces are deleted once the change is committed."""
    if image is None and not remove:
        return
    old = instance.photo
    instance.photo = store(image, shape) if image is not None else ""
    if old:
        transaction.on_commit(lambda: delete(old, shape))
