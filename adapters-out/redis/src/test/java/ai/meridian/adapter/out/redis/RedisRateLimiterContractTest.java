package ai.meridian.adapter.out.redis;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.application.port.out.RateLimiterPort;
import ai.meridian.application.port.out.RateLimiterPort.BucketSpec;
import ai.meridian.application.port.out.RateLimiterPort.LimiterUnavailableException;
import ai.meridian.testkit.RateLimiterContract;
import ai.meridian.testkit.RedisServer;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The limiter contract on a real redis-server, and what happens when it dies and comes back. */
class RedisRateLimiterContractTest extends RateLimiterContract {
    private static RedisServer server;
    private static RedisConnection redis;
    private static RedisRateLimiter limiter;

    @BeforeAll
    static void start() throws Exception {
        server = RedisServer.start();
        redis = RedisConnection.open(RedisSettings.of(server.url()));
        limiter = new RedisRateLimiter(redis);
        assertThat(redis.ping().get(10, TimeUnit.SECONDS)).isTrue();
    }

    @AfterAll
    static void stop() throws Exception {
        if (redis != null) {
            redis.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected RateLimiterPort limiter() {
        return limiter;
    }

    @Test
    void twoClientsShareOneBucket() throws Exception {
        try (RedisConnection other = RedisConnection.open(RedisSettings.of(server.url()))) {
            assertThat(other.ping().get(10, TimeUnit.SECONDS)).isTrue();
            RedisRateLimiter second = new RedisRateLimiter(other);
            BucketSpec bucket = new BucketSpec("shared:" + System.nanoTime(), 10, Duration.ofMinutes(1));
            int taken = 0;
            for (int i = 0; i < 15; i++) {
                taken += limiter.tryTake(bucket, 1).get().taken() ? 1 : 0;
                taken += second.tryTake(bucket, 1).get().taken() ? 1 : 0;
            }
            assertThat(taken).isEqualTo(10);
        }
    }

    @Test
    void whileRedisIsDownCallsFailAtOnceAndAfterItIsBackTheyWorkAgain() throws Exception {
        try (RedisConnection own = RedisConnection.open(RedisSettings.of(server.url()))) {
            RedisRateLimiter limiter = new RedisRateLimiter(own);
            assertThat(own.ping().get(10, TimeUnit.SECONDS)).isTrue();
            BucketSpec bucket = new BucketSpec("outage:" + System.nanoTime(), 5, Duration.ofMinutes(1));
            assertThat(limiter.tryTake(bucket, 1).get().taken()).isTrue();
            server.kill();
            try {
                long start = System.nanoTime();
                ExecutionException failed = null;
                try {
                    limiter.tryTake(bucket, 1).get(5, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    failed = e;
                }
                assertThat(failed).isNotNull();
                assertThat(failed.getCause()).isInstanceOf(LimiterUnavailableException.class);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).as("refused at once, not queued").isLessThan(Duration.ofSeconds(2));
                assertThat(limiter.probe().get(5, TimeUnit.SECONDS)).isFalse();
            } finally {
                server.startAgain();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            boolean back = false;
            while (!back && System.nanoTime() < deadline) {
                back = limiter.probe().get(5, TimeUnit.SECONDS);
                Thread.sleep(100);
            }
            assertThat(back).as("the client reconnects by itself").isTrue();
            assertThat(limiter.tryTake(bucket, 1).get(5, TimeUnit.SECONDS).taken()).isTrue();
        }
    }

    @Test
    void aGatewayStartsWhileRedisIsDownAndConnectsWhenItComes() throws Exception {
        int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        try (RedisConnection nowhere = RedisConnection.open(RedisSettings.of("redis://127.0.0.1:" + port))) {
            RedisRateLimiter limiter = new RedisRateLimiter(nowhere);
            assertThat(nowhere.ping().get(5, TimeUnit.SECONDS)).isFalse();
            ExecutionException failed = null;
            try {
                limiter.counters(java.util.List.of("x")).get(5, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                failed = e;
            }
            assertThat(failed).isNotNull();
            assertThat(failed.getCause()).isInstanceOf(LimiterUnavailableException.class);
        }
    }
}
