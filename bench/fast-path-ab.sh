#!/usr/bin/env bash
# CPU per proxied request with the chat fast path on and off (meridian.http.fast-path), against the shared
# rig's mock upstream: for each mode, a fresh jar and mock, a JIT warm-up, then wrk at 32 connections against
# the mock directly and through Meridian, printing req/s, p50/p99 and the CPU time per request of Meridian's
# process and of the mock (from /proc, user + system). CPU per request moves far less from run to run than
# throughput does on a shared host.
# Usage: bench/fast-path-ab.sh [seconds-per-wrk-run]   Env: RIG, WARMUP (s), MODES ("on off" by default)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rig=${RIG:-$root/../shared/bench}
secs=${1:-8}
warmup=${WARMUP:-30}
port=${MERIDIAN_PORT:-8080}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }
[ -f "$root/bootstrap/target/meridian.jar" ] || (cd "$root" && ./mvnw -q -DskipTests package)
off=$(mktemp --suffix=.yml); printf 'meridian:\n  http:\n    fast-path: false\n' > "$off"
jar=""; mock=""
cleanup() { for p in $jar $mock; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -f "$off"; }
trap cleanup EXIT
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
run() { # label url
  local a b out rps
  a=$(ticks "$jar"); b=$(ticks "$mock")
  out=$(BENCH_KEY=sk-bench wrk -t1 -c32 -d"${secs}s" -s "$rig/chat.lua" --latency "$2")
  rps=$(awk '/Requests\/sec/{print $2}' <<<"$out")
  awk -v l="$1" -v r="$rps" -v da=$(( $(ticks "$jar") - a )) -v db=$(( $(ticks "$mock") - b )) -v hz="$hz" -v s="$secs" \
    '$1=="50%"{p5=$2} $1=="99%"{p9=$2} END{printf "  %-9s %9.0f req/s  p50 %-8s p99 %-8s CPU/request: Meridian %5.1f us, mock %5.1f us\n", l, r, p5, p9, da*1e6/hz/(r*s), db*1e6/hz/(r*s)}' <<<"$out"
}
for mode in ${MODES:-on off}; do
  cfg="$root/bench/meridian-bench.yml"; [ "$mode" = off ] && cfg="$cfg,$off"
  MICRONAUT_CONFIG_FILES="$cfg" MICRONAUT_SERVER_PORT=$port MERIDIAN_LOG_LEVEL=WARN \
    java ${JAVA_OPTS--XX:+UseParallelGC} -jar "$root/bootstrap/target/meridian.jar" > /tmp/meridian-ab.log 2>&1 & jar=$!
  for _ in $(seq 1 60); do curl -fs "http://127.0.0.1:$port/health/live" >/dev/null 2>&1 && break; sleep 0.5; done
  PORT=9000 node "$rig/mock-upstream.js" >/dev/null 2>&1 & mock=$!
  sleep 1
  BENCH_KEY=sk-bench wrk -t1 -c32 -d"${warmup}s" -s "$rig/chat.lua" "http://127.0.0.1:$port/v1/chat/completions" >/dev/null
  echo "fast path $mode:"
  for _ in 1 2; do
    run direct "http://127.0.0.1:9000/v1/chat/completions"
    run meridian "http://127.0.0.1:$port/v1/chat/completions"
  done
  kill $jar $mock; wait $jar $mock 2>/dev/null || true
done
