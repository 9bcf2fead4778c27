"""Draw the README's typical regional room through the bot itself: docs/barometer-sectors-10-10-4.png.

Runs the local mode as a facilitator would (``/workshop halland``, ``/barometer``, ``:sim 24``,
``/stang``): the simulation's sector cycle gives 10 idéburna, 10 offentliga and 4 "annan", and its
seed makes the answers the same every time. The sector chart it posts is copied into ``docs/``.
Run ``.venv/bin/python docs/typical_room.py`` after a change to the charts or the disclosure rule.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parent
SCRIPT = "/workshop halland Halland\n/barometer\n:sim 24\n/stang\n"
TARGET = DOCS / "barometer-sectors-10-10-4.png"


def main() -> Path:
    """Run the session in a temporary data directory and copy its sector chart to :data:`TARGET`."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "room.txt").write_text(SCRIPT, encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith("DIALOGBOT_")}
        env.update({"DIALOGBOT_DATA_DIR": str(folder / "data"), "DIALOGBOT_CHART_PROCESSES": "0"})
        subprocess.run(
            [
                sys.executable,
                "-m",
                "bot.cli",
                "run",
                "--script",
                str(folder / "room.txt"),
                "--out",
                str(folder / "out"),
            ],
            check=True,
            env=env,
            cwd=DOCS.parent,
            stdout=subprocess.DEVNULL,
        )
        [chart] = sorted((folder / "out").glob("*sektorer*.png"))
        shutil.copyfile(chart, TARGET)
    return TARGET


if __name__ == "__main__":
    print(main())
