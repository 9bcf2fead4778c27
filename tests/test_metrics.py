"""Prometheus metrics: a scrape after a vote shows it, and no label can name a person or a room.

A local-mode workshop votes, launches and closes; ``/metrics`` on the probes' server is then
scraped over HTTP and parsed with prometheus-client's own parser.
"""

from __future__ import annotations

import re
from pathlib import Path

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from bot.health import health_running
from tests.harness import LocalHarness, free_port

# What an id, a name or an address looks like in a label value: a run of digits (Telegram ids,
# chat ids, codes), a Slack id (U…/C…/D…/T…/W…/G… and 8+ characters), an e-mail address, a URL,
# a token, or any letter outside ASCII (names and titles in Swedish).
ID_LIKE = re.compile(r"\d{4,}|^-?\d+$|^[UCDTWGB][A-Z0-9]{8,}$|@|://|\w+:\w{10,}|[^\x00-\x7f]")
LABEL_VALUES = {  # every label the bot's own metrics use, with the values it may take
    "kind": {"vote", "launch", "close"},
    "platform": {"telegram", "slack", "local", "other"},
    "outcome": {"due", "sent", "failed"},
    "queue": {"chart_renders", "telegram_updates", "telegram_webhook_in_flight"},
    "status": {"1xx", "2xx", "3xx", "4xx", "5xx"},
}


async def _scrape(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{port}/metrics") as response:
        assert response.status == 200 and response.content_type == "text/plain"
        text = await response.text()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def _value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_a_scrape_after_a_vote_shows_the_counters(tmp_path: Path) -> None:
    port = free_port()
    h = await LocalHarness.start(tmp_path, health_port=port, chart_processes=1)
    try:
        async with health_running(h.app):
            before = await _scrape(port)
            await h.run("/workshop varmland-2015 Metrik", "/barometer 1,2", ":sim 7", "/stang")
            after = await _scrape(port)
    finally:
        await h.close()

    def delta(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    assert delta("dialogbot_activity_total", kind="vote", platform="local") == 14  # 7 people x 2 statements
    assert delta("dialogbot_activity_total", kind="launch", platform="local") == 1
    assert delta("dialogbot_activity_total", kind="close", platform="local") == 1
    assert delta("dialogbot_chart_render_seconds_count") >= 1  # the result's charts, drawn in a worker
    assert ("dialogbot_queue_depth", (("queue", "chart_renders"),)) in after


async def test_no_label_value_looks_like_an_id_or_a_name(tmp_path: Path) -> None:
    port = free_port()
    h = await LocalHarness.start(tmp_path, health_port=port)
    try:
        async with health_running(h.app):
            await h.run(
                "/workshop varmland-2015 Åsa Öberg 123456789 U01ABCDEFGH", "/barometer 1", ":sim 6", "/stang"
            )
            samples = await _scrape(port)
    finally:
        await h.close()
    ours = {(name, labels) for name, labels in samples if name.startswith("dialogbot_")}
    assert ours
    for name, labels in ours:
        for key, value in labels:
            if key == "le":  # histogram bucket bounds
                continue
            if key == "method":  # a platform API method name: letters and dots only
                assert re.fullmatch(r"[A-Za-z.]+|other", value), (name, key, value)
                continue
            assert value in LABEL_VALUES.get(key, set()), (name, key, value)
            assert not ID_LIKE.search(value), (name, key, value)


def test_the_id_pattern_catches_what_it_must() -> None:
    for value in (
        "123456789",
        "-1001234567890",
        "U01ABCDEFGH",
        "C0123456789",
        "a@b.se",
        "Åsa",
        "https://x",
        "123456:ABCdefGHIjklMNOpqr",
    ):
        assert ID_LIKE.search(value), value
    for value in ("vote", "telegram", "sendMessage", "2xx", "chart_renders"):
        assert not ID_LIKE.search(value), value
