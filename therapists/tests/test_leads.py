import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from therapists import leads
from therapists.forms import started_token
from therapists.models import BodyArea, ConsultRequest
from therapists.tests.factories import make_clinic, make_location, make_therapist, make_user

pytestmark = pytest.mark.django_db


class FailingEmailBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


@pytest.fixture(autouse=True)
def fresh_rate_limits(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clinic():
    return make_clinic(
        "Forks Physio", slug="forks-physio", email="desk@forks.example", phone="(204) 555-0100"
    )


@pytest.fixture
def therapist(clinic):
    return make_therapist(
        first_name="Dana", last_name="Reyes", slug="dana-reyes", locations=[make_location(clinic)]
    )


def form_data(**overrides):
    data = {
        "name": "Sam Patient",
        "email": "Sam.Patient@Example.com",
        "phone": "(204) 555-0199",
        "area": "back",
        "meeting": "phone",
        "preferred_times": "weekday mornings",
        "message": "Knot under my left shoulder blade for a week.",
        "consent": "yes",
        "started": started_token(time.time() - 60),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def send(client, therapist, **overrides):
    """Post the form as the profile renders it: a therapist's only location comes as a hidden value."""
    locations = list(therapist.locations.all())
    if "location" not in overrides and len(locations) == 1:
        overrides["location"] = str(locations[0].pk)
    url = reverse("therapists:therapist-consult", args=[therapist.slug])
    return client.post(url, form_data(**overrides), REMOTE_ADDR=overrides.pop("ip", "203.0.113.5"))


def test_a_patient_can_book_a_free_consult_and_the_clinic_is_emailed(client, therapist, clinic):
    response = send(client, therapist)

    consult = ConsultRequest.objects.get()
    assert response.status_code == 302
    assert (consult.clinic, consult.therapist, consult.status) == (clinic, therapist, "new")
    assert (consult.name, consult.email, consult.phone) == (
        "Sam Patient",
        "sam.patient@example.com",
        "+12045550199",
    )
    assert consult.consent_at is not None and consult.consent_version == leads.CONSENT_VERSION
    assert "Forks Physio and Dana Reyes" in consult.consent_text
    assert consult.marketing_consent is False
    assert consult.notified_at is not None
    assert [message.to for message in mail.outbox] == [["desk@forks.example"]]


def test_the_confirmation_page_says_what_happens_next(client, therapist):
    response = client.get(send(client, therapist).url)

    assert response.status_code == 200
    assert b"What happens next" in response.content
    assert b"Forks Physio" in response.content and b"call you back" in response.content
    assert b"Sam Patient" not in response.content  # nothing personal in a reopenable URL


@pytest.mark.parametrize("ref", ["", "garbage", "1", "x" * 5000])
def test_a_forged_or_broken_confirmation_link_answers_not_found(client, ref):
    response = client.get(reverse("therapists:consult-sent"), {"ref": ref})

    assert response.status_code == 404
    assert b"expired" in response.content


def test_the_form_shows_the_exact_consent_text_unticked(client, therapist):
    response = client.get(reverse("therapists:therapist-consult", args=[therapist.slug]))

    content = response.content.decode()
    assert leads.consent_text(therapist.locations.get().clinic, therapist) in content
    assert 'name="consent"' in content and "checked" not in content


@pytest.mark.parametrize("value", [None, "", "0", "off", "false", "no", "on", "1 ", "YES"])
def test_consent_counts_only_when_the_box_was_really_ticked(client, therapist, value):
    response = send(client, therapist, consent=value)

    assert response.status_code == 200
    assert b"only send your request if you agree" in response.content
    assert not ConsultRequest.objects.exists()


def test_the_marketing_choice_is_recorded_only_when_ticked(client, therapist):
    send(client, therapist, marketing="yes")
    send(client, therapist, email="other@example.com", marketing="1")

    assert dict(ConsultRequest.objects.values_list("email", "marketing_consent")) == {
        "sam.patient@example.com": True,
        "other@example.com": False,
    }


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "This field is required"),
        ("name", "12345", "Enter your name"),
        ("name", "Sam\x00Patient", "Null characters are not allowed"),
        ("name", "S" * 121, "at most 120 characters"),
        ("email", "not-an-email", "Enter a valid email address"),
        ("email", "sam@", "Enter a valid email address"),
        ("phone", "12345", "Canadian or US phone number"),
        ("phone", "555-0199", "Canadian or US phone number"),
        ("phone", "+44 20 7946 0958", "Canadian or US phone number"),
        ("phone", "204-555-01999", "Canadian or US phone number"),
        ("phone", "☎☎☎", "Canadian or US phone number"),
        ("area", "head", "Select a valid choice"),
        ("area", "", "This field is required"),
        ("meeting", "fax", "Select a valid choice"),
        ("preferred_times", "", "This field is required"),
        ("preferred_times", "x" * 201, "at most 200 characters"),
        ("message", "x" * 1001, "at most 1000 characters"),
    ],
)
def test_bad_input_gets_a_clear_error_and_keeps_what_was_typed(client, therapist, field, value, message):
    response = send(client, therapist, **{field: value})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert b"weekday mornings" in response.content or field == "preferred_times"
    assert b"Knot under my left shoulder blade" in response.content or field == "message"
    assert not ConsultRequest.objects.exists()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("204-555-0199", "+12045550199"),
        ("+1 (416) 555 0123", "+14165550123"),
        ("212.555.0142", "+12125550142"),
    ],
)
def test_canadian_and_us_phone_numbers_are_stored_in_one_normal_form(client, therapist, typed, stored):
    send(client, therapist, phone=typed)

    assert ConsultRequest.objects.get().phone == stored


def test_when_the_mail_server_fails_the_request_is_kept_and_sent_by_the_retry_command(
    client, therapist, settings
):
    settings.EMAIL_BACKEND = "therapists.tests.test_leads.FailingEmailBackend"

    response = send(client, therapist)

    consult = ConsultRequest.objects.get()
    assert response.status_code == 302
    assert consult.notified_at is None and consult.notify_attempts == 1

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("send_pending_notifications", verbosity=0)

    consult.refresh_from_db()
    assert consult.notified_at is not None and consult.notify_attempts == 2
    assert len(mail.outbox) == 1

    call_command("send_pending_notifications", verbosity=0)
    assert len(mail.outbox) == 1  # nothing is sent twice


def test_the_notification_email_holds_no_personal_or_health_details(client, therapist):
    send(client, therapist, area="knee")

    message = mail.outbox[0]
    text = f"{message.subject}\n{message.body}"
    consult = ConsultRequest.objects.get()
    assert f"/admin/therapists/consultrequest/{consult.pk}/change/" in text
    for private in ["Sam", "sam.patient", "555-0199", "5550199", "knee", "Knee", "shoulder blade", "weekday"]:
        assert private not in text


def test_a_clinic_without_an_email_notifies_its_managers(therapist, clinic):
    clinic.email = ""
    clinic.save()
    clinic.managers.add(make_user("alice", email="alice@forks.example"))

    assert leads.recipients(clinic) == ["alice@forks.example"]


def test_a_request_can_be_made_to_a_clinic_without_a_therapist(client, clinic):
    url = reverse("therapists:clinic-consult", args=[clinic.slug])

    response = client.post(url, form_data())

    assert response.status_code == 302
    assert ConsultRequest.objects.get().therapist is None


def test_an_unpublished_therapist_takes_no_requests(client, therapist):
    therapist.is_published = False
    therapist.save()

    response = send(client, therapist)

    assert response.status_code == 404
    assert not ConsultRequest.objects.exists()


def test_a_double_submission_is_folded_into_one_request(client, therapist):
    first = send(client, therapist)
    second = send(client, therapist, message="Sent again by a double click.")

    assert ConsultRequest.objects.count() == 1
    assert second.status_code == 302 and second.url == first.url
    assert len(mail.outbox) == 1


def test_the_honeypot_field_rejects_bots(client, therapist):
    response = send(client, therapist, website="http://spam.example")

    assert response.status_code == 400
    assert not ConsultRequest.objects.exists()


def test_a_form_filled_faster_than_a_person_can_is_refused_and_can_be_sent_again(client, therapist):
    response = send(client, therapist, started=started_token())

    assert response.status_code == 200
    assert b"send the form again" in response.content
    assert not ConsultRequest.objects.exists()
    assert b"Sam Patient" in response.content  # what was typed is kept


@pytest.mark.parametrize("started", ["", "forged", "1700000000"])
def test_a_missing_or_forged_start_time_is_refused(client, therapist, started):
    response = send(client, therapist, started=started)

    assert response.status_code == 200
    assert not ConsultRequest.objects.exists()


def test_too_many_requests_from_one_address_get_429(client, therapist, settings):
    settings.CONSULT_RATE_LIMIT = "2/h"

    codes = [send(client, therapist, email=f"p{n}@example.com").status_code for n in range(3)]
    other_address = send(client, therapist, email="p9@example.com", ip="198.51.100.7")

    assert codes == [302, 302, 429]
    assert other_address.status_code == 302
    assert ConsultRequest.objects.count() == 3


def test_a_request_is_taken_not_lost_when_the_rate_limit_cache_is_down(client, therapist):
    unreachable_redis = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
    with override_settings(CACHES={"default": unreachable_redis}):
        response = send(client, therapist)

    assert response.status_code == 302
    assert ConsultRequest.objects.count() == 1


def test_the_form_is_protected_by_csrf(therapist):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(
        reverse("therapists:therapist-consult", args=[therapist.slug]), form_data()
    )

    assert response.status_code == 403
    assert not ConsultRequest.objects.exists()


def make_request(therapist, email="sam@example.com", days_old=0):
    consult, _ = leads.submit(
        location=therapist.locations.get(),
        therapist=therapist,
        details={
            "name": "Sam",
            "email": email,
            "phone": "+12045550199",
            "area": BodyArea.objects.get(slug="neck"),
            "meeting": "video",
            "preferred_times": "evenings",
            "message": "",
        },
        marketing_consent=False,
    )
    ConsultRequest.objects.filter(pk=consult.pk).update(
        created_at=timezone.now() - timezone.timedelta(days=days_old)
    )
    return consult


def test_purge_deletes_only_requests_older_than_the_retention_period(therapist, settings):
    settings.CONSULT_RETENTION_DAYS = 30
    old = make_request(therapist, "old@example.com", days_old=31)
    recent = make_request(therapist, "recent@example.com", days_old=29)

    call_command("purge_consult_requests", "--dry-run", verbosity=0)
    assert ConsultRequest.objects.count() == 2

    call_command("purge_consult_requests", verbosity=0)
    assert list(ConsultRequest.objects.all()) == [recent]
    assert not ConsultRequest.objects.filter(pk=old.pk).exists()


def test_export_person_prints_everything_held_about_an_email(therapist, capsys):
    make_request(therapist, "sam@example.com")
    make_request(therapist, "someone.else@example.com")

    call_command("export_person", "SAM@example.com")

    exported = json.loads(capsys.readouterr().out)
    assert [(r["email"], r["therapist"], r["area"]) for r in exported] == [
        ("sam@example.com", "Dana Reyes", "Neck")
    ]
    assert exported[0]["consent_text"]


def test_erase_person_deletes_every_request_of_an_email_and_nothing_else(therapist):
    make_request(therapist, "sam@example.com")
    keep = make_request(therapist, "someone.else@example.com")

    call_command("erase_person", "sam@example.com", "--dry-run", verbosity=0)
    assert ConsultRequest.objects.count() == 2

    call_command("erase_person", " Sam@Example.com ", verbosity=0)
    assert list(ConsultRequest.objects.all()) == [keep]


CONCURRENT_SCRIPT = textwrap.dedent(
    """
    import os, sys, threading
    import django
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    call_command("migrate", verbosity=0)
    from therapists import leads
    from therapists.tests.factories import make_location, make_therapist

    therapist = make_therapist(locations=[make_location()])
    location = therapist.locations.get()
    n = int(sys.argv[1])
    barrier = threading.Barrier(n)
    errors = []

    def submit(i):
        try:
            barrier.wait()
            leads.submit(location=location, therapist=therapist, marketing_consent=False, details={
                "name": f"Patient {i}", "email": f"p{i}@example.com", "phone": "+12045550199",
                "area": None, "meeting": "phone", "preferred_times": "any", "message": ""})
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(n)]
    for t in threads: t.start()
    for t in threads: t.join()
    from therapists.models import BodyArea, ConsultRequest
    print(ConsultRequest.objects.count(), errors)
    """
)


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3", reason="SQLite's file locking"
)
def test_concurrent_submissions_on_sqlite_are_all_saved(tmp_path):
    env = {
        "DJANGO_SETTINGS_MODULE": "finder.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'concurrent.sqlite3'}",
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(Path(settings.BASE_DIR)),
    }

    result = subprocess.run(
        [sys.executable, "-c", CONCURRENT_SCRIPT, "12"],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "12 []"


def test_on_the_demo_data_a_winnipeg_request_reaches_winnipeg_manager_only(client, settings):
    settings.DEBUG = True
    call_command("load_demo", verbosity=0)
    from django.contrib.auth import get_user_model

    from therapists.models import Therapist

    users = get_user_model().objects
    winnipeg, toronto = users.get(username="winnipeg-manager"), users.get(username="toronto-manager")
    therapist = Therapist.objects.published().filter(locations__clinic__managers=winnipeg).first()

    assert send(client, therapist, name="Wanda Winnipatient").status_code == 302
    changelist = reverse("admin:therapists_consultrequest_changelist")
    client.force_login(winnipeg)
    seen_by_winnipeg = client.get(changelist).content.decode()
    client.force_login(toronto)
    seen_by_toronto = client.get(changelist).content.decode()

    assert "Wanda Winnipatient" in seen_by_winnipeg
    assert "Wanda Winnipatient" not in seen_by_toronto
    assert len(mail.outbox) == 1


def test_the_therapist_profile_and_the_clinic_page_carry_the_consult_form(client, therapist, clinic):
    profile = client.get(therapist.get_absolute_url()).content.decode()
    clinic_page = client.get(clinic.get_absolute_url()).content.decode()

    assert f'action="{reverse("therapists:therapist-consult", args=[therapist.slug])}"' in profile
    assert leads.consent_text(clinic, therapist) in profile
    assert f'action="{reverse("therapists:clinic-consult", args=[clinic.slug])}"' in clinic_page
    assert leads.consent_text(clinic) in clinic_page
    assert "csrfmiddlewaretoken" in profile and "csrfmiddlewaretoken" in clinic_page


# A therapist at several clinics: the request goes to the one the patient chose.


@pytest.fixture
def shared(therapist, clinic):
    """Dana Reyes practises at Forks Physio and at Aardvark Rehab, first by name."""
    other = make_clinic("Aardvark Rehab", slug="aardvark-rehab", email="desk@aardvark.example")
    therapist.locations.add(make_location(other, street="1 Aardvark Lane"))
    return {
        "forks": therapist.locations.get(clinic=clinic),
        "aardvark": therapist.locations.get(clinic=other),
    }


def test_a_patient_who_found_a_shared_therapist_at_one_clinic_sends_the_request_there(
    client, therapist, clinic, shared
):
    forks = shared["forks"]
    profile = client.get(therapist.get_absolute_url(), {"location": forks.pk}).content.decode()

    assert leads.consent_text(clinic, therapist) in profile
    assert profile.index(forks.street) < profile.index("1 Aardvark Lane")  # shown first
    assert f'name="location" value="{forks.pk}" id="id_location_0" required checked' in profile

    send(client, therapist, location=str(forks.pk))

    consult = ConsultRequest.objects.get()
    assert (consult.clinic, consult.location) == (clinic, forks)
    assert consult.consent_text == leads.consent_text(clinic, therapist)
    assert [message.to for message in mail.outbox] == [["desk@forks.example"]]


def test_without_a_location_from_the_search_the_form_asks_and_never_picks_by_name(client, therapist, shared):
    profile = client.get(therapist.get_absolute_url()).content.decode()
    response = send(client, therapist)

    assert 'type="radio" name="location"' in profile and "checked" not in profile
    assert "the clinic I choose above and Dana Reyes" in profile
    assert "Aardvark Rehab" not in profile.split('name="location"')[0].split("<form")[-1]
    assert response.status_code == 200
    assert "Choose the clinic you would like to be seen at." in response.content.decode()
    assert not ConsultRequest.objects.exists()


@pytest.mark.parametrize("wanted", ["", "0", "999999", "abc", "1 OR 1=1", "\x00"])
def test_an_unknown_location_on_the_profile_link_chooses_nothing(client, therapist, shared, wanted):
    profile = client.get(therapist.get_absolute_url(), {"location": wanted})

    assert profile.status_code == 200
    assert "checked" not in profile.content.decode()


def test_a_location_that_is_not_the_therapists_is_refused(client, therapist, shared):
    stranger = make_location(make_clinic("Elsewhere", email="desk@elsewhere.example"))
    make_therapist(locations=[stranger])

    response = send(client, therapist, location=str(stranger.pk))

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not ConsultRequest.objects.exists() and not mail.outbox


def test_a_therapist_with_one_location_needs_no_choice_and_refuses_a_forged_one(client, therapist, clinic):
    stranger = make_location(make_clinic("Elsewhere"))

    forged = send(client, therapist, location=str(stranger.pk))
    sent = send(client, therapist)  # the form's hidden value, as rendered
    profile = client.get(therapist.get_absolute_url()).content.decode()

    assert forged.status_code == 200 and sent.status_code == 302
    assert ConsultRequest.objects.get().location == therapist.locations.get()
    assert f'type="hidden" name="location" value="{therapist.locations.get().pk}"' in profile


def test_renaming_a_clinic_to_come_first_by_name_captures_no_request(client, therapist, clinic, shared):
    shared["aardvark"].clinic.name = "Aaa Capture"
    shared["aardvark"].clinic.save()

    send(client, therapist, location=str(shared["forks"].pk))

    assert ConsultRequest.objects.get().clinic == clinic


def test_a_request_for_a_therapist_must_name_one_of_their_locations(therapist):
    elsewhere = make_location()
    details = form_data()
    with pytest.raises(ValueError):
        leads.submit(location=elsewhere, therapist=therapist, details=details, marketing_consent=False)
    with pytest.raises(ValueError):
        leads.submit(location=None, therapist=therapist, details=details, marketing_consent=False)


def test_a_request_to_a_whole_clinic_has_no_location(client, clinic):
    client.post(reverse("therapists:clinic-consult", args=[clinic.slug]), form_data())

    consult = ConsultRequest.objects.get()
    assert (consult.clinic, consult.location, consult.therapist) == (clinic, None, None)


# Where it hurts: one list, the body areas the search uses.


def test_a_body_area_added_in_the_admin_reaches_the_consult_form(client, therapist):
    BodyArea.objects.create(name="Jaw", slug="jaw", position=99)

    form = client.get(reverse("therapists:therapist-consult", args=[therapist.slug])).content.decode()
    send(client, therapist, area="jaw")

    assert '<option value="jaw">Jaw</option>' in form
    assert ConsultRequest.objects.get().area.slug == "jaw"


def test_somewhere_else_is_still_a_choice_and_is_stored_as_no_body_area(client, therapist):
    form = client.get(reverse("therapists:therapist-consult", args=[therapist.slug])).content.decode()
    send(client, therapist, area="other")

    consult = ConsultRequest.objects.get()
    assert '<option value="other">Somewhere else</option>' in form
    assert consult.area is None and consult.where_it_hurts == "Somewhere else"


def test_earlier_requests_keep_where_it_hurts_through_the_migration(transactional_db):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("therapists", "0009_consultrequest_location")])
    old = executor.loader.project_state([("therapists", "0009_consultrequest_location")]).apps
    clinic = old.get_model("therapists", "Clinic").objects.create(name="Old", slug="old-clinic")
    requests = old.get_model("therapists", "ConsultRequest").objects
    fields = dict(
        name="P", email="p@example.com", phone="+12045550199", meeting="phone", consent_at=timezone.now()
    )
    knee = requests.create(clinic=clinic, area="knee", consent_version="v", **fields).pk
    other = requests.create(clinic=clinic, area="other", consent_version="v", **fields).pk

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert ConsultRequest.objects.get(pk=knee).area.slug == "knee"
    assert ConsultRequest.objects.get(pk=other).area is None
