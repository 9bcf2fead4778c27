"""A browser without a browser: an aiohttp session with its own cookies that reads the pages'
forms and posts them as a browser does (for the web tests and bench/screen.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

import aiohttp

from bot.app import App
from tests.harness import LocalHarness


@dataclass
class Form:
    action: str
    fields: dict[str, str]
    label: str = ""


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self.texts: list[str] = []
        self._in_button = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", ""), {}))
        elif tag == "input" and self.forms and a.get("name"):
            self.forms[-1].fields[a["name"]] = a.get("value", "")
        elif tag == "button":
            self._in_button = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "button":
            self._in_button = False

    def handle_data(self, data: str) -> None:
        if self._in_button and self.forms:
            self.forms[-1].label += data
        self.texts.append(data)


def forms_of(html: str) -> list[Form]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def text_of(html: str) -> str:
    parser = _Forms()
    parser.feed(html)
    return " ".join(parser.texts)


@dataclass
class Phone:
    """One browser participant: its own cookie jar, talking to ``base`` (http://host:port)."""

    base: str
    session: aiohttp.ClientSession = field(init=False)
    page: str = ""

    def __post_init__(self) -> None:
        self.session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))

    async def get(self, path: str) -> tuple[int, str]:
        async with self.session.get(self.base + path) as response:
            return response.status, await response.text()

    async def post(self, action: str, fields: dict[str, str]) -> tuple[int, str]:
        async with self.session.post(self.base + action, data=fields) as response:
            self.page = await response.text()
            return response.status, self.page

    async def open(self, path: str) -> str:
        status, self.page = await self.get(path)
        assert status == 200, (status, self.page[:300])
        return self.page

    def form(self, label: str) -> Form:
        for form in forms_of(self.page):
            if form.label.strip() == label:
                return form
        raise AssertionError(f"no button {label!r} on the page: {[f.label for f in forms_of(self.page)]}")

    def last_form(self, label: str) -> Form:
        matches = [f for f in forms_of(self.page) if f.label.strip() == label]
        assert matches, f"no button {label!r} on the page: {[f.label for f in forms_of(self.page)]}"
        return matches[-1]

    async def press(self, label: str, *, last: bool = True) -> tuple[int, str]:
        form = self.last_form(label) if last else self.form(label)
        return await self.post(form.action, form.fields)

    async def join(self, join_path: str, sector: str = "Idéburen sektor") -> None:
        await self.open(join_path)
        status, _ = await self.press("Gå med")
        assert status == 200, self.page[:500]
        status, _ = await self.press(sector)
        assert status == 200 and "Sektor" in self.page, self.page[:500]

    async def close(self) -> None:
        await self.session.close()


def path_of(link: str) -> str:
    return urlsplit(link).path


__all__ = ["App", "Form", "LocalHarness", "Phone", "forms_of", "path_of", "text_of"]
