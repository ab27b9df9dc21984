#!/usr/bin/env bash
# Builds the retrieval tools and runs one of them with the reactor's classpath (no install needed).
#   bench/retrieval/run.sh eval BEIR_DIR [--embedding auto|MODEL] [--index DIR] [--negatives FILE] [--dump FILE] [--chunk-tokens 300]
#   bench/retrieval/run.sh bench [--chunks 100000] [--queries 2000] [--index DIR] [--recall 40,100,200] [--corpus BEIR_DIR]
#   bench/retrieval/run.sh recall BEIR_DIR[,BEIR_DIR] [--model bge-small-en-v1.5] [--sentences 50000] [--candidates 20,100,200]
#   bench/retrieval/run.sh fit DUMP.tsv[,DUMP.tsv...] [--unjudged-weight 0.01]   (RelevanceModel's coefficients)
# Every quality figure at once: bench/retrieval/eval-all.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
tool="$1"; shift
./mvnw -q -pl bench/retrieval -am package dependency:build-classpath -Dmaven.test.skip=true \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime >/dev/null
cp="bench/retrieval/target/classes:$(cat bench/retrieval/target/classpath.txt)"
case "$tool" in
  eval)  main=ai.meridian.bench.retrieval.RetrievalEvaluation ;;
  bench) main=ai.meridian.bench.retrieval.RetrievalBench ;;
  recall) main=ai.meridian.bench.retrieval.VectorRecall ;;
  fit) main=ai.meridian.bench.retrieval.RelevanceFit ;;
  *) echo "usage: $0 eval|bench|recall|fit ARGS" >&2; exit 2 ;;
esac
exec java -Xmx4g -cp "$cp" "$main" "$@"
