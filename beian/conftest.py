import importlib
import os
from pathlib import Path

import pytest
from django.db.backends.base.operations import BaseDatabaseOperations

from beian.testing import Cast

CHROMIUM = os.environ.get("BEIAN_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def pytest_configure(config):
    """`BEIAN_TEST_NOW=2027-12-15T10:00` runs the whole suite with the clock moved there (and
    ticking), so that CI proves the tests hold on other dates too (`make test-clock`). Tests
    that freeze the clock themselves still do."""
    moved = os.environ.get("BEIAN_TEST_NOW")
    if moved:
        import time_machine

        config._beian_clock = time_machine.travel(moved, tick=True)
        config._beian_clock.start()


def pytest_report_header(config):
    moved = os.environ.get("BEIAN_TEST_NOW")
    return [f"clock moved to {moved} (BEIAN_TEST_NOW)"] if moved else []


_SEED_PLATFORMS = importlib.import_module("beian.registry.migrations.0003_seed_platforms")
_original_flush = BaseDatabaseOperations.execute_sql_flush


def _flush_for_tests(self, sql_list):
    """How the test runner empties the database after a transactional test (browser tests,
    race tests). The audit log refuses DELETE/TRUNCATE by design, so its triggers are off
    only while the flush runs; and the platform catalogue, written by a data migration, is
    seeded again so that the tests after this one find it."""
    from django.apps import apps

    from beian.core.auditchain import triggers_off, triggers_on

    connection = self.connection

    with connection.cursor() as cursor:
        triggers_off(cursor)
    try:
        _original_flush(self, sql_list)
    finally:
        with connection.cursor() as cursor:
            triggers_on(cursor)
    _SEED_PLATFORMS.seed(apps, None)


@pytest.fixture(scope="session", autouse=True)
def _test_flush():
    BaseDatabaseOperations.execute_sql_flush = _flush_for_tests
    yield
    BaseDatabaseOperations.execute_sql_flush = _original_flush


@pytest.fixture
def cast(db) -> Cast:
    """A small school with one user per role (see `beian.testing.Cast`)."""
    return Cast()


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium driven by Playwright (browsers cannot be downloaded here).
    Browser tests fail, never skip, when Chromium is missing: `make test` installs it."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between browser steps are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    yield page
    context.close()


@pytest.fixture
def screenshot():
    """Saves a full-page screenshot under test-artifacts/ for a person to look at."""

    def take(page, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def policy_file(tmp_path, settings):
    """Write a policy file and make it the one in force for the test (`policy_file(text)`
    returns its path); the cached policy is forgotten before and after."""
    from beian.core.policy import reset_policy_cache

    def use(text: str):
        path = tmp_path / "policy.toml"
        path.write_text(text, encoding="utf-8")
        settings.BEIAN_POLICY_FILE = str(path)
        reset_policy_cache()
        return path

    yield use
    reset_policy_cache()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: rate-limit counters, cached pages and policy
    lookups of an earlier test (whose rows had the same primary keys) do not leak into it."""
    from django.core.cache import caches

    for alias in caches:
        caches[alias].clear()
    yield
