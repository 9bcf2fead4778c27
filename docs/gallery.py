"""Regenerate the chart cases in ``docs/charts/``: the hard cases a projector must survive.

Run ``.venv/bin/python docs/gallery.py [OUT_DIR]`` from the repository root. Every chart is
built by the same functions the bot uses, from fixed, made-up answers (a seeded generator), so
the pictures change only when the drawing code does. Look at each one after a chart change:
7- and 11-step legends, a one-sector panel, long principle names, many principles in the
pairwise matrix, percentage labels at zero, the 11-step palette, an earlier round beneath,
"Här är sektorerna överens" over three panels with long statements, and "Vet inte" beside n.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from pathlib import Path

from matplotlib.figure import Figure

from facilitation.barometer.analysis import consensus_statements
from facilitation.barometer.charts import consensus_figure, diverging_figure, room_figure, sector_figure
from facilitation.barometer.metrics import sector_stats, statement_stats
from facilitation.charting import to_png
from facilitation.groups import group_names
from facilitation.model import DEFAULT_SECTORS, Language, RoundKind, Sector, SectorValues
from facilitation.prioritisation import aggregate, split_by_sector
from facilitation.prioritisation.charts import pairwise_figure, ranked_bars_figure
from facilitation.prioritisation.charts import sector_figure as prio_sector_figure

STATEMENTS = [
    "Min organisation har något att tillföra till Värmlands utveckling!",
    "Vi har redan tillräckligt bra samverkan mellan offentligt och idéburet i länet!",
    "Överenskommelsearbetet kan göras utan att kosta pengar",
    "Integrationsarbetet ska vara utanför den Värmländska överenskommelsen!",
]
LONG_PRINCIPLES = [
    "Självständighet och oberoende för idéburna organisationer som röstbärare och opinionsbildare",
    "Dialog",
    "Långsiktighet i villkor, finansiering och former för samverkan mellan sektorerna",
    "Öppenhet och insyn i beslut som rör den idéburna sektorns verksamhet i regionen",
    "Kvalitet",
    "Mångfald av utförare, också små föreningar på landsbygden och i utsatta områden",
]
MANY_PRINCIPLES = [
    "Självständighet och oberoende",
    "Dialog",
    "Kvalitet",
    "Långsiktighet",
    "Öppenhet och insyn",
    "Mångfald (utförare)",
    "Demokrati",
    "Utveckling",
    "Integritet",
    "Samhällsutveckling",
    "Mångfald (individ)",
    "Samverkan",
    "Förnyelse",
    "Tillgänglighet",
]


def _answers(rng: random.Random, n: int, steps: int, centre: float) -> list[int]:
    return [min(steps, max(1, round(rng.gauss(centre, steps / 4)))) for _ in range(n)]


def _sector_values(rng: random.Random, steps: int, sizes: dict[Sector, int]) -> list[SectorValues]:
    out = []
    for index, text in enumerate(STATEMENTS):
        by_sector: dict[Sector | None, list[int]] = {}
        for position, (sector, n) in enumerate(sizes.items()):
            lean = ((index + position) % 3 - 1) * (steps - 1) / 3
            by_sector[sector] = _answers(rng, n, steps, (steps + 1) / 2 + lean)
        out.append(SectorValues(text, by_sector))
    return out


def barometer_cases(rng: random.Random) -> dict[str, Callable[[], Figure]]:
    """Diverging charts on 5, 7 and 11 steps, an earlier round, sectors (three and one)."""
    cases: dict[str, Callable[[], Figure]] = {}
    three = {Sector.IDEBUREN: 14, Sector.OFFENTLIG: 14, Sector.ANNAN: 6}
    for steps in (5, 7, 11):
        values = _sector_values(rng, steps, three)
        stats = [statement_stats(v.all_values, steps) for v in values]
        cases[f"barometer-{steps}-steg"] = lambda s=stats, k=steps: diverging_figure(
            STATEMENTS, s, k, Language.SV, f"Åsiktsbarometer, {k} steg"
        )
        breakdowns = [sector_stats(v, steps, 5) for v in values]
        cases[f"barometer-sektorer-{steps}-steg"] = lambda b=breakdowns, k=steps: sector_figure(
            STATEMENTS, b, k, Language.SV, f"Per sektor, {k} steg"
        )
    values = _sector_values(rng, 5, three)
    earlier_values = _sector_values(rng, 5, three)
    stats = [statement_stats(v.all_values, 5) for v in values]
    earlier = [statement_stats(v.all_values, 5) for v in earlier_values]
    cases["barometer-jamfor"] = lambda: diverging_figure(
        STATEMENTS, stats, 5, Language.SV, "Åsiktsbarometer jämfört med förra året", earlier
    )
    one = _sector_values(rng, 7, {Sector.IDEBUREN: 12})
    cases["barometer-en-sektor-7-steg"] = lambda: sector_figure(
        STATEMENTS, [sector_stats(v, 7, 5) for v in one], 7, Language.SV, "En sektor, 7 steg"
    )
    room = statement_stats(_answers(rng, 30, 11, 6), 11)
    cases["barometer-rummet-11-steg"] = lambda: room_figure(STATEMENTS[1], room, 11, Language.SV)
    return {**cases, **analysis_cases(random.Random(13))}


def analysis_cases(rng: random.Random) -> dict[str, Callable[[], Figure]]:
    """The consensus chart (agree and disagree, three panels) and "Vet inte" beside n, from their
    own generator so the older cases keep their pictures."""
    labels = [f"{number}. {text}" for number, text in enumerate(STATEMENTS, start=1)]
    sizes = {Sector.IDEBUREN: 12, Sector.OFFENTLIG: 14, Sector.ANNAN: 6}
    leans = {0: 1.6, 1: -1.4, 2: 1.0, 3: -1.2}  # every sector leans the same way on each statement
    values = [
        SectorValues(
            text,
            {
                sector: [min(5, max(1, round(rng.gauss(3 + leans[i], 0.9)))) for _ in range(n)]
                for sector, n in sizes.items()
            },
        )
        for i, text in enumerate(STATEMENTS)
    ]
    breakdowns = [sector_stats(v, 5, 5) for v in values]
    agreed = consensus_statements([b.shown if b.compared else {} for b in breakdowns])
    names = group_names(DEFAULT_SECTORS, Language.SV)
    unsure_values = [
        SectorValues(
            v.item_text, {s: vals + [0] * (i + k) for k, (s, vals) in enumerate(v.by_sector.items())}
        )
        for i, v in enumerate(values)
    ]
    unsure = [sector_stats(v, 5, 5) for v in unsure_values]
    return {
        "barometer-overens": lambda: consensus_figure(
            labels, agreed, names, Language.SV, "Här är sektorerna överens"
        ),
        "barometer-vet-inte": lambda: diverging_figure(
            labels,
            [b.overall for b in unsure],
            5,
            Language.SV,
            "Med Vet inte / berör inte oss",
            dont_know=[b.dont_know for b in unsure],
        ),
        "barometer-vet-inte-sektorer": lambda: sector_figure(
            labels, unsure, 5, Language.SV, "Vet inte per sektor", names, dont_know=True
        ),
    }


def _ranking_ballots(rng: random.Random, items: list[int], n: int, k: int) -> list[dict[int, int]]:
    ballots = []
    for _ in range(n):
        order = sorted(items, key=lambda i: rng.gauss(-i * 0.3, 1.5))[:k]
        ballots.append({item: position for position, item in enumerate(order, start=1)})
    return ballots


def _points_ballots(rng: random.Random, items: list[int], n: int, budget: int) -> list[dict[int, int]]:
    ballots = []
    for _ in range(n):
        ballot: dict[int, int] = {}
        for _ in range(budget):
            item = rng.choice(items[: rng.randint(2, len(items))])
            ballot[item] = ballot.get(item, 0) + 1
        ballots.append(ballot)
    return ballots


def _approval_ballots(rng: random.Random, items: list[int], n: int) -> list[dict[int, int]]:
    return [{i: 1 for i in rng.sample(items, rng.randint(1, 4))} for _ in range(n)]


def _by_sector(ballots: list[dict[int, int]]) -> dict[Sector | None, list[dict[int, int]]]:
    cycle = (Sector.IDEBUREN, Sector.OFFENTLIG, Sector.IDEBUREN, Sector.OFFENTLIG, Sector.ANNAN)
    grouped: dict[Sector | None, list[dict[int, int]]] = {}
    for index, ballot in enumerate(ballots):
        grouped.setdefault(cycle[index % len(cycle)], []).append(ballot)
    return grouped


def prioritisation_cases(rng: random.Random) -> dict[str, Callable[[], Figure]]:
    """Long principle names in ranking, sector, approval and dot charts; 14 principles pairwise."""
    names = dict(enumerate(LONG_PRINCIPLES, start=1))
    items = list(names)
    cases: dict[str, Callable[[], Figure]] = {}
    ranking = _ranking_ballots(rng, items, 30, 3)
    points = _points_ballots(rng, items, 30, 10)
    approval = _approval_ballots(rng, items, 30)
    for kind, ballots, extra in (
        (RoundKind.RANKING, ranking, {"top_k": 3}),
        (RoundKind.POINTS, points, {"budget": 10}),
        (RoundKind.APPROVAL, approval, {}),
    ):
        result = aggregate(kind, ballots, items, **extra)
        by_sector = split_by_sector(kind, _by_sector(ballots), items, min_group_size=5, **extra).by_sector
        label = {"ranking": "rangordning", "points": "prickar", "approval": "markera"}[kind.value]
        cases[f"prio-langa-namn-{label}"] = lambda r=result: ranked_bars_figure(r, names, Language.SV)
        cases[f"prio-langa-namn-{label}-sektorer"] = lambda s=by_sector, r=result: prio_sector_figure(
            s, names, Language.SV, order=r.order
        )
    many = dict(enumerate(MANY_PRINCIPLES, start=1))
    result = aggregate(RoundKind.RANKING, _ranking_ballots(rng, list(many), 40, 5), list(many), top_k=5)
    cases["prio-parvis-14"] = lambda: pairwise_figure(result.pairwise, many, Language.SV, n=result.n_ballots)
    return cases


def main(out_dir: Path) -> list[Path]:
    """Draw every case into ``out_dir``; returns the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(2015)
    written = []
    for name, build in {**barometer_cases(rng), **prioritisation_cases(rng)}.items():
        path = out_dir / f"{name}.png"
        path.write_bytes(to_png(build()))
        written.append(path)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent / "charts"
    for written_path in main(target):
        print(written_path)
