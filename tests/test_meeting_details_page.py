"""The meeting details page a reminder links to: served by the bot's HTTP server (the one of
/healthz) at ``{public_url}/m/<signed token>``, Swedish and English, no personal data; the link is
in every reminder when ``public_url`` is set, and absent when it is not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest

from bot.health import health_running
from bot.meetings_runner import Dispatcher
from facilitation.meetings import STOCKHOLM, due_time, parse_meetings
from facilitation.meetings.details import details_token
from storage.meetings_repository import SqlMeetingStore
from tests.conftest import SECRET
from tests.harness import free_port, running_app
from tests.test_reminders_dispatch import RecordingPort

PROCESS = "varmland-2015"


def config(directions: str = "Buss 1 till Stora torget <b>"):  # type: ignore[no-untyped-def]
    doc = {
        "signatories": [
            {
                "key": "region",
                "name": "Region",
                "contacts": [{"key": "c0", "name": "Anna Andersson", "local": "anna"}],
            }
        ],
        "meetings": [
            {
                "key": "dialogmote",
                "title": "Årligt dialogmöte",
                "start": "2027-03-09T10:00",
                "place": "Residenset, Karlstad",
                "directions": directions,
                "agenda": "1. Uppföljning\n2. Principer",
                "rrule": "FREQ=YEARLY;BYMONTH=3;BYDAY=2TU",
            }
        ],
    }
    return parse_meetings(doc, "test.toml", PROCESS)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def test_reminder_links_to_the_details_page_in_the_contacts_language(tmp_path: Path) -> None:
    port = free_port()
    public = f"http://127.0.0.1:{port}"
    async with (
        running_app(tmp_path, health_port=port, secret=SECRET, public_url=public) as app,
        health_running(app),
        aiohttp.ClientSession() as http,
    ):
        store = SqlMeetingStore(app.engine)
        await store.import_config(config())
        clock = Clock(
            due_time(datetime(2027, 3, 9, 10, tzinfo=STOCKHOLM), timedelta(days=30)).astimezone(UTC)
        )
        recording = RecordingPort()
        dispatcher = Dispatcher.from_app(app, clock=clock)
        dispatcher.ports = {"local": recording}
        assert (await dispatcher.tick()).sent == 1
        (_chat, text, _at) = recording.texts[0]
        line = next(x for x in text.splitlines() if x.startswith("Dagordning, plats och vägbeskrivning: "))
        link = line.split(": ", 1)[1]
        assert link.startswith(f"{public}/m/")
        async with http.get(link) as response:
            assert response.status == 200 and response.content_type == "text/html"
            assert response.headers["Cache-Control"] == "no-store"
            html = await response.text()
        assert '<html lang="sv">' in html and "<h1>Årligt dialogmöte</h1>" in html
        assert "tisdag 9 mars 2027 kl. 10.00–13.00" in html and "Residenset, Karlstad" in html
        assert "Buss 1 till Stora torget &lt;b&gt;" in html  # escaped, never markup
        assert "1. Uppföljning\n2. Principer" in html
        assert "Anna" not in html and "anna" not in html  # no personal data
        async with http.get(link + "?lang=en") as response:
            english = await response.text()
        assert '<html lang="en">' in english and "Tuesday 9 March 2027" in english
        assert "How to get there" in english

        # A next year's occurrence has its own link; a forged or altered token finds nothing.
        (stored,) = await store.meetings()
        async with http.get(f"{public}/m/{details_token(app.pseudonymizer, stored.id, 1)}") as response:
            assert "tisdag 14 mars 2028" in await response.text()
        forged = link.rsplit("-", 1)[0] + "-" + "A" * 22
        for bad in (forged, f"{public}/m/{stored.id}-0-x", f"{public}/m/{stored.id + 1}-0-{'A' * 22}"):
            async with http.get(bad) as response:
                assert response.status == 404, bad
                assert "Den här länken leder inte till något möte." in await response.text()

        # The meeting removed from the configuration: the page says it is cancelled.
        removed = config()
        removed = type(removed)(removed.process_key, removed.signatories, ())
        await store.import_config(removed)
        async with http.get(link) as response:
            page = await response.text()
        assert "Mötet är inställt." in page and "tisdag 9 mars" not in page


async def test_no_details_link_without_a_public_url(tmp_path: Path) -> None:
    async with running_app(tmp_path, secret=SECRET) as app:
        store = SqlMeetingStore(app.engine)
        await store.import_config(config())
        clock = Clock(
            due_time(datetime(2027, 3, 9, 10, tzinfo=STOCKHOLM), timedelta(days=30)).astimezone(UTC)
        )
        recording = RecordingPort()
        dispatcher = Dispatcher.from_app(app, clock=clock)
        dispatcher.ports = {"local": recording}
        assert (await dispatcher.tick()).sent == 1
        text = recording.texts[0][1]
        assert "Lägg till i Google Kalender" in text and "/m/" not in text and "vägbeskrivning" not in text


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_details_texts_exist_in_both_languages(lang: str) -> None:
    from facilitation.i18n import t

    for key in ("details.when", "details.place", "details.directions", "details.agenda", "details.cancelled"):
        assert not t(key, lang).startswith("details.")
