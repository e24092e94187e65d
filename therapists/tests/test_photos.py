"""Photos: what an upload must be, what is kept of it, and who may change it."""

import io

import pytest
from django import forms
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import ExifTags, Image

from therapists import photos
from therapists.models import ClinicPhoto, Therapist
from therapists.tests.factories import (
    make_clinic,
    make_image_bytes,
    make_location,
    make_manager,
    make_therapist,
)
from therapists.tests.test_admin import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def cast():
    alpha, bravo = make_clinic("Alpha Physio"), make_clinic("Bravo Chiro")
    ann = make_therapist(first_name="Ann", last_name="Alphason", locations=[make_location(alpha)])
    return alpha, bravo, ann, make_manager("alice", alpha), make_manager("bruno", bravo)


def upload(data: bytes, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def with_gps() -> bytes:
    """A camera photo's bytes, with its maker and where it was taken in the EXIF data."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (49.0, 53.0, 4.0)
    return make_image_bytes((900, 700), exif=exif)


def refusal(data: bytes, name: str = "photo.jpg") -> str:
    with pytest.raises(forms.ValidationError) as refused:
        photos.PhotoField(shape=photos.HEADSHOT).clean(upload(data, name))
    return refused.value.code


def change_url(therapist) -> str:
    return reverse("admin:therapists_therapist_change", args=[therapist.pk])


def post_headshot(client, therapist, data: bytes, alt: str):
    page = client.get(change_url(therapist))
    fields = form_data(page)
    fields.update(upload_photo=upload(data), photo_alt=alt)
    return client.post(change_url(therapist), fields)


# What an upload must be.


def test_a_file_that_is_not_an_image_is_refused_whatever_its_name():
    assert refusal(b"<html><script>alert(1)</script></html>", "photo.jpg") == "not_an_image"


def test_an_image_format_we_do_not_take_is_refused():
    assert refusal(make_image_bytes(image_format="GIF"), "photo.jpg") == "not_an_image"


def test_a_file_cut_short_is_refused():
    assert refusal(make_image_bytes()[:2000]) == "not_an_image"


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(settings):
    settings.PHOTO_MAX_BYTES = 10_000

    assert refusal(make_image_bytes((640, 480)) + b"\0" * 20_000) == "too_large"


def test_a_decompression_bomb_is_refused_from_its_header():
    # 60 megapixels of one colour compress to a few kilobytes.
    buffer = io.BytesIO()
    Image.new("1", (10_000, 6_000)).save(buffer, "PNG")
    assert len(buffer.getvalue()) < 100_000

    assert refusal(buffer.getvalue(), "bomb.png") == "too_many_pixels"


def test_a_photo_too_small_for_the_page_is_refused():
    assert refusal(make_image_bytes((40, 40))) == "too_small"


def test_png_and_webp_are_taken_and_stored_as_jpeg():
    for image_format in ("PNG", "WEBP"):
        image = photos.PhotoField(shape=photos.HEADSHOT).clean(
            upload(make_image_bytes(image_format=image_format))
        )

        name = photos.store(image, photos.HEADSHOT)

        assert name.endswith("-320.jpg")
        with default_storage.open(name) as stored:
            assert Image.open(stored).format == "JPEG"


# What is kept of it.


def test_location_and_camera_data_are_removed_on_upload():
    original = with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)

    image = photos.PhotoField(shape=photos.HEADSHOT).clean(upload(original))
    name = photos.store(image, photos.HEADSHOT)

    for width in photos.HEADSHOT.widths:
        with default_storage.open(photos.rendition_name(name, width)) as stored:
            data = stored.read()
        assert not Image.open(io.BytesIO(data)).getexif()
        assert b"PhoneMaker" not in data and b"Exif" not in data


def test_every_size_the_pages_use_is_made_cropped_to_its_shape():
    for shape in (photos.HEADSHOT, photos.CLINIC_PHOTO):
        image = photos.open_upload(upload(make_image_bytes((1600, 900))))

        name = photos.store(image, shape)

        for width in shape.widths:
            with default_storage.open(photos.rendition_name(name, width)) as stored:
                assert Image.open(stored).size == (width, shape.height(width))


def test_an_img_gets_a_srcset_of_every_size_and_its_display_size():
    picture = photos.picture("photos/headshots/abc-320.jpg", photos.HEADSHOT, 80)

    assert picture.src == "/media/photos/headshots/abc-80.jpg"
    assert picture.srcset == (
        "/media/photos/headshots/abc-80.jpg 80w, /media/photos/headshots/abc-160.jpg 160w, "
        "/media/photos/headshots/abc-320.jpg 320w"
    )
    assert (picture.width, picture.height) == (80, 80)


# In the admin.


def test_a_manager_uploads_a_headshot_and_sees_it_on_the_site_at_once(client, cast):
    alpha, bravo, ann, alice, bruno = cast
    client.force_login(alice)

    response = post_headshot(client, ann, with_gps(), "Ann smiling in the treatment room")

    assert response.status_code == 302
    ann.refresh_from_db()
    assert ann.photo and ann.photo_alt == "Ann smiling in the treatment room"
    for width in photos.HEADSHOT.widths:
        assert default_storage.exists(photos.rendition_name(ann.photo, width))
    small = photos.rendition_name(ann.photo, 80)
    profile = client.get(ann.get_absolute_url()).content.decode()
    assert 'alt="Ann smiling in the treatment room"' in profile
    assert photos.rendition_name(ann.photo, 160) in profile
    results = client.get(reverse("therapists:search")).content.decode()
    assert f'src="/media/{small}"' in results and 'loading="lazy"' in results
    assert 'width="80" height="80"' in results


def test_a_headshot_needs_a_description(client, cast):
    alpha, bravo, ann, alice, bruno = cast
    client.force_login(alice)

    response = post_headshot(client, ann, make_image_bytes(), "  ")

    assert response.status_code == 200
    assert "Describe the photo" in str(response.context["adminform"].form.errors["photo_alt"])
    ann.refresh_from_db()
    assert ann.photo == ""


def test_a_refused_upload_is_explained_on_the_form(client, cast):
    alpha, bravo, ann, alice, bruno = cast
    client.force_login(alice)

    response = post_headshot(client, ann, b"MZ not a photo at all", "Ann")

    assert response.status_code == 200
    assert "JPEG, PNG or WebP" in str(response.context["adminform"].form.errors["upload_photo"])


def test_replacing_a_headshot_removes_the_old_files(client, cast, django_capture_on_commit_callbacks):
    alpha, bravo, ann, alice, bruno = cast
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        post_headshot(client, ann, make_image_bytes(colour="red"), "Ann")
    first = Therapist.objects.get(pk=ann.pk).photo

    with django_capture_on_commit_callbacks(execute=True):
        post_headshot(client, ann, make_image_bytes(colour="blue"), "Ann")

    assert Therapist.objects.get(pk=ann.pk).photo != first
    assert not any(default_storage.exists(photos.rendition_name(first, w)) for w in photos.HEADSHOT.widths)


def test_another_clinics_manager_cannot_touch_the_headshot(client, cast):
    alpha, bravo, ann, alice, bruno = cast
    client.force_login(alice)
    post_headshot(client, ann, make_image_bytes(), "Ann")
    before = Therapist.objects.get(pk=ann.pk).photo
    client.force_login(bruno)

    page = client.get(change_url(ann))
    posted = client.post(
        change_url(ann),
        {
            "first_name": "Ann",
            "last_name": "Alphason",
            "upload_photo": upload(make_image_bytes()),
            "photo_alt": "x",
        },
    )

    assert page.status_code in (302, 403, 404) and posted.status_code in (302, 403, 404)
    assert Therapist.objects.get(pk=ann.pk).photo == before


def test_a_manager_adds_clinic_photos_up_to_four(client, cast):
    alpha, bravo, ann, alice, bruno = cast
    client.force_login(alice)
    url = reverse("admin:therapists_clinic_change", args=[alpha.pk])
    fields = form_data(client.get(url))
    prefix = "photos"
    fields.update(
        {
            f"{prefix}-TOTAL_FORMS": "5",
            **{f"{prefix}-{n}-upload": upload(make_image_bytes((1200, 900))) for n in range(5)},
            **{f"{prefix}-{n}-alt_text": f"Room {n}" for n in range(5)},
            **{f"{prefix}-{n}-position": str(n) for n in range(5)},
        }
    )

    too_many = client.post(url, fields)
    fields[f"{prefix}-TOTAL_FORMS"] = "4"
    fields.update({f"{prefix}-{n}-upload": upload(make_image_bytes((1200, 900))) for n in range(5)})
    four = client.post(url, fields)

    assert too_many.status_code == 200 and four.status_code == 302
    assert list(alpha.photos.values_list("alt_text", flat=True)) == ["Room 0", "Room 1", "Room 2", "Room 3"]
    page = client.get(alpha.get_absolute_url()).content.decode()
    assert 'alt="Room 0"' in page and "960w" in page


def test_a_clinic_photo_needs_a_file_and_a_description(client, cast):
    alpha, bravo, ann, alice, bruno = cast
    client.force_login(alice)
    url = reverse("admin:therapists_clinic_change", args=[alpha.pk])
    fields = form_data(client.get(url))
    fields.update({"photos-TOTAL_FORMS": "1", "photos-0-alt_text": "Front desk", "photos-0-position": "0"})

    response = client.post(url, fields)

    assert response.status_code == 200
    assert not ClinicPhoto.objects.exists()
