"""A real headless browser for the web tests: Debian's chromium driven by Playwright for Python.

Playwright's own browser download is never used (``playwright install`` downloads and fails
here): the fixture launches ``/usr/bin/chromium`` (``.ci/run`` installs it as root when it is
missing) and skips the test with the reason when there is no browser or no Playwright.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("DIALOGBOT_CHROMIUM", "/usr/bin/chromium"))
HAVE_CHROMIUM = CHROMIUM.exists()
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    """A launched chromium (a ``playwright.async_api.Browser``), closed after the test."""
    if not HAVE_CHROMIUM:
        pytest.skip(
            f"no browser at {CHROMIUM}: install Debian's chromium (apt-get install -y chromium) as root"
        )
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        pytest.skip("Playwright for Python is not installed (pip install -c constraints.txt -e '.[test]')")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield launched
        finally:
            await launched.close()
