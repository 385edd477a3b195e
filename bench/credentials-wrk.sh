#!/usr/bin/env bash
# Issue 5's throughput target for the agent's credentials endpoint: wrk
# against the real credentials Handler (rate limit raised, audit line written
# to a file for every request, one cached entry, authorization token checked)
# and against a bare handler writing a fixed credentials JSON, both on
# loopback, in the same run.
#
#   bash bench/credentials-wrk.sh            # wrk -t2 -c64 -d10s --latency
#   DURATION=30s CONNS=64 THREADS=2 bash bench/credentials-wrk.sh
#   PIN="0 1" bash bench/credentials-wrk.sh   # server on CPU 0, wrk on CPU 1 (taskset)
#
# Target: real ≥ 70% of bare requests/s, real p99 ≤ 1.5 × bare p99.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"
THREADS=${THREADS:-2} CONNS=${CONNS:-64} DURATION=${DURATION:-10s}

if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    apt-get install -y wrk >/dev/null || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
  else
    echo "wrk is not installed (apt-get install -y wrk, as root)"; exit 1
  fi
fi

work=$(mktemp -d)
SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
go build -o "$work/benchserve" ./internal/agent/credentials/benchserve
srv_pin=(); wrk_pin=()
if [ -n "${PIN:-}" ]; then
  read -r scpu wcpu <<<"$PIN"
  srv_pin=(taskset -c "$scpu"); wrk_pin=(taskset -c "$wcpu")
fi
"${srv_pin[@]}" "$work/benchserve" ${BENCHSERVE_FLAGS:-} >"$work/urls" &
SERVER_PID=$!
for _ in $(seq 1 100); do grep -q '^audit ' "$work/urls" 2>/dev/null && break; sleep 0.05; done
real=$(sed -n 's/^real //p' "$work/urls"); bare=$(sed -n 's/^bare //p' "$work/urls"); token=$(sed -n 's/^token //p' "$work/urls")
audit=$(sed -n 's/^audit //p' "$work/urls")
[ -n "$real" ] && [ -n "$bare" ] || { echo "benchserve did not start"; exit 1; }
# One request each: both answer 200 with a body of the same size.
for u in "$real" "$bare"; do
  code=$(curl -s -o /dev/null -w '%{http_code} %{size_download}' -H "Authorization: $token" "$u")
  echo "check $code ${u%%/v2*}"
done

# run_wrk NAME URL: prints the wrk report and leaves NAME.rps, NAME.p99 (ms).
run_wrk() {
  "${wrk_pin[@]}" wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency -H "Authorization: $token" "$2" >"$work/$1.txt"
  cat "$work/$1.txt"
  awk '/^Requests\/sec:/ {print $2}' "$work/$1.txt" >"$work/$1.rps"
  # "99%   1.23ms" (us, ms or s) → milliseconds.
  awk '$1=="99%" { v=$2; u=v; sub(/[0-9.]+/,"",u); sub(/[a-z]+$/,"",v);
        if (u=="us") v/=1000; else if (u=="s") v*=1000; print v }' "$work/$1.txt" >"$work/$1.p99"
}
echo "== bare handler (fixed JSON)"
run_wrk bare "$bare"
echo "== real credentials Handler"
run_wrk real "$real"
lines=$(cat "$audit"* | wc -l)  # the active file and its size rollovers

read -r brps <"$work/bare.rps"; read -r rrps <"$work/real.rps"
read -r bp99 <"$work/bare.p99"; read -r rp99 <"$work/real.p99"
awk -v b="$brps" -v r="$rrps" -v bp="$bp99" -v rp="$rp99" -v lines="$lines" -v cmd="wrk -t$THREADS -c$CONNS -d$DURATION --latency" 'BEGIN {
  printf "\n%s, %s CPUs%s\n", cmd, '"$(nproc)"', "'"${PIN:+, pinned server/wrk CPUs $PIN}"'"
  printf "%-6s %12s %10s\n", "", "requests/s", "p99 (ms)"
  printf "%-6s %12.0f %10.3f\n", "bare", b, bp
  printf "%-6s %12.0f %10.3f\n", "real", r, rp
  ok1 = (r >= 0.7*b); ok2 = (rp <= 1.5*bp)
  printf "real/bare requests/s: %.2f (target >= 0.70: %s)\n", r/b, ok1 ? "met" : "MISSED"
  printf "real/bare p99:        %.2f (target <= 1.50: %s)\n", rp/bp, ok2 ? "met" : "MISSED"
  printf "audit lines written:  %d (one per request, the checks included)\n", lines
}'
