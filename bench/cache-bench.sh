#!/usr/bin/env bash
# The response cache through the full gateway (the built jar), with wrk against the rig's mock upstream
# (../shared/bench/mock-upstream.js). Prints:
#   - the mock answering directly, c=1 (what a hit must beat) and c=32;
#   - a miss through Meridian (cache bypassed, the mock answers), c=1;
#   - an L1 hit (Caffeine, this process), c=1: p50/p99;
#   - an L2 hit (Redis; the first level is made useless for the run: l1.max-size 1 byte, l1.max-ttl 1ms), c=1: p50/p99,
#     with the level counts from /metrics (so the share of real L2 hits is visible);
#   - throughput at c=32, with L1 alone and with L1 in front of Redis, of: requests the cache does not apply to (no
#     temperature: it only decides "bypass"); 0% hits (every question new: looked up, missed, answered by the mock,
#     stored); a 90%-hit mix (9 of 10 requests repeat one of 100 warmed-up deterministic questions, 1 of 10 is new).
# Meant for a quiet machine (the coordinator runs it); a short try:  SECS=3 WARMUP=5 bench/cache-bench.sh
# Env: SECS (per wrk run, 10), WARMUP (s, 20), RIG (../shared/bench), JAVA_OPTS (-XX:+UseParallelGC), MODES ("l1 l2").
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rig=${RIG:-$root/../shared/bench}
secs=${SECS:-10}
warmup=${WARMUP:-20}
modes=${MODES:-l1 l2}
port=${MERIDIAN_PORT:-18490}
mock_port=${MOCK_PORT:-19490}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }
command -v node >/dev/null || { echo "node is needed" >&2; exit 1; }
command -v redis-server >/dev/null || { echo "redis-server is needed: apt-get install -y redis-server" >&2; exit 1; }
[ -f "$root/bootstrap/target/meridian.jar" ] || (cd "$root" && ./mvnw -q -DskipTests package)

work=$(mktemp -d /tmp/meridian-cache-bench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

PORT=$mock_port node "$rig/mock-upstream.js" >/dev/null 2>&1 & pids+=($!)
redis_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" >/dev/null 2>&1 & pids+=($!)
sleep 1

# One deterministic question (a hit once warmed), BENCH_BODY overrides it.
cat > "$work/hit.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer sk-bench-master"
wrk.body = os.getenv("BENCH_BODY") or '{"model":"mock-model","temperature":0,"messages":[{"role":"user","content":"Say hello"}]}'
LUA
# 9 of 10 requests: one of 100 deterministic questions (warmed up before); 1 of 10: a question never asked before.
cat > "$work/mix.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer sk-bench-master"
local n = 0
local salt = tostring(os.time()) .. tostring(math.random(1000000))
local hitRatio = tonumber(os.getenv("HIT_PERCENT") or "90")
request = function()
  n = n + 1
  local content
  if (n % 100) < hitRatio then
    content = "Question " .. (n % 100)
  else
    content = "Fresh question " .. salt .. " " .. n
  end
  return wrk.format(nil, nil, nil, '{"model":"mock-model","temperature":0,"messages":[{"role":"user","content":"' .. content .. '"}]}')
end
LUA

measure() { # label connections script [url]
  local label=$1 c=$2 script=$3 url=${4:-http://127.0.0.1:$port/v1/chat/completions} out rps p50 p99 non2xx
  out=$(wrk -t1 -c"$c" -d"${secs}s" -s "$script" --latency "$url" 2>&1)
  rps=$(awk '/Requests\/sec/{print $2}' <<<"$out"); p50=$(awk '$1=="50%"{print $2}' <<<"$out"); p99=$(awk '$1=="99%"{print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/{print $NF}' <<<"$out"); non2xx=${non2xx:-0}
  printf '%-34s c=%-3s %10s req/s  p50 %-9s p99 %-9s non-2xx %s\n' "$label" "$c" "$rps" "$p50" "$p99" "$non2xx"
}

echo "mock upstream, direct:"
BENCH_BODY='{"model":"mock-model","messages":[{"role":"user","content":"Say hello"}]}' measure "mock direct" 1 "$work/hit.lua" "http://127.0.0.1:$mock_port/v1/chat/completions"
BENCH_BODY='{"model":"mock-model","messages":[{"role":"user","content":"Say hello"}]}' measure "mock direct" 32 "$work/hit.lua" "http://127.0.0.1:$mock_port/v1/chat/completions"

levels() { curl -fsS "http://127.0.0.1:$port/metrics" | awk '/^meridian_cache_(hits|misses)_total/{printf "%s=%s ", $1, $2} END{print ""}'; }

run_mode() { # l1 | l2
  local mode=$1 dir="$work/$1" store=local l1_size=64MB l1_ttl=5m
  if [ "$mode" = l2 ]; then store=redis; fi
  mkdir -p "$dir"
  write_config() { # l1 size, l1 ttl
    cat > "$dir/meridian.yml" <<YML
meridian:
  master-key: sk-bench-master
  data-dir: $dir/data
  backends:
    mock: {type: openai, base-url: "http://127.0.0.1:$mock_port/v1", max-connections: 256}
  models:
    - id: mock-model
      routes: [{backend: mock, model: mock-model}]
  cache:
    store: $store
    l1: {max-size: "$1", max-ttl: "$2"}
  redis: {url: "redis://127.0.0.1:$redis_port", key-prefix: "bench-$mode:"}
micronaut:
  netty:
    event-loops:
      default:
        num-threads: 1
YML
  }
  start_gateway() {
    (cd "$dir" && MICRONAUT_SERVER_PORT=$port MERIDIAN_LOG_LEVEL=WARN exec java ${JAVA_OPTS--XX:+UseParallelGC} -jar "$root/bootstrap/target/meridian.jar") \
      > "$dir/meridian.log" 2>&1 & gateway=$!
    pids+=($gateway)
    for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$port/health/live" >/dev/null 2>&1 && break; sleep 0.5; done
    curl -fs "http://127.0.0.1:$port/health/live" >/dev/null || { echo "Meridian ($mode) did not start:" >&2; tail -5 "$dir/meridian.log" >&2; exit 1; }
  }
  stop_gateway() { kill "$gateway"; wait "$gateway" 2>/dev/null || true; }

  write_config 64MB 5m
  start_gateway
  echo "[$mode] warming up for ${warmup}s (misses, hits, the mix)"
  BENCH_BODY='{"model":"mock-model","temperature":0,"cache":false,"messages":[{"role":"user","content":"Say hello"}]}' \
    wrk -t1 -c32 -d"$((warmup / 2))s" -s "$work/hit.lua" "http://127.0.0.1:$port/v1/chat/completions" >/dev/null
  wrk -t1 -c32 -d"$((warmup / 2))s" -s "$work/mix.lua" "http://127.0.0.1:$port/v1/chat/completions" >/dev/null
  if [ "$mode" = l1 ]; then
    BENCH_BODY='{"model":"mock-model","temperature":0,"cache":false,"messages":[{"role":"user","content":"Say hello"}]}' measure "[l1] miss (cache bypassed)" 1 "$work/hit.lua"
    curl -fsS -o /dev/null -H "Authorization: Bearer sk-bench-master" -H 'Content-Type: application/json' \
      -d '{"model":"mock-model","temperature":0,"messages":[{"role":"user","content":"Say hello"}]}' "http://127.0.0.1:$port/v1/chat/completions"
    measure "[l1] L1 hit" 1 "$work/hit.lua"
  fi
  BENCH_BODY='{"model":"mock-model","messages":[{"role":"user","content":"Say hello"}]}' measure "[$mode] not cacheable (no temperature)" 32 "$work/hit.lua"
  HIT_PERCENT=0 measure "[$mode] 0% hits (every question new)" 32 "$work/mix.lua"
  HIT_PERCENT=90 measure "[$mode] 90% hits" 32 "$work/mix.lua"
  echo "[$mode] lookups so far: $(levels)"
  stop_gateway
  if [ "$mode" = l2 ]; then
    # The same Redis (entries kept), a first level that keeps nothing: every hit is read from Redis.
    write_config 1 1ms
    start_gateway
    curl -fsS -o /dev/null -H "Authorization: Bearer sk-bench-master" -H 'Content-Type: application/json' \
      -d '{"model":"mock-model","temperature":0,"messages":[{"role":"user","content":"Say hello"}]}' "http://127.0.0.1:$port/v1/chat/completions"
    wrk -t1 -c1 -d"$((warmup / 2))s" -s "$work/hit.lua" "http://127.0.0.1:$port/v1/chat/completions" >/dev/null
    local before after
    before=$(levels)
    measure "[l2] L2 hit (L1 keeps nothing)" 1 "$work/hit.lua"
    after=$(levels)
    echo "[l2] lookups before: $before"
    echo "[l2] lookups after:  $after"
    stop_gateway
  fi
}

for mode in $modes; do run_mode "$mode"; done
