package ai.meridian.observability;

import ai.meridian.application.port.out.CircuitState;
import ai.meridian.application.port.out.GatewayMetrics;
import ai.meridian.application.port.out.ResponseCachePort;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The gateway's figures on Micrometer, exported as Prometheus text on {@code /metrics}. Meters are
 * looked up once per label combination and cached: recording is a map hit and an atomic add.
 */
public final class MicrometerGatewayMetrics implements GatewayMetrics {
    private static final Duration[] OVERHEAD_BUCKETS = millis(0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5, 10, 25, 50, 100);
    private static final Duration[] REQUEST_BUCKETS = millis(5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000, 120_000);
    private static final Duration[] FIRST_TOKEN_BUCKETS = millis(1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000);

    private final MeterRegistry registry;
    private final Map<List<String>, Counter> counters = new ConcurrentHashMap<>();
    private final Map<List<String>, Timer> timers = new ConcurrentHashMap<>();

    /** Tenants get their own label up to this many; the rest are counted under {@link #OTHER_TENANTS}. */
    private final int maxTenants;
    private final java.util.Set<String> labelledTenants = ConcurrentHashMap.newKeySet();
    static final String OTHER_TENANTS = "_other";

    public MicrometerGatewayMetrics(MeterRegistry registry) {
        this(registry, 100);
    }

    public MicrometerGatewayMetrics(MeterRegistry registry, int maxTenants) {
        this.registry = registry;
        this.maxTenants = maxTenants;
    }

    /** The tenant's label: its id while fewer than {@code maxTenants} have one, else one shared label (bounded cardinality). */
    String tenantLabel(String tenant) {
        if (labelledTenants.contains(tenant)) {
            return tenant;
        }
        synchronized (labelledTenants) {
            if (labelledTenants.size() < maxTenants) {
                labelledTenants.add(tenant);
                return tenant;
            }
        }
        return OTHER_TENANTS;
    }

    @Override
    public void tenantUsage(String tenant, String model, long inputTokens, long outputTokens, long cachedTokens) {
        String label = tenantLabel(tenant);
        counter(List.of("tenant-requests", label, model), key -> Counter.builder("meridian.tenant.requests")
                .description("Answered chat requests per tenant and public model (tenants beyond meridian.metrics.max-tenants: _other)")
                .tags("tenant", label, "model", model).register(registry)).increment();
        if (inputTokens > 0) {
            tenantTokens(label, model, "input").increment(inputTokens);
        }
        if (outputTokens > 0) {
            tenantTokens(label, model, "output").increment(outputTokens);
        }
        if (cachedTokens > 0) {
            tenantTokens(label, model, "cached").increment(cachedTokens);
        }
    }

    private Counter tenantTokens(String tenant, String model, String type) {
        return counter(List.of("tenant-tokens", tenant, model, type), key -> Counter.builder("meridian.tenant.tokens")
                .description("Tokens per tenant, public model and type (input, output, cached)")
                .tags("tenant", tenant, "model", model, "type", type).register(registry));
    }

    @Override
    public void rateLimited(String tenant, String reason) {
        String label = tenantLabel(tenant);
        counter(List.of("rate-limited", label, reason), key -> Counter.builder("meridian.rate_limited")
                .description("Requests refused for a rate limit or budget, per tenant and reason (the error code)")
                .tags("tenant", label, "reason", reason).register(registry)).increment();
    }

    @Override
    public void watchGauge(String name, String description, Supplier<Number> value) {
        Gauge.builder(name, value, v -> v.get().doubleValue()).description(description).strongReference(true).register(registry);
    }

    @Override
    public void request(RequestOutcome o) {
        String status = String.valueOf(o.status());
        String stream = String.valueOf(o.stream());
        String tier = String.valueOf(o.tier());
        counter(List.of("requests", o.model(), o.backend(), status, stream, tier), key -> Counter.builder("meridian.requests")
                .description("Chat requests by public model, serving backend, HTTP status, streaming and fallback tier")
                .tags("model", o.model(), "backend", o.backend(), "status", status, "stream", stream, "tier", tier)
                .register(registry)).increment();
        timer(List.of("duration", o.model(), stream), key -> Timer.builder("meridian.request.duration")
                .description("Time from receiving a chat request to its last byte")
                .tags("model", o.model(), "stream", stream)
                .serviceLevelObjectives(REQUEST_BUCKETS).register(registry)).record(o.durationNanos(), TimeUnit.NANOSECONDS);
        timer(List.of("overhead", stream), key -> Timer.builder("meridian.gateway.overhead")
                .description("Time the gateway itself added: request time minus time spent waiting on backends and backoffs")
                .tags("stream", stream)
                .serviceLevelObjectives(OVERHEAD_BUCKETS).register(registry)).record(o.overheadNanos(), TimeUnit.NANOSECONDS);
        if (o.promptTokens() > 0) {
            tokens(o.model(), o.backend(), "input").increment(o.promptTokens());
        }
        if (o.completionTokens() > 0) {
            tokens(o.model(), o.backend(), "output").increment(o.completionTokens());
        }
    }

    private Counter tokens(String model, String backend, String type) {
        return counter(List.of("tokens", model, backend, type), key -> Counter.builder("meridian.tokens")
                .description("Tokens by public model, backend and type (input or output)")
                .tags("model", model, "backend", backend, "type", type).register(registry));
    }

    @Override
    public void attempt(String backend, String outcome, long durationNanos) {
        timer(List.of("attempt", backend, outcome), key -> Timer.builder("meridian.upstream.duration")
                .description("Upstream latency per backend attempt, by outcome (ok or the failure kind)")
                .tags("backend", backend, "outcome", outcome)
                .serviceLevelObjectives(REQUEST_BUCKETS).register(registry)).record(durationNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void timeToFirstToken(String model, String backend, long nanos) {
        timer(List.of("ttft", model, backend), key -> Timer.builder("meridian.time.to.first.token")
                .description("Time from sending a streamed request upstream to its first token")
                .tags("model", model, "backend", backend)
                .serviceLevelObjectives(FIRST_TOKEN_BUCKETS).register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void fallback(String model, int tier, String reason) {
        String t = String.valueOf(tier);
        counter(List.of("fallback", model, t, reason), key -> Counter.builder("meridian.fallbacks")
                .description("Requests that moved to a fallback tier, by tier and the failure that moved them")
                .tags("model", model, "tier", t, "reason", reason).register(registry)).increment();
    }

    @Override
    public void midStreamFallback(String model, String fromBackend, String toBackend, String style, String reason) {
        counter(List.of("midstream", model, fromBackend, toBackend, style, reason), key -> Counter.builder("meridian.mid_stream.fallbacks")
                .description("Streamed answers another backend continued after the first failed mid-stream, by model, backends, "
                        + "continuation style (prefix or prompt) and failure")
                .tags("model", model, "from", fromBackend, "to", toBackend, "style", style, "reason", reason).register(registry)).increment();
    }

    @Override
    public void webSocket(String event) {
        counter(List.of("websocket", event), key -> Counter.builder("meridian.websocket.events")
                .description("WebSocket connections opened and closed, closes by code, slow readers cut off")
                .tags("event", event).register(registry)).increment();
    }

    @Override
    public void streamDetached(String model, String outcome) {
        counter(List.of("detached", model, outcome), key -> Counter.builder("meridian.streams.detached")
                .description("Streams whose client left: detached (the answer goes on), finished while away, expired (cancelled "
                        + "after the resume window)")
                .tags("model", model, "outcome", outcome).register(registry)).increment();
    }

    @Override
    public void streamResumed(String outcome, long replayedEvents) {
        counter(List.of("resumed", outcome), key -> Counter.builder("meridian.streams.resumed")
                .description("Stream resumptions by outcome: ok, missing (404), expired (410), lost (buffer failed)")
                .tags("outcome", outcome).register(registry)).increment();
    }

    @Override
    public void watchCircuit(String backend, String model, Supplier<CircuitState> state) {
        Gauge.builder("meridian.circuit.state", () -> state.get().gaugeValue())
                .description("Circuit breaker state per backend and model: 0 closed, 1 open, 2 half-open, 3 disabled")
                .tags("backend", backend, "model", model).register(registry);
    }

    @Override
    public void cacheLookup(String level, String result) {
        counter(List.of("cache-lookup", level, result), key -> Counter.builder("hit".equals(result) ? "meridian.cache.hits"
                        : "miss".equals(result) ? "meridian.cache.misses" : "meridian.cache.errors")
                .description("Response cache lookups per level (l1 in process, l2 shared, semantic)").tags("level", level).register(registry))
                .increment();
    }

    @Override
    public void cacheWrite(String level, long bytes) {
        counter(List.of("cache-write", level), key -> Counter.builder("meridian.cache.writes")
                .description("Answers written to a response cache level").tags("level", level).register(registry)).increment();
        counter(List.of("cache-write-bytes", level), key -> Counter.builder("meridian.cache.written.bytes")
                .description("Bytes of answers written to a response cache level (approximate, as held in memory)").baseUnit("bytes")
                .tags("level", level).register(registry)).increment(bytes);
    }

    /** Evictions the core reports (invalidated, purged), by level and cause; size and expiry come from the level's figures. */
    private final Map<List<String>, java.util.concurrent.atomic.LongAdder> evictions = new ConcurrentHashMap<>();

    @Override
    public void cacheEviction(String level, String cause) {
        evictionCount(level, cause).increment();
    }

    private java.util.concurrent.atomic.LongAdder evictionCount(String level, String cause) {
        return evictions.computeIfAbsent(List.of(level, cause), key -> {
            java.util.concurrent.atomic.LongAdder count = new java.util.concurrent.atomic.LongAdder();
            FunctionCounter.builder("meridian.cache.evictions", count, java.util.concurrent.atomic.LongAdder::doubleValue)
                    .description("Entries taken out of a response cache level, by cause (size, expired, invalidated)")
                    .tags("level", level, "cause", cause).register(registry);
            return count;
        });
    }

    @Override
    public void cacheBypass(String reason) {
        counter(List.of("cache-bypass", reason), key -> Counter.builder("meridian.cache.bypasses")
                .description("Requests the response cache neither served nor kept, by reason").tags("reason", reason).register(registry))
                .increment();
    }

    @Override
    public void watchCacheLevel(String level, Supplier<ResponseCachePort.LevelStats> stats) {
        Gauge.builder("meridian.cache.bytes", () -> stats.get().bytes()).description("Bytes a response cache level holds (-1: not known here)")
                .baseUnit("bytes").tags("level", level).register(registry);
        Gauge.builder("meridian.cache.entries", () -> stats.get().entries()).description("Entries a response cache level holds (-1: not known here)")
                .tags("level", level).register(registry);
        FunctionCounter.builder("meridian.cache.evictions", stats, s -> s.get().evictedBySize())
                .description("Entries taken out of a response cache level, by cause (size, expired, invalidated)")
                .tags("level", level, "cause", "size").register(registry);
        FunctionCounter.builder("meridian.cache.evictions", stats, s -> s.get().expired())
                .description("Entries taken out of a response cache level, by cause (size, expired, invalidated)")
                .tags("level", level, "cause", "expired").register(registry);
    }

    private Counter counter(List<String> key, Function<List<String>, Counter> create) {
        Counter counter = counters.get(key);
        return counter != null ? counter : counters.computeIfAbsent(key, create);
    }

    private Timer timer(List<String> key, Function<List<String>, Timer> create) {
        Timer timer = timers.get(key);
        return timer != null ? timer : timers.computeIfAbsent(key, create);
    }

    private static Duration[] millis(double... values) {
        Duration[] durations = new Duration[values.length];
        for (int i = 0; i < values.length; i++) {
            durations[i] = Duration.ofNanos((long) (values[i] * 1_000_000));
        }
        return durations;
    }
}
