"""The yearbook in the chat: ``/slutsats``, ``/arsomgang`` and ``/trend``, and the annex that puts
conclusions under ``/resultat``, into the exports and the report, and the trend into the report.

:func:`install` registers the commands (rows of the command table) and the annex once per
conversation, like the meetings' commands.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from facilitation.clock import utc_now
from facilitation.conversation import Conversation
from facilitation.errors import DomainError
from facilitation.exercises import Chapter, Image, Output, Post
from facilitation.export import Table
from facilitation.i18n import t
from facilitation.input_rules import id_number
from facilitation.menu import Menu
from facilitation.model import Language, Process, Round, RoundKind, RoundStatus, Workshop
from facilitation.rendering import lazy_chart
from facilitation.turn import Turn
from facilitation.yearbook.store import MAX_CONCLUSION, YearbookStore, YearlyRound

if TYPE_CHECKING:
    from facilitation.yearbook.trend import Trend

trend_figure = lazy_chart("facilitation.yearbook.charts", "trend_figure")
#: Years a yearly round may be marked with.
FIRST_YEAR, LAST_YEAR = 1990, 2100
REMOVE_WORDS = ("bort", "ta-bort", "remove", "av", "off")


def _stockholm_year(moment: datetime | None) -> int | None:
    from facilitation.report.content import STOCKHOLM

    return moment.astimezone(STOCKHOLM).year if moment else None


def conclusion_text(args: Sequence[str]) -> str:
    """The conclusion as typed (words joined by single spaces); DomainError when empty or too long."""
    text = " ".join(word for word in args if word).strip()
    if not text:
        raise DomainError("yearbook.error.no_text")
    if len(text) > MAX_CONCLUSION:
        raise DomainError("yearbook.error.too_long", length=len(text), max=MAX_CONCLUSION)
    return text


class Yearbook:
    """The commands and the annex over one :class:`YearbookStore`."""

    def __init__(
        self, conversation: Conversation, store: YearbookStore, clock: Callable[[], datetime]
    ) -> None:
        self.conv = conversation
        self.store = store
        self.clock = clock

    # --- commands ------------------------------------------------------------------------
    def register(self) -> None:
        conv = self.conv
        conv.register_command(
            ("slutsats", "conclusion"),
            lambda _conv, turn, args: self.cmd_conclusion(turn, args),
            facilitator_only=True,
            room_admins=True,
            menu=Menu("slutsats", "conclusion"),
        )
        conv.register_command(
            ("arsomgang", "årsomgång", "yearly"),
            lambda _conv, turn, args: self.cmd_yearly(turn, args),
            facilitator_only=True,
            room_admins=True,
            menu=Menu("arsomgang", "yearly"),
        )
        conv.register_command(
            ("trend",),
            lambda _conv, turn, args: self.cmd_trend(turn, args),
            facilitator_only=True,
            room_admins=True,
            menu=Menu("trend", "trend"),
        )
        conv.annexes.append(self)

    async def _closed_round(self, turn: Turn, arg: str | None, *, barometer: bool) -> Round:
        """Round ``arg`` of the chat's workshop, or its latest closed (barometer) round; closed."""
        workshop = await self.conv.bound_workshop(turn)
        if arg is not None:
            round_ = await self.conv.current_round(turn, (arg,))
        else:
            rounds = [
                r
                for r in await self.conv.service.store.rounds(workshop.id)
                if r.status == RoundStatus.CLOSED and (not barometer or r.kind == RoundKind.BAROMETER)
            ]
            if not rounds:
                raise DomainError(
                    "yearbook.error.no_closed_barometer" if barometer else "yearbook.error.no_closed_round"
                )
            round_ = max(rounds, key=lambda r: r.id)
        if barometer and round_.kind != RoundKind.BAROMETER:
            raise DomainError("yearbook.error.not_barometer", number=round_.id)
        if round_.status != RoundStatus.CLOSED:
            raise DomainError("yearbook.error.not_closed", number=round_.id)
        return round_

    async def cmd_conclusion(self, turn: Turn, args: tuple[str, ...]) -> None:
        """``/slutsats [nr] TEXT``: the room's conclusion about a closed round; the latest counts."""
        if len(args) == 1 and args[0].lstrip("#").isdigit():
            raise DomainError("yearbook.error.no_text")  # a round's number and no conclusion
        number = id_number(args[0]) if len(args) > 1 and args[0].lstrip("#").isdigit() else None
        words = args[1:] if number is not None else args
        text = conclusion_text(words)  # checked before anything is looked up: bad input changes nothing
        round_ = await self._closed_round(turn, args[0] if number is not None else None, barometer=False)
        replaced = await self.store.set_conclusion(round_.id, text, self.clock())
        key = "yearbook.conclusion.replaced" if replaced else "yearbook.conclusion.saved"
        await turn.reply(t(key, turn.lang, number=round_.id, title=round_.title))

    async def cmd_yearly(self, turn: Turn, args: tuple[str, ...]) -> None:
        """``/arsomgang [nr] [år]``: a closed barometer of this workshop becomes the process's round
        of the year (by default the year it closed); ``/arsomgang nr bort`` takes the mark away.

        Marking publishes nothing new (a yearly round's figures are those it published) but puts
        them in the trend of every workshop of the process. A year another workshop's round holds
        is replaced only by a configured facilitator, who leads every workshop."""
        remove = bool(args) and args[-1].lower() in REMOVE_WORDS
        numbers = args[:-1] if remove else args
        if len(numbers) > 2 or any(not a.lstrip("#").isdigit() for a in numbers) or (remove and not numbers):
            raise DomainError("error.bad_args", usage=t("yearbook.usage.yearly", turn.lang))
        year_arg = numbers[1] if len(numbers) == 2 else None
        year = id_number(year_arg) if year_arg is not None else None
        if year_arg is not None and (year is None or not FIRST_YEAR <= year <= LAST_YEAR):
            raise DomainError("yearbook.error.bad_year", year=year_arg[:8])
        round_ = await self._closed_round(turn, numbers[0] if numbers else None, barometer=True)
        if remove:
            done = await self.store.unmark_yearly(round_.id)
            key = "yearbook.yearly.unmarked" if done else "yearbook.yearly.was_not"
            await turn.reply(t(key, turn.lang, number=round_.id))
            return
        workshop = await self.conv.service.require_workshop(round_.workshop_id)
        year = year or _stockholm_year(round_.closed_at) or self.clock().year
        held = next((y for y in await self.store.yearly_rounds(workshop.process_key) if y.year == year), None)
        if held is not None and held.round_id != round_.id:
            other = await self.conv.service.store.round(held.round_id)
            if (
                other is not None
                and other.workshop_id != workshop.id
                and not self.conv.is_facilitator(turn.user)
            ):
                raise DomainError("yearbook.error.year_taken", year=year, number=held.round_id)
        before = await self.store.mark_yearly(workshop.process_key, year, round_.id)
        if before is None:
            text = t("yearbook.yearly.marked", turn.lang, number=round_.id, title=round_.title, year=year)
        else:
            text = t(
                "yearbook.yearly.replaced",
                turn.lang,
                number=round_.id,
                title=round_.title,
                year=year,
                before=before,
            )
        await turn.reply(text)

    async def cmd_trend(self, turn: Turn, args: tuple[str, ...]) -> None:
        """``/trend [påstående]``: every statement's (or one's) series over the yearly rounds,
        as text and as a chart, posted here."""
        if len(args) > 1:
            raise DomainError("error.bad_args", usage=t("yearbook.usage.trend", turn.lang))
        workshop = await self.conv.bound_workshop(turn)
        process = self.conv.service.processes[workshop.process_key]
        statement = statement_key(process, args[0]) if args else None
        lang = self.conv.rooms.language(turn.chat, turn, workshop)
        yearly = await self.store.yearly_rounds(process.key)
        outputs = await self.trend_outputs(process, yearly, lang, statement=statement)
        async with turn.posting(), self.conv.rooms.held(turn.chat):
            await self.conv.post_outputs(turn.port, turn.chat, outputs)

    async def trend(
        self, process: Process, yearly: Sequence[YearlyRound], lang: Language, statement: str | None = None
    ) -> Trend:
        from facilitation.yearbook.trend import trend_of

        return await trend_of(self.conv.service, process, yearly, lang, statement=statement)

    async def trend_outputs(
        self, process: Process, yearly: Sequence[YearlyRound], lang: Language, *, statement: str | None = None
    ) -> list[Output]:
        """The trend as a text and a chart; one sentence when there is no yearly round to draw."""
        from facilitation.yearbook.trend import trend_alt, trend_lines

        trend = await self.trend(process, yearly, lang, statement)
        if not trend.statements:
            if statement is not None and trend.years:
                years = ", ".join(str(year) for year in trend.years)
                return [Post(t("yearbook.trend.not_asked", lang, years=years))]
            return [Post(t("yearbook.trend.none", lang))]
        png = await self.conv.renderer.render(trend_figure, trend, lang)
        return [
            Post("\n".join(trend_lines(trend, lang))),
            Image(
                png,
                t("yearbook.trend.caption", lang),
                f"trend-{process.key}.png",
                alt=trend_alt(trend, lang),
            ),
        ]

    # --- the annex (RoundAnnex) ----------------------------------------------------------
    async def results(self, round_: Round, lang: Language) -> list[Output]:
        found = (await self.store.conclusions([round_.id])).get(round_.id)
        if found is None:
            return []
        return [Post(t("yearbook.conclusion.post", lang, number=round_.id, text=found.text))]

    async def tables(self, round_: Round, lang: Language) -> list[Table]:
        found = (await self.store.conclusions([round_.id])).get(round_.id)
        if found is None:
            return []
        from facilitation.report.content import local_day

        return [
            Table(
                t("yearbook.conclusion.table", lang),
                [t("yearbook.conclusion.column", lang), t("yearbook.conclusion.recorded", lang)],
                [[found.text, local_day(found.recorded_at)]],
            )
        ]

    async def report_lines(self, round_: Round, lang: Language) -> list[tuple[str, str]]:
        found = (await self.store.conclusions([round_.id])).get(round_.id)
        return [] if found is None else [(t("yearbook.conclusion.heading", lang), found.text)]

    async def report_summary(self, rounds: Sequence[Round], lang: Language) -> list[str]:
        found = await self.store.conclusions(r.id for r in rounds)
        return [
            t("yearbook.summary.line", lang, number=r.id, title=r.title, text=found[r.id].text)
            for r in rounds
            if r.id in found
        ]

    async def report_chapters(self, workshop: Workshop, lang: Language) -> list[Chapter]:
        """ "Utveckling över åren" when the process has a yearly round of another workshop from a
        year before this workshop's (its own yearly rounds, if any, are drawn with them)."""
        process = self.conv.service.processes.get(workshop.process_key)
        if process is None:
            return []
        yearly = await self.store.yearly_rounds(process.key)
        own = {r.id for r in await self.conv.service.store.rounds(workshop.id)}
        this_year = max(
            [y.year for y in yearly if y.round_id in own] or [_stockholm_year(workshop.created_at) or 0]
        )
        if not any(y.round_id not in own and y.year < this_year for y in yearly):
            return []
        from facilitation.yearbook.trend import trend_alt, trend_lines

        trend = await self.trend(process, yearly, lang)
        if len(trend.years) < 2:
            return []
        png = await self.conv.renderer.render(trend_figure, trend, lang)
        years = ", ".join(str(y) for y in trend.years)
        return [
            Chapter(
                t("yearbook.trend.chapter", lang),
                (t("yearbook.trend.chapter_intro", lang, years=years), *trend_lines(trend, lang)[1:]),
                (
                    Image(
                        png,
                        t("yearbook.trend.caption", lang),
                        f"trend-{process.key}.png",
                        alt=trend_alt(trend, lang),
                    ),
                ),
            )
        ]


def statement_key(process: Process, arg: str) -> str:
    """The key of the statement ``arg`` names: its number in the process file (1, 2, …) or its key."""
    number = id_number(arg) if arg.lstrip("#").isdigit() else None
    if number is not None and 1 <= number <= len(process.statements):
        return process.statements[number - 1].key
    if number is None and any(s.key == arg for s in process.statements):
        return arg
    raise DomainError(
        "yearbook.error.no_such_statement", statement=arg[:30], max=max(len(process.statements), 1)
    )


_installed: weakref.WeakKeyDictionary[Conversation, Yearbook] = weakref.WeakKeyDictionary()


def install(
    conversation: Conversation, store: YearbookStore, *, clock: Callable[[], datetime] | None = None
) -> Yearbook:
    """Register the yearbook's commands and annex once per conversation; later calls replace the store."""
    yearbook = _installed.get(conversation)
    if yearbook is None:
        yearbook = Yearbook(conversation, store, clock or utc_now)
        yearbook.register()
        _installed[conversation] = yearbook
        return yearbook
    yearbook.store = store
    if clock is not None:
        yearbook.clock = clock
    return yearbook
