#!/usr/bin/env bash
# Memory drill: starts the built jar through bin/meridian (or with JAVA_OPTS), then sends a 1 GiB body (chunked,
# and with a declared length) and three 2,048-input embeddings calls of inputs at the model's full length,
# printing the gateway's resident memory (VmRSS) and its peak (VmHWM) after each step.
#   bench/memory.sh                 # heap as bin/meridian sizes it
#   JAVA_OPTS=-Xmx4g bench/memory.sh
set -euo pipefail
cd "$(dirname "$0")/.."
port=${PORT:-18941}
dir=$(mktemp -d /tmp/meridian-memory.XXXXXX)
key=sk-memory
root=$(pwd)
cd "$dir"
# setsid execs bin/meridian, which execs java: $! is the gateway's own pid (never look it up by name: other
# gateways may run on the same machine).
MICRONAUT_SERVER_IDLE_TIMEOUT=${IDLE_TIMEOUT:-20m} MERIDIAN_MASTER_KEY=$key MICRONAUT_SERVER_PORT=$port setsid "$root/bin/meridian" > "$dir/log.txt" 2>&1 < /dev/null &
pid=$!
cd "$root"
for _ in $(seq 1 240); do curl -fs "localhost:$port/health/live" > /dev/null 2>&1 && break; sleep 0.5; done
curl -fs "localhost:$port/health/live" > /dev/null || { echo "the gateway did not start:"; cat "$dir/log.txt"; kill "$pid"; exit 1; }
report() { printf '%-44s RSS %5d MiB  peak %5d MiB\n' "$1" $(( $(awk '/VmRSS/ {print $2}' /proc/$pid/status) / 1024 )) \
  $(( $(awk '/VmHWM/ {print $2}' /proc/$pid/status) / 1024 )); }
trap 'kill $pid 2>/dev/null; sleep 2; rm -rf "$dir"' EXIT
echo "heap: $(tr '\0' ' ' < /proc/$pid/cmdline | grep -o -- '-Xmx[^ ]*' || echo 'JVM default')"
report "idle after start"
curl -s -o /dev/null -H "Authorization: Bearer $key" -d '{"name":"mem"}' "localhost:$port/v1/knowledge_bases"
code=$(head -c 1073741824 /dev/zero | tr '\0' 'a' | curl -s -X POST -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $key" \
  -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' -T - "localhost:$port/v1/knowledge_bases/mem/documents" || true)
report "1 GiB chunked body (answer $code)"
# A declared 1 GiB body, streamed until the gateway answers or closes (curl would buffer it whole).
code=$(python3 - "$port" "$key" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\n"
           "Content-Length: 1073741824\r\n\r\n" % sys.argv[2]).encode())
chunk = b"a" * 65536
sent = 0
s.settimeout(30)
try:
    while sent < 1 << 30:
        s.sendall(chunk)
        sent += len(chunk)
except OSError:
    pass
try:
    print(s.recv(64).split(b" ")[1].decode())
except Exception:
    print("closed")
PY
)
report "1 GiB declared body (answer $code)"
python3 - "$dir/inputs.json" <<'PY'
import json, sys
words = "the gateway keeps every answer within its bounds while a large batch of long inputs is embedded ".split()
inputs = [" ".join(words[(i + j) % len(words)] for j in range(420)) for i in range(2048)]
json.dump({"model": "bge-small-zh-v1.5", "input": inputs}, open(sys.argv[1], "w"))
PY
for round in $(seq 1 "${ROUNDS:-2}"); do
  start=$(date +%s.%N)
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
    --data-binary @"$dir/inputs.json" "localhost:$port/v1/embeddings")
  secs=$(echo "$(date +%s.%N) - $start" | bc)
  report "2,048 inputs x 512 tokens #$round ($code, ${secs%.*} s)"
done
