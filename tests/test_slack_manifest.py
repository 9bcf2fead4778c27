"""The Slack app manifests ask for exactly what the code uses.

An administrator creates the app in one step from ``slack/manifest.socket-mode.json`` or
``slack/manifest.http.json``. A scope too few and a feature fails at the first workshop
(``missing_scope``); a scope too many is access the bot never needed, which a region's IT
department rightly refuses. So the code is parsed: every Slack Web API method it calls through
a client, mapped to its required bot scope by the table below (from Slack's method and scope
reference pages), and every event a Bolt listener handles, must match the manifests exactly.
"""

from __future__ import annotations

import ast
import inspect
import json
import re
from pathlib import Path

import pytest
from slack_sdk.web.async_client import AsyncWebClient

import bot.slack.runner as slack_runner
from bot.slack.runner import SlackAdapter

ROOT = Path(__file__).resolve().parent.parent
MANIFESTS = {
    "socket": ROOT / "slack" / "manifest.socket-mode.json",
    "http": ROOT / "slack" / "manifest.http.json",
}

# Bot-token scope each Web API method needs (docs.slack.dev/reference/methods/<method> "Scopes",
# docs.slack.dev/reference/scopes/<scope> "Compatible API methods"). An empty set: no scope.
METHOD_SCOPES: dict[str, frozenset[str]] = {
    # Called with the app-level token (Socket Mode), whose scope connections:write is given when
    # that token is made (Basic Information → App-Level Tokens), not among the bot scopes.
    "apps.connections.open": frozenset(),
    "auth.test": frozenset(),
    "chat.postMessage": frozenset({"chat:write"}),
    "chat.update": frozenset({"chat:write"}),
    "chat.postEphemeral": frozenset({"chat:write"}),
    # conversations.open accepts channels:manage, groups:write, im:write or mpim:write; the bot only
    # opens a direct message with one person (users=...), which is im:write.
    "conversations.open": frozenset({"im:write"}),
    # conversations.history accepts channels:, groups:, im: or mpim:history; the bot reads only the
    # direct messages it sent reminders in (a reminder's metadata after a crash), which is im:history.
    "conversations.history": frozenset({"im:history"}),
    "files.getUploadURLExternal": frozenset({"files:write"}),
    "files.completeUploadExternal": frozenset({"files:write"}),
    "views.open": frozenset(),
    "views.publish": frozenset(),
}
# Scope each Events API subscription needs (docs.slack.dev/reference/events/<event> "Required Scopes").
EVENT_SCOPES: dict[str, frozenset[str]] = {
    "app_home_opened": frozenset(),
    "message.im": frozenset({"im:history"}),
    "message.channels": frozenset({"channels:history"}),
    "message.groups": frozenset({"groups:history"}),
    "message.mpim": frozenset({"mpim:history"}),
}
SLASH_COMMAND_SCOPE = "commands"
EVENTS_PATH = "/slack/events"  # where slack_running serves Bolt's aiohttp app


def _bot_sources() -> list[Path]:
    return sorted((ROOT / "bot").rglob("*.py"))


def _receiver_name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _api_methods_of(python_name: str, seen: set[str] | None = None) -> set[str]:
    """The Web API methods one AsyncWebClient method calls (files_upload_v2 calls two of them)."""
    seen = seen if seen is not None else set()
    if python_name in seen:
        return set()
    seen.add(python_name)
    source = inspect.getsource(getattr(AsyncWebClient, python_name))
    methods = set(re.findall(r'api_call\(\s*"([^"]+)"', source))
    for called in set(re.findall(r"self\.([A-Za-z_]+)\(", source)) - {"api_call"}:
        if not called.startswith("_") and hasattr(AsyncWebClient, called):
            methods |= _api_methods_of(called, seen)
    return methods


def called_web_api_methods() -> set[str]:
    """Every Slack Web API method the bot calls through a Web API client (``client.x(...)``)."""
    methods: set[str] = set()
    for path in _bot_sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            name = node.func.attr
            if name == "api_call" and node.args and isinstance(node.args[0], ast.Constant):
                methods.add(str(node.args[0].value))
            elif (
                _receiver_name(node.func.value) == "client"
                and not name.startswith("_")
                and callable(getattr(AsyncWebClient, name, None))
            ):
                methods |= _api_methods_of(name)
    return methods


def _literal(node: ast.expr) -> str:
    if isinstance(node, ast.Constant):
        return str(node.value)
    if isinstance(node, ast.Name):
        return str(getattr(slack_runner, node.id))
    return ""


def bolt_listeners() -> dict[str, set[str]]:
    """The Bolt app's listeners by kind (event, command, action, view), read from the adapter's code."""
    found: dict[str, set[str]] = {}
    tree = ast.parse(Path(slack_runner.__file__).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Call)):
            continue
        register = node.func.func
        if not (isinstance(register, ast.Attribute) and _receiver_name(register.value) == "app"):
            continue
        handler = node.args[0].attr if node.args and isinstance(node.args[0], ast.Attribute) else ""
        value = _literal(node.func.args[0]) if node.func.args else ""
        if register.attr == "event" and value == "message":  # one subscription per channel type it takes
            accepted = re.findall(
                r'channel_type"\)\s*(?:!=|==)\s*"(\w+)"', inspect.getsource(getattr(SlackAdapter, handler))
            )
            found.setdefault("event", set()).update(f"message.{kind}" for kind in accepted)
        else:
            found.setdefault(register.attr, set()).add(value)
    return found


def manifest_problems(manifest: dict) -> list[str]:
    """Every way ``manifest`` differs from what the code needs (empty when it is exact)."""
    problems = []
    listeners = bolt_listeners()
    methods = called_web_api_methods()
    unknown = sorted(methods - set(METHOD_SCOPES))
    if unknown:
        problems.append(f"the code calls {unknown}: add their scopes to METHOD_SCOPES from Slack's docs")
    events = listeners.get("event", set())
    needed = set().union(
        *(METHOD_SCOPES.get(m, frozenset()) for m in methods), *(EVENT_SCOPES[e] for e in events)
    )
    if listeners.get("command"):
        needed.add(SLASH_COMMAND_SCOPE)
    granted = set(manifest["oauth_config"]["scopes"]["bot"])
    if needed - granted:
        problems.append(f"missing bot scopes {sorted(needed - granted)}")
    if granted - needed:
        problems.append(f"bot scopes the code never uses {sorted(granted - needed)}")
    settings = manifest["settings"]
    subscribed = set(settings.get("event_subscriptions", {}).get("bot_events", []))
    if events - subscribed:
        problems.append(f"handled events not subscribed {sorted(events - subscribed)}")
    if subscribed - events:
        problems.append(f"subscribed events nobody handles {sorted(subscribed - events)}")
    commands = {c["command"] for c in manifest["features"].get("slash_commands", [])}
    if commands != listeners.get("command", set()):
        problems.append(
            f"slash commands {sorted(commands)}, the code handles {sorted(listeners.get('command', ()))}"
        )
    interactive = bool(listeners.get("action") or listeners.get("view"))
    if settings.get("interactivity", {}).get("is_enabled", False) != interactive:
        problems.append(
            f"interactivity must be {'on' if interactive else 'off'} (buttons and the launch modal)"
        )
    home = manifest["features"].get("app_home", {})
    if ("app_home_opened" in events) != home.get("home_tab_enabled", False):
        problems.append("the App Home tab must be enabled exactly when app_home_opened is handled")
    if ("message.im" in events) != (
        home.get("messages_tab_enabled", False) and not home.get("messages_tab_read_only_enabled", True)
    ):
        problems.append("the Messages tab must take messages exactly when direct messages are handled")
    return problems


def _load(variant: str) -> dict:
    return json.loads(MANIFESTS[variant].read_text(encoding="utf-8"))


def test_the_code_is_read_as_it_is() -> None:
    """The parser finds what the adapter really registers and calls (else the check is empty)."""
    assert bolt_listeners()["command"] == {"/dialog"}
    assert {"chat.postMessage", "files.getUploadURLExternal", "views.publish"} <= called_web_api_methods()


@pytest.mark.parametrize("variant", sorted(MANIFESTS))
def test_manifest_asks_for_exactly_what_the_code_uses(variant: str) -> None:
    assert manifest_problems(_load(variant)) == []


def test_a_missing_or_extra_scope_or_event_is_caught() -> None:
    for change, expected in [
        (
            lambda m: m["oauth_config"]["scopes"]["bot"].remove("files:write"),
            "missing bot scopes ['files:write']",
        ),
        (lambda m: m["oauth_config"]["scopes"]["bot"].append("users:read"), "never uses ['users:read']"),
        (lambda m: m["settings"]["event_subscriptions"]["bot_events"].remove("message.im"), "not subscribed"),
        (
            lambda m: m["settings"]["event_subscriptions"]["bot_events"].append("reaction_added"),
            "nobody handles",
        ),
    ]:
        manifest = _load("socket")
        change(manifest)
        assert any(expected in p for p in manifest_problems(manifest)), expected


def test_socket_mode_and_http_variants_differ_only_in_how_slack_reaches_the_bot() -> None:
    socket, http = _load("socket"), _load("http")
    assert socket["settings"]["socket_mode_enabled"] is True
    assert http["settings"]["socket_mode_enabled"] is False
    urls = [
        http["settings"]["event_subscriptions"]["request_url"],
        http["settings"]["interactivity"]["request_url"],
        *(c["url"] for c in http["features"]["slash_commands"]),
    ]
    assert all(u.startswith("https://") and u.endswith(EVENTS_PATH) for u in urls)
    del (
        http["settings"]["event_subscriptions"]["request_url"],
        http["settings"]["interactivity"]["request_url"],
    )
    for command in http["features"]["slash_commands"]:
        del command["url"]
    http["settings"]["socket_mode_enabled"] = True
    assert http == socket


def test_the_served_path_is_the_manifests_path() -> None:
    assert f'path="{EVENTS_PATH}"' in inspect.getsource(slack_runner.slack_running)
