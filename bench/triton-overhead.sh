#!/usr/bin/env bash
# What the gateway adds on the Triton path. Starts the fake Triton (trtllm convention, 6 pieces) and the jar
# with bench/meridian-triton.yml, warms up, then prints:
#  1. the same streamed answer taken through a bare gRPC stub ("direct") and through the Triton adapter
#     (TritonOverheadBench, one call at a time);
#  2. wrk at 1 and 32 connections against Meridian (whole answers, HTTP -> gRPC -> HTTP);
#  3. Meridian's own meridian_gateway_overhead_seconds (request time minus time waiting on Triton), p50/p99.
# Usage: bench/triton-overhead.sh [seconds-per-wrk-run]     Needs wrk.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rig=${RIG:-$root/../shared/bench}
secs=${1:-10}
port=${MERIDIAN_PORT:-8080}
[ -f "$root/bootstrap/target/meridian.jar" ] || (cd "$root" && ./mvnw -q -DskipTests package)
module="$root/adapters-out/triton"
(cd "$root" && ./mvnw -q -pl adapters-out/triton -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/test.classpath -Dmdep.includeScope=test)
cp="$module/target/test-classes:$module/target/classes:$(cat "$module/target/test.classpath")"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
java -cp "$cp" ai.meridian.adapter.out.triton.FakeTritonServer 8001 trtllm > /tmp/fake-triton.log 2>&1 & pids+=($!)
sleep 3
MICRONAUT_CONFIG_FILES="$root/bench/meridian-triton.yml" MICRONAUT_SERVER_PORT=$port MERIDIAN_LOG_LEVEL=WARN \
  java ${JAVA_OPTS--XX:+UseParallelGC} -jar "$root/bootstrap/target/meridian.jar" > /tmp/meridian-triton.log 2>&1 & pids+=($!)
for _ in $(seq 1 60); do curl -fs "http://127.0.0.1:$port/health/live" >/dev/null 2>&1 && break; sleep 0.5; done

echo "== adapter vs bare gRPC stub (streamed answer, one call at a time)"
java -cp "$cp" ai.meridian.adapter.out.triton.TritonOverheadBench 20000 trtllm 127.0.0.1:8001

echo "== warming Meridian up (30 s)"
BENCH_KEY=sk-bench wrk -t1 -c32 -d30s -s "$rig/chat.lua" "http://127.0.0.1:$port/v1/chat/completions" >/dev/null
curl -fs "http://127.0.0.1:$port/metrics" > /tmp/meridian-triton-metrics-before.txt
for c in 1 32; do
  out=$(BENCH_KEY=sk-bench wrk -t1 -c$c -d"${secs}s" -s "$rig/chat.lua" --latency "http://127.0.0.1:$port/v1/chat/completions")
  printf 'meridian->triton c=%-3s %10s req/s  p50 %-9s p99 %-9s non-2xx %s\n' "$c" \
    "$(awk '/Requests\/sec/{print $2}' <<<"$out")" "$(awk '$1=="50%"{print $2}' <<<"$out")" \
    "$(awk '$1=="99%"{print $2}' <<<"$out")" "$(awk '/Non-2xx/{print $NF}' <<<"$out")"
done
curl -fs "http://127.0.0.1:$port/metrics" > /tmp/meridian-triton-metrics-after.txt
echo "== meridian_gateway_overhead_seconds over the measured runs (bucket upper bounds)"
python3 - <<'PY'
import re
def buckets(path):
    b = {}
    for line in open(path):
        m = re.match(r'meridian_gateway_overhead_seconds_bucket\{stream="false",le="([^"]+)"\} (\S+)', line)
        if m:
            b[m.group(1)] = float(m.group(2))
    return b
before, after = buckets('/tmp/meridian-triton-metrics-before.txt'), buckets('/tmp/meridian-triton-metrics-after.txt')
les = sorted((float(k) if k != '+Inf' else float('inf'), k) for k in after)
total = after['+Inf'] - before.get('+Inf', 0)
for q in (0.5, 0.99):
    for value, key in les:
        if after[key] - before.get(key, 0) >= q * total:
            print(f"p{int(q*100)} <= {value*1000:.3f} ms  ({int(total)} requests)")
            break
PY
