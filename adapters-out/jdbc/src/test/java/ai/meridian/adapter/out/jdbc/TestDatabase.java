package ai.meridian.adapter.out.jdbc;

import io.micronaut.context.ApplicationContext;
import io.micronaut.context.env.PropertySource;
import io.micronaut.core.type.Argument;
import io.micronaut.transaction.TransactionOperations;
import java.sql.Connection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import javax.sql.DataSource;

/** A real database behind the adapter, wired the way the gateway wires it: Micronaut's Hikari pool and transaction manager. */
final class TestDatabase implements AutoCloseable {
    private final ApplicationContext context;
    private final ExecutorService executor;
    final JdbcConversationStore store;
    final JdbcKnowledgeBaseStore knowledge;
    final JdbcResponseStore responses;
    final int migrationsRun;

    TestDatabase(String url, String username, String password, Map<String, Object> extra, boolean migrate) {
        Map<String, Object> datasource = new LinkedHashMap<>();
        datasource.put("url", url);
        if (username != null) {
            datasource.put("username", username);
            datasource.put("password", password);
        }
        datasource.put("connection-timeout", 2000);
        datasource.putAll(extra);
        Map<String, Object> properties = new LinkedHashMap<>();
        datasource.forEach((key, value) -> properties.put("datasources.default." + key, value));
        context = ApplicationContext.builder()
                .propertySources(PropertySource.of("test", properties))
                .deduceEnvironment(false)
                .start();
        migrationsRun = migrate ? ConversationSchema.migrate(context.getBean(DataSource.class)) : 0;
        executor = BlockingExecutors.forJdbc(8, 256);
        @SuppressWarnings("unchecked")
        TransactionOperations<Connection> transactions = context.getBean(Argument.of(TransactionOperations.class, Connection.class));
        store = new JdbcConversationStore(transactions, executor, 10);
        knowledge = new JdbcKnowledgeBaseStore(transactions, executor, 10);
        responses = new JdbcResponseStore(transactions, executor, 10);
    }

    <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    @Override
    public void close() {
        executor.shutdownNow();
        context.close();
    }
}
