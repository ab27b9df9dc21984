#!/usr/bin/env bash
# Every retrieval figure of docs/retrieval.md from one command: installs the Debian documentation the sets are built
# from (as root, if missing), builds the seven BEIR-layout sets, and evaluates each through the gateway's own
# ingestion and retrieval code (bench/retrieval/run.sh eval), with the off-topic queries for the threshold figures.
#   bench/retrieval/eval-all.sh [WORK_DIR (/tmp/meridian-eval)] [extra eval options, e.g. --embedding all-minilm-l6-v2]
set -euo pipefail
cd "$(dirname "$0")/../.."
work="${1:-/tmp/meridian-eval}"; shift || true
need=()
for p in manpages manpages-dev manpages-zh debian-reference-en debian-reference-zh-cn debian-faq debian-faq-zh-cn man-db; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
mkdir -p "$work"
[ -f "$work/manpages-en/qrels/test.tsv" ] || python3 bench/retrieval/manpages-to-beir.py "$work/manpages-en" /usr/share/man/man2 /usr/share/man/man3 /usr/share/man/man7
[ -f "$work/manpages-zh/qrels/test.tsv" ] || python3 bench/retrieval/manpages-to-beir.py "$work/manpages-zh" /usr/share/man/zh_CN/man{1,2,3,5,7,8}
for lang in en zh-cn mixed; do
  [ -f "$work/debref-$lang/qrels/test.tsv" ] || python3 bench/retrieval/debian-reference-to-beir.py "$work/debref-$lang" --lang "$lang"
done
for lang in en zh-cn; do
  [ -f "$work/faq-$lang/qrels/test.tsv" ] || python3 bench/retrieval/debian-reference-to-beir.py "$work/faq-$lang" --lang "$lang" --book faq
done
for set in debref-en debref-zh-cn debref-mixed manpages-en manpages-zh faq-en faq-zh-cn; do
  echo "=== $set"
  bench/retrieval/run.sh eval "$work/$set" --index "$work/index-$set" --negatives bench/retrieval/off-topic-queries.jsonl "$@" \
    2>&1 | grep -v '^SLF4J'
done
