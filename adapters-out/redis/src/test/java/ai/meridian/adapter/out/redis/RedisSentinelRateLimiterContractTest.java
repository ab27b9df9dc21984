package ai.meridian.adapter.out.redis;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.application.port.out.RateLimiterPort;
import ai.meridian.application.port.out.RateLimiterPort.BucketSpec;
import ai.meridian.testkit.RateLimiterContract;
import ai.meridian.testkit.RedisSentinel;
import ai.meridian.testkit.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The limiter contract through a {@code redis-sentinel://} URL (a real master, its replica and a sentinel, all
 * Debian's redis-server), and a failover: the master is killed, the sentinel promotes the replica, and the client finds
 * the new master through the sentinel by itself.
 */
class RedisSentinelRateLimiterContractTest extends RateLimiterContract {
    private static RedisServer master;
    private static RedisServer replica;
    private static RedisSentinel sentinel;
    private static RedisConnection redis;
    private static RedisRateLimiter limiter;

    @BeforeAll
    static void start() throws Exception {
        master = RedisServer.start();
        replica = RedisServer.replicaOf(master);
        sentinel = RedisSentinel.watching(master);
        redis = RedisConnection.open(new RedisSettings(sentinel.url(), List.of(), "sentinel-test:", Duration.ofSeconds(1), Duration.ofSeconds(2)));
        limiter = new RedisRateLimiter(redis);
        assertThat(redis.ping().get(10, TimeUnit.SECONDS)).as("connected through the sentinel").isTrue();
    }

    @AfterAll
    static void stop() throws Exception {
        if (redis != null) {
            redis.close();
        }
        for (AutoCloseable c : new AutoCloseable[] {sentinel, replica, master}) {
            if (c != null) {
                c.close();
            }
        }
    }

    @Override
    protected RateLimiterPort limiter() {
        return limiter;
    }

    @Test
    void afterTheMasterDiesTheSentinelsNewMasterCountsTheLimits() throws Exception {
        BucketSpec bucket = new BucketSpec("failover:{" + System.nanoTime() + "}", 100, Duration.ofMinutes(1));
        assertThat(limiter.tryTake(bucket, 1).get(5, TimeUnit.SECONDS).taken()).isTrue();
        assertThat(sentinel.masterPort()).isEqualTo(master.port);
        master.kill();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        while (sentinel.masterPort() != replica.port && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertThat(sentinel.masterPort()).as("the sentinel promoted the replica:%n%s", sentinel.log()).isEqualTo(replica.port);
        boolean counted = false;
        while (!counted && System.nanoTime() < deadline) {
            try {
                counted = limiter.tryTake(bucket, 1).get(5, TimeUnit.SECONDS).taken();
            } catch (java.util.concurrent.ExecutionException stillReconnecting) {
                Thread.sleep(200);
            }
        }
        assertThat(counted).as("limits are counted on the new master").isTrue();
        assertThat(limiter.peek(bucket, 1).get(5, TimeUnit.SECONDS).remaining()).as("what the replica had copied, and the new take")
                .isBetween(98L, 99L);
    }
}
