"""Browser fixtures: the built site on http://127.0.0.1:8000/ and Debian's chromium via Playwright.

See browser_helpers.py: every request not to 127.0.0.1 is aborted and fails the test; console
errors and uncaught page errors fail the test too.
"""

from __future__ import annotations

import pytest
from browser_helpers import BASE, Watch, guard, launch, serve, settle_after_every_input

settle_after_every_input()

@pytest.fixture(scope="session")
def site_server(built_site):
    try:
        httpd = serve(built_site)
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    yield BASE
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        try:
            browser = launch(p)
        except RuntimeError as exc:
            pytest.fail(str(exc), pytrace=False)
        yield browser
        browser.close()


@pytest.fixture
def watch():
    return Watch()


@pytest.fixture
def page_options() -> dict:
    """Extra ``browser.new_context`` options for the ``page`` fixture; a test overrides them by
    parametrizing ``page_options`` (e.g. ``{"color_scheme": "dark"}``, a phone's ``viewport``)."""
    return {}


@pytest.fixture
def page(chromium, site_server, watch, request, page_options):
    marker = request.node.get_closest_marker("reduced_motion")
    options = {
        "base_url": site_server,
        "viewport": {"width": 1280, "height": 900},
        "reduced_motion": "reduce" if marker else "no-preference",
        "service_workers": "block",
    }
    context = chromium.new_context(**{**options, **page_options})
    guard(context, watch)
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    pg.on("console", lambda m: watch.console_errors.append(f"{m.text} @ {m.location}") if m.type == "error" else None)
    pg.on("pageerror", lambda e: watch.page_errors.append(str(e)))
    yield pg
    context.close()
    assert not watch.foreign, f"requests to other hosts (blocked): {watch.foreign}"
    assert not watch.page_errors, f"uncaught errors in the page: {watch.page_errors}"
    if not watch.allow_console_errors:
        assert not watch.console_errors, f"console errors: {watch.console_errors}"



def pytest_collection_modifyitems(config, items):
    here = str(__import__("pathlib").Path(__file__).parent)
    for item in items:
        if str(item.path).startswith(here):
            item.add_marker(pytest.mark.browser)
