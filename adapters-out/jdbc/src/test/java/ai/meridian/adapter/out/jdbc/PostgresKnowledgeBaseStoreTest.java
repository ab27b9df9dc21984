package ai.meridian.adapter.out.jdbc;

import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The same catalog contract on a real PostgreSQL server (mandatory in CI, like the conversation store's). */
class PostgresKnowledgeBaseStoreTest extends KnowledgeBaseStoreContract {
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
    JdbcKnowledgeBaseStore knowledge() {
        return database.knowledge;
    }
}
