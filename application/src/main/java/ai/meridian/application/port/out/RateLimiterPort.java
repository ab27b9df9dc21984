package ai.meridian.application.port.out;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Counting for limits and budgets, in this process or shared by every replica. Two primitives: token buckets
 * that refill in whole at the end of each period (requests and tokens per minute), and counters that only
 * grow and expire (daily and monthly budgets). The core composes them into admission and charging; an adapter
 * only counts. Names are chosen by the core and include every parameter of the limit, so a changed limit is
 * a new bucket; the names of one key's limits share the key's id between braces ({@code rpm:{key_1}:600}), so a
 * shared store may keep them together (Redis Cluster's hash tag) and decide over all of them at once ({@link #admit}).
 */
public interface RateLimiterPort {

    /**
     * One admission over several of a key's limits, decided at once: every condition is evaluated, and only when all
     * hold is {@code take} taken from its bucket. A shared store answers this in one round trip, atomically (no other
     * replica's admission comes between the checks and the take). This default composes the other operations, which is
     * as good for a limiter in this process.
     */
    default CompletableFuture<Verdict> admit(Admit request) {
        List<CompletableFuture<ConditionState>> states = new ArrayList<>(request.conditions().size());
        for (Condition condition : request.conditions()) {
            if (condition instanceof HasTokens has) {
                states.add(peek(has.bucket(), has.amount()).thenApply(state -> ConditionState.of(state)));
            } else if (condition instanceof WithinLimit within) {
                states.add(counters(List.of(within.counter())).thenApply(values -> ConditionState.of(values.get(0), within)));
            }
        }
        return CompletableFuture.allOf(states.toArray(CompletableFuture[]::new)).thenCompose(all -> {
            List<ConditionState> known = states.stream().map(CompletableFuture::join).toList();
            int failed = Verdict.firstFailing(known);
            if (failed >= 0 || request.take() == null) {
                return CompletableFuture.completedFuture(new Verdict(failed, known, null));
            }
            return tryTake(request.take(), request.takeAmount())
                    .thenApply(taken -> new Verdict(taken.taken() ? -1 : known.size(), known, taken));
        });
    }

    /** Takes {@code amount} from the bucket if it holds that much; says what is left either way. */
    CompletableFuture<BucketState> tryTake(BucketSpec bucket, long amount);

    /** Whether the bucket holds {@code amount} (in {@code taken}) and what it holds, without taking anything. */
    CompletableFuture<BucketState> peek(BucketSpec bucket, long amount);

    /** Takes {@code amount} even when that leaves the bucket in debt (tokens charged after an answer). */
    CompletableFuture<BucketState> charge(BucketSpec bucket, long amount);

    /** The counters' values, in order (0 for a counter that does not exist). */
    CompletableFuture<List<Long>> counters(List<String> names);

    /** Adds to a counter (creating it), which expires {@code ttl} after it was created. */
    CompletableFuture<Long> add(String name, long delta, Duration ttl);

    /** Sets a counter unless it exists (budgets seeded from the ledger). */
    CompletableFuture<Void> seed(String name, long value, Duration ttl);

    /** Answers true when the counting service is reachable; a local limiter always is. */
    CompletableFuture<Boolean> probe();

    /** What {@link #admit} decides: the conditions that must all hold, then the bucket to take from (may be null). */
    record Admit(List<Condition> conditions, BucketSpec take, long takeAmount) {
        public Admit {
            conditions = List.copyOf(conditions);
            if (take != null && takeAmount < 1) {
                throw new IllegalArgumentException("takeAmount must be positive");
            }
        }
    }

    /** A condition of an admission. */
    sealed interface Condition permits HasTokens, WithinLimit {
    }

    /** The bucket holds at least {@code amount} (nothing is taken). */
    record HasTokens(BucketSpec bucket, long amount) implements Condition {
        public HasTokens {
            Objects.requireNonNull(bucket, "bucket");
        }
    }

    /** The counter plus {@code amount} stays within {@code limit}. */
    record WithinLimit(String counter, long limit, long amount) implements Condition {
        public WithinLimit {
            if (counter == null || counter.isBlank()) {
                throw new IllegalArgumentException("a counter needs a name");
            }
        }
    }

    /** A condition as evaluated: whether it held, its bucket's state (for {@link HasTokens}) or its counter's value. */
    record ConditionState(boolean holds, BucketState bucket, long counter) {
        static ConditionState of(BucketState state) {
            return new ConditionState(state.taken(), state, 0);
        }

        static ConditionState of(long value, WithinLimit within) {
            return new ConditionState(value + within.amount() <= within.limit(), null, value);
        }
    }

    /**
     * An admission's outcome: {@code failed} is the index of the first condition that did not hold, the number of
     * conditions when the take failed, or -1 when admitted; each condition's state, in order; and the taken bucket's
     * state after the take (null when nothing was tried).
     */
    record Verdict(int failed, List<ConditionState> conditions, BucketState taken) {
        public Verdict {
            conditions = List.copyOf(conditions);
        }

        public boolean admitted() {
            return failed < 0;
        }

        static int firstFailing(List<ConditionState> states) {
            for (int i = 0; i < states.size(); i++) {
                if (!states.get(i).holds()) {
                    return i;
                }
            }
            return -1;
        }
    }

    /** A bucket: its name, its size, and the period after which it is whole again. */
    record BucketSpec(String name, long capacity, Duration period) {
        public BucketSpec {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("a bucket needs a name");
            }
            if (capacity < 1) {
                throw new IllegalArgumentException("capacity must be positive");
            }
            if (period == null || period.isZero() || period.isNegative()) {
                throw new IllegalArgumentException("period must be positive");
            }
        }
    }

    /**
     * A bucket after an operation: whether the amount was taken, what is left (negative when in debt), how long
     * until enough is back for the amount asked ({@code zero} when taken), and how long until it is whole again.
     */
    record BucketState(boolean taken, long remaining, Duration untilAvailable, Duration untilFull) {
        public BucketState {
            untilAvailable = untilAvailable == null || untilAvailable.isNegative() ? Duration.ZERO : untilAvailable;
            untilFull = untilFull == null || untilFull.isNegative() ? Duration.ZERO : untilFull;
        }
    }

    /** The counting service could not be reached or did not answer in time. */
    final class LimiterUnavailableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public LimiterUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
