#!/usr/bin/env python3
"""Flat at any age (SPEC §6, issue 22): the commands that read or may write,
on the 500-contract fixture as described (contracts ended), left open
(swept once) and right after the import (left open, never swept), and
with other builds, every sample interleaved in one session.

Usage:
  bench/flat.py [--runs 15] [new=target/release/contracts] [old=OTHER_BIN ...]

Uses bench.py's fixtures (built with `bench.py --fixtures
100000,100000-open --build-only`); measures on copies, swept once at the
clock of the measurements (so `sweep` finds nothing due). `end` runs with
`--dry-run`: it reads all it would, writes nothing, so every sample sees
the same ledger. Prints a Markdown table of medians (wall, and user+system
CPU, which another process on the cores inflates less).
"""
import os, random, shutil, statistics, subprocess, sys, json

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402


def sample(cmd, env):
    out = "/tmp/contracts-flat-hyperfine.json"
    subprocess.run(["hyperfine", "-N", "--runs", "1", "--style", "none", "--export-json", out, " ".join(cmd)],
                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    r = json.load(open(out))["results"][0]
    return r["times"][0] * 1000, (r["user"] + r["system"]) * 1000


def main():
    runs = 15
    bins = {}
    for a in sys.argv[1:]:
        if a.startswith("--runs="):
            runs = int(a.split("=", 1)[1])
        else:
            k, _, v = a.partition("=")
            bins[k] = os.path.abspath(v)
    bins = bins or {"new": os.path.join(bench.ROOT, "target", "release", "contracts")}
    base = os.environ.get("BENCH_DIR", "/tmp/contracts-bench")
    fx = bench.Fixture(100000, "", base)
    now = bench.iso(fx.now + bench.dt.timedelta(days=1))
    env = fx.env()
    ledgers = {}
    for name, src in [("ended", "n100000"), ("open", "n100000-open"), ("fresh", "n100000-open")]:
        work = os.path.join(base, f"flat-{name}")
        shutil.rmtree(work, ignore_errors=True)
        shutil.copytree(os.path.join(base, src), work, symlinks=True)
        ledgers[name] = os.path.join(work, "ledger")
    first = next(iter(bins.values()))
    for name in ("ended", "open"):
        subprocess.run([first, "-q", "-f", ledgers[name], "--now", now, "sweep"], env=env,
                       stdout=subprocess.DEVNULL, check=True)
    os.sync()
    week = fx.week
    middle = bench.weeks_of(fx)[1][1]
    cmds = []
    for b, path in bins.items():
        for name, led in ledgers.items():
            c = [path, "-q", "-f", led, "--now", now]
            cmds.append((b, name, "list", c + ["list"]))
            cmds.append((b, name, f"diary show --week {week} (current)", c + ["diary", "show", "--week", week]))
            cmds.append((b, name, f"diary show --week {middle} (middle)", c + ["diary", "show", "--week", middle]))
            if name == "fresh":
                continue
            cmds.append((b, name, "sweep (nothing due)", c + ["sweep"]))
            cmds.append((b, name, "end c480 --dry-run (running)", c + ["end", "c480", "--yes", "--dry-run"]))
            if name == "open":
                cmds.append((b, name, "end c1 --dry-run (idle four years)", c + ["end", "c1", "--yes", "--dry-run"]))
    start = fx.week_start
    cmds.append(("timew", "", f"timew summary {week}", ["timew", "summary", bench.tw(start), "-",
                                                         bench.tw(start + bench.dt.timedelta(days=7))]))
    res = {i: [] for i in range(len(cmds))}
    for k in range(runs):
        order = list(range(len(cmds)))
        random.Random(k).shuffle(order)
        for i in order:
            res[i].append(sample(cmds[i][3], env))
    print(f"| build | fixture | command | wall median (ms) | user+sys median (ms) |")
    print("|---|---|---|---|---|")
    for i, (b, name, label, _) in enumerate(cmds):
        wall = statistics.median(x for x, _ in res[i])
        cpu = statistics.median(y for _, y in res[i])
        print(f"| {b} | {name} | `{label}` | {wall:.2f} | {cpu:.2f} |")
    for name in ledgers:
        shutil.rmtree(os.path.dirname(ledgers[name]), ignore_errors=True)


if __name__ == "__main__":
    main()
