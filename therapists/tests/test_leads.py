import json
import re
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
    assert [message.to for message in mail.outbox] == [["desk@forks.example"], ["sam.patient@example.com"]]


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
        ("name", "", "Enter your name."),
        ("name", "12345", "Enter your name, in letters."),
        ("name", "Sam\x00Patient", "Null characters are not allowed"),
        ("name", "S" * 121, "Shorten this to 120 characters or fewer (it has 121)."),
        ("email", "", "Enter your email address, e.g. sam@example.com."),
        ("email", "not-an-email", "Enter your email address in the form name@example.com."),
        ("email", "sam@", "Enter your email address in the form name@example.com."),
        ("phone", "", "Enter a phone number with its area code, e.g. 204-555-0123."),
        ("phone", "12345", "Enter a Canadian or US phone number with its area code"),
        ("phone", "555-0199", "Enter a Canadian or US phone number with its area code"),
        ("phone", "+44 20 7946 0958", "Enter a Canadian or US phone number with its area code"),
        ("phone", "204-555-01999", "Enter a Canadian or US phone number with its area code"),
        ("phone", "☎☎☎", "Enter a Canadian or US phone number with its area code"),
        ("area", "head", "Choose where it hurts from the list."),
        ("area", "", "Choose where it hurts, or “Somewhere else”."),
        ("meeting", "fax", "Choose a phone call or an online video."),
        ("meeting", "", "Choose a phone call or an online video."),
        ("preferred_times", "", "Tell the clinic when is a good time to reach you, e.g. weekday mornings."),
        ("preferred_times", "x" * 201, "Shorten this to 200 characters or fewer (it has 201)."),
        ("message", "x" * 1001, "Shorten this to 1000 characters or fewer (it has 1001)."),
    ],
)
def test_bad_input_gets_an_error_that_says_what_to_do_and_keeps_what_was_typed(
    client, therapist, field, value, message
):
    response = send(client, therapist, **{field: value})

    html = response.content.decode()
    assert response.status_code == 200
    assert (
        html.count(message.replace("“", "&ldquo;").replace("”", "&rdquo;")) == 2 or html.count(message) == 2
    )
    assert "This field is required" not in html and "Select a valid choice" not in html
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
    data = form_data()
    url = reverse("therapists:therapist-consult", args=[therapist.slug])
    data["location"] = str(therapist.locations.get().pk)

    first = client.post(url, data)
    second = client.post(url, data)  # the same form, clicked twice

    assert ConsultRequest.objects.count() == 1
    assert first.status_code == second.status_code == 302
    assert b"exactly this request" in client.get(second.url).content
    assert len(mail.outbox) == 2  # the clinic and the patient, once each


def test_the_honeypot_field_rejects_bots(client, therapist):
    response = send(client, therapist, website="http://spam.example")

    assert response.status_code == 400
    assert not ConsultRequest.objects.exists()


def test_a_fast_person_gets_the_form_back_ready_to_send_in_one_click(client, therapist):
    response = send(client, therapist, started=started_token())  # autofill: sent at once

    html = response.content.decode()
    assert response.status_code == 200
    assert not ConsultRequest.objects.exists()
    assert "Send it now" in html and "Please check your details below" in html
    assert "Sam Patient" in html and "Knot under my left shoulder blade" in html  # what was typed is kept
    for unkind in ["bot", "automated", "highlighted", "error-summary"]:
        assert unkind not in html.split("<main")[1]
    fresh = re.search(r'name="started" value="([^"]+)"', html).group(1)

    again = send(client, therapist, started=fresh)  # the one click, straight away

    assert again.status_code == 302 and ConsultRequest.objects.count() == 1


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
    assert exported[0]["reference"] == ConsultRequest.objects.get(email="sam@example.com").reference


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
    assert len(mail.outbox) == 2  # the clinic and the patient


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
    assert [message.to for message in mail.outbox] == [["desk@forks.example"], ["sam.patient@example.com"]]


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
    assert "Choose one of the clinics listed." in response.content.decode()
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
    # Back one branch at a time: SQLite unwinds merged branches reliably only in order.
    steps = ("0017_merge_listing_workspace", "0015_merge_listing_hours", "0009_consultrequest_location")
    for target in steps:
        executor.migrate([("therapists", target)])
        executor.loader.build_graph()
    old = executor.loader.project_state([("therapists", "0009_consultrequest_location")]).apps
    clinic = old.get_model("therapists", "Clinic").objects.create(name="Old", slug="old-clinic")
    old.get_model("therapists", "BodyArea").objects.get_or_create(slug="knee", defaults={"name": "Knee"})
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


# Kind to a patient, with nothing lost.


def test_a_corrected_phone_within_minutes_updates_the_pending_request_and_the_page_says_so(client, therapist):
    send(client, therapist)
    mail.outbox.clear()

    response = send(client, therapist, phone="204-555-0123", message="It is my right shoulder, sorry.")

    consult = ConsultRequest.objects.get()
    assert (consult.phone, consult.message) == ("+12045550123", "It is my right shoulder, sorry.")
    assert b"Your request has been updated" in client.get(response.url).content
    assert [message.subject.split()[0] for message in mail.outbox] == ["Updated"]  # the clinic is told


def test_another_browser_using_the_same_email_learns_nothing_and_changes_nothing(client, therapist):
    from django.test import Client

    first = send(client, therapist, meeting="video")
    stranger = Client()
    second = send(stranger, therapist, meeting="phone", message="Call me instead")

    first_request, second_request = ConsultRequest.objects.order_by("created_at", "id")
    assert (first_request.meeting, first_request.message) == ("video", form_data()["message"])
    assert second_request.meeting == "phone"  # a request of its own
    page = stranger.get(second.url).content.decode()
    assert "already" not in page and "updated" not in page and "video" not in page
    assert stranger.get(first.url).status_code == 404  # another browser's confirmation


def test_references_shown_to_patients_are_random_not_sequential_ids(client, therapist):
    send(client, therapist)
    response = send(client, therapist, email="other@example.com")

    first, second = ConsultRequest.objects.order_by("id")
    page = client.get(response.url).content.decode()
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}", second.reference)
    assert first.reference != second.reference
    assert second.reference in page and f"#{second.pk}" not in page
    assert second.reference in mail.outbox[-1].body and f"#{second.pk}" not in mail.outbox[-1].subject


def test_forms_with_mistakes_cost_nothing_against_the_rate_limit(client, therapist, settings):
    settings.CONSULT_RATE_LIMIT = "2/h"

    mistakes = [send(client, therapist, email=f"p{n}@example.com", phone="12").status_code for n in range(4)]
    accepted = [send(client, therapist, email=f"q{n}@example.com").status_code for n in range(3)]

    assert mistakes == [200, 200, 200, 200]
    assert accepted == [302, 302, 429]


def test_at_the_rate_limit_the_form_comes_back_with_everything_typed_and_a_plain_reason(
    client, therapist, settings
):
    settings.CONSULT_RATE_LIMIT = "1/h"
    send(client, therapist)

    response = send(client, therapist, email="again@example.com", message="Second try, same place.")

    html = response.content.decode()
    assert response.status_code == 429
    assert "Your request has not been sent yet" in html and "please send it again later" in html
    for typed in ["Sam Patient", "again@example.com", "Second try, same place.", "weekday mornings"]:
        assert typed in html
    assert "(204) 555-0100" in html  # the clinic's phone, to call instead


def test_a_form_is_good_for_one_request_only(client, therapist):
    from django.test import Client

    token = started_token(time.time() - 60)
    send(client, therapist, started=token)

    replay = send(Client(), therapist, started=token, email="bot@example.com")

    assert replay.status_code == 200 and b"Send it now" in replay.content
    assert ConsultRequest.objects.count() == 1


def test_a_form_left_open_for_hours_comes_back_ready_with_what_was_typed(client, therapist, settings):
    stale = started_token(time.time() - (settings.CONSULT_FORM_MAX_HOURS * 3600 + 60))

    response = send(client, therapist, started=stale)

    assert response.status_code == 200 and b"Send it now" in response.content
    assert b"Sam Patient" in response.content
    assert not ConsultRequest.objects.exists()


def test_the_consent_error_sits_under_the_checkbox(client, therapist):
    html = send(client, therapist, consent=None).content.decode()

    box = html.index('name="consent"')
    error = html.index('id="id_consent-error"')
    assert box < error < html.index('name="marketing"')
    assert "</label></div>" in html[box:error]  # below the box and its label, not beside


def test_the_error_summary_is_at_the_top_of_the_form_and_our_script_moves_focus_there(client, therapist):
    html = send(client, therapist, phone="12", consent=None).content.decode()

    form = html[html.index('<form class="consult-form"') :]
    summary = form.index("data-form-notice")
    assert summary < form.index('name="name"')
    assert form[summary:].index('href="#id_phone"') < form[summary:].index('href="#id_consent"')
    script = (Path(settings.BASE_DIR) / "static/js/consult.js").read_text()
    assert "[data-form-notice]" in script and ".focus()" in script
    assert '<script src="/static/js/consult.js" defer></script>' in html


def test_the_patient_gets_a_confirmation_email_without_health_details(client, therapist):
    send(client, therapist, area="knee", meeting="video")

    consult = ConsultRequest.objects.get()
    [confirmation] = [message for message in mail.outbox if message.to == ["sam.patient@example.com"]]
    text = f"{confirmation.subject}\n{confirmation.body}"
    assert "Forks Physio" in text and consult.reference in text and "What happens next" in text
    assert "http://testserver" not in text and "/consult/withdraw/" in text
    for private in ["knee", "Knee", "shoulder blade", "video", "weekday", "555-0199"]:
        assert private not in text
    for message in mail.outbox:
        assert "knee" not in message.body.lower() and "shoulder blade" not in message.body


def withdraw_url(message) -> str:
    return re.search(r"https?://\S+(/consult/withdraw/\S+/)", message.body).group(1)


def test_withdrawing_erases_the_request_and_tells_the_clinic(client, therapist):
    send(client, therapist)
    consult = ConsultRequest.objects.get()
    link = withdraw_url(mail.outbox[-1])
    mail.outbox.clear()

    asked = client.get(link)  # a mail scanner following the link erases nothing
    assert asked.status_code == 200 and ConsultRequest.objects.exists()
    done = client.post(link)

    assert b"Your request has been withdrawn" in done.content
    assert not ConsultRequest.objects.exists()
    [told] = mail.outbox
    assert told.to == ["desk@forks.example"] and consult.reference in told.body and "withdrew" in told.body
    assert "Sam" not in told.body and "shoulder" not in told.body
    assert client.post(link).status_code == 404  # nothing left to withdraw


@pytest.mark.parametrize("token", ["forged", "x" * 300, "ABCD-EFGH"])
def test_a_forged_withdraw_link_withdraws_nothing(client, therapist, token):
    send(client, therapist)

    response = client.post(reverse("therapists:consult-withdraw", args=[token]))

    assert response.status_code == 404
    assert ConsultRequest.objects.count() == 1


def test_the_marketing_consent_wording_and_version_are_stored_with_the_request(client, therapist):
    send(client, therapist, marketing="yes")
    send(client, therapist, email="no.thanks@example.com")

    ticked, unticked = ConsultRequest.objects.order_by("id")
    assert (ticked.marketing_text, ticked.marketing_version) == (leads.MARKETING_TEXT, leads.CONSENT_VERSION)
    assert (unticked.marketing_text, unticked.marketing_version) == ("", "")


def test_the_privacy_page_says_what_why_who_how_long_and_how_to_get_a_copy(client, settings):
    settings.CONSULT_RETENTION_DAYS = 123
    settings.PRIVACY_EMAIL = "privacy@finder.example"

    html = client.get(reverse("therapists:privacy")).content.decode()

    for heading in ["What we collect", "Why", "Who receives it", "How long we keep it", "A copy, or erasure"]:
        assert f">{heading}</h2>" in html
    assert "123 days" in html and "privacy@finder.example" in html


def test_every_consult_form_links_to_the_privacy_page(client, therapist, clinic):
    pages = [
        therapist.get_absolute_url(),
        clinic.get_absolute_url(),
        reverse("therapists:therapist-consult", args=[therapist.slug]),
        reverse("therapists:clinic-consult", args=[clinic.slug]),
    ]
    for url in pages:
        html = client.get(url).content.decode()
        start = html.index('<form class="consult-form"')
        form = html[start : html.index("</form>", start)]
        assert 'href="/privacy/"' in form, url


def test_a_shared_therapists_profile_offers_no_clinics_phone_before_the_patient_chooses(
    client, therapist, shared
):
    shared["aardvark"].clinic.phone = "(204) 555-0111"
    shared["aardvark"].clinic.save()

    html = client.get(therapist.get_absolute_url()).content.decode()
    chosen = client.get(therapist.get_absolute_url(), {"location": shared["forks"].pk}).content.decode()

    header = html[html.index("<h1") : html.index("</header>", html.index("<h1"))]
    assert "Request a call back" in header and "tel:" not in header
    assert 'href="tel:+12045550100"' in chosen  # Forks Physio's


def test_a_profile_and_a_clinic_page_offer_a_call_back_and_the_phone_near_the_top(client, therapist, clinic):
    for url in [therapist.get_absolute_url(), clinic.get_absolute_url()]:
        html = client.get(url).content.decode()
        header = html[html.index("<h1") : html.index("</header>", html.index("<h1"))]
        assert 'href="#consult"' in header and "Request a call back" in header, url
        assert 'href="tel:+12045550100"' in header, url


def test_a_clinic_finds_a_request_in_the_admin_by_the_reference_the_patient_quotes(client, therapist, clinic):
    from therapists.tests.factories import make_manager

    send(client, therapist)
    send(client, therapist, email="someone.else@example.com", name="Other Person")
    consult = ConsultRequest.objects.get(email="sam.patient@example.com")
    client.force_login(make_manager("forks-manager", clinic))

    html = client.get(reverse("admin:therapists_consultrequest_changelist"), {"q": consult.reference}).content
    change = client.get(reverse("admin:therapists_consultrequest_change", args=[consult.pk])).content.decode()

    assert b"Sam Patient" in html and b"Other Person" not in html
    assert consult.reference in change


def test_a_clinic_page_without_a_phone_or_locations_still_offers_a_call_back(client):
    bare = make_clinic("Bare Clinic", slug="bare-clinic")

    response = client.get(bare.get_absolute_url())

    assert response.status_code == 200 and b"Request a call back" in response.content
