"""Slack's refusals as the core's platform-neutral port errors.

The Web API answers a failed call with ``{"ok": false, "error": "<code>"}`` (slack_sdk raises
``SlackApiError``); the codes below are the ones chat.postMessage, chat.update and
files.completeUploadExternal document for a channel the bot cannot post in. The core only needs
to know whether the room is gone, refusing or failing for a moment; it never sees slack_sdk.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import aiohttp
from slack_sdk.errors import SlackApiError

from facilitation.ports import ChatGone, ChatRefused, GoneReason, PortError, TemporaryFailure

GONE: dict[str, GoneReason] = {
    "channel_not_found": GoneReason.NOT_FOUND,  # deleted, or a private channel the bot is not in
    "is_archived": GoneReason.ARCHIVED,
    "not_in_channel": GoneReason.NOT_MEMBER,  # the bot was removed (or never added)
    "user_not_found": GoneReason.NOT_FOUND,  # a contact's user id (conversations.open)
    "user_disabled": GoneReason.BLOCKED,  # a deactivated account
}
TEMPORARY = frozenset({"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"})


def translate(error: SlackApiError) -> PortError:
    """The port error for a refused Web API call."""
    code = str((error.response.get("error") if error.response is not None else "") or "")
    if code in GONE:
        return ChatGone(GONE[code])
    if code == "ratelimited":  # HTTP 429: Slack says in Retry-After how long to wait
        return TemporaryFailure(code, retry_after=_retry_after(error))
    if code in TEMPORARY:
        return TemporaryFailure(code)
    return ChatRefused(code or "refused")


def _retry_after(error: SlackApiError) -> float | None:
    headers = getattr(error.response, "headers", None) or {}
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    try:
        return float(value[0] if isinstance(value, list) else value) if value is not None else None
    except ValueError:
        return None


@contextlib.contextmanager
def port_errors() -> Iterator[None]:
    """Raise the port error for any Slack or HTTP failure inside the block (the original as its cause)."""
    try:
        yield
    except SlackApiError as error:
        raise translate(error) from error
    except (aiohttp.ClientError, TimeoutError) as error:
        raise TemporaryFailure(type(error).__name__) from error
