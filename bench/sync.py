#!/usr/bin/env python3
"""The cost of `contracts sync` (SPEC §7): two clones of the SPEC §6 fixture
(500 contracts, 100,000 intervals) each make 100 changes over the same 50
contracts; one pushes, the other syncs. Reports, as `sync --verbose` measures
them, the time spent in git and in `contracts` itself (target: <= 200 ms in
`contracts`), median of --runs runs of the same sync from the same state.

Usage:
  bench/sync.py [--bin target/release/contracts] [--runs 5]

Clone A changes the weekly limit of each of the 50 running contracts twice;
clone B pauses and resumes each of them, so every one of the 50 contract
files is changed on both sides and merged by replaying both sides'
operations (with the contract's diary weeks read for the hourly rules).
"""
import argparse, os, re, shutil, statistics, subprocess, sys, tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402

GIT_ENV = {"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.com"}


def git(cwd, *args):
    env = dict(os.environ, **GIT_ENV)
    subprocess.run(["git", "-C", cwd] + list(args), check=True, env=env, stdout=subprocess.DEVNULL)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(bench.ROOT, "target", "release", "contracts"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--dir", default=os.environ.get("BENCH_DIR", "/tmp/contracts-bench"))
    a = ap.parse_args()
    fx = bench.Fixture(100000, os.path.abspath(a.bin), a.dir)
    fx.build()
    fx.c("sweep")
    work = tempfile.mkdtemp(prefix="contracts-sync-")
    seed = os.path.join(work, "seed")
    shutil.copytree(fx.ledger, seed)
    git(seed, "init", "-q", "-b", "main")
    git(seed, "add", "-A")
    git(seed, "commit", "-q", "-m", "the fixture")
    bare = os.path.join(work, "bare.git")
    subprocess.run(["git", "clone", "-q", "--bare", seed, bare], check=True)
    clones = {}
    for name in ["a", "b"]:
        d = os.path.join(work, name)
        subprocess.run(["git", "clone", "-q", bare, d], check=True)
        clones[name] = d
    running = [f"c{i}" for i in range(fx.contracts - bench.RUNNING + 1, fx.contracts + 1)]
    now = fx.now

    def run(ledger, *args, at=now, role="client"):
        cmd = [fx.bin, "-q", "-f", ledger, "--now", bench.iso(at), "--as", role] + list(args)
        r = subprocess.run(cmd, env=dict(fx.env(), **GIT_ENV), capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)}: exit {r.returncode}\n{r.stderr}")
        return r

    for c in running:
        run(clones["a"], "limit", c, "45")
        run(clones["a"], "limit", c, "50", at=now + bench.dt.timedelta(seconds=30))
        run(clones["b"], "pause", c, at=now + bench.dt.timedelta(minutes=1))
        run(clones["b"], "resume", c, at=now + bench.dt.timedelta(minutes=2))
    run(clones["a"], "sync", at=now + bench.dt.timedelta(minutes=3))
    ready = os.path.join(work, "b-ready")
    shutil.copytree(clones["b"], ready, symlinks=True)
    totals, gits, mine = [], [], []
    for _ in range(a.runs):
        d = os.path.join(work, "b-run")
        shutil.rmtree(d, ignore_errors=True)
        shutil.copytree(ready, d, symlinks=True)
        r = run(d, "sync", "--verbose", at=now + bench.dt.timedelta(minutes=4))
        m = re.search(r"([\d.]+) ms in all: ([\d.]+) ms in git, ([\d.]+) ms in contracts", r.stderr)
        if not m:
            raise SystemExit(f"no timing in: {r.stderr}")
        totals.append(float(m.group(1)))
        gits.append(float(m.group(2)))
        mine.append(float(m.group(3)))
    med = statistics.median
    print("| sync of 2 x 100 changes over 50 contracts (500-contract fixture) | median (ms) | min | max |")
    print("|---|---|---|---|")
    for label, xs in [("in all", totals), ("in git", gits), ("in contracts itself", mine)]:
        print(f"| {label} | {med(xs):.1f} | {min(xs):.1f} | {max(xs):.1f} |")
    print(f"\ntarget: <= 200 ms in contracts itself: {'met' if med(mine) <= 200 else 'MISSED'} ({a.runs} runs)")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
