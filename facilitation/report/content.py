"""What goes into a workshop report: every closed round, as it was published, and nothing else.

A report is one more output of the rounds, so it is built from the very outputs the chat posts
(each exercise's :meth:`~facilitation.exercises.Exercise.results`: the summary text with the
"sectors agree / sectors differ" lists, the charts) and the very tables its export writes
(:meth:`~facilitation.exercises.Exercise.tables`). Both are computed from each round's frozen
figures under the same disclosure rule, so the report cannot show a figure the room was not
shown, nor a group the rule hides. :class:`WorkshopReport` is plain data (picklable), so the PDF
is drawn from it in a chart worker (:func:`facilitation.report.pdf.render_pdf`), off the event
loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from facilitation.errors import DomainError
from facilitation.exercises import Chapter, Exercise, ExerciseContext, Image, Post
from facilitation.export import Table
from facilitation.groups import POOLED, GroupKey, group_names, hidden_text
from facilitation.i18n import t
from facilitation.model import Language, Round, RoundKind, RoundStatus, SectorKey, Workshop
from facilitation.report import texts as _texts  # noqa: F401  (registers report.* texts)
from facilitation.report.commitments import FOLLOWUP_KINDS, method_lines
from facilitation.suppression import disclose


@dataclass(frozen=True)
class Chart:
    """A chart as the chat posted it: the PNG and its caption (the PDF's alt text)."""

    png: bytes
    caption: str
    #: What the chart shows in words (the PDF's alt text; the caption where there is none).
    alt: str = ""


@dataclass(frozen=True)
class RoundSection:
    """One closed round: its heading, the posted texts and charts, its tables and what was asked."""

    number: int
    title: str
    kind: str
    closed: str
    texts: tuple[str, ...]
    charts: tuple[Chart, ...]
    tables: tuple[Table, ...]
    asked: tuple[str, ...]
    #: (heading, text) parts the annexes add (the room's conclusion: "Slutsatser").
    notes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class WorkshopReport:
    """Everything the PDF shows, in the reader's language; the PDF is a function of this alone."""

    lang: Language
    process: str
    title: str
    date: str
    place: str
    participants: tuple[str, ...]
    method: tuple[str, ...]
    sections: tuple[RoundSection, ...]
    #: The summary's lines (each round's conclusion), empty when there is nothing to sum up.
    summary: tuple[str, ...] = ()
    #: Parts after the rounds (e.g. "Utveckling över åren").
    chapters: tuple[Chapter, ...] = ()


STOCKHOLM = ZoneInfo("Europe/Stockholm")


def local_day(moment: datetime | None) -> str:
    """The day of ``moment`` in Sweden (ISO), "–" when unknown."""
    return moment.astimezone(STOCKHOLM).date().isoformat() if moment else "–"


async def _section(ctx: ExerciseContext, exercise: Exercise, round_: Round, lang: Language) -> RoundSection:
    """A closed round as the chat published it: its result outputs and its export tables."""
    outputs = await exercise.results(ctx, round_, lang)
    texts = tuple(output.text for output in outputs if isinstance(output, Post))
    charts = tuple(
        Chart(output.png, output.caption, output.alt) for output in outputs if isinstance(output, Image)
    )
    return RoundSection(
        number=round_.id,
        title=round_.title,
        kind=t(f"kind.{round_.kind.value}", lang),
        closed=local_day(round_.closed_at),
        texts=texts,
        charts=charts,
        tables=tuple(await exercise.tables(ctx, round_, lang)),
        asked=tuple(f"{item.number}. {item.text}" for item in round_.items),
        notes=tuple([note for annex in ctx.annexes for note in await annex.report_lines(round_, lang)]),
    )


def participant_lines(
    sizes: Mapping[SectorKey, int], minimum: int, names: Mapping[GroupKey, str], lang: Language
) -> tuple[str, ...]:
    """Participants per sector under the disclosure rule: how many joined, each group the rule
    shows with its count, the pooled small groups as one count, and every other group with the
    reason it is not counted on its own."""
    disclosure = disclose(sizes, minimum)
    lines = [t("report.participants", lang, n=sum(sizes.values()))]
    lines += [t("report.participants_line", lang, name=names[key], n=sizes[key]) for key in disclosure.shown]
    if disclosure.pooled:
        lines.append(
            t(
                "report.participants_line",
                lang,
                name=names[POOLED],
                n=sum(sizes[key] for key in disclosure.pooled),
            )
        )
    lines += [
        t(
            "report.participants_hidden",
            lang,
            name=names[key],
            reason=hidden_text(reason, key in disclosure.pooled, lang),
        )
        for key, reason in disclosure.hidden.items()
    ]
    return tuple(lines)


def _method(steps: int, minimum: int, lang: Language, kinds: set[RoundKind]) -> tuple[str, ...]:
    lines = []
    if RoundKind.BAROMETER in kinds:
        lines += [t("report.method.scale", lang, steps=steps), t("report.method.agreement", lang)]
    lines.append(t("report.method.hidden", lang, min=minimum))
    if kinds - {RoundKind.BAROMETER} - FOLLOWUP_KINDS:
        lines.append(t("report.method.prio", lang))
    lines += method_lines(kinds, lang)
    lines.append(t("report.method.frozen", lang))
    return tuple(lines)


async def workshop_report(
    ctx: ExerciseContext, exercises: Mapping[RoundKind, Exercise], workshop: Workshop, lang: Language
) -> WorkshopReport:
    """The report of ``workshop``: every closed round in order (by number). Raises DomainError when
    no round is closed (a clear sentence rather than an empty PDF)."""
    rounds = sorted(
        (r for r in await ctx.service.store.rounds(workshop.id) if r.status == RoundStatus.CLOSED),
        key=lambda r: r.id,
    )
    if not rounds:
        raise DomainError("report.error.no_closed_round", title=workshop.title)
    frame = await ctx.service.result_frame(rounds[0])
    process = ctx.service.processes.get(workshop.process_key)
    sizes: dict[SectorKey, int] = {}
    for participant in await ctx.service.store.participants(workshop.id):
        sizes[participant.sector] = sizes.get(participant.sector, 0) + 1
    names = group_names(frame.sectors, lang)
    ordered = {key: sizes[key] for key in names if key in sizes}  # the sectors' own order
    steps = next((r.scale_steps for r in rounds if r.kind == RoundKind.BAROMETER), 5)
    return WorkshopReport(
        lang=lang,
        process=process.name if process else workshop.process_key,
        title=workshop.title,
        date=local_day(workshop.created_at or rounds[0].closed_at),
        place=process.region if process and process.region else "–",
        participants=participant_lines(ordered, frame.min_group_size, names, lang),
        method=_method(steps, frame.min_group_size, lang, {r.kind for r in rounds}),
        # all rounds at once, so that their charts keep every chart worker busy
        sections=tuple(await asyncio.gather(*(_section(ctx, exercises[r.kind], r, lang) for r in rounds))),
        summary=tuple([line for annex in ctx.annexes for line in await annex.report_summary(rounds, lang)]),
        chapters=tuple(
            [chapter for annex in ctx.annexes for chapter in await annex.report_chapters(workshop, lang)]
        ),
    )
