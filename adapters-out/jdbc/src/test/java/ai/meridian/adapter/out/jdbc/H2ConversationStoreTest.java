package ai.meridian.adapter.out.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.meridian.application.port.out.ConversationStoreUnavailableException;
import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.conversation.ConversationId;
import ai.meridian.domain.conversation.Turn;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract on an H2 file database, as the gateway uses it by default, plus what only H2 shows. */
class H2ConversationStoreTest extends ConversationStoreContract {
    @TempDir
    static Path dataDir;
    private static TestDatabase database;

    static String url(Path dir) {
        return "jdbc:h2:file:" + dir.resolve("meridian").toAbsolutePath() + ";WRITE_DELAY=0;LOCK_TIMEOUT=10000";
    }

    @BeforeAll
    static void start() {
        database = new TestDatabase(url(dataDir), "sa", "", Map.of(), true);
    }

    @AfterAll
    static void stop() {
        database.close();
    }

    @Override
    JdbcConversationStore store() {
        return database.store;
    }

    @Test
    void theDatabaseIsAFileUnderTheDataDirectoryAndMigrationsRanOnce() throws IOException {
        assertThat(database.migrationsRun).as("V1 conversations, V2 knowledge bases, V3 message detail, V3.15 document metadata, "
                + "V4 tenants and keys, V5 usage and audit, V6 responses").isEqualTo(7);
        try (var files = Files.list(dataDir)) {
            assertThat(files.map(p -> p.getFileName().toString())).contains("meridian.mv.db");
        }
        assertThat(ConversationSchema.migrate(database.bean(DataSource.class))).as("nothing left to migrate").isZero();
    }

    @Test
    void thePoolIsSizedForTheHostUnlessConfigured() throws Exception {
        HikariDataSource pool = database.bean(DataSource.class).unwrap(HikariDataSource.class);
        assertThat(pool.getMaximumPoolSize()).isEqualTo(PoolSizing.forHost());
    }

    @Test
    void anUnreachableDatabaseIsReportedAsUnavailableQuickly() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        try (TestDatabase nowhere = new TestDatabase("jdbc:postgresql://127.0.0.1:" + port + "/meridian", "u", "p",
                Map.of("initialization-fail-timeout", -1, "connection-timeout", 500, "maximum-pool-size", 2), false)) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> get(nowhere.store.append("default", new ConversationId("conv_x"), Optional.of("t"),
                    List.of(Turn.fromClient(ChatMessage.user("q"), "m", Instant.now())), Instant.now())))
                    .cause().isInstanceOf(ConversationStoreUnavailableException.class);
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(5_000);
        }
    }
}
