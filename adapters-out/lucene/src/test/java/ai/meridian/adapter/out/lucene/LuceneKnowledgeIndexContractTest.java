package ai.meridian.adapter.out.lucene;

import ai.meridian.application.port.out.retrieval.KnowledgeIndexPort;
import ai.meridian.testkit.KnowledgeIndexContract;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** The knowledge-index contract against a real Lucene index in a temporary directory. */
class LuceneKnowledgeIndexContractTest extends KnowledgeIndexContract {
    @TempDir
    Path directory;
    private LuceneKnowledgeIndex index;

    @Override
    protected KnowledgeIndexPort index() {
        index = new LuceneKnowledgeIndex(LuceneIndexSettings.defaults(directory));
        return index;
    }

    @AfterEach
    void close() {
        if (index != null) {
            index.close();
        }
    }
}
