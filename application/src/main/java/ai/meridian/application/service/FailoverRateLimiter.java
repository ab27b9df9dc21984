package ai.meridian.application.service;

import ai.meridian.application.port.out.RateLimiterPort;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Limits shared by every replica (e.g. on Redis) while the shared counter answers, local ones while it does not:
 * a call that fails or is late is answered by the local limiter at once, the gateway says so once (a log line,
 * {@link #shared()} for the metric and readiness), and a probe every {@code probeInterval} brings the shared
 * limits back by themselves. While local, each replica enforces each limit on its own.
 */
public final class FailoverRateLimiter implements RateLimiterPort {
    private static final System.Logger LOG = System.getLogger(FailoverRateLimiter.class.getName());

    private final RateLimiterPort shared;
    private final RateLimiterPort local;
    private final Duration timeout;
    private final Runnable onRecovery;
    private volatile boolean sharedUp = true;
    private volatile String lastFailure = "";

    public FailoverRateLimiter(RateLimiterPort shared, RateLimiterPort local, Duration timeout, Runnable onRecovery) {
        this.shared = Objects.requireNonNull(shared, "shared");
        this.local = Objects.requireNonNull(local, "local");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.onRecovery = Objects.requireNonNull(onRecovery, "onRecovery");
    }

    /** True while limits are shared; false while each replica counts on its own. */
    public boolean shared() {
        return sharedUp;
    }

    public String lastFailure() {
        return lastFailure;
    }

    public void probePeriodically(ScheduledExecutorService scheduler, Duration interval) {
        scheduler.scheduleWithFixedDelay(this::probeOnce, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** When local: asks the shared limiter whether it is back, and switches back if so. */
    public CompletableFuture<Boolean> probeOnce() {
        if (sharedUp) {
            return CompletableFuture.completedFuture(true);
        }
        return shared.probe().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).handle((ok, error) -> {
            if (error == null && Boolean.TRUE.equals(ok) && !sharedUp) {
                sharedUp = true;
                LOG.log(Level.INFO, "shared rate limits are back: limits hold across replicas again");
                try {
                    onRecovery.run();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "after the shared rate limits came back: " + e.getMessage(), e);
                }
                return true;
            }
            return false;
        });
    }

    private <T> CompletableFuture<T> run(Function<RateLimiterPort, CompletableFuture<T>> operation) {
        if (!sharedUp) {
            return operation.apply(local);
        }
        CompletableFuture<T> attempt;
        try {
            attempt = operation.apply(shared).orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            attempt = CompletableFuture.failedFuture(e);
        }
        return attempt.exceptionallyCompose(error -> {
            down(error);
            return operation.apply(local);
        });
    }

    private void down(Throwable error) {
        if (sharedUp) {
            sharedUp = false;
            Throwable cause = error.getCause() != null && error instanceof java.util.concurrent.CompletionException ? error.getCause() : error;
            lastFailure = cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
            LOG.log(Level.WARNING, "shared rate limits unavailable ({0}): each replica now enforces limits on its own until they are back",
                    lastFailure);
        }
    }

    @Override
    public CompletableFuture<Verdict> admit(Admit request) {
        return run(l -> l.admit(request));
    }

    @Override
    public CompletableFuture<BucketState> tryTake(BucketSpec bucket, long amount) {
        return run(l -> l.tryTake(bucket, amount));
    }

    @Override
    public CompletableFuture<BucketState> peek(BucketSpec bucket, long amount) {
        return run(l -> l.peek(bucket, amount));
    }

    @Override
    public CompletableFuture<BucketState> charge(BucketSpec bucket, long amount) {
        return run(l -> l.charge(bucket, amount));
    }

    @Override
    public CompletableFuture<List<Long>> counters(List<String> names) {
        return run(l -> l.counters(names));
    }

    @Override
    public CompletableFuture<Long> add(String name, long delta, Duration ttl) {
        return run(l -> l.add(name, delta, ttl));
    }

    @Override
    public CompletableFuture<Void> seed(String name, long value, Duration ttl) {
        return run(l -> l.seed(name, value, ttl));
    }

    @Override
    public CompletableFuture<Boolean> probe() {
        return CompletableFuture.completedFuture(true);
    }
}
