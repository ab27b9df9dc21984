package ai.meridian.adapter.out.jdbc;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** Stored responses on an H2 file database, the embedded default. */
class H2ResponseStoreTest extends ResponseStoreContract {
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
    JdbcResponseStore responses() {
        return database.responses;
    }
}
