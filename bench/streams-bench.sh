#!/usr/bin/env bash
# Figures for streams that survive their connection (issue 13), measured in one JVM on loopback (StreamsBench):
#   - time to first byte through SSE (new connection, and a kept-alive one) and through WebSocket (one open connection)
#   - resume latency: a client drops after two events and resumes at once, over SSE (GET .../events with Last-Event-ID)
#     and over WebSocket (a resume frame), with the in-process buffer and with the Redis Streams buffer
#   - heap per open stream, with either buffer (an upper bound: it counts the fake upstream's and the client's objects)
# It then runs the streams drill at full size (1,000 concurrent streams, SSE and WebSocket, two gateways sharing Redis,
# random disconnects, reconnects and backend cuts) unless DRILL=0.
# Env: ROUNDS (TTFB samples, 300), OPEN (streams held open for the heap figure, 400), DRILL_STREAMS (1000), DRILL (1).
# Needs redis-server (Debian's package). Meant for a quiet machine; a short try: ROUNDS=50 OPEN=100 DRILL=0 bench/streams-bench.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
command -v redis-server >/dev/null || { echo "redis-server is needed: apt-get install -y redis-server" >&2; exit 1; }
./mvnw -B -ntp -q -pl bootstrap -am test -Dtest=StreamsBench -Dsurefire.failIfNoSpecifiedTests=false \
  -Dmeridian.bench=true -Dmeridian.bench.rounds="${ROUNDS:-300}" -Dmeridian.bench.open-streams="${OPEN:-400}" >/dev/null
grep -hE '^(TTFB|Resume|Heap)' bootstrap/target/surefire-reports/ai.meridian.bootstrap.StreamsBench-output.txt
if [ "${DRILL:-1}" != "0" ]; then
  ./mvnw -B -ntp -q -pl bootstrap -am test -Dtest=StreamSurvivalDrillTest -Dsurefire.failIfNoSpecifiedTests=false \
    -Dmeridian.drill.streams="${DRILL_STREAMS:-1000}" >/dev/null
  grep -h 'streams drill' bootstrap/target/surefire-reports/ai.meridian.bootstrap.StreamSurvivalDrillTest-output.txt
fi
