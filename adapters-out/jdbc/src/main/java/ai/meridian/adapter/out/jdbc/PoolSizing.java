package ai.meridian.adapter.out.jdbc;

import io.micronaut.configuration.jdbc.hikari.DatasourceConfiguration;
import io.micronaut.context.env.Environment;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import jakarta.inject.Singleton;

/**
 * Sizes each connection pool for the host unless {@code datasources.<name>.maximum-pool-size} is set:
 * HikariCP's rule of thumb, two connections per core plus one, at least four. More connections than
 * that make a database slower, not faster; the pool, not the thread count, is what bounds JDBC work.
 */
@Singleton
final class PoolSizing implements BeanCreatedEventListener<DatasourceConfiguration> {
    private final Environment environment;

    PoolSizing(Environment environment) {
        this.environment = environment;
    }

    public static int forHost() {
        return Math.max(4, 2 * Runtime.getRuntime().availableProcessors() + 1);
    }

    @Override
    public DatasourceConfiguration onCreated(BeanCreatedEvent<DatasourceConfiguration> event) {
        DatasourceConfiguration configuration = event.getBean();
        if (!environment.containsProperty("datasources." + configuration.getName() + ".maximum-pool-size")) {
            configuration.setMaximumPoolSize(forHost());
        }
        return configuration;
    }

}
