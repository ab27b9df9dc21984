#!/usr/bin/env bash
# Gateway benchmark on loopback with the shared rig (../shared/bench): starts the built jar with
# bench/meridian-bench.yml, warms the JIT up, then runs compare.sh (mock direct vs Meridian vs Portkey,
# wrk at 1 and 32 connections) and stream-probe.js (time to first byte of streams, direct and via Meridian).
# Usage: bench/run-rig.sh [seconds-per-wrk-run]     Env: RIG, WARMUP (s), SKIP_PORTKEY=1,
# JAVA_OPTS (default -XX:+UseParallelGC, the collector docs/operations.md recommends; JAVA_OPTS= for the JVM default),
# CONFIG (default bench/meridian-bench.yml, the rig's tuned settings; bench/meridian-bench-default.yml is what a user
# gets with no tuning: run it with CONFIG=bench/meridian-bench-default.yml JAVA_OPTS= bench/run-rig.sh)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rig=${RIG:-$root/../shared/bench}
secs=${1:-10}
warmup=${WARMUP:-40}
port=${MERIDIAN_PORT:-8080}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }
command -v node >/dev/null || { echo "node is needed" >&2; exit 1; }
[ -f "$root/bootstrap/target/meridian.jar" ] || (cd "$root" && ./mvnw -q -DskipTests package)

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

MICRONAUT_CONFIG_FILES="${CONFIG:-$root/bench/meridian-bench.yml}" MICRONAUT_SERVER_PORT=$port MERIDIAN_LOG_LEVEL=WARN \
  java ${JAVA_OPTS--XX:+UseParallelGC} -jar "$root/bootstrap/target/meridian.jar" > /tmp/meridian-bench.log 2>&1 & pids+=($!)
for _ in $(seq 1 60); do curl -fs "http://127.0.0.1:$port/health/live" >/dev/null 2>&1 && break; sleep 0.5; done
curl -fs "http://127.0.0.1:$port/health/live" >/dev/null 2>&1 || { echo "Meridian did not start:" >&2; tail -5 /tmp/meridian-bench.log >&2; exit 1; }

echo "warming up Meridian for ${warmup}s (the JIT needs it; a cold JVM is not what runs in production)"
PORT=9000 node "$rig/mock-upstream.js" >/dev/null 2>&1 & mock=$!
sleep 1
BENCH_KEY=sk-bench wrk -t1 -c32 -d"${warmup}s" -s "$rig/chat.lua" "http://127.0.0.1:$port/v1/chat/completions" >/dev/null
BENCH_KEY=sk-bench wrk -t1 -c1 -d5s -s "$rig/chat.lua" "http://127.0.0.1:$port/v1/chat/completions" >/dev/null
node "$rig/stream-probe.js" "http://127.0.0.1:$port/v1/chat/completions" 2000 sk-bench >/dev/null
echo "streams (32 chunks each), direct:"
node "$rig/stream-probe.js" "http://127.0.0.1:9000/v1/chat/completions" 1000 sk-bench
echo "streams (32 chunks each), through Meridian:"
node "$rig/stream-probe.js" "http://127.0.0.1:$port/v1/chat/completions" 1000 sk-bench
kill $mock; wait $mock 2>/dev/null || true

MERIDIAN_URL="http://127.0.0.1:$port" BENCH_KEY=sk-bench "$rig/compare.sh" "$secs"
