package ai.meridian.adapter.out.caffeine;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.application.port.out.ResponseCachePort;
import ai.meridian.testkit.ResponseCacheContract;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The first level passes the response cache contract, and keeps to its size bound. */
class CaffeineResponseCacheContractTest extends ResponseCacheContract {
    private static final CaffeineResponseCache CACHE = new CaffeineResponseCache(64L * 1024 * 1024);

    @Override
    protected ResponseCachePort cache() {
        return CACHE;
    }

    @Test
    void theSizeBoundEvictsAndIsCounted() throws Exception {
        CaffeineResponseCache small = new CaffeineResponseCache(100_000);
        int weight = richAnswer("acme").approximateBytes();
        for (int i = 0; i < 200; i++) {
            small.put("acme/" + i, richAnswer("acme"), Duration.ofMinutes(5)).get(1, TimeUnit.SECONDS);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        // Caffeine evicts in its maintenance, on another thread: wait until both figures are within the bound.
        while ((small.stats().bytes() > 100_000 || small.stats().entries() > 100_000 / weight) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        ResponseCachePort.LevelStats stats = small.stats();
        assertThat(stats.bytes()).isLessThanOrEqualTo(100_000);
        assertThat(stats.entries()).isLessThanOrEqualTo(100_000 / weight).isPositive();
        assertThat(stats.evictedBySize()).isPositive();
    }
}
