#!/bin/bash
# Multiple trips on generated county days: [rules] multiple_trips off vs on, same day, seed and
# time limit. Usage: bench/trips.sh [OUT_DIR] [TIME_LIMIT]  (from the repository root; one run
# after another, never in parallel). Prints one line per run: day, rule, total cost, trucks used,
# trips, fixed and driver cost, status, best bound; every plan is also checked.
set -eu
B=${1:-/tmp/coldchain-trips}
LIMIT=${2:-60}
mkdir -p "$B"
for day in peak full; do
  rm -rf "$B/$day-off" "$B/$day-on" "$B/out-$day-off" "$B/out-$day-on"
  coldchain generate "$B/$day-off" --day "$day" --seed 1 > /dev/null
  cp -r "$B/$day-off" "$B/$day-on"
  printf '\n[rules]\nmultiple_trips = true\nreload_min = 30\n' >> "$B/$day-on/scenario.toml"
  for rule in off on; do
    coldchain plan "$B/$day-$rule" --out "$B/out-$day-$rule" --time-limit "$LIMIT" > "$B/log-$day-$rule.txt" 2>&1
    coldchain check "$B/$day-$rule" "$B/out-$day-$rule" > /dev/null
    python -c "import json; k = json.load(open('$B/out-$day-$rule/kpis.json')); \
print('$day', '$rule', k['total_cost_cny'], k['trucks_used'], k['trips'], k['cost_fixed_cny'], \
k['cost_driver_cny'], k['status'], k['best_bound_cny'])"
  done
done
