"""Barometer results for the conversation: text summary, charts and exports of a round."""

from __future__ import annotations

from typing import TYPE_CHECKING

from facilitation.barometer.charts import diverging_figure, room_figure, sector_figure
from facilitation.barometer.export import export_tables
from facilitation.barometer.metrics import (
    SectorBreakdown,
    StatementStats,
    dividing_statements,
    sector_stats,
    statement_stats,
)
from facilitation.exercises import Image, Output, Post
from facilitation.export import to_csv, to_xlsx
from facilitation.i18n import t
from facilitation.model import Language, Round, RoundStatus
from facilitation.ports import Attachment

if TYPE_CHECKING:
    from facilitation.conversation import Conversation


async def _aggregate(conv: Conversation, round_: Round) -> tuple[list[str], list[StatementStats],
                                                                 list[SectorBreakdown], list]:
    values = await conv.service.sector_values(round_.id)
    steps = round_.scale_steps
    texts = [item.text for item in round_.items]
    stats = [statement_stats(v.all_values, steps) for v in values]
    breakdowns = [sector_stats(v, steps, conv.min_group_size) for v in values]
    return texts, stats, breakdowns, values


async def _earlier(conv: Conversation, round_: Round) -> list[StatementStats | None] | None:
    """Stats of the comparison round, matched to this round's statements by text or key."""
    if round_.compare_round_id is None:
        return None
    earlier = await conv.service.store.round(round_.compare_round_id)
    if earlier is None or earlier.status != RoundStatus.CLOSED:
        return None
    earlier_values = await conv.service.sector_values(earlier.id)
    by_key = {item.ref_key or item.text: statement_stats(v.all_values, earlier.scale_steps)
              for item, v in zip(earlier.items, earlier_values, strict=True)}
    return [by_key.get(item.ref_key or item.text) for item in round_.items]


def _pct(share: float | None) -> str:
    return "–" if share is None else f"{round(100 * share)}"


async def barometer_results(conv: Conversation, round_: Round, lang: Language) -> list[Output]:
    """A short text per statement, the diverging chart, the sector split and (if asked) a comparison."""
    texts, stats, breakdowns, values = await _aggregate(conv, round_)
    steps = round_.scale_steps
    if all(s.n == 0 for s in stats):
        return [Post(t("round.no_answers", lang))]
    lines = [
        t("results.barometer_line", lang, number=i + 1, text=text, n=s.n,
          mean="–" if s.mean is None else f"{s.mean:.1f}".replace(".", "," if lang == Language.SV else "."),
          agree=_pct(s.share_agree))
        for i, (text, s) in enumerate(zip(texts, stats, strict=True))
    ]
    divisions = dividing_statements(values, steps, conv.min_group_size)
    if divisions:
        top = divisions[0]
        lines.append(t("results.most_dividing", lang, number=top.index + 1, text=texts[top.index]))
    outputs: list[Output] = [Post("\n".join(lines))]
    earlier = await _earlier(conv, round_)
    title = round_.title
    png = await conv.renderer.render(diverging_figure, texts, stats, steps, lang, title, earlier)
    outputs.append(Image(png, t("results.chart_caption", lang, title=title), f"barometer-{round_.id}.png"))
    png = await conv.renderer.render(sector_figure, texts, breakdowns, steps, lang, title)
    outputs.append(Image(png, t("results.sector_caption", lang, min=conv.min_group_size),
                         f"barometer-{round_.id}-sektorer.png"))
    if round_.current_position is not None:
        item = round_.items[round_.current_position]
        png = await conv.renderer.render(room_figure, item.text, stats[round_.current_position], steps, lang)
        outputs.append(Image(png, item.text, f"barometer-{round_.id}-rummet.png"))
    return outputs


async def barometer_export(conv: Conversation, round_: Round, lang: Language) -> list[Attachment]:
    """CSV and XLSX of a closed round's aggregates (no per-person rows)."""
    texts, stats, breakdowns, _ = await _aggregate(conv, round_)
    tables = export_tables(texts, stats, breakdowns, round_.scale_steps, lang)
    caption = t("export.caption", lang, number=round_.id)
    return [
        Attachment(f"barometer-{round_.id}.csv", to_csv(tables), "text/csv", caption),
        Attachment(f"barometer-{round_.id}.xlsx", to_xlsx(tables),
                   "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", caption),
    ]
