package ai.meridian.adapter.out.lucene;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.meridian.application.port.out.retrieval.IndexHit;
import ai.meridian.application.port.out.retrieval.IndexedChunk;
import ai.meridian.application.port.out.retrieval.KnowledgeScope;
import ai.meridian.application.port.out.retrieval.RetrievalUnavailableException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the contract does not cover: persistence, analysis, model changes and threading of the Lucene index. */
class LuceneKnowledgeIndexTest {
    static final KnowledgeScope SCOPE = new KnowledgeScope("acme", "docs");

    @TempDir
    Path directory;

    static IndexedChunk chunk(String id, String text, float[] vector) {
        return new IndexedChunk(id, "doc-" + id, "", "", text, 0, vector);
    }

    @Test
    void whatWasWrittenSurvivesClosingAndReopening() throws Exception {
        try (LuceneKnowledgeIndex index = new LuceneKnowledgeIndex(LuceneIndexSettings.defaults(directory))) {
            index.upsert(SCOPE, List.of(chunk("c1", "durable words on disk", new float[] {1, 0}))).get(10, TimeUnit.SECONDS);
        }
        try (LuceneKnowledgeIndex reopened = new LuceneKnowledgeIndex(LuceneIndexSettings.defaults(directory))) {
            assertThat(reopened.keywordSearch("acme", List.of("docs"), "durable", 5).get(10, TimeUnit.SECONDS))
                    .extracting(IndexHit::chunkId).containsExactly("c1");
            assertThat(reopened.vectorSearch("acme", List.of("docs"), new float[] {1, 0}, 5).get(10, TimeUnit.SECONDS)).hasSize(1);
        }
    }

    @Test
    void compactingMergesSegmentsAndKeepsEverythingSearchable() throws Exception {
        try (LuceneKnowledgeIndex index = new LuceneKnowledgeIndex(LuceneIndexSettings.defaults(directory))) {
            for (int i = 0; i < 6; i++) { // each upsert commits, so each leaves a segment of its own
                index.upsert(SCOPE, List.of(chunk("c" + i, "segment number " + i, new float[] {1, i}))).get(10, TimeUnit.SECONDS);
            }
            assertThat(index.segmentCount()).isGreaterThan(1);
            index.compact(1).get(30, TimeUnit.SECONDS);
            assertThat(index.segmentCount()).isEqualTo(1);
            assertThat(index.keywordSearch("acme", List.of("docs"), "segment", 10).get(10, TimeUnit.SECONDS)).hasSize(6);
            assertThat(index.vectorSearch("acme", List.of("docs"), new float[] {1, 5}, 1).get(10, TimeUnit.SECONDS))
                    .extracting(IndexHit::chunkId).containsExactly("c5");
            assertThatThrownBy(() -> index.compact(0)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aSecondIndexOnTheSameDirectoryIsRefusedWithTheReason() {
        try (LuceneKnowledgeIndex index = new LuceneKnowledgeIndex(LuceneIndexSettings.defaults(directory))) {
            assertThatThrownBy(() -> new LuceneKnowledgeIndex(LuceneIndexSettings.defaults(directory)))
                    .hasMessageContaining(directory.toString()).hasMessageContaining("another Meridian");
        }
    }

    @Test
    void vectorsOfAnotherModelAreNeverComparedWithTheQuery() throws Exception {
        try (LuceneKnowledgeIndex index = new LuceneKnowledgeIndex(LuceneIndexSettings.defaults(directory))) {
            index.upsert(SCOPE, List.of(chunk("small", "from a 2-dimensional model", new float[] {1, 0}),
                    chunk("large", "from a 3-dimensional model", new float[] {1, 0, 0}))).get(10, TimeUnit.SECONDS);
            assertThat(index.vectorSearch("acme", List.of("docs"), new float[] {0, 1, 0}, 5).get(10, TimeUnit.SECONDS))
                    .extracting(IndexHit::chunkId).containsExactly("large");
            assertThat(index.vectorSearch("acme", List.of("docs"), new float[] {1, 1, 1, 1}, 5).get(10, TimeUnit.SECONDS)).isEmpty();
        }
    }

    @Test
    void searchesAndWritesRunOnTheIndexsOwnThreadsAndFailCleanlyOnceClosed() throws Exception {
        LuceneKnowledgeIndex index = new LuceneKnowledgeIndex(LuceneIndexSettings.defaults(directory));
        List<String> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
        String caller = Thread.currentThread().getName();
        for (int i = 0; i < 20; i++) {
            // A future that completed before the continuation was attached runs it on the caller: only a
            // synchronous adapter would do so every time.
            index.upsert(SCOPE, List.of(chunk("c" + i, "thread check " + i, new float[] {1, i})))
                    .thenRun(() -> threads.add(Thread.currentThread().getName())).get(10, TimeUnit.SECONDS);
            index.keywordSearch("acme", List.of("docs"), "thread", 5)
                    .thenRun(() -> threads.add(Thread.currentThread().getName())).get(10, TimeUnit.SECONDS);
        }
        assertThat(threads).allSatisfy(name -> assertThat(name).satisfiesAnyOf(
                n -> assertThat(n).startsWith("meridian-lucene-"), n -> assertThat(n).isEqualTo(caller)));
        assertThat(threads).anySatisfy(name -> assertThat(name).startsWith("meridian-lucene-commit"));
        assertThat(threads).anySatisfy(name -> assertThat(name).startsWith("meridian-lucene-search"));
        index.close();
        assertThatThrownBy(() -> index.keywordSearch("acme", List.of("docs"), "thread", 5).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(RetrievalUnavailableException.class);
    }

    @Test
    void theAnalyzerSegmentsChineseAndStemsEnglishInOneField() throws IOException {
        assertThat(terms("我们提交了差旅费报销申请")).contains("差旅费", "报销", "申请").doesNotContain("我们提交了差旅费报销申请");
        assertThat(terms("The employees' travelling expenses")).containsExactly("employe", "travel", "expens");
        assertThat(terms("ＶＰＮ连接失败")).contains("vpn");
    }

    private static List<String> terms(String text) throws IOException {
        List<String> terms = new ArrayList<>();
        try (MixedLanguageAnalyzer analyzer = new MixedLanguageAnalyzer(); TokenStream stream = analyzer.tokenStream("body", text)) {
            CharTermAttribute term = stream.addAttribute(CharTermAttribute.class);
            stream.reset();
            while (stream.incrementToken()) {
                terms.add(term.toString());
            }
            stream.end();
        }
        return terms;
    }
}
