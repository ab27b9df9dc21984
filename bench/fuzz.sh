#!/usr/bin/env bash
# Fuzzes what parses untrusted input (Jazzer, in fuzzing mode): chat request bodies and credential headers
# (support/openai-wire), key parsing and the PII masker (domain). Each target runs ROUNDS passes of the fuzz test's maxDuration
# (30 s); the corpus each pass grows is kept in <module>/.cifuzz-corpus and the next pass starts from it, so
# ROUNDS=20 is a 10-minute run per target. Prints the executions and coverage of every pass; fails on a finding
# (the crashing input is saved next to the test's inputs for replay under plain `mvn test`).
# Usage: bench/fuzz.sh [ROUNDS]        (CI runs one round: .ci/run)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS="${1:-1}"
targets=(
  "domain:DomainFuzzTest#keyParsing"
  "domain:DomainFuzzTest#piiMasking"
  "domain:DomainFuzzTest#piiJsonMasking"
  "support/openai-wire:RequestParsingFuzzTest#chatRequestBodies"
  "support/openai-wire:RequestParsingFuzzTest#credentialHeaders"
)
log="$(mktemp)"
for target in "${targets[@]}"; do
  module="${target%%:*}"
  test="${target#*:}"
  total=0
  for round in $(seq "$ROUNDS"); do
    if ! JAZZER_FUZZ=1 ./mvnw -B -ntp -q -pl "$module" -am test -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false >"$log" 2>&1; then
      echo "FUZZ $test round $round: FAILED"; grep -E "==|Exception|ERROR" "$log" | head -40; exit 1
    fi
    done_line="$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1 || true)"
    runs="$(echo "$done_line" | sed -E 's/^#([0-9]+).*/\1/')"
    total=$((total + ${runs:-0}))
    echo "FUZZ $test round $round: ${done_line:-no fuzzing summary (was JAZZER_FUZZ honoured?)}"
  done
  echo "FUZZ $test: $total executions in $ROUNDS x 30 s, no finding"
done
rm -f "$log"
