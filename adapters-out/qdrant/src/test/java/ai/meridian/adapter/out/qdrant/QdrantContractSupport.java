package ai.meridian.adapter.out.qdrant;

import ai.meridian.application.port.out.retrieval.KnowledgeIndexPort;
import ai.meridian.testkit.KnowledgeIndexContract;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;

/** Runs the knowledge-index contract against Qdrant's gRPC protocol ({@link QdrantTestServer}) in one collection layout. */
abstract class QdrantContractSupport extends KnowledgeIndexContract {
    private QdrantTestServer server;
    private QdrantKnowledgeIndex index;
    private QdrantKnowledgeIndex unreachable;

    abstract CollectionLayout layout();

    @Override
    protected KnowledgeIndexPort index() {
        try {
            server = new QdrantTestServer(null);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        index = new QdrantKnowledgeIndex(QdrantIndexSettings.defaults(java.util.Map.of(SPACE, DIMENSIONS, OTHER_SPACE, DIMENSIONS)).withEndpoint("127.0.0.1", server.port()).withLayout(layout()));
        return index;
    }

    @Override
    protected Optional<KnowledgeIndexPort> unreachableIndex() {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        unreachable = new QdrantKnowledgeIndex(QdrantIndexSettings.defaults(java.util.Map.of(SPACE, DIMENSIONS, OTHER_SPACE, DIMENSIONS)).withEndpoint("127.0.0.1", closedPort)
                .withLayout(layout()).withTimeout(Duration.ofSeconds(2)));
        return Optional.of(unreachable);
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (index != null) {
            index.close();
        }
        if (unreachable != null) {
            unreachable.close();
        }
        if (server != null) {
            server.close();
        }
    }
}
