package ai.meridian.adapter.out.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The same contract on a real PostgreSQL server, named by {@code MERIDIAN_TEST_POSTGRES_URL} (a JDBC URL
 * with user and password in it). Without the variable the tests are skipped, unless
 * {@code MERIDIAN_TEST_POSTGRES_REQUIRED=true} (CI sets it): then a missing server fails the build.
 */
class PostgresConversationStoreTest extends ConversationStoreContract {
    private static TestDatabase database;

    static String requiredUrl() {
        String url = System.getenv("MERIDIAN_TEST_POSTGRES_URL");
        boolean required = "true".equalsIgnoreCase(System.getenv("MERIDIAN_TEST_POSTGRES_REQUIRED"));
        if (url == null || url.isBlank()) {
            if (required) {
                throw new IllegalStateException("MERIDIAN_TEST_POSTGRES_REQUIRED=true but MERIDIAN_TEST_POSTGRES_URL is not set");
            }
            Assumptions.abort("PostgreSQL tests skipped: set MERIDIAN_TEST_POSTGRES_URL (e.g. "
                    + "jdbc:postgresql://127.0.0.1:5432/meridian?user=meridian&password=meridian) to run them");
        }
        return url;
    }

    @BeforeAll
    static void start() {
        database = new TestDatabase(requiredUrl(), null, null, Map.of(), true);
    }

    @AfterAll
    static void stop() {
        if (database != null) {
            database.close();
        }
    }

    @Override
    JdbcConversationStore store() {
        return database.store;
    }

    @Test
    void theSameMigrationsBroughtTheSchemaUp() {
        assertThat(ConversationSchema.migrate(database.bean(javax.sql.DataSource.class))).isZero();
    }
}
