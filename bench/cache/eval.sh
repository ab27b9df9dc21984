#!/usr/bin/env bash
# The semantic cache's measured hit and false-hit rates (bench/cache/README.md): builds the tool with the reactor's
# classpath (no install needed) and runs it on the paraphrase set, Chinese and English.
#   bench/cache/eval.sh [--from 0.80] [--to 0.98] [--step 0.01] [--max-false 0.01] [--sets FILE,FILE] [--embedding auto|MODEL] [--show]
set -euo pipefail
cd "$(dirname "$0")/../.."
./mvnw -q -pl bench/cache -am package dependency:build-classpath -Dmaven.test.skip=true \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime >/dev/null
cp="bench/cache/target/classes:$(cat bench/cache/target/classpath.txt)"
java -Xmx2g -cp "$cp" ai.meridian.bench.cache.SemanticCacheEvaluation "$@" 2>&1 | grep -v '^SLF4J'
