package ai.meridian.adapter.out.redis;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.application.port.out.RateLimiterPort;
import ai.meridian.testkit.RateLimiterContract;
import ai.meridian.testkit.RedisCluster;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The limiter contract on a real Redis Cluster (three masters, Debian's redis-server, joined by redis-cli): one
 * admission's keys share their hash tag, so its script runs on the one node that holds the key's slot.
 */
class RedisClusterRateLimiterContractTest extends RateLimiterContract {
    private static RedisCluster cluster;
    private static RedisConnection redis;
    private static RedisRateLimiter limiter;

    @BeforeAll
    static void start() throws Exception {
        cluster = RedisCluster.start();
        redis = RedisConnection.open(new RedisSettings("", cluster.urls(), "cluster-test:", Duration.ofSeconds(1), Duration.ofSeconds(2)));
        limiter = new RedisRateLimiter(redis);
        redis.connect().get(10, TimeUnit.SECONDS);
        assertThat(redis.ping().get(10, TimeUnit.SECONDS)).as("connected to the cluster").isTrue();
    }

    @AfterAll
    static void stop() throws Exception {
        if (redis != null) {
            redis.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @Override
    protected RateLimiterPort limiter() {
        return limiter;
    }
}
