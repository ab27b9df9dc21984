#!/usr/bin/env bash
# What each protocol door adds: the rig's load (../shared/bench: its mock upstream and chat.lua) sent to the mock
# directly, then through one gateway by each door: /v1/chat/completions (OpenAI, the fast path) and /v1/messages
# (Anthropic's Messages API, translated to the same core). Prints each door's latency at one connection, the latency
# it adds over calling the mock directly (p50, p99), and its throughput at 32 connections.
# Usage: bench/protocol-overhead.sh [seconds-per-wrk-run]    Env: RIG, WARMUP (s, default 40), MERIDIAN_PORT (8080),
# MOCK_PORT (9000), JAVA_OPTS (default -XX:+UseParallelGC), CONFIG (default bench/meridian-bench.yml).
# Run it on a quiet machine: the load generator, the mock and the gateway share its cores.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rig=${RIG:-$root/../shared/bench}
secs=${1:-10}
warmup=${WARMUP:-40}
port=${MERIDIAN_PORT:-8080}
mock_port=${MOCK_PORT:-9000}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }
command -v node >/dev/null || { echo "node is needed" >&2; exit 1; }
[ -f "$root/bootstrap/target/meridian.jar" ] || (cd "$root" && ./mvnw -q -DskipTests package)

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

# The rig's settings, with the mock where this run put it.
config=/tmp/meridian-protocol-bench.yml
sed "s#127.0.0.1:9000#127.0.0.1:$mock_port#" "${CONFIG:-$root/bench/meridian-bench.yml}" > "$config"
PORT=$mock_port node "$rig/mock-upstream.js" >/dev/null 2>&1 & pids+=($!)
MICRONAUT_CONFIG_FILES="$config" MICRONAUT_SERVER_PORT=$port MERIDIAN_LOG_LEVEL=WARN \
  java ${JAVA_OPTS--XX:+UseParallelGC} -jar "$root/bootstrap/target/meridian.jar" > /tmp/meridian-protocol-bench.log 2>&1 & pids+=($!)
for _ in $(seq 1 60); do curl -fs "http://127.0.0.1:$port/health/live" >/dev/null 2>&1 && break; sleep 0.5; done
curl -fs "http://127.0.0.1:$port/health/live" >/dev/null 2>&1 || { echo "Meridian did not start:" >&2; tail -5 /tmp/meridian-protocol-bench.log >&2; exit 1; }

# door name, URL, wrk script
doors=("chat-completions http://127.0.0.1:$port/v1/chat/completions $rig/chat.lua"
       "messages http://127.0.0.1:$port/v1/messages $root/bench/messages.lua")
check() { # url body: the door answers 200 before it is measured
  local code; code=$(curl -s -o /tmp/meridian-protocol-bench-check -w '%{http_code}' -X POST "$1" -H 'content-type: application/json' \
    -H "authorization: Bearer ${BENCH_KEY:-sk-bench}" --data "$2")
  [ "$code" = 200 ] || { echo "$1 answered $code: $(cat /tmp/meridian-protocol-bench-check)" >&2; exit 1; }
}
check "http://127.0.0.1:$port/v1/chat/completions" '{"model":"mock-model","messages":[{"role":"user","content":"Say hello"}]}'
check "http://127.0.0.1:$port/v1/messages" '{"model":"mock-model","max_tokens":256,"messages":[{"role":"user","content":"Say hello"}]}'

echo "warming up for ${warmup}s, split between the doors (the JIT needs it)"
for door in "${doors[@]}"; do
  read -r name url script <<<"$door"
  BENCH_KEY=${BENCH_KEY:-sk-bench} wrk -t1 -c32 -d"$((warmup / ${#doors[@]}))s" -s "$script" "$url" >/dev/null
done

ms() { # a wrk latency (850.00us, 1.20ms, 2.00s) in milliseconds
  awk -v v="$1" 'BEGIN{ if (v ~ /us$/) { sub(/us$/, "", v); print v / 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v); print v + 0 }
    else if (v ~ /m$/) { sub(/m$/, "", v); print v * 60000 } else { sub(/s$/, "", v); print v * 1000 } }'
}
measure() { # name url script connections -> "rps p50ms p99ms non2xx"
  local out; out=$(BENCH_KEY=${BENCH_KEY:-sk-bench} wrk -t1 -c"$4" -d"${secs}s" -s "$3" --latency "$2" 2>&1)
  local non2xx; non2xx=$(awk '/Non-2xx/{print $NF}' <<<"$out")
  echo "$(awk '/Requests\/sec/{print $2}' <<<"$out") $(ms "$(awk '$1=="50%"{print $2}' <<<"$out")") $(ms "$(awk '$1=="99%"{print $2}' <<<"$out")") ${non2xx:-0}"
}

read -r d_rps1 d_p50 d_p99 _ <<<"$(measure direct "http://127.0.0.1:$mock_port/v1/chat/completions" "$rig/chat.lua" 1)"
read -r d_rps32 _ _ _ <<<"$(measure direct "http://127.0.0.1:$mock_port/v1/chat/completions" "$rig/chat.lua" 32)"
printf '%-17s c=1  p50 %7.3f ms  p99 %7.3f ms  |  c=32 %9.0f req/s\n' direct "$d_p50" "$d_p99" "$d_rps32"
for door in "${doors[@]}"; do
  read -r name url script <<<"$door"
  read -r rps1 p50 p99 bad1 <<<"$(measure "$name" "$url" "$script" 1)"
  read -r rps32 _ _ bad32 <<<"$(measure "$name" "$url" "$script" 32)"
  printf '%-17s c=1  p50 %7.3f ms  p99 %7.3f ms  |  c=32 %9.0f req/s (%.2f of direct)  |  added p50 %+.3f ms  p99 %+.3f ms  non-2xx %s\n' \
    "$name" "$p50" "$p99" "$rps32" "$(awk -v a="$rps32" -v b="$d_rps32" 'BEGIN{print a/b}')" \
    "$(awk -v a="$p50" -v b="$d_p50" 'BEGIN{print a-b}')" "$(awk -v a="$p99" -v b="$d_p99" 'BEGIN{print a-b}')" "$((bad1 + bad32))"
done
