#!/usr/bin/env bash
# Rebuilds examples/ledger: an agency's month, with a pinned clock so the
# files are the same on every run (but for the history's operation ids,
# random so that two clones never make the same one). Usage: examples/make-ledger.sh [path/to/contracts]
set -euo pipefail
cd "$(dirname "$0")"
BIN=${1:-../target/debug/contracts}
L=ledger
rm -rf "$L"
export TZ=UTC
c() { "$BIN" -q -f "$L" "$@" >/dev/null; }
c init --currency USD --role client --fee-percent 10
# Hourly support contract with a 10 h weekly limit, started on Monday 2 November.
c --now 2026-11-02T09:00:00Z new --id support --title "Support retainer" --client "Acme Ltd" --freelancer "Ann Lee" --hourly 45 --weekly-limit 10
# Hourly build, no limit, tracked time only.
c --now 2026-11-02T09:00:00Z new --id api --title "Payments API" --client "Acme Ltd" --freelancer "Bob Stone" --hourly 60 --weekly-limit none --no-manual-time
# A fixed-price storefront in two milestones.
c --now 2026-11-03T10:00:00Z new --id shop --title "Storefront redesign" --client "Acme Ltd" --freelancer "Ann Lee" --fixed 900 --milestone "Design=300" --milestone "Build=600"
F="--as freelancer"
# Week 46 (9-15 Nov) and week 47 (16-22 Nov) of support.
for d in 09 10 11 12 13; do
  c $F --now 2026-11-${d}T18:00:00Z diary log support --from 2026-11-${d}T09:00:00Z --to 2026-11-${d}T11:15:00Z --memo "Tickets and triage"
done
c $F --now 2026-11-16T18:00:00Z diary log support --from 2026-11-16T09:00:00Z --to 2026-11-16T12:30:00Z --memo "Checkout incident"
c $F --now 2026-11-17T18:00:00Z diary log support --from 2026-11-17T13:00:00Z --to 2026-11-17T15:00:00Z --memo "Customer calls"
c $F --now 2026-11-18T01:00:00Z diary log support --from 2026-11-17T22:30:00Z --to 2026-11-18T00:45:00Z --memo "Night deploy (crosses midnight)"
# Tracked time on the API.
c $F --now 2026-11-16T08:00:00Z diary start api --memo "Webhook retries"
c $F --now 2026-11-16T12:10:00Z diary stop api
c $F --now 2026-11-17T13:00:00Z diary start api --memo "Idempotency keys"
c $F --now 2026-11-17T17:40:00Z diary stop api
c $F --now 2026-11-18T08:30:00Z diary start api --memo "Load testing"
# The storefront: design approved, build submitted.
c $F --now 2026-11-09T16:00:00Z milestone submit shop
c --now 2026-11-10T09:00:00Z milestone approve shop
c --now 2026-11-10T09:05:00Z milestone fund shop
c $F --now 2026-11-17T17:00:00Z milestone submit shop
echo "examples/$L rebuilt"
