#!/usr/bin/env bash
# Translation overhead of the protocol doors: the rig's load (../shared/bench: its mock upstream and chat.lua) sent
# to the mock directly and through one Meridian as /v1/chat/completions, /v1/responses (not stored, and stored: the
# API's default, one database write per request) and /v1/completions. Prints each one's throughput and latency, the
# latency Meridian adds over calling the mock directly (p50/p99), and what each door adds over chat.
# Usage: bench/protocols-bench.sh [seconds-per-run]
# Env: RIG (../shared/bench), WARMUP (s, default 30), CONNECTIONS (default "1 32"), MOCK_PORT (9000), MERIDIAN_PORT
# (8080), JAVA_OPTS (default -XX:+UseParallelGC), CONFIG (default: bench/meridian-bench.yml with the mock's port).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rig=${RIG:-$root/../shared/bench}
secs=${1:-10}
warmup=${WARMUP:-30}
connections=${CONNECTIONS:-1 32}
mock_port=${MOCK_PORT:-9000}
port=${MERIDIAN_PORT:-8080}
here=$root/bench/protocols
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }
command -v node >/dev/null || { echo "node is needed" >&2; exit 1; }
[ -f "$root/bootstrap/target/meridian.jar" ] || (cd "$root" && ./mvnw -q -DskipTests package)

work=$(mktemp -d /tmp/meridian-protocols-bench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

config=${CONFIG:-}
if [ -z "$config" ]; then
  config=$work/meridian.yml
  sed "s#http://127.0.0.1:9000/v1#http://127.0.0.1:$mock_port/v1#" "$root/bench/meridian-bench.yml" > "$config"
fi
PORT=$mock_port node "$rig/mock-upstream.js" >/dev/null 2>&1 & pids+=($!)
MICRONAUT_CONFIG_FILES="$config" MICRONAUT_SERVER_PORT=$port MERIDIAN_DATA_DIR="$work/data" MERIDIAN_LOG_LEVEL=WARN \
  java ${JAVA_OPTS--XX:+UseParallelGC} -jar "$root/bootstrap/target/meridian.jar" > "$work/meridian.log" 2>&1 & pids+=($!)
for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$port/health/live" >/dev/null 2>&1 && break; sleep 0.5; done
curl -fs "http://127.0.0.1:$port/health/live" >/dev/null 2>&1 || { echo "Meridian did not start:" >&2; tail -5 "$work/meridian.log" >&2; exit 1; }

# name path script: what is measured, through Meridian unless the name is "direct"
targets=(
  "direct|http://127.0.0.1:$mock_port/v1/chat/completions|$rig/chat.lua"
  "chat|http://127.0.0.1:$port/v1/chat/completions|$rig/chat.lua"
  "responses|http://127.0.0.1:$port/v1/responses|$here/responses.lua"
  "responses+store|http://127.0.0.1:$port/v1/responses|$here/responses-store.lua"
  "completions|http://127.0.0.1:$port/v1/completions|$here/completions.lua"
)

per=$(( warmup / 4 > 1 ? warmup / 4 : 1 ))
echo "warming up each door for ${per}s (the JIT needs it)"
for t in "${targets[@]:1}"; do
  IFS='|' read -r name url script <<<"$t"
  BENCH_KEY=sk-bench wrk -t1 -c32 -d"${per}s" -s "$script" "$url" >/dev/null
done

# wrk's latency ("812.00us", "1.23ms", "2.00s") in microseconds
us() { awk -v v="$1" 'BEGIN{n=v+0; if (v ~ /us$/) print n; else if (v ~ /ms$/) print n*1000; else if (v ~ /s$/) print n*1000000; else print n}'; }

printf '%-16s %-4s %11s %10s %10s %12s %12s %12s %12s %s\n' door c req/s p50_us p99_us added_p50 added_p99 vs_chat_p50 vs_chat_p99 non-2xx
for c in $connections; do
  declare -A p50s=() p99s=()
  for t in "${targets[@]}"; do
    IFS='|' read -r name url script <<<"$t"
    out=$(BENCH_KEY=sk-bench wrk -t1 -c"$c" -d"${secs}s" -s "$script" --latency "$url" 2>&1)
    rps=$(awk '/Requests\/sec/{print $2}' <<<"$out")
    p50=$(us "$(awk '$1=="50%"{print $2}' <<<"$out")"); p99=$(us "$(awk '$1=="99%"{print $2}' <<<"$out")")
    non2xx=$(awk '/Non-2xx/{print $NF}' <<<"$out"); non2xx=${non2xx:-0}
    p50s[$name]=$p50; p99s[$name]=$p99
    added50=-; added99=-; chat50=-; chat99=-
    if [ "$name" != direct ]; then
      added50=$(awk -v a="$p50" -v b="${p50s[direct]}" 'BEGIN{printf "%.0f", a-b}')
      added99=$(awk -v a="$p99" -v b="${p99s[direct]}" 'BEGIN{printf "%.0f", a-b}')
      if [ "$name" != chat ]; then
        chat50=$(awk -v a="$p50" -v b="${p50s[chat]}" 'BEGIN{printf "%+.0f", a-b}')
        chat99=$(awk -v a="$p99" -v b="${p99s[chat]}" 'BEGIN{printf "%+.0f", a-b}')
      fi
    fi
    printf '%-16s %-4s %11s %10.0f %10.0f %12s %12s %12s %12s %s\n' "$name" "$c" "$rps" "$p50" "$p99" "$added50" "$added99" "$chat50" "$chat99" "$non2xx"
  done
done
echo "added_*: latency over calling the mock directly, in microseconds; vs_chat_*: over /v1/chat/completions on the same gateway"
