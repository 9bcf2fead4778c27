"""Prometheus metrics (prometheus-client), served at ``/metrics`` beside ``/healthz`` and ``/readyz``.

Labels carry only a fixed vocabulary: the platform, a Bot API or Web API method name, an HTTP
status class, an outcome. Never a chat id, a user id, a name, a workshop code or a title: a
metric is scraped and stored outside the bot's privacy rules, so it must not be able to name
anyone or any room.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

PLATFORMS = ("telegram", "slack", "local", "email")

ACTIVITY = Counter(
    "dialogbot_activity_total", "Votes, launched rounds and closed rounds, per platform", ["kind", "platform"]
)
WEBHOOK_SECONDS = Histogram(
    "dialogbot_webhook_request_seconds",
    "Time to answer a webhook request (Telegram webhook, Slack HTTP mode)",
    ["platform", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
API_SECONDS = Histogram(
    "dialogbot_platform_request_seconds",
    "Time of a call to a platform's API, by method",
    ["platform", "method"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
RATE_LIMITED = Counter(
    "dialogbot_rate_limited_total", "Answers 429 (Too Many Requests) from a platform", ["platform"]
)
RETRIES = Counter("dialogbot_retries_total", "Platform calls retried after a 429", ["platform"])
REMINDERS = Counter(
    "dialogbot_reminders_total", "Dialogue-meeting reminder deliveries by outcome", ["outcome"]
)  # due, sent, failed
CHART_SECONDS = Histogram(
    "dialogbot_chart_render_seconds",
    "Time to draw one chart in a chart worker",
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0),
)
QUEUE_DEPTH = Gauge("dialogbot_queue_depth", "Work waiting or in flight", ["queue"])


def count_activity(kind: str, platform: str) -> None:
    """The conversation's ``on_activity`` hook: a vote, launch or close on ``platform``."""
    ACTIVITY.labels(kind, platform if platform in PLATFORMS else "other").inc()


def observe_api(platform: str, method: str, seconds: float) -> None:
    """One platform API call; ``method`` is an API method name (never a URL: it may hold the token)."""
    API_SECONDS.labels(
        platform, method if method.isascii() and method.replace(".", "").isalnum() else "other"
    ).observe(seconds)


def count_rate_limited(platform: str, *, retried: bool) -> None:
    RATE_LIMITED.labels(platform).inc()
    if retried:
        RETRIES.labels(platform).inc()


def count_reminders(due: int, sent: int, failed: int) -> None:
    for outcome, value in (("due", due), ("sent", sent), ("failed", failed)):
        if value:
            REMINDERS.labels(outcome).inc(value)


def track_queue(queue: str, depth: Callable[[], float]) -> None:
    """Report ``depth()`` as the queue's depth at every scrape."""
    QUEUE_DEPTH.labels(queue).set_function(depth)


def timed_webhooks(platform: str) -> Callable[..., Awaitable[web.StreamResponse]]:
    """aiohttp middleware timing every request of a webhook server (probes and metrics excluded)."""

    @web.middleware
    async def middleware(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        if request.path in ("/healthz", "/readyz", "/metrics"):
            return await handler(request)
        started = time.perf_counter()
        status = "5xx"
        try:
            response = await handler(request)
            status = f"{response.status // 100}xx"
            return response
        except web.HTTPException as exc:
            status = f"{exc.status // 100}xx"
            raise
        finally:
            WEBHOOK_SECONDS.labels(platform, status).observe(time.perf_counter() - started)

    return middleware


async def metrics_endpoint(request: web.Request) -> web.Response:
    """The Prometheus text exposition of every metric of this process."""
    return web.Response(body=generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})


ROUTES = [web.get("/metrics", metrics_endpoint)]
