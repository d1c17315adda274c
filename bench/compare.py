#!/usr/bin/env python3
"""`list`, `sweep` and the week tables of two or more builds side by side on the SPEC §6 fixture.

Usage:
  bench/compare.py NAME=BIN [NAME=BIN ...] [--size 100000] [--runs 60]

Each build makes its own copy of the fixture (as bench.py does: 500 contracts,
100,000 intervals at the default size), so each reads files in the format it
writes; then hyperfine runs every build's `list` and then `sweep` (nothing
due) in one session, and the medians and their ratios to the first build are
printed as a Markdown table, for bench/RESULTS.md.
"""
import argparse, json, os, statistics, subprocess, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("builds", nargs="+", help="NAME=path/to/contracts")
    ap.add_argument("--size", type=int, default=100000)
    ap.add_argument("--runs", type=int, default=60)
    ap.add_argument("--dir", default=os.environ.get("BENCH_DIR", "/tmp/contracts-compare"))
    a = ap.parse_args()
    builds = [b.split("=", 1) for b in a.builds]
    fixtures = []
    for name, path in builds:
        fx = bench.Fixture(a.size, os.path.abspath(path), os.path.join(a.dir, name))
        fx.build()
        # the timers due at the fixture's "now", applied once: `sweep` is then measured with nothing due
        fx.c("sweep")
        fixtures.append((name, fx))
    rows = []
    weeks = {label: week for label, week, _ in bench.weeks_of(fixtures[0][1])}
    commands = [("list", ["list"]), ("sweep", ["sweep"]),
                ("diary show --week (newest)", ["diary", "show", "--week", weeks["newest"]]),
                ("diary show --week (middle)", ["diary", "show", "--week", weeks["middle"]])]
    for cmd, args in commands:
        out = os.path.join(tempfile.mkdtemp(), "hf.json")
        runs = [" ".join([fx.bin, "-q", "-f", fx.ledger, "--now", bench.iso(fx.now)] + args) for _, fx in fixtures]
        subprocess.run(["hyperfine", "-N", "--warmup", "5", "--runs", str(a.runs), "--export-json", out] + runs,
                       check=True, stdout=subprocess.DEVNULL, env=fixtures[0][1].env())
        meds = [statistics.median(r["times"]) * 1000 for r in json.load(open(out))["results"]]
        for (name, _), m in zip(fixtures, meds):
            rows.append(f"| `{cmd}` | {name} | {m:.2f} | {m / meds[0]:.2f} |")
    print("| command | build | median (ms) | ratio to the first |")
    print("|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
