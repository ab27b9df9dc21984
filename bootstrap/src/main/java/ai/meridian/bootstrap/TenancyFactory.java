package ai.meridian.bootstrap;

import ai.meridian.adapter.out.bucket4j.Bucket4jRateLimiter;
import ai.meridian.adapter.out.jdbc.JdbcConversationStore;
import ai.meridian.adapter.out.jdbc.JdbcUsageLedger;
import ai.meridian.adapter.out.oidc.OidcSettings;
import ai.meridian.adapter.out.oidc.OidcTokenVerifier;
import ai.meridian.adapter.out.redis.RedisConnection;
import ai.meridian.adapter.out.redis.RedisRateLimiter;
import ai.meridian.adapter.out.redis.RedisSettings;
import ai.meridian.application.port.in.CheckHealthUseCase.ComponentHealth;
import ai.meridian.application.port.out.BackendSettings;
import ai.meridian.application.port.out.GatewayMetrics;
import ai.meridian.application.port.out.RateLimiterPort;
import ai.meridian.application.port.out.SettingsMap;
import ai.meridian.application.port.out.TokenCounter;
import ai.meridian.application.service.AccessStage;
import ai.meridian.application.service.Admission;
import ai.meridian.application.service.AuditTrail;
import ai.meridian.application.service.FailoverRateLimiter;
import ai.meridian.application.service.HealthService;
import ai.meridian.application.service.KeyDirectory;
import ai.meridian.application.service.LimitStage;
import ai.meridian.application.service.Metering;
import ai.meridian.application.service.OidcCallers;
import ai.meridian.domain.tenancy.Role;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import ai.meridian.application.service.TenantAdministration;
import ai.meridian.application.service.UsageLedger;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.env.Environment;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires tenants and keys, the audit log, the usage ledger, and limits: in this process ({@code meridian.limits.store:
 * local}, the default) or shared on Redis ({@code redis}), falling back to local limits while Redis is unreachable.
 */
@Factory
final class TenancyFactory {
    private static final Logger LOG = LoggerFactory.getLogger(TenancyFactory.class);
    static final String LIMITS_STORE = "meridian.limits.store";

    @Singleton
    AuditTrail auditTrail(JdbcConversationStore store, ScheduledExecutorService timers, Environment environment) {
        SettingsMap s = GatewayConfiguration.section(environment, "meridian.audit");
        AuditTrail audit = new AuditTrail(store.auditLog(), Clock.systemUTC(), s.integer("max-queued", 10_000));
        audit.flushPeriodically(timers, s.duration("flush-interval", Duration.ofSeconds(1)));
        return audit;
    }

    /** Every tenant and key in memory, read once at start-up (a database that cannot be read stops start-up) and then followed. */
    /** OIDC bearer tokens, when {@code meridian.oidc.issuer} is set. */
    @Singleton
    @Bean(preDestroy = "close")
    @Requires(property = "meridian.oidc.issuer")
    OidcTokenVerifier oidcTokenVerifier(Environment environment) {
        SettingsMap s = GatewayConfiguration.section(environment, "meridian.oidc");
        OidcSettings settings = new OidcSettings(s.required("issuer"), s.required("audience"), URI.create(s.required("jwks-url")),
                s.list("algorithms"), s.duration("clock-skew", Duration.ofSeconds(60)), s.duration("refresh-interval", Duration.ofMinutes(10)),
                s.duration("fetch-timeout", Duration.ofSeconds(5)));
        return new OidcTokenVerifier(settings, Clock.systemUTC()).start();
    }

    static OidcCallers oidcCallers(OidcTokenVerifier verifier, Environment environment) {
        SettingsMap s = GatewayConfiguration.section(environment, "meridian.oidc");
        Map<String, Role> values = new LinkedHashMap<>();
        List<String> configured = s.list("role-values");
        for (String entry : configured.isEmpty() ? List.of("admin=admin", "member=member", "reader=reader") : configured) {
            int eq = entry.lastIndexOf('=');
            Optional<Role> role = eq < 1 ? Optional.empty() : Role.fromWire(entry.substring(eq + 1).trim());
            if (role.isEmpty()) {
                throw new IllegalArgumentException(s.key("role-values") + ": '" + entry + "' must be <provider value>=<admin|member|reader>");
            }
            values.put(entry.substring(0, eq).trim(), role.get());
        }
        String fallback = s.string("default-role", "");
        Optional<Role> defaultRole = fallback.isBlank() ? Optional.empty() : Optional.of(Role.fromWire(fallback).orElseThrow(() ->
                new IllegalArgumentException(s.key("default-role") + " must be admin, member or reader, not '" + fallback + "'")));
        return new OidcCallers(verifier, s.string("tenant-claim", "tenant"), s.string("role-claim", "role"), values, defaultRole);
    }

    @Context
    KeyDirectory keyDirectory(JdbcConversationStore store, AuditTrail audit, ScheduledExecutorService timers, Environment environment,
                              @Value("${meridian.master-key:}") String masterKey, Optional<OidcTokenVerifier> oidc) {
        SettingsMap auth = GatewayConfiguration.section(environment, "meridian.auth");
        SettingsMap cors = GatewayConfiguration.section(environment, "meridian.cors");
        KeyDirectory directory = new KeyDirectory(store.tenantDirectory(), masterKey,
                auth.string("pepper", "").getBytes(StandardCharsets.UTF_8), Clock.systemUTC(), audit,
                cors.flag("enabled", false), cors.list("allowed-origins"));
        oidc.ifPresent(verifier -> directory.withOidc(oidcCallers(verifier, environment)));
        try {
            directory.refresh().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalArgumentException("the key directory (tenants and keys) cannot be read from the database: " + e.getMessage(), e);
        }
        directory.refreshPeriodically(timers, auth.duration("refresh-interval", Duration.ofSeconds(1)));
        return directory;
    }

    @Singleton
    TenantAdministration tenantAdministration(JdbcConversationStore store, KeyDirectory directory, AuditTrail audit) {
        SecureRandom random = new SecureRandom();
        return new TenantAdministration(store.tenantDirectory(), directory, audit, Clock.systemUTC(), () -> random, () -> { });
    }

    @Singleton
    @Bean(preDestroy = "flushNow")
    LedgerHolder usageLedger(JdbcConversationStore store, ScheduledExecutorService timers, Environment environment) {
        SettingsMap s = GatewayConfiguration.section(environment, "meridian.usage");
        UsageLedger ledger = new UsageLedger(store.usageLedger());
        ledger.flushPeriodically(timers, s.duration("flush-interval", Duration.ofSeconds(5)));
        return new LedgerHolder(ledger, store.usageLedger());
    }

    @Singleton
    UsageLedger ledger(LedgerHolder holder) {
        return holder.ledger;
    }

    /** The ledger and its store; flushed once more when the gateway stops. */
    static final class LedgerHolder {
        final UsageLedger ledger;
        final JdbcUsageLedger store;

        LedgerHolder(UsageLedger ledger, JdbcUsageLedger store) {
            this.ledger = ledger;
            this.store = store;
        }

        public void flushNow() {
            try {
                ledger.flush().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.warn("usage not written at shutdown: {}", e.getMessage());
            }
        }
    }

    /**
     * The one Redis connection, when something uses Redis: shared limits, stream buffers ({@code meridian.streams.buffer:
     * redis}), or the response cache's shared level ({@code meridian.cache.store: redis}).
     */
    @Singleton
    @Bean(preDestroy = "close")
    @Requires(condition = RedisUsed.class)
    RedisConnection redisConnection(Environment environment) {
        SettingsMap s = GatewayConfiguration.section(environment, "meridian.redis");
        return RedisConnection.open(new RedisSettings(s.string("url", ""), s.list("cluster-urls"), s.string("key-prefix", "meridian:"),
                s.duration("command-timeout", Duration.ofSeconds(1)), s.duration("connect-timeout", Duration.ofSeconds(2))));
    }

    /** Limits: where they are counted, and how the core admits and charges with them. */
    @Singleton
    @Bean(preDestroy = "flush")
    Admission admission(Environment environment, Optional<RedisConnection> redis, HealthService health, GatewayMetrics metrics,
                        ScheduledExecutorService timers, KeyDirectory directory, LedgerHolder ledger) {
        String store = environment.getProperty(LIMITS_STORE, String.class).orElse("local").toLowerCase(Locale.ROOT);
        if (!List.of("local", "redis").contains(store)) {
            throw new IllegalArgumentException(LIMITS_STORE + " must be local or redis, not '" + store + "'");
        }
        Bucket4jRateLimiter local = new Bucket4jRateLimiter();
        RateLimiterPort limiter = local;
        Admission[] admission = new Admission[1];
        if (store.equals("redis")) {
            RedisConnection connection = redis.orElseThrow();
            // Start-up waits for the first connection (at most the connect timeout), so that the first requests are
            // counted in Redis rather than degrading at once; a Redis that is down does not stop the gateway starting.
            try {
                if (!connection.ping().get(connection.settings().connectTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS)) {
                    LOG.warn("Redis ({}) does not answer yet: limits are counted in this process until it does", connection.settings().shown());
                }
            } catch (Exception e) {
                LOG.warn("Redis ({}) does not answer yet: limits are counted in this process until it does", connection.settings().shown());
            }
            SettingsMap s = GatewayConfiguration.section(environment, "meridian.limits");
            Duration timeout = s.duration("redis-timeout", Duration.ofSeconds(1));
            FailoverRateLimiter failover = new FailoverRateLimiter(new RedisRateLimiter(connection), local, timeout,
                    () -> admission[0].seedFromLedger(directory.keys(), ledger.store, Clock.systemUTC().instant()));
            failover.probePeriodically(timers, s.duration("probe-interval", Duration.ofSeconds(1)));
            metrics.watchGauge("meridian.rate_limits.shared", "1 while rate limits and budgets are shared in Redis, 0 while each replica "
                    + "counts on its own (Redis unreachable)", () -> failover.shared() ? 1 : 0);
            String shown = connection.settings().shown();
            health.component("rate_limits", () -> failover.shared()
                    ? new ComponentHealth("up", "shared in Redis (" + shown + ")")
                    : new ComponentHealth("degraded", "Redis unreachable (" + failover.lastFailure() + "): each replica enforces limits on its own"));
            limiter = failover;
            LOG.info("rate limits and budgets are shared in Redis ({})", shown);
        } else {
            health.component("rate_limits", () -> new ComponentHealth("up", "counted in this process"));
        }
        // On Redis, charges are sent once per batch window and token/budget reads reused within it (requests per minute stay exact).
        Duration window = store.equals("redis")
                ? GatewayConfiguration.section(environment, "meridian.limits").duration("batch-window", Duration.ofMillis(50)) : Duration.ZERO;
        admission[0] = window.isZero() ? new Admission(limiter) : new Admission(limiter, timers, window);
        try {
            admission[0].seedFromLedger(directory.keys(), ledger.store, Clock.systemUTC().instant()).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("budgets could not be seeded from the usage ledger: {}", e.getMessage());
        }
        return admission[0];
    }

    /** A key's limits and usage for every use case: chat (through the limit stage), embeddings, knowledge queries. */
    @Singleton
    Metering metering(Admission admission, UsageLedger ledger, GatewayMetrics metrics) {
        return new Metering(admission, ledger, metrics, Clock.systemUTC());
    }

    @Singleton
    LimitStage limitStage(Metering metering, TokenCounter tokens) {
        return new LimitStage(metering, tokens);
    }

    @Singleton
    AccessStage accessStage() {
        return new AccessStage();
    }

    static Duration duration(String key, String value) {
        return BackendSettings.parseDuration(key, value);
    }

    /** True when limits or stream buffers are kept in Redis. */
    static final class RedisUsed implements io.micronaut.context.condition.Condition {
        @Override
        public boolean matches(io.micronaut.context.condition.ConditionContext context) {
            var resolver = context.getBeanContext() instanceof io.micronaut.context.ApplicationContext app ? app.getEnvironment() : null;
            if (resolver == null) {
                return false;
            }
            return "redis".equalsIgnoreCase(resolver.getProperty(LIMITS_STORE, String.class).orElse(""))
                    || "redis".equalsIgnoreCase(resolver.getProperty("meridian.streams.buffer", String.class).orElse(""))
                    || "redis".equalsIgnoreCase(resolver.getProperty(CacheFactory.STORE, String.class).orElse(""));
        }
    }
}
