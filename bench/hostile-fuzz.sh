#!/usr/bin/env bash
# Hostile fuzz run against a running gateway: raw-socket requests from a seed (JSON mutations, deep nesting,
# huge numbers, invalid UTF-8, compressed garbage, multipart oddities, path traversal and injection in ids),
# counted by status. Exit status 1 if any answer was a 5xx or hung. See docs/operations.md#the-hostile-fuzz-harness.
#
#   bench/hostile-fuzz.sh --url http://127.0.0.1:8080 --key sk-... --requests 10000 --seed 1 [--concurrency 8]
#                 [--model extractive] [--embedding-model bge-small-zh-v1.5] [--pid <gateway pid>] [--timeout 30]
#
# --pid prints the gateway's resident memory before and after. Start the gateway with short request deadlines
# (MERIDIAN_HTTP_REQUEST_BODY_TIMEOUT=5s) or requests cut off on purpose wait out the default 60 s each.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d testkit/target/classes/ai/meridian/testkit/fuzz ]; then
  ./mvnw -q -B -ntp -pl testkit -am compile
fi
exec java -cp testkit/target/classes ai.meridian.testkit.fuzz.HostileFuzzer "$@"
