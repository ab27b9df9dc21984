package ai.meridian.adapter.out.jdbc;

import io.micronaut.data.connection.jdbc.advice.DelegatingDataSource;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/** Brings the database to the schema this version needs, with the same Flyway migrations on H2 and PostgreSQL. */
public final class ConversationSchema {
    static final String LOCATION = "classpath:db/migration";

    private ConversationSchema() {
    }

    /** Applies pending migrations; returns how many ran. Flyway manages its own connections: it gets the pool itself. */
    public static int migrate(DataSource dataSource) {
        MigrateResult result = Flyway.configure()
                .dataSource(DelegatingDataSource.unwrapDataSource(dataSource))
                .locations(LOCATION)
                .failOnMissingLocations(true)
                .load()
                .migrate();
        return result.migrationsExecuted;
    }
}
