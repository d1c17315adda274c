#!/usr/bin/env python3
"""The cost of `contracts verify` (SPEC §7: a 10,000-commit signed history
in at most 2 s in all, and a second verify checks only the new commits),
side by side with plain git checking the same signatures.

A shared ledger with one recorded party (an ed25519 key) and a history of
--commits commits, every commit but the first two signed: --contracts
hourly contracts made and accepted, then weekly-limit changes spread over
them. Built once and kept under --dir (it takes about a minute per 1,000
commits: one `contracts` command, one signed `git commit`, each).

Measured, --runs times each, wall time of the whole process:
- cold: `verify` with its cache of verified commits removed first;
- warm: `verify` again, every commit verified before;
- git: `git log --format=%G?` over the same history with an allowed-signers
  file of the party's key (plain git checking every signature: one
  `ssh-keygen` per commit), once (--git-runs);
- the git processes each `verify` starts, counted once with
  `strace -f -e trace=execve` where strace is installed.

Usage:
  bench/verify.py [--bin target/release/contracts] [--commits 10000]
                  [--contracts 50] [--runs 5] [--git-runs 1]
"""
import argparse, os, re, shutil, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENV = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TZ": "UTC", "NO_COLOR": "1"}


def build(a, where):
    """The ledger of --commits commits in `where`, made aside (in
    WHERE.partial, where a build interrupted goes on), then moved."""
    work = where + ".partial"
    env = dict(ENV, HOME=work)
    key = os.path.join(work, "key")
    led = os.path.join(work, "ledger")

    def c(*args, now="2026-11-02T09:00:00Z", check=True):
        r = subprocess.run([a.bin, "-q", "-f", led, "--now", now] + list(args), env=env, capture_output=True, text=True)
        if check and r.returncode != 0:
            raise SystemExit(f"{args}: exit {r.returncode}: {r.stderr}")
        return r

    first = 2 + 2 * a.contracts
    n = 0
    if os.path.exists(os.path.join(led, ".git")):
        r = subprocess.run(["git", "-C", led, "rev-list", "--count", "HEAD"], capture_output=True, text=True)
        n = int(r.stdout.strip() or 0)
    if n < first:
        shutil.rmtree(work, ignore_errors=True)
        os.makedirs(work)
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key], check=True)
        c("init", "--git", now="2026-11-02T08:00:00Z")
        # A party records its own key, from a clone that signs with it.
        subprocess.run(["git", "-C", led, "config", "user.signingkey", key], check=True, env=env)
        c("party", "add", "Acme", "--key", key + ".pub", now="2026-11-02T08:01:00Z")
        for i in range(a.contracts):
            c("new", "--id", f"h{i}", "--title", "T", "--client", "Acme", "--freelancer", "Acme", "--hourly", "50")
            c("--as", "freelancer", "accept", f"h{i}", now="2026-11-02T09:01:00Z")
        n = first
    # (Where the build goes on, its key is here now.)
    subprocess.run(["git", "-C", led, "config", "user.signingkey", key], check=True, env=env)
    t0 = time.time()
    while n < a.commits:
        i = n % a.contracts
        # One commit a minute from 2026-11-03 09:00, each a change of the
        # weekly limit between 40 and 41 (where it is that already, the
        # other).
        minute = n - first + 1
        at = iso_minutes(minute)
        if c("limit", f"h{i}", str(40 + minute % 2), now=at, check=False).returncode != 0:
            c("limit", f"h{i}", str(41 - minute % 2), now=at)
        n += 1
        if n % 1000 == 0:
            print(f"  {n} commits ({time.time() - t0:.0f} s)", file=sys.stderr)
    os.rename(work, where)


def iso_minutes(minute):
    """2026-11-03 09:00 UTC plus `minute` minutes."""
    import datetime as dt
    t = dt.datetime(2026, 11, 3, 9, tzinfo=dt.timezone.utc) + dt.timedelta(minutes=minute)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def timed(cmd, env, cwd=None):
    t0 = time.perf_counter()
    r = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    ms = (time.perf_counter() - t0) * 1e3
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)}: exit {r.returncode}: {r.stderr}")
    return ms, r


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "contracts"))
    ap.add_argument("--commits", type=int, default=10000)
    ap.add_argument("--contracts", type=int, default=50)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--git-runs", type=int, default=1)
    ap.add_argument("--dir", default=os.environ.get("BENCH_DIR", "/tmp/contracts-bench"))
    a = ap.parse_args()
    a.bin = os.path.abspath(a.bin)
    os.makedirs(a.dir, exist_ok=True)
    where = os.path.join(a.dir, f"verify-{a.commits}-{a.contracts}")
    if not os.path.exists(where):
        print(f"building {where} ({a.commits} commits)", file=sys.stderr)
        build(a, where)
    led = os.path.join(where, "ledger")
    env = dict(ENV, HOME=where)
    count = subprocess.run(["git", "-C", led, "rev-list", "--count", "HEAD"], capture_output=True, text=True).stdout.strip()
    cache = os.path.join(led, ".git", "contracts", "verified")
    verify = [a.bin, "-f", led, "verify", "--verbose"]

    def run(cold):
        if cold and os.path.exists(cache):
            os.remove(cache)
        ms, r = timed(verify, env)
        m = re.search(r"([\d.]+) ms in git", r.stderr)
        return ms, float(m.group(1)) if m else float("nan")

    colds, warms = [], []
    for _ in range(a.runs):
        colds.append(run(True))
        warms.append(run(False))
    # Plain git checking every commit's signature against the same key.
    allowed = os.path.join(where, "allowed")
    with open(os.path.join(where, "key.pub")) as f:
        with open(allowed, "w") as out:
            out.write(f'"Acme" namespaces="git" {f.read().strip()}\n')
    gits, good = [], 0
    for _ in range(a.git_runs):
        ms, r = timed(["git", "-C", led, "-c", "gpg.format=ssh", "-c", f"gpg.ssh.allowedSignersFile={allowed}",
                       "log", "--format=%G?"], env)
        good = r.stdout.split().count("G")
        gits.append(ms)
    procs = None
    if shutil.which("strace"):
        if os.path.exists(cache):
            os.remove(cache)
        trace = os.path.join(where, "trace")
        subprocess.run(["strace", "-f", "-qq", "-e", "trace=execve", "-o", trace] + verify, env=env,
                       capture_output=True, check=True)
        with open(trace) as f:
            procs = sum(1 for l in f if "execve(" in l and "= 0" in l) - 1
    med = statistics.median
    print(f"| verify of {count} signed commits ({a.contracts} contracts) | median (ms) | min | max | of it in git (median) |")
    print("|---|---|---|---|---|")
    for label, xs in [("contracts verify, cold", colds), ("contracts verify, warm", warms)]:
        t = [x for x, _ in xs]
        print(f"| {label} | {med(t):.0f} | {min(t):.0f} | {max(t):.0f} | {med([g for _, g in xs]):.0f} |")
    cold = med([x for x, _ in colds])
    if gits:
        print(f"| plain git: `git log --format=%G?` ({good} good) | {med(gits):.0f} | {min(gits):.0f} | {max(gits):.0f} | |")
        print(f"\ncold verify / plain git: {cold / med(gits):.3f}")
    print(f"\nprocesses started by a cold verify: {procs}")
    target = 2000 * int(count) / 10000
    print(f"target: a cold verify of {count} commits <= {target:.0f} ms (2 s per 10,000): {'met' if cold <= target else 'MISSED'} ({a.runs} runs)")


if __name__ == "__main__":
    main()
