#!/usr/bin/env bash
# Runs the fake Triton from this module's test sources as a standalone gRPC server, for benchmarks:
#   adapters-out/triton/fake-triton.sh <port> <trtllm|vllm> [pieces, default 6] [piece-delay-ms, default 0]
# It compiles through the reactor (no install) and prints the address it listens on.
set -euo pipefail
module=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$module/../.." && pwd)
(cd "$root" && ./mvnw -q -pl adapters-out/triton -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/test.classpath -Dmdep.includeScope=test)
exec java -cp "$module/target/test-classes:$module/target/classes:$(cat "$module/target/test.classpath")" \
  ai.meridian.adapter.out.triton.FakeTritonServer "$@"
