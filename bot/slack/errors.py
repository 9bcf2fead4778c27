"""Slack's refusals as the core's platform-neutral port errors.

The Web API answers a failed call with ``{"ok": false, "error": "<code>"}`` (slack_sdk raises
``SlackApiError``); the codes below are the ones chat.postMessage, chat.update and
files.completeUploadExternal document for a channel the bot cannot post in. The core only needs
to know whether the room is gone, refusing or failing for a moment; it never sees slack_sdk.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

import aiohttp
from slack_sdk.errors import SlackApiError

from config.errors import CORRECT_AND_RETRY, SERVICE_UNREACHABLE, OperatorError
from facilitation.ports import ChatGone, ChatRefused, GoneReason, PortError, TemporaryFailure

GONE: dict[str, GoneReason] = {
    "channel_not_found": GoneReason.NOT_FOUND,  # deleted, or a private channel the bot is not in
    "is_archived": GoneReason.ARCHIVED,
    "not_in_channel": GoneReason.NOT_MEMBER,  # the bot was removed (or never added)
    "user_not_found": GoneReason.NOT_FOUND,  # a contact's user id (conversations.open)
    "user_disabled": GoneReason.BLOCKED,  # a deactivated account
}
if TYPE_CHECKING:
    from config.settings import Settings

TEMPORARY = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)


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


DEFAULT_API = "https://slack.com/api/"
# What auth.test and apps.connections.open answer for a token Slack will not take.
REFUSED_TOKEN = frozenset(
    {
        "not_authed",
        "invalid_auth",
        "account_inactive",
        "token_revoked",
        "token_expired",
        "not_allowed_token_type",
        "no_permission",
        "missing_scope",
    }
)


class SlackStartFailed(OperatorError):
    """Slack refused or could not be reached while the bot started; the message never holds a token."""

    label = "Slack error"


@contextlib.contextmanager
def start_failures(settings: Settings) -> Iterator[None]:
    """Slack's refusals while starting, as one paragraph naming the setting and the fix.

    The originals are dropped (``from None``): nothing downstream can print a request with a token.
    """
    api = settings.slack_api_base_url or DEFAULT_API
    try:
        yield
    except SlackApiError as exc:
        raise _refused(exc, api) from None
    except (aiohttp.ClientError, TimeoutError) as exc:  # before OSError: both are OSErrors too
        raise SlackStartFailed(
            f"cannot reach the Slack Web API at {api} ({type(exc).__name__}). Fix: check this machine's network "
            "and firewall (outgoing HTTPS to slack.com), or slack_api_base_url if it is set, then start again.",
            exit_code=SERVICE_UNREACHABLE,
        ) from None
    except OSError as exc:  # only the HTTP server listens in here
        raise SlackStartFailed(
            f"cannot serve Slack's requests on {settings.slack_listen}:{settings.slack_port} (slack_listen, "
            f"slack_port): {exc.strerror or exc}. Fix: choose a free port and an address of this machine, or "
            "stop what uses the port.",
            exit_code=CORRECT_AND_RETRY,
        ) from None


def _refused(error: SlackApiError, api: str) -> SlackStartFailed:
    """The paragraph for a Web API call refused at start-up: which token, or which answer."""
    code = str((error.response.get("error") if error.response is not None else "") or "refused")
    socket_mode = "apps.connections.open" in str(getattr(error.response, "api_url", ""))
    if code in REFUSED_TOKEN and socket_mode:
        return SlackStartFailed(
            f"Slack at {api} refused slack_app_token ({code}). Fix: on your Slack app's Basic Information page "
            "create an App-Level Token with the connections:write scope (it starts with xapp-), turn Socket Mode "
            "on, and put the token in slack_app_token (or DIALOGBOT_SLACK_APP_TOKEN); or leave slack_app_token "
            "empty to receive Slack's requests over HTTP."
        )
    if code in REFUSED_TOKEN:
        return SlackStartFailed(
            f"Slack at {api} refused slack_bot_token ({code}). Fix: copy the Bot User OAuth Token (it starts "
            "with xoxb-) again from your Slack app's OAuth & Permissions page into slack_bot_token (or "
            "DIALOGBOT_SLACK_BOT_TOKEN); a revoked token must be replaced by reinstalling the app."
        )
    return SlackStartFailed(
        f"Slack at {api} refused to start the bot ({code}). Fix: if it is a temporary failure "
        "(ratelimited, internal_error, service_unavailable) start again in a minute; otherwise check "
        "slack_bot_token and slack_app_token.",
        exit_code=SERVICE_UNREACHABLE if code in TEMPORARY else CORRECT_AND_RETRY,
    )
