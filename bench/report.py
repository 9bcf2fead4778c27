"""Time and size of a workshop report (``/rapport``): a workshop of 10 closed rounds.

Usage: python bench/report.py [--rounds 10] [--people 40] [--years 5] [--repeat 3] [--out FILE] [--workers 1]

The workshop is the Värmland process (7 statements, 3 sectors): 8 barometers and 2
prioritisations (ranking, points), 40 participants, a conclusion recorded for every round. Its
first barometer is the process's yearly round of this year, and ``--years`` earlier workshops
(40 participants each, one barometer of all 7 statements) are its yearly rounds of the years
before, so the report has its chapter "Utveckling över åren". The report is built from the
published results and drawn in chart worker processes, as the bot does it; prints the median time
and the PDF's size. ``--out`` keeps the PDF (docs/report-demo.pdf is made so).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from pathlib import Path

from bot.chart_workers import ProcessChartRenderer
from config.catalogue import load_process
from facilitation.barometer.flow import BarometerExercise
from facilitation.clock import utc_now
from facilitation.conversation import Conversation
from facilitation.memory_store import MemoryStore
from facilitation.model import Language, RoundKind, Workshop
from facilitation.prioritisation.flow import PrioritisationExercise
from facilitation.pseudonym import Pseudonymizer
from facilitation.rendering import ChartRenderer
from facilitation.report.command import report_pdf
from facilitation.service import WorkshopService
from facilitation.yearbook.chat import install
from facilitation.yearbook.store import MemoryYearbook

PROCESS = Path(__file__).resolve().parent.parent / "config" / "processes" / "varmland-2015.toml"
#: Each sector's lean per statement (-1 disagrees … 1 agrees), so the sectors differ somewhere.
LEAN = {
    "ideburen": (0.8, -0.5, 0.6, 0.9, -0.2, 0.4, 0.7),
    "offentlig": (0.6, 0.5, -0.6, 0.8, 0.3, -0.4, 0.1),
    "annan": (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0),
}
SHARES = (("ideburen", 0.45), ("offentlig", 0.45), ("annan", 0.10))


async def demo_workshop(
    renderer: ChartRenderer,
    *,
    rounds: int = 10,
    people: int = 40,
    seed: int = 2026,
    years: int = 0,
    conclusions: bool = False,
) -> tuple[Conversation, Workshop]:
    """A workshop of ``rounds`` closed rounds (every fifth a prioritisation) and ``people``
    participants in three sectors, with answers that differ by sector; with ``years``, that many
    earlier workshops whose barometers are the process's yearly rounds before this workshop's
    first barometer (this year's), and with ``conclusions`` a conclusion for every round."""
    rng = random.Random(seed)
    process = load_process(PROCESS)
    service = WorkshopService(MemoryStore(), {process.key: process})
    conv = Conversation(
        service,
        Pseudonymizer("bench-secret-that-is-long-enough"),
        is_facilitator=lambda _u: True,
        renderer=renderer,
        exercises=[BarometerExercise(), PrioritisationExercise()],
    )
    workshop = await service.create_workshop(process.key, "Dialogträff Karlstad 2026")
    keys: list[tuple[str, str]] = []
    for sector, share in SHARES:
        keys += [(f"{sector}-{i}", sector) for i in range(round(people * share))]
    for key, sector in keys:
        await service.join(workshop.id, key, sector=sector)
    statements = [(s.text, s.key) for s in process.statements]
    principles = [(p.name, p.key) for p in process.principles]
    yearbook = install(conv, MemoryYearbook())
    this_year = local_year()
    for back in range(years, 0, -1):  # the earlier years, oldest first
        earlier = await service.create_workshop(process.key, f"Dialogträff Karlstad {this_year - back}")
        round_ = await service.open_round(
            (
                await service.create_round(
                    earlier.id,
                    RoundKind.BAROMETER,
                    f"Åsiktsbarometer {this_year - back}",
                    statements,
                    {"scale_steps": process.scale_steps},
                )
            ).id
        )
        for key, sector in keys:
            await service.join(earlier.id, key, sector=sector)
            for index, item in enumerate(round_.items):
                # the room moves a little each year, so that the lines go somewhere
                centre = 3 + 2 * LEAN[sector][index % 7] * (1 - back / (years + 2)) - 0.15 * back
                await service.answer(round_.id, item.id, key, min(5, max(1, round(rng.gauss(centre, 1.0)))))
        await service.close_round(round_.id)
        await yearbook.store.mark_yearly(process.key, this_year - back, round_.id)
    for number in range(rounds):
        if number % 5 == 4:
            kind = RoundKind.RANKING if number % 10 == 4 else RoundKind.POINTS
            settings = {"top_k": 3} if kind == RoundKind.RANKING else {"budget": 10, "step": 1}
            round_ = await service.open_round(
                (
                    await service.create_round(
                        workshop.id, kind, "Vilka principer är viktiga för oss?", principles, settings
                    )
                ).id
            )
            for key, _sector in keys:
                await service.submit_ballot(round_.id, key, _ballot(kind, [i.id for i in round_.items], rng))
        else:
            round_ = await service.open_round(
                (
                    await service.create_round(
                        workshop.id,
                        RoundKind.BAROMETER,
                        f"Åsiktsbarometer, pass {number + 1}",
                        statements,
                        {"scale_steps": process.scale_steps},
                    )
                ).id
            )
            for key, sector in keys:
                for index, item in enumerate(round_.items):
                    centre = 3 + 2 * LEAN[sector][index % 7]
                    await service.answer(
                        round_.id, item.id, key, min(5, max(1, round(rng.gauss(centre, 1.0))))
                    )
        await service.close_round(round_.id)
        if number == 0 and years:
            await yearbook.store.mark_yearly(process.key, this_year, round_.id)
        if conclusions:
            await yearbook.store.set_conclusion(round_.id, CONCLUSIONS[number % len(CONCLUSIONS)], utc_now())
    return conv, workshop


def local_year() -> int:
    """This year in Sweden."""
    from facilitation.report.content import STOCKHOLM

    return utc_now().astimezone(STOCKHOLM).year


#: What the rooms concluded (a facilitator's words, one per round in turn).
CONCLUSIONS = (
    "Vi tar med Integration i nästa års överenskommelse.",
    "Samverkan fungerar bäst där kommunen och föreningarna träffas varje kvartal; vi föreslår det för hela länet.",
    "Finansieringen är den största frågan: styrgruppen tar fram ett förslag om långsiktiga bidrag.",
    "Rummet är överens om att Dialog och Öppenhet ska stå först i den lokala överenskommelsen.",
    "Vi följer upp påståendena om samverkan på nästa årliga dialogmöte.",
)


def _ballot(kind: RoundKind, items: list[int], rng: random.Random) -> dict[int, int]:
    if kind == RoundKind.RANKING:
        return {item: place for place, item in enumerate(rng.sample(items, 3), start=1)}
    points = dict.fromkeys(items, 0)
    for _ in range(10):
        points[rng.choice(items)] += 1
    return {item: value for item, value in points.items() if value}


async def main(args: argparse.Namespace) -> bytes:
    renderer = ProcessChartRenderer(args.workers)
    try:
        conv, workshop = await demo_workshop(
            renderer, rounds=args.rounds, people=args.people, years=args.years, conclusions=True
        )
        await renderer.wait_until_available()
        seconds, data = [], b""
        for _ in range(args.repeat):
            started = time.perf_counter()
            data = (await report_pdf(conv, conv.exercises, workshop, Language(args.lang))).data
            seconds.append(time.perf_counter() - started)
        print(
            f"report of {args.rounds} closed rounds, {args.people} participants, {args.years} earlier years: median "
            f"{statistics.median(seconds):.2f} s over {args.repeat} runs ({', '.join(f'{s:.2f}' for s in seconds)}), "
            f"PDF {len(data) / 1e6:.2f} MB"
        )
        return data
    finally:
        renderer.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--people", type=int, default=40)
    parser.add_argument("--years", type=int, default=5, help="earlier yearly rounds of the process")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--lang", default="sv", choices=["sv", "en"])
    parser.add_argument("--out", help="write the PDF here")
    arguments = parser.parse_args()
    pdf = asyncio.run(main(arguments))
    if arguments.out:
        Path(arguments.out).write_bytes(pdf)
