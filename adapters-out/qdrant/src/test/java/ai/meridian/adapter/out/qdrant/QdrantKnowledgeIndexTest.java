package ai.meridian.adapter.out.qdrant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.meridian.application.port.out.retrieval.IndexHit;
import ai.meridian.application.port.out.retrieval.IndexedChunk;
import ai.meridian.application.port.out.retrieval.KnowledgeScope;
import ai.meridian.application.port.out.retrieval.RetrievalUnavailableException;
import io.qdrant.client.grpc.Points.CreateFieldIndexCollection;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What the contract does not cover: the collection Qdrant is asked for, API keys, outages, and the sparse weighting. */
class QdrantKnowledgeIndexTest {
    static final KnowledgeScope SCOPE = new KnowledgeScope("acme", "docs");

    static IndexedChunk chunk(String id, String text) {
        return new IndexedChunk(id, "doc-" + id, "", "", text, 0, new float[] {1, 0, 0, 0});
    }

    @Test
    void theSharedCollectionHasCosineDenseAndIdfSparseVectorsAndIndexedTenantAndBase() throws Exception {
        try (QdrantTestServer server = new QdrantTestServer(null);
             QdrantKnowledgeIndex index = new QdrantKnowledgeIndex(QdrantIndexSettings.defaults(java.util.Map.of(IndexedChunk.DEFAULT_SPACE, 4)).withEndpoint("127.0.0.1", server.port()))) {
            index.upsert(SCOPE, List.of(chunk("c1", "hello world"))).get(10, TimeUnit.SECONDS);
            index.upsert(new KnowledgeScope("globex", "hr"), List.of(chunk("c1", "hello there"))).get(10, TimeUnit.SECONDS);
            assertThat(server.hasCollection("meridian_chunks")).isTrue();
            assertThat(server.pointCount("meridian_chunks")).isEqualTo(2);
            assertThat(server.fieldIndexes).extracting(CreateFieldIndexCollection::getFieldName)
                    .containsExactlyInAnyOrder("tenant", "kb", "document_id", "space", "mk", "terms");
            assertThat(server.fieldIndexes).filteredOn(f -> f.getFieldName().equals("tenant")).singleElement()
                    .satisfies(f -> assertThat(f.getFieldIndexParams().getKeywordIndexParams().getIsTenant()).isTrue());
            index.keywordSearch("acme", List.of("docs"), "hello", 5).get(10, TimeUnit.SECONDS);
            assertThat(server.queries).filteredOn(q -> q.getUsing().equals("text")).last().satisfies(q -> {
                assertThat(q.getUsing()).isEqualTo("text");
                assertThat(q.getFilter().getMustList()).hasSize(2);
            });
        }
    }

    @Test
    void aCollectionPerKnowledgeBaseIsDroppedWithItsBase() throws Exception {
        try (QdrantTestServer server = new QdrantTestServer(null);
             QdrantKnowledgeIndex index = new QdrantKnowledgeIndex(QdrantIndexSettings.defaults(java.util.Map.of(IndexedChunk.DEFAULT_SPACE, 4)).withEndpoint("127.0.0.1", server.port())
                     .withLayout(CollectionLayout.PER_KNOWLEDGE_BASE))) {
            index.upsert(SCOPE, List.of(chunk("c1", "hello world"))).get(10, TimeUnit.SECONDS);
            String collection = index.collection("acme", "docs");
            assertThat(collection).matches("meridian_kb_[0-9a-f]{24}").isNotEqualTo(index.collection("acme", "hr"));
            assertThat(server.hasCollection(collection)).isTrue();
            index.deleteKnowledgeBase(SCOPE).get(10, TimeUnit.SECONDS);
            assertThat(server.hasCollection(collection)).isFalse();
            index.upsert(SCOPE, List.of(chunk("c2", "again"))).get(10, TimeUnit.SECONDS);
            assertThat(index.keywordSearch("acme", List.of("docs"), "again", 5).get(10, TimeUnit.SECONDS)).extracting(IndexHit::chunkId)
                    .containsExactly("c2");
        }
    }

    @Test
    void theApiKeyIsSentAndAWrongOneDegradesRetrieval() throws Exception {
        try (QdrantTestServer server = new QdrantTestServer("s3cret");
             QdrantKnowledgeIndex keyed = new QdrantKnowledgeIndex(QdrantIndexSettings.defaults(java.util.Map.of(IndexedChunk.DEFAULT_SPACE, 4)).withEndpoint("127.0.0.1", server.port())
                     .withApiKey("s3cret"));
             QdrantKnowledgeIndex wrong = new QdrantKnowledgeIndex(QdrantIndexSettings.defaults(java.util.Map.of(IndexedChunk.DEFAULT_SPACE, 4)).withEndpoint("127.0.0.1", server.port())
                     .withApiKey("guess"))) {
            keyed.upsert(SCOPE, List.of(chunk("c1", "hello world"))).get(10, TimeUnit.SECONDS);
            assertThat(keyed.keywordSearch("acme", List.of("docs"), "hello", 5).get(10, TimeUnit.SECONDS)).hasSize(1);
            assertThatThrownBy(() -> wrong.keywordSearch("acme", List.of("docs"), "hello", 5).get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(RetrievalUnavailableException.class)
                    .hasMessageContaining("UNAUTHENTICATED");
        }
    }

    @Test
    void qdrantGoingAwayDegradesSearchesInsteadOfCrashing() throws Exception {
        QdrantTestServer server = new QdrantTestServer(null);
        try (QdrantKnowledgeIndex index = new QdrantKnowledgeIndex(QdrantIndexSettings.defaults(java.util.Map.of(IndexedChunk.DEFAULT_SPACE, 4)).withEndpoint("127.0.0.1", server.port())
                .withTimeout(java.time.Duration.ofSeconds(2)))) {
            index.upsert(SCOPE, List.of(chunk("c1", "hello world"))).get(10, TimeUnit.SECONDS);
            server.close();
            assertThatThrownBy(() -> index.vectorSearch("acme", List.of("docs"), IndexedChunk.DEFAULT_SPACE, new float[] {1, 0, 0, 0}, 5).get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(RetrievalUnavailableException.class)
                    .satisfies(e -> assertThat(((RetrievalUnavailableException) e).source()).isEqualTo("qdrant"));
        }
    }

    @Test
    void vectorsOfTheWrongSizeAreRefusedBeforeAnythingIsSent() {
        QdrantKnowledgeIndex index = new QdrantKnowledgeIndex(QdrantIndexSettings.defaults(java.util.Map.of(IndexedChunk.DEFAULT_SPACE, 4)).withEndpoint("127.0.0.1", 1));
        try (index) {
            assertThatThrownBy(() -> index.upsert(SCOPE, List.of(new IndexedChunk("c", "d", "", "", "t", 0, new float[] {1, 0}))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4 dimensions");
            assertThatThrownBy(() -> index.vectorSearch("acme", List.of("docs"), IndexedChunk.DEFAULT_SPACE, new float[] {1, 0, 0, 0, 0}, 5))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void sparseTermsWeighLikeBm25AndHashStably() {
        SparseTerms terms = new SparseTerms();
        SparseTerms.Sparse once = terms.document("travel");
        SparseTerms.Sparse thrice = terms.document("travel travel travel");
        assertThat(once.indices()).containsExactly(SparseTerms.index("travel"));
        assertThat(thrice.values()[0]).isGreaterThan(once.values()[0]).isLessThan((float) (SparseTerms.K1 + 1));
        SparseTerms.Sparse longDoc = terms.document("travel " + "filler ".repeat(400));
        int travel = java.util.Arrays.binarySearch(longDoc.indices(), SparseTerms.index("travel"));
        assertThat(longDoc.values()[travel]).as("a long document's single mention weighs less").isLessThan(once.values()[0]);
        assertThat(terms.query("差旅费报销 travel expenses").indices()).hasSize(4);
        assertThat(terms.query("the of and ？！")).satisfies(s -> assertThat(s.isEmpty()).isTrue());
        assertThat(SparseTerms.index("travel")).isEqualTo(SparseTerms.index("travel")).isNotEqualTo(SparseTerms.index("expens"));
    }
}
