"""Start-up figures: process launch to first paint of the reader (in tmux, warm
index, bundled seeds) and `briefing search` wall time.

    python bench/bench_startup.py [--runs 5]

Needs tmux for the first-paint figure (says so plainly when it is missing).
Target: start-up to first paint ≤ 1.0 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent / "briefing"
PROBE = "Anthropic"  # words of the first article's text


def first_paint(home: str, runs: int) -> list[float]:
    times = []
    for n in range(runs):
        session = f"bench-startup-{os.getpid()}-{n}"
        env = f"BRIEFING_HOME={home} TEXTUAL_ANIMATIONS=none"
        t0 = time.perf_counter()
        subprocess.run(
            ["tmux", "new-session", "-d", "-s", session, "-x", "140", "-y", "40", f"env {env} {BIN}"],
            check=True,
        )
        try:
            while time.perf_counter() - t0 < 20:
                screen = subprocess.run(
                    ["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True
                ).stdout
                if PROBE in screen and "Library" in screen:
                    times.append(time.perf_counter() - t0)
                    break
                time.sleep(0.01)
            else:
                print(f"run {n}: no first paint within 20 s", file=sys.stderr)
        finally:
            subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
        time.sleep(0.3)
    return times


def cli_search(home: str, runs: int) -> list[float]:
    times = []
    env = dict(os.environ, BRIEFING_HOME=home)
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([str(BIN), "search", "export controls", "--json"], env=env,
                       capture_output=True, check=True)
        times.append(time.perf_counter() - t0)
    return times


def fmt(times: list[float]) -> str:
    if not times:
        return "n/a"
    return f"median {statistics.median(times) * 1000:.0f} ms (min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}, n={len(times)})"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not BIN.exists():
        print(f"no briefing executable next to {sys.executable}; run `make test` first")
        return 1
    home = tempfile.mkdtemp(prefix="briefing-bench-")
    try:
        # Warm the store and the index once.
        subprocess.run([str(BIN), "index"], env=dict(os.environ, BRIEFING_HOME=home), check=True,
                       capture_output=True)
        print(f"`briefing search` (warm index, seeds): {fmt(cli_search(home, args.runs))}")
        if shutil.which("tmux") is None:
            print("tmux not installed: start-up to first paint not measured")
        else:
            print(f"launch → first paint in tmux (warm index, seeds): {fmt(first_paint(home, args.runs))}  target ≤ 1000 ms")
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
