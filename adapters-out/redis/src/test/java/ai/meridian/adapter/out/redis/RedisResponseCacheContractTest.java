package ai.meridian.adapter.out.redis;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.application.port.out.CachedAnswer;
import ai.meridian.application.port.out.ResponseCachePort;
import ai.meridian.application.port.out.ResponseCachePort.CacheUnavailableException;
import ai.meridian.testkit.RedisServer;
import ai.meridian.testkit.ResponseCacheContract;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The second level passes the response cache contract on a real redis-server; broadcasts, outage and restart. */
class RedisResponseCacheContractTest extends ResponseCacheContract {
    private static RedisServer server;
    private static RedisConnection redis;
    private static RedisResponseCache cache;

    @BeforeAll
    static void start() throws Exception {
        server = RedisServer.start();
        redis = RedisConnection.open(RedisSettings.of(server.url()));
        cache = new RedisResponseCache(redis);
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
    protected ResponseCachePort cache() {
        return cache;
    }

    /** Records what a listener hears. */
    private static final class Heard implements ResponseCachePort.InvalidationListener {
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void generationRaised(String scope, long value) {
            events.add("g " + scope + " " + value);
        }

        @Override
        public void removed(String key) {
            events.add("r " + key);
        }

        @Override
        public void reconnected() {
            events.add("reconnected");
        }
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(condition.getAsBoolean()).as(what).isTrue();
    }

    @Test
    void anotherReplicaHearsRaisesAndRemovals() throws Exception {
        try (RedisConnection other = RedisConnection.open(RedisSettings.of(server.url()))) {
            RedisResponseCache replica = new RedisResponseCache(other);
            Heard heard = new Heard();
            replica.listen(heard);
            Thread.sleep(300); // the subscription is made in the background
            long value = cache.bump("kb/acme/docs").get(5, TimeUnit.SECONDS);
            cache.put("acme/k1", richAnswer("acme"), Duration.ofMinutes(1)).get(5, TimeUnit.SECONDS);
            cache.remove("acme/k1").get(5, TimeUnit.SECONDS);
            await(() -> heard.events.contains("g kb/acme/docs " + value) && heard.events.contains("r acme/k1"), "broadcasts heard");
            assertThat(replica.get("acme/k1").get(5, TimeUnit.SECONDS)).isEmpty();
        }
    }

    @Test
    void countersOnlyGrowEvenWhenRedisLosesThem() throws Exception {
        String scope = "t/restart-" + System.nanoTime();
        long before = cache.bump(scope).get(5, TimeUnit.SECONDS);
        assertThat(before).as("a new counter starts from the time").isGreaterThan(1_600_000_000_000L);
    }

    @Test
    void whileRedisIsDownCallsFailAtOnceAndAfterARestartTheListenerHearsOfIt() throws Exception {
        try (RedisConnection own = RedisConnection.open(RedisSettings.of(server.url()))) {
            RedisResponseCache store = new RedisResponseCache(own);
            Heard heard = new Heard();
            store.listen(heard);
            assertThat(own.ping().get(10, TimeUnit.SECONDS)).isTrue();
            CachedAnswer answer = richAnswer("acme");
            store.put("acme/outage", answer, Duration.ofMinutes(1)).get(5, TimeUnit.SECONDS);
            server.kill();
            try {
                long start = System.nanoTime();
                ExecutionException failed = null;
                try {
                    store.get("acme/outage").get(5, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    failed = e;
                }
                assertThat(failed).isNotNull();
                assertThat(failed.getCause()).isInstanceOf(CacheUnavailableException.class);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).as("refused at once").isLessThan(Duration.ofSeconds(2));
                assertThat(store.probe().get(5, TimeUnit.SECONDS)).isFalse();
            } finally {
                server.startAgain();
            }
            await(() -> {
                try {
                    return store.probe().get(5, TimeUnit.SECONDS);
                } catch (Exception e) {
                    return false;
                }
            }, "reconnects by itself");
            await(() -> heard.events.contains("reconnected"), "the listener hears of the reconnection");
            assertThat(store.get("acme/outage").get(5, TimeUnit.SECONDS)).as("a restarted Redis without persistence lost it")
                    .isEqualTo(Optional.empty());
        }
    }
}
