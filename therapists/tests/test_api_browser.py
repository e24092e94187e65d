"""The API's interactive docs (/api/docs) in a real browser, under the site's CSP."""

import pytest

from therapists.tests.factories import make_place

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_work_in_the_browser_with_no_policy_violation(page, reference_data, live_server):
    make_place("Winnipeg", "MB", (49.88, -97.15), population=750_000)
    violations, requested = [], []
    page.on("console", lambda message: violations.append(message.text))
    page.on("request", lambda request: requested.append(request.url))

    page.goto("/api/docs")
    page.locator("#operations-default-therapists_api_places").click()
    page.get_by_role("button", name="Try it out").click()
    page.locator("input[placeholder='q']").fill("winn")
    page.get_by_role("button", name="Execute").click()

    assert page.locator(".response-col_description .microlight").first.inner_text().count("Winnipeg") == 1
    assert [text for text in violations if "Content Security Policy" in text] == []
    assert all(url.startswith(live_server.url) for url in requested)
