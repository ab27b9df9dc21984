#!/usr/bin/env bash
# Cost of keys and limits on the hot path, with the rig's wrk load (../shared/bench/chat.lua) against its mock upstream.
# Three runs of the built jar, each on a fresh embedded database provisioned with 1,000 virtual keys:
#   off       the request's key has no limits (authentication from the in-memory directory only)
#   local     the key has requests/tokens per minute and daily/monthly budgets, counted in process (Bucket4j)
#   redis     the same limits counted in a local redis-server (meridian.limits.store: redis)
# The limits are set high enough never to refuse, so every run measures the cost of counting, not of 429s.
# Prints req/s and latency at c=1 and c=32 per run, and local/off and redis/off at c=32 (the issue's bar: within
# 10% in process, within 25% on Redis). On a busy host throughput says little; each run also prints Meridian's CPU
# time per request (user + system from /proc, JIT compiler threads left out), and Redis's commands (those run inside
# scripts included) and CPU per request, which hold up better under load. Meant for a quiet machine (the coordinator runs it); a short try:
#   SECS=5 WARMUP=10 bench/limits-bench.sh
# Env: SECS (per wrk run, 15), WARMUP (s, 30), KEYS (1000), RIG (../shared/bench), JAVA_OPTS (-XX:+UseParallelGC),
#      MODES ("off local redis").
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rig=${RIG:-$root/../shared/bench}
secs=${SECS:-15}
warmup=${WARMUP:-30}
keys=${KEYS:-1000}
modes=${MODES:-off local redis}
port=${MERIDIAN_PORT:-18480}
mock_port=${MOCK_PORT:-19480}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk" >&2; exit 1; }
command -v node >/dev/null || { echo "node is needed" >&2; exit 1; }
command -v redis-server >/dev/null || { echo "redis-server is needed: apt-get install -y redis-server" >&2; exit 1; }
[ -f "$root/bootstrap/target/meridian.jar" ] || (cd "$root" && ./mvnw -q -DskipTests package)

work=$(mktemp -d /tmp/meridian-limits-bench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

PORT=$mock_port node "$rig/mock-upstream.js" >/dev/null 2>&1 & pids+=($!)
redis_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" >/dev/null 2>&1 & pids+=($!)
sleep 1

# CPU ticks (user + system) of a process; commands Redis has run; Redis's own CPU seconds.
# The JIT compiler threads are left out: under load a 10 s warm-up does not finish compiling, and what they burn
# afterwards is start-up cost, not the cost of a request.
cpu_ticks() {
  local total=0 t
  for t in /proc/"$1"/task/*; do
    case "$(cat "$t/comm" 2>/dev/null)" in C1\ Compiler*|C2\ Compiler*|C1_Compiler*|C2_Compiler*) continue ;; esac
    total=$(( total + $(awk '{print $14 + $15}' "$t/stat" 2>/dev/null || echo 0) ))
  done
  echo "$total"
}
redis_calls() { redis-cli -p "$redis_port" info commandstats | awk -F'[=,]' '/^cmdstat_/{n += $2} END{print n + 0}'; }
redis_scripts() { redis-cli -p "$redis_port" info commandstats | awk -F'[=,]' '/^cmdstat_eval(sha)?:/{n += $2} END{print n + 0}'; }
redis_cpu() { redis-cli -p "$redis_port" info cpu | awk -F: '/^used_cpu_(sys|user):/{s += $2} END{printf "%.6f", s}'; }

admin() { curl -fsS -H "Authorization: Bearer sk-bench-master" -H 'Content-Type: application/json' "$@"; }

run_mode() { # mode
  local mode=$1 dir="$work/$1" limits_store=local
  [ "$mode" = redis ] && limits_store=redis
  mkdir -p "$dir"
  cat > "$dir/meridian.yml" <<YML
meridian:
  master-key: sk-bench-master
  data-dir: $dir/data
  backends:
    mock: {type: openai, base-url: "http://127.0.0.1:$mock_port/v1", max-connections: 256}
  models:
    - id: mock-model
      routes: [{backend: mock, model: mock-model}]
  limits: {store: $limits_store}
  redis: {url: "redis://127.0.0.1:$redis_port", key-prefix: "bench-$mode:"}
micronaut:
  netty:
    event-loops:
      default:
        num-threads: 1
YML
  (cd "$dir" && MICRONAUT_SERVER_PORT=$port MERIDIAN_LOG_LEVEL=WARN exec java ${JAVA_OPTS--XX:+UseParallelGC} -jar "$root/bootstrap/target/meridian.jar") \
    > "$dir/meridian.log" 2>&1 & local pid=$!
  pids+=($pid)
  for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$port/health/live" >/dev/null 2>&1 && break; sleep 0.5; done
  curl -fs "http://127.0.0.1:$port/health/live" >/dev/null || { echo "Meridian ($mode) did not start:" >&2; tail -5 "$dir/meridian.log" >&2; exit 1; }
  local with_limits='"limits":{"requests_per_minute":100000000,"tokens_per_minute":1000000000,"daily_token_budget":1000000000000,"monthly_token_budget":1000000000000}'
  [ "$mode" = off ] && with_limits='"limits":null'
  local secret start=$(date +%s)
  # 8 concurrent admin calls; prints the secret of the last key created.
  secret=$(python3 - "http://127.0.0.1:$port/v1/admin/keys" "$keys" "$with_limits" <<'PY'
import json, sys, urllib.request
from concurrent.futures import ThreadPoolExecutor
url, count, limits = sys.argv[1], int(sys.argv[2]), sys.argv[3]
def create(i):
    body = ('{"name":"bench-%d",%s}' % (i, limits)).encode()
    req = urllib.request.Request(url, data=body, headers={"Authorization": "Bearer sk-bench-master", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.load(r)["secret"]
with ThreadPoolExecutor(8) as pool:
    secrets = list(pool.map(create, range(1, count + 1)))
print(secrets[-1])
PY
)
  echo "[$mode] $keys keys provisioned in $(( $(date +%s) - start ))s; the last one carries the load"
  BENCH_KEY=$secret BENCH_MODEL=mock-model wrk -t1 -c32 -d"${warmup}s" -s "$rig/chat.lua" "http://127.0.0.1:$port/v1/chat/completions" >/dev/null
  for c in 1 32; do
    local out rps p50 p99 non2xx requests cpu0 cpu1 calls0 calls1 rcpu0 rcpu1 scripts0 scripts1
    cpu0=$(cpu_ticks "$pid"); calls0=$(redis_calls); rcpu0=$(redis_cpu); scripts0=$(redis_scripts)
    out=$(BENCH_KEY=$secret BENCH_MODEL=mock-model wrk -t1 -c$c -d"${secs}s" -s "$rig/chat.lua" --latency "http://127.0.0.1:$port/v1/chat/completions" 2>&1)
    cpu1=$(cpu_ticks "$pid"); calls1=$(redis_calls); rcpu1=$(redis_cpu); scripts1=$(redis_scripts)
    rps=$(awk '/Requests\/sec/{print $2}' <<<"$out"); p50=$(awk '$1=="50%"{print $2}' <<<"$out"); p99=$(awk '$1=="99%"{print $2}' <<<"$out")
    non2xx=$(awk '/Non-2xx/{print $NF}' <<<"$out"); non2xx=${non2xx:-0}
    requests=$(awk '/requests in/{print $1}' <<<"$out")
    # Meridian's CPU per request (user + system, from /proc), and Redis commands and Redis CPU per request.
    local per
    per=$(awk -v t0="$cpu0" -v t1="$cpu1" -v hz="$(getconf CLK_TCK)" -v n="$requests" -v c0="$calls0" -v c1="$calls1" -v r0="$rcpu0" -v r1="$rcpu1" \
      -v s0="$scripts0" -v s1="$scripts1" \
      'BEGIN{ if (n > 0) printf "cpu %.1f us/req  redis %.2f scripts/req %.2f cmds/req %.1f us/req", (t1-t0)/hz*1e6/n, (s1-s0)/n, (c1-c0)/n, (r1-r0)*1e6/n }')
    printf '%-6s c=%-3s %10s req/s  p50 %-9s p99 %-9s non-2xx %s  %s\n' "$mode" "$c" "$rps" "$p50" "$p99" "$non2xx" "$per"
    echo "$rps" > "$work/rps-$mode-$c"
    [ "$c" = 32 ] && awk -v t0="$cpu0" -v t1="$cpu1" -v hz="$(getconf CLK_TCK)" -v n="$requests" 'BEGIN{printf "%.2f", (t1-t0)/hz*1e6/n}' > "$work/cpu-$mode"
  done
  admin "http://127.0.0.1:$port/health/ready" | python3 -c 'import json,sys; print("['"$mode"'] rate limits:", json.load(sys.stdin)["components"]["rate_limits"])'
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

for mode in $modes; do run_mode "$mode"; done
if [ -f "$work/rps-off-32" ]; then
  for mode in local redis; do
    [ -f "$work/rps-$mode-32" ] && awk -v o="$(cat "$work/rps-off-32")" -v m="$(cat "$work/rps-$mode-32")" -v n="$mode" \
      -v co="$(cat "$work/cpu-off")" -v cm="$(cat "$work/cpu-$mode")" \
      'BEGIN{printf "%s/off throughput at c=32: %.3f   Meridian CPU per request %s/off: %.3f\n", n, m/o, n, cm/co}'
  done
fi
