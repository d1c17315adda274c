#!/usr/bin/env python3
"""The cost of `contracts verify` (issue "who did what"): a shared ledger
with a recorded party and a 1,000-commit history, every commit but the
first two signed (50 contracts made, accepted, and 900 weekly-limit
changes); `verify --verbose` run --runs times, reporting the time spent in
git (and the ssh-keygen it runs) and in `contracts` itself (target: <= 1 s
beyond git's own time).

Usage:
  bench/verify.py [--bin target/release/contracts] [--runs 3]
"""
import argparse, os, re, statistics, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENV = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TZ": "UTC", "NO_COLOR": "1"}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "contracts"))
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="contracts-verify-")
    env = dict(ENV, HOME=work)
    key = os.path.join(work, "key")
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key], check=True)
    led = os.path.join(work, "ledger")

    def c(*args, now="2026-11-02T09:00:00Z"):
        r = subprocess.run([a.bin, "-q", "-f", led, "--now", now] + list(args), env=env, capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit(f"{args}: exit {r.returncode}: {r.stderr}")
        return r

    c("init", "--git", now="2026-11-02T08:00:00Z")
    # A party records its own key, from a clone that signs with it.
    subprocess.run(["git", "-C", led, "config", "user.signingkey", key], check=True, env=env)
    c("party", "add", "Acme", "--key", key + ".pub", now="2026-11-02T08:01:00Z")
    n = 2
    for i in range(50):
        c("new", "--id", f"h{i}", "--title", "T", "--client", "Acme", "--freelancer", "Acme", "--hourly", "50")
        c("--as", "freelancer", "accept", f"h{i}", now="2026-11-02T09:01:00Z")
        n += 2
    minute = 0
    while n < 1000:
        i = n % 50
        minute += 1
        c("limit", f"h{i}", str(40 + minute % 2), now=f"2026-11-03T{9 + minute // 60:02d}:{minute % 60:02d}:00Z")
        n += 1
    alls, gits, mine = [], [], []
    for _ in range(a.runs):
        # A cold verify: the commits verified before are forgotten.
        cache = os.path.join(led, ".git", "contracts", "verified")
        if os.path.exists(cache):
            os.remove(cache)
        r = subprocess.run([a.bin, "-f", led, "verify", "--verbose"], env=env, capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit(f"verify: exit {r.returncode}: {r.stderr}")
        m = re.search(r"([\d.]+) ms in all: ([\d.]+) ms in git, ([\d.]+) ms in contracts", r.stderr)
        alls.append(float(m.group(1))); gits.append(float(m.group(2))); mine.append(float(m.group(3)))
    count = subprocess.run(["git", "-C", led, "rev-list", "--count", "HEAD"], capture_output=True, text=True).stdout.strip()
    med = statistics.median
    print(f"| verify of {count} commits | median (ms) | min | max |")
    print("|---|---|---|---|")
    for label, xs in [("in all", alls), ("in git (and ssh-keygen)", gits), ("in contracts itself", mine)]:
        print(f"| {label} | {med(xs):.0f} | {min(xs):.0f} | {max(xs):.0f} |")
    print(f"\ntarget: <= 1000 ms in contracts itself: {'met' if med(mine) <= 1000 else 'MISSED'} ({a.runs} runs)")


if __name__ == "__main__":
    main()
