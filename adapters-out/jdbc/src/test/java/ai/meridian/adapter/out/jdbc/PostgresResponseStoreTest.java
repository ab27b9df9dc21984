package ai.meridian.adapter.out.jdbc;

import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The same stored-response contract on a real PostgreSQL server (mandatory in CI, like the conversation store's). */
class PostgresResponseStoreTest extends ResponseStoreContract {
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
    JdbcResponseStore responses() {
        return database.responses;
    }
}
