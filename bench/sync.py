#!/usr/bin/env python3
"""The cost of `contracts sync` (SPEC §7: two clones that each made 100
changes over 50 contracts of the §6 fixture sync in at most 200 ms more
than `git fetch` plus `git push` of the same commits), side by side with
plain git moving the same commits, in one run.

Two clones of the SPEC §6 fixture (500 contracts, 100,000 intervals) each
make 100 changes over the same 50 running contracts: clone A changes the
weekly limit of each twice, clone B pauses and resumes each, so every one
of the 50 contract files is changed on both sides and merged by replaying
both sides' operations. Both act as the client, so A's earlier-dated
operations are set aside as backdated (SPEC §7) and the sync exits 4,
having merged and listed them. A syncs (pushes); then, from that same state
(clone B and the remote copied afresh for every run), measured by wall
time, the contenders alternating run by run:

- `contracts sync` in B: fetch A's 100 commits, check them, merge, commit
  the merge, push B's 100 commits and the merge;
- plain git moving the same commits: `git fetch` in B, then `git push` of
  what the sync pushed (B's commits and the sync's merge) into the remote
  as it was before.

(`git pull` with the merge driver `contracts` registers is not measured:
on this scenario the driver leaves the 50 contract files in conflict.)

The git processes a sync starts are counted once with `strace -f -e
trace=execve` where strace is installed.

Usage:
  bench/sync.py [--bin target/release/contracts] [--runs 5] [--dir DIR]
"""
import argparse, os, re, shutil, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402

GIT_ENV = {"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.com"}


def git(cwd, *args):
    env = dict(os.environ, **GIT_ENV)
    subprocess.run(["git", "-C", cwd] + list(args), check=True, env=env, stdout=subprocess.DEVNULL)


def timed(cmds, env, ok=(0,)):
    """Runs `cmds` one after the other: their wall time in ms, the last result."""
    t0 = time.perf_counter()
    r = None
    for cmd in cmds:
        r = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if r.returncode not in ok:
            raise SystemExit(f"{' '.join(cmd)}: exit {r.returncode}\n{r.stderr}")
    return (time.perf_counter() - t0) * 1e3, r


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
    # No gc started in the background (it would move objects while the
    # states are copied, and run during a measurement).
    git(bare, "config", "receive.autogc", "false")
    git(bare, "config", "gc.auto", "0")
    clones = {}
    for name in ["a", "b"]:
        d = os.path.join(work, name)
        subprocess.run(["git", "clone", "-q", bare, d], check=True)
        git(d, "config", "gc.auto", "0")
        clones[name] = d
    running = [f"c{i}" for i in range(fx.contracts - bench.RUNNING + 1, fx.contracts + 1)]
    now = fx.now
    env = dict(fx.env(), **GIT_ENV)

    def run(ledger, *args, at=now, role="client"):
        cmd = [fx.bin, "-q", "-f", ledger, "--now", bench.iso(at), "--as", role] + list(args)
        r = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)}: exit {r.returncode}\n{r.stderr}")
        return r

    for c in running:
        run(clones["a"], "limit", c, "45")
        run(clones["a"], "limit", c, "50", at=now + bench.dt.timedelta(seconds=30))
        run(clones["b"], "pause", c, at=now + bench.dt.timedelta(minutes=1))
        run(clones["b"], "resume", c, at=now + bench.dt.timedelta(minutes=2))
    run(clones["a"], "sync", at=now + bench.dt.timedelta(minutes=3))
    # The state every run starts from: B with its 100 commits, the remote
    # with A's (and B's origin/main from before A pushed).
    ready, bare_ready = os.path.join(work, "b-ready"), os.path.join(work, "bare-ready.git")
    shutil.copytree(clones["b"], ready, symlinks=True)
    shutil.copytree(bare, bare_ready, symlinks=True)
    d, remote = os.path.join(work, "b-run"), os.path.join(work, "bare.git")
    at = bench.iso(now + bench.dt.timedelta(minutes=4))

    def fresh():
        for src, dst in [(ready, d), (bare_ready, remote)]:
            shutil.rmtree(dst, ignore_errors=True)
            shutil.copytree(src, dst, symlinks=True)
        # A copied work tree's files all look changed to git (new inodes
        # and times): its index refreshed first, as in a clone in use.
        subprocess.run(["git", "-C", d, "update-index", "-q", "--refresh"], env=env)

    sync = [fx.bin, "-q", "-f", d, "--now", at, "--as", "client", "sync", "--verbose"]
    times = {"sync": [], "sync-git": [], "fetch+push": []}
    merged = None
    for _ in range(a.runs):
        fresh()
        # Exit 4: merged, with operations set aside (both clones act as the
        # client, so the earlier-dated of its concurrent operations are
        # backdated: SPEC §7), listed.
        ms, r = timed([sync], env, ok=(0, 4))
        m = re.search(r"([\d.]+) ms in git", r.stderr)
        times["sync"].append(ms)
        times["sync-git"].append(float(m.group(1)) if m else float("nan"))
        merged = subprocess.run(["git", "-C", d, "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
        parents = subprocess.run(["git", "-C", d, "log", "-1", "--format=%P"], capture_output=True, text=True).stdout.split()
        if len(parents) != 2:
            raise SystemExit(f"sync made no merge: {parents}")
        # Plain git moving the same commits: A's fetched, B's and the
        # merge pushed into the remote as it was.
        keep = os.path.join(work, "b-merged")
        shutil.rmtree(keep, ignore_errors=True)
        shutil.copytree(d, keep, symlinks=True)
        fresh()
        ms_fetch, _ = timed([["git", "-C", d, "fetch", "-q", "origin"]], env)
        ms_push, _ = timed([["git", "-C", keep, "push", "-q", remote, f"{merged}:refs/heads/main"]], env)
        times["fetch+push"].append(ms_fetch + ms_push)
    procs = None
    if shutil.which("strace"):
        fresh()
        trace = os.path.join(work, "trace")
        subprocess.run(["strace", "-f", "-qq", "-e", "trace=execve", "-o", trace] + sync, env=env,
                       capture_output=True)
        with open(trace) as f:
            execs = [l for l in f if "execve(" in l and "= 0" in l]
        gits = sum(1 for l in execs if re.search(r'execve\("[^"]*/git"', l))
        procs = (len(execs) - 1, gits)
    med = statistics.median
    print("| 2 x 100 changes over 50 contracts (500-contract fixture) | median (ms) | min | max |")
    print("|---|---|---|---|")
    for label, key in [("`contracts sync` (fetch, check, merge, push)", "sync"),
                       ("of it, waiting for git", "sync-git"),
                       ("plain git: `git fetch` + `git push` of the same commits", "fetch+push")]:
        xs = times[key]
        print(f"| {label} | {med(xs):.1f} | {min(xs):.1f} | {max(xs):.1f} |")
    beyond = med(times["sync"]) - med(times["fetch+push"])
    print(f"\nsync beyond git's fetch + push: {beyond:.1f} ms (ratio {med(times['sync']) / med(times['fetch+push']):.2f});"
          f" processes a sync started: {procs[0] if procs else '?'} ({procs[1] if procs else '?'} of them git)")
    print(f"target: <= 200 ms beyond fetch + push: {'met' if beyond <= 200 else 'MISSED'} ({a.runs} runs)")
    if os.environ.get("SYNC_KEEP"):
        print(f"kept {work}", file=sys.stderr)
    else:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
