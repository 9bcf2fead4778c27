"""SQLite's write-ahead log is checkpointed in the background, never inside a commit of votes."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from pathlib import Path

from bot.app import App
from config.settings import load_settings
from facilitation.model import RoundKind
from storage.database import checkpoint_wal
from tests.waiting import eventually


def _rows_in_main_file(database: Path, copy: Path) -> int:
    """Responses in the database file alone (what a checkpoint has moved out of the WAL)."""
    shutil.copyfile(database, copy)  # without the -wal file beside it
    connection = sqlite3.connect(copy)
    try:
        return int(connection.execute("SELECT count(*) FROM responses").fetchone()[0])
    except sqlite3.OperationalError:  # not even the schema has left the WAL yet
        return 0
    finally:
        connection.close()


async def test_votes_reach_the_database_file_by_the_background_checkpoint(tmp_path: Path) -> None:
    settings = load_settings(None, env={}, env_file=None, data_dir=tmp_path, chart_processes=0)
    app = await App.create(settings)
    database = tmp_path / "dialogbot.sqlite3"
    try:
        async with app.engine.connect() as connection:  # commits never checkpoint by themselves
            assert (await connection.exec_driver_sql("PRAGMA wal_autocheckpoint")).scalar() == 0
        service = app.service
        workshop = await service.create_workshop("varmland-2015", "WAL")
        round_ = await service.create_round(workshop.id, RoundKind.BAROMETER, "B", [("P1", "p1")])
        await service.open_round(round_.id)
        await asyncio.gather(*(service.answer(round_.id, round_.items[0].id, f"p{i}", 3) for i in range(50)))
        assert _rows_in_main_file(database, tmp_path / "before.sqlite3") == 0  # all still in the WAL
        checkpoints = asyncio.get_running_loop().create_task(checkpoint_wal(app.engine, every=0.01))
        try:
            await eventually(
                lambda: _rows_in_main_file(database, tmp_path / "after.sqlite3") == 50,
                what="the checkpointer to move the answers into the main file",
            )
        finally:
            checkpoints.cancel()
        assert _rows_in_main_file(database, tmp_path / "after.sqlite3") == 50
        assert app.background and not app.background[0].done()  # the app runs its own checkpointer
    finally:
        await app.aclose()
    assert all(task.done() for task in app.background)
