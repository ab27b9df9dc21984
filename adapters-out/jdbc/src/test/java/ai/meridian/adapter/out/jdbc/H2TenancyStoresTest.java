package ai.meridian.adapter.out.jdbc;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

class H2TenancyStoresTest extends TenancyStoresContract {
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
    JdbcConversationStore store() {
        return database.store;
    }
}
