package ai.meridian.adapter.out.jdbc;

import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The same contract on a real PostgreSQL server ({@code MERIDIAN_TEST_POSTGRES_URL}; required in CI). */
class PostgresTenancyStoresTest extends TenancyStoresContract {
    private static TestDatabase database;

    @BeforeAll
    static void start() {
        database = new TestDatabase(PostgresConversationStoreTest.requiredUrl(), null, null, Map.of(), true);
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
}
