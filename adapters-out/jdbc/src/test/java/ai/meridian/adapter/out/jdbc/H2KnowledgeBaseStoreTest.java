package ai.meridian.adapter.out.jdbc;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The knowledge-base catalog on an H2 file database, the embedded default. */
class H2KnowledgeBaseStoreTest extends KnowledgeBaseStoreContract {
    @TempDir
    static Path dataDir;
    private static TestDatabase database;

    @BeforeAll
    static void start() {
        database = new TestDatabase(H2ConversationStoreTest.url(dataDir), "sa", "", Map.of(), true);
    }

    @AfterAll
    static void stop() {
        database.close();
    }

    @Override
    JdbcKnowledgeBaseStore knowledge() {
        return database.knowledge;
    }
}
