"""CPU time to draw one chart, as a chart worker draws it, and the PNG's size.

Usage: python bench/charts.py [--rounds 8] [--root DIR]

Draws the charts a barometer close posts (the diverging bars, the sector split, the consensus
chart, "where the room stands"), from ``docs/gallery.py``'s fixed made-up answers, through
:func:`facilitation.charting.draw_png`, the function a chart worker runs. Each chart is drawn
``--rounds`` times after one warm-up; the figures are CPU seconds of this process (not wall
time), so another load on the machine moves them less. ``--root`` draws with another checkout's
code (``--root /tmp/old`` measures an older commit with the same driver).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

CLOSE_CHARTS = (
    "barometer-5-steg",
    "barometer-sektorer-5-steg",
    "barometer-overens",
    "barometer-rummet-11-steg",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    args = parser.parse_args()
    root = args.root.resolve()
    sys.path[:0] = [str(root), str(root / "docs")]
    from gallery import analysis_cases, barometer_cases  # from --root

    from facilitation.charting import draw_png  # from --root

    rng = random.Random(7)
    cases = {**barometer_cases(rng), **analysis_cases(rng)}
    print(f"Charts drawn with the code in {root}, {args.rounds} rounds after a warm-up (CPU ms per chart)")
    totals = []
    for name in CLOSE_CHARTS:
        build = cases[name]
        png = draw_png(build, (), {})
        times = []
        for _ in range(args.rounds):
            start = time.process_time()
            draw_png(build, (), {})
            times.append((time.process_time() - start) * 1000)
        totals.append(statistics.median(times))
        print(
            f"  {name:28s} median {statistics.median(times):6.1f}  min {min(times):6.1f}  PNG {len(png) / 1024:5.1f} KiB"
        )
    print(f"a close's {len(CLOSE_CHARTS)} charts: {sum(totals):.0f} ms of CPU (medians summed)")


if __name__ == "__main__":
    main()
