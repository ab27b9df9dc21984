package ai.meridian.application.port.out;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Counting for limits and budgets, in this process or shared by every replica. Two primitives: token buckets
 * that refill in whole at the end of each period (requests and tokens per minute), and counters that only
 * grow and expire (daily and monthly budgets). The core composes them into admission and charging; an adapter
 * only counts. Names are chosen by the core and include every parameter of the limit, so a changed limit is
 * a new bucket.
 */
public interface RateLimiterPort {

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
