package ai.meridian.bootstrap;

import io.micronaut.context.condition.Condition;
import io.micronaut.context.condition.ConditionContext;
import java.util.Locale;

/** True when a feature keeps its state in Redis: shared limits ({@code meridian.limits.store: redis}) or the shared response cache level ({@code meridian.cache.store: redis}). */
public final class UsesRedis implements Condition {
    @Override
    public boolean matches(ConditionContext context) {
        return "redis".equals(context.getProperty(TenancyFactory.LIMITS_STORE, String.class).orElse("").toLowerCase(Locale.ROOT))
                || "redis".equals(context.getProperty(CacheFactory.STORE, String.class).orElse("").toLowerCase(Locale.ROOT));
    }
}
