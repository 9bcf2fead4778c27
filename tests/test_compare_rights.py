"""``/jamfor NR`` pulls only a round the caller may already read (issue 13 §2), on the real Telegram
path (python-telegram-bot against the Bot API stand-in, ``group_admins_are_facilitators = true``).

Before, any closed barometer of the same process could be drawn into any room: an admin of some
group who started a workshop of the process there pulled another workshop's five-person round
into it and read it beside one answer of their own. Now a round comes only from a workshop the
caller leads (a configured facilitator leads all; a group admin the workshops created in a group
they administer) or from the process file's ``official_rounds``; and an earlier figure is shown
only if it reaches this round's minimum too.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from bot.app import App
from bot.telegram.runner import telegram_running
from config.catalogue import load_process
from facilitation.barometer.flow import BarometerExercise
from facilitation.barometer.results import barometer_results
from facilitation.conversation import Conversation
from facilitation.exercises import Post
from facilitation.model import Language, RoundKind
from facilitation.pseudonym import Pseudonymizer
from facilitation.service import WorkshopService
from tests.conftest import SECRET
from tests.fixtures import PROCESSES
from tests.standins.telegram_api import TelegramStandIn
from tests.test_telegram_flow import _answered, _deep_link, _markups, _until
from tests.test_telegram_runners import TOKEN, _app

pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after:telegram.warnings.PTBDeprecationWarning")

PACKAGED = Path(__file__).resolve().parents[1] / "config" / "processes"
#: Three groups: A's and B's admins administer their own group only; X administers A's group and C's.
GROUP_A, GROUP_B, GROUP_C = -100111, -100222, -100333
ADMIN_A, ADMIN_B, ADMIN_X = 701, 702, 703
REFUSED = "hör till en workshop som du inte leder"


def _official_processes(tmp_path: Path, rounds: list[int]) -> Path:
    """The packaged processes, Värmland's naming ``rounds`` as its official earlier year."""
    folder = tmp_path / "processes"
    shutil.copytree(PACKAGED, folder)
    path = folder / "varmland-2015.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("[process]\n", f"[process]\nofficial_rounds = {rounds}\n", 1), encoding="utf-8"
    )
    return folder


async def _said(api: TelegramStandIn, user: int, chat: int, text: str, expect: str) -> str:
    """``user`` writes ``text`` in ``chat``; the bot's first message after it holding ``expect``."""
    before = len(api.sent_messages(chat))

    def answer() -> str | None:
        return next(
            (
                m.text or m.caption
                for m in api.sent_messages(chat)[before:]
                if expect in (m.text or m.caption or "")
            ),
            None,
        )

    api.message_update(user, chat, text, push=True)
    return str(await _until(api, answer))


async def _workshop(api: TelegramStandIn, admin: int, group: int, title: str) -> None:
    api.message_update(admin, group, f"/workshop varmland-2015 {title}", push=True)
    await _until(api, lambda: _deep_link(api, group))


async def _closed_round(api: TelegramStandIn, admin: int, group: int, voters: int) -> None:
    """A barometer of statement 1 in ``group``, ``voters`` presses, closed by its admin."""
    known = {m for m, _ in _markups(api, group, "b.")}
    await _said(api, admin, group, "/barometer 1", "")
    [(statement, values)] = await _until(
        api, lambda: [m for m in _markups(api, group, "b.") if m[0] not in known]
    )
    presses = [
        api.callback_update(
            9000 + abs(group) % 1000 * 10 + person, group, statement, values[person % 3], push=True
        )
        for person in range(voters)
    ]
    await _until(api, lambda: _answered(api, *presses))
    await _said(api, admin, group, "/stang", "är stängd")


async def _rooms(api: TelegramStandIn, app: App) -> None:
    api.set_admins(GROUP_A, [ADMIN_A, ADMIN_X])
    api.set_admins(GROUP_B, [ADMIN_B])
    api.set_admins(GROUP_C, [ADMIN_X])
    await _workshop(api, ADMIN_A, GROUP_A, "Dialogmöte 2025")
    await _closed_round(api, ADMIN_A, GROUP_A, 5)
    await _workshop(api, ADMIN_B, GROUP_B, "Annan workshop")
    await _workshop(api, ADMIN_X, GROUP_C, "Dialogmöte 2026")
    [round_] = await app.store.rounds(1)
    assert round_.id == 1 and round_.status.value == "closed"


async def test_a_group_admin_cannot_pull_another_workshops_round_but_a_leader_of_both_can(
    tmp_path: Path,
) -> None:
    async with (
        TelegramStandIn(token=TOKEN) as api,
        _app(api, tmp_path, telegram_mode="polling", group_admins_are_facilitators=True) as app,
    ):
        async with telegram_running(app):
            await _rooms(api, app)
            # B's admin leads B (created in their group), not A: refused, and nothing is set.
            refusal = await _said(api, ADMIN_B, GROUP_B, "/jamfor 1", REFUSED)
            assert "#1" in refusal and "stängd" not in refusal
            # X administers A's group and C's: leads both, so C may be drawn against A's round.
            await _said(api, ADMIN_X, GROUP_C, "/jamfor 1", "Nästa barometer jämförs med omgång #1")
            # A's own admin compares within A.
            await _said(api, ADMIN_A, GROUP_A, "/jamfor 1", "Nästa barometer jämförs med omgång #1")
        by_title = {w.title: w for w in [await app.store.workshop(i) for i in (1, 2, 3)] if w}
        assert by_title["Annan workshop"].compare_round_id is None
        assert by_title["Dialogmöte 2026"].compare_round_id == 1
        assert by_title["Dialogmöte 2025"].compare_round_id == 1


async def test_the_official_earlier_year_may_be_pulled_by_any_workshop_of_the_process(tmp_path: Path) -> None:
    async with (
        TelegramStandIn(token=TOKEN) as api,
        _app(
            api,
            tmp_path,
            telegram_mode="polling",
            group_admins_are_facilitators=True,
            processes_dir=_official_processes(tmp_path, [1]),
        ) as app,
    ):
        assert app.service.processes["varmland-2015"].official_rounds == (1,)
        async with telegram_running(app):
            await _rooms(api, app)
            await _said(api, ADMIN_B, GROUP_B, "/jamfor 1", "Nästa barometer jämförs med omgång #1")
            # a second round of A is not the official year: B's admin still may not pull it
            await _closed_round(api, ADMIN_A, GROUP_A, 6)
            await _said(api, ADMIN_B, GROUP_B, "/jamfor 2", REFUSED)
        assert (await app.store.workshop(2)).compare_round_id == 1


def test_official_rounds_are_checked_in_the_process_file(tmp_path: Path) -> None:
    from config.errors import ConfigError

    folder = _official_processes(tmp_path, [3, 3])
    with pytest.raises(ConfigError, match=r"official_rounds.*listed twice"):
        load_process(folder / "varmland-2015.toml")
    folder.joinpath("varmland-2015.toml").write_text(
        (PACKAGED / "varmland-2015.toml")
        .read_text(encoding="utf-8")
        .replace("[process]\n", "[process]\nofficial_rounds = [0]\n", 1),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="official_rounds"):
        load_process(folder / "varmland-2015.toml")


async def test_an_earlier_figure_below_this_rounds_minimum_is_not_shown(store: Any) -> None:
    """Last year's 6 answers were published at a minimum of 5; this year's minimum is 8. The
    comparison shows last year's figure only where it reaches 8 as well (statement 2's 9)."""
    service = WorkshopService(store, PROCESSES)
    conv = Conversation(
        service, Pseudonymizer(SECRET), is_facilitator=lambda _user: True, exercises=[BarometerExercise()]
    )
    statements = service.processes["varmland-2015"].statements[:2]
    items = [(s.text, s.key) for s in statements]
    last = await service.create_workshop("varmland-2015", "2025")
    earlier = await service.open_round(
        (await service.create_round(last.id, RoundKind.BAROMETER, "2025", items, {"scale_steps": 5})).id
    )
    for person in range(9):
        await service.join(last.id, f"l{person}", sector="ideburen")
        await service.answer(earlier.id, earlier.items[1].id, f"l{person}", 1 + person % 5)
        if person < 6:
            await service.answer(earlier.id, earlier.items[0].id, f"l{person}", 5)
    earlier = await service.close_round(earlier.id)
    service.min_group_size = 8
    now = await service.create_workshop("varmland-2015", "2026")
    round_ = await service.open_round(
        (
            await service.create_round(
                now.id, RoundKind.BAROMETER, "2026", items, {"scale_steps": 5}, compare_round_id=earlier.id
            )
        ).id
    )
    for person in range(10):
        await service.join(now.id, f"n{person}", sector="offentlig")
        for item in round_.items:
            await service.answer(round_.id, item.id, f"n{person}", 2)
    round_ = await service.close_round(round_.id)
    [text, *_] = [o.text for o in await barometer_results(conv, round_, Language.SV) if isinstance(o, Post)]
    compare = text[text.index("omgång #1") :]
    assert "n 6 → 10" not in compare and "5,0" not in compare  # last year's 6 are below 8 now
    assert "n 9 → 10" in compare
