package ai.meridian.adapter.out.lucene;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.meridian.application.port.out.retrieval.ChunkQuery;
import ai.meridian.application.port.out.retrieval.IndexHit;
import ai.meridian.application.port.out.retrieval.ScoredChunk;
import ai.meridian.domain.knowledge.DocumentMetadata;
import ai.meridian.domain.knowledge.MetadataFilter;
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
            assertThat(reopened.vectorSearch("acme", List.of("docs"), IndexedChunk.DEFAULT_SPACE, new float[] {1, 0}, 5).get(10, TimeUnit.SECONDS)).hasSize(1);
        }
    }

    @Test
    void aQuietIndexWithManySegmentsCompactsItselfOnceWritesStop() throws Exception {
        LuceneIndexSettings settings = LuceneIndexSettings.defaults(directory).withCompaction(java.time.Duration.ofMillis(400), 1);
        try (LuceneKnowledgeIndex index = new LuceneKnowledgeIndex(settings)) {
            for (int i = 0; i < 3; i++) { // three commits, three segments: fewer than a merge tier, so Lucene leaves them
                index.upsert(SCOPE, List.of(chunk("c" + i, "segment number " + i, new float[] {1, i}))).get(10, TimeUnit.SECONDS);
            }
            assertThat(index.segmentCount()).as("not while writes come").isEqualTo(3);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (index.segmentCount() > 1 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(index.segmentCount()).isEqualTo(1);
            assertThat(index.keywordSearch("acme", List.of("docs"), "segment", 10).get(10, TimeUnit.SECONDS)).hasSize(3);
        }
        try (LuceneKnowledgeIndex off = new LuceneKnowledgeIndex(LuceneIndexSettings.defaults(directory).withCompaction(java.time.Duration.ZERO, 1))) {
            off.upsert(SCOPE, List.of(chunk("d1", "one more", new float[] {0, 1}))).get(10, TimeUnit.SECONDS);
            off.upsert(SCOPE, List.of(chunk("d2", "and another", new float[] {0, 1}))).get(10, TimeUnit.SECONDS);
            Thread.sleep(1_000);
            assertThat(off.segmentCount()).as("compact-after-idle 0: never").isEqualTo(3);
        }
        assertThatThrownBy(() -> LuceneIndexSettings.defaults(directory).withCompaction(java.time.Duration.ofSeconds(-1), 2))
                .hasMessageContaining("compact-after-idle");
        assertThatThrownBy(() -> LuceneIndexSettings.defaults(directory).withCompaction(java.time.Duration.ofMinutes(5), 0))
                .hasMessageContaining("compact-to-segments");
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
            assertThat(index.vectorSearch("acme", List.of("docs"), IndexedChunk.DEFAULT_SPACE, new float[] {1, 5}, 1).get(10, TimeUnit.SECONDS))
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
    void vectorsOfAnotherModelAreNeverComparedWithTheQueryEvenOfTheSameLength() throws Exception {
        try (LuceneKnowledgeIndex index = new LuceneKnowledgeIndex(LuceneIndexSettings.defaults(directory))) {
            index.upsert(SCOPE, List.of(
                    new IndexedChunk("a", "doc-a", "", "", "from model a", 0, "model-a", new float[] {1, 0}, DocumentMetadata.EMPTY),
                    new IndexedChunk("b", "doc-b", "", "", "from model b", 0, "model-b", new float[] {0, 1}, DocumentMetadata.EMPTY)))
                    .get(10, TimeUnit.SECONDS);
            assertThat(index.vectorSearch("acme", List.of("docs"), "model-b", new float[] {1, 0}, 5).get(10, TimeUnit.SECONDS))
                    .extracting(IndexHit::chunkId).containsExactly("b");
            assertThat(index.vectorSearch("acme", List.of("docs"), "model-c", new float[] {1, 0}, 5).get(10, TimeUnit.SECONDS)).isEmpty();
            // Keyword candidates from another space have no similarity to the query's.
            List<ScoredChunk> found = index.search(new ChunkQuery("acme", List.of("docs"), "model", "model-a", new float[] {1, 0}, 5,
                    MetadataFilter.NONE)).get(10, TimeUnit.SECONDS);
            assertThat(found).filteredOn(c -> c.hit().chunkId().equals("b")).singleElement()
                    .satisfies(c -> assertThat(c.similarity()).isNaN());
            assertThat(found).filteredOn(c -> c.hit().chunkId().equals("a")).singleElement()
                    .satisfies(c -> assertThat(c.similarity()).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-6)));
            assertThat(index.countOutside(null, java.util.Set.of("model-a")).get(10, TimeUnit.SECONDS)).isEqualTo(1);
        }
    }

    @Test
    void chunksWrittenBeforeVectorSpacesExistedAreFoundStaleWithTheirScope() throws Exception {
        try (LuceneKnowledgeIndex index = new LuceneKnowledgeIndex(LuceneIndexSettings.defaults(directory))) {
            index.upsert(new KnowledgeScope("t:1", "kb:2"), List.of(chunk("old", "legacy words", new float[] {1, 0}))).get(10, TimeUnit.SECONDS);
            List<ai.meridian.application.port.out.retrieval.StoredChunk> stale =
                    index.chunksOutside(java.util.Set.of("bge-small-zh-v1.5"), 10).get(10, TimeUnit.SECONDS);
            assertThat(stale).singleElement().satisfies(s -> {
                assertThat(s.scope()).isEqualTo(new KnowledgeScope("t:1", "kb:2"));
                assertThat(s.chunk().text()).isEqualTo("legacy words");
            });
            for (int i = 0; i < 3; i++) { // one commit each: the scope's key is in several segments
                index.upsert(new KnowledgeScope("t:1", "kb:2"), List.of(chunk("more" + i, "more legacy " + i, new float[] {1, i})))
                        .get(10, TimeUnit.SECONDS);
            }
            assertThat(index.segmentCount()).isGreaterThan(1);
            assertThat(index.chunksOutside(java.util.Set.of("bge-small-zh-v1.5"), 10).get(10, TimeUnit.SECONDS))
                    .extracting(s -> s.chunk().chunkId()).containsExactlyInAnyOrder("old", "more0", "more1", "more2");
        }
    }

    @Test
    void smallScopesAreSearchedExactlyAndLargeOnesThroughTheGraphWithExtraCandidates() throws Exception {
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        List<IndexedChunk> chunks = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            float[] v = new float[16];
            for (int d = 0; d < v.length; d++) {
                v[d] = (float) random.nextGaussian();
            }
            chunks.add(new IndexedChunk("c" + i, "d" + i, "", "", "chunk " + i, 0, "s", v, DocumentMetadata.EMPTY));
        }
        float[] query = chunks.get(17).vector().clone();
        query[0] += 0.5f;
        List<String> exact;
        try (LuceneKnowledgeIndex index = new LuceneKnowledgeIndex(LuceneIndexSettings.defaults(directory.resolve("exact")))) {
            index.upsert(SCOPE, chunks).get(60, TimeUnit.SECONDS);
            exact = index.vectorSearch("acme", List.of("docs"), "s", query, 20).get(10, TimeUnit.SECONDS).stream().map(IndexHit::chunkId).toList();
        }
        assertThat(exact).first().isEqualTo("c17");
        List<String> graph;
        try (LuceneKnowledgeIndex index = new LuceneKnowledgeIndex(LuceneIndexSettings.defaults(directory.resolve("graph"))
                .withVectorSearch(100, 200))) {
            index.upsert(SCOPE, chunks).get(60, TimeUnit.SECONDS);
            graph = index.vectorSearch("acme", List.of("docs"), "s", query, 20).get(10, TimeUnit.SECONDS).stream().map(IndexHit::chunkId).toList();
        }
        assertThat(graph.stream().filter(exact::contains).count()).as("recall of the graph search at 20").isGreaterThanOrEqualTo(19);
    }

    @Test
    void identicalIngestionsGiveIdenticalRankingsWhateverTheWriteOrder() throws Exception {
        java.util.SplittableRandom random = new java.util.SplittableRandom(5);
        String[] words = {"alpha", "beta", "gamma", "delta", "kernel", "socket", "file", "memory", "signal", "thread"};
        List<IndexedChunk> chunks = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            StringBuilder text = new StringBuilder();
            for (int w = 0; w < 12; w++) {
                text.append(words[random.nextInt(words.length)]).append(' ');
            }
            float[] v = new float[12];
            for (int d = 0; d < v.length; d++) {
                v[d] = (float) random.nextGaussian();
            }
            chunks.add(new IndexedChunk("c" + i, "d" + (i / 3), "", "", text.toString(), i % 3, "s", v, DocumentMetadata.EMPTY));
        }
        List<IndexedChunk> shuffled = new ArrayList<>(chunks);
        java.util.Collections.shuffle(shuffled, new java.util.Random(9));
        List<List<String>> first = new ArrayList<>();
        List<List<String>> second = new ArrayList<>();
        try (LuceneKnowledgeIndex a = new LuceneKnowledgeIndex(LuceneIndexSettings.defaults(directory.resolve("a")));
             LuceneKnowledgeIndex b = new LuceneKnowledgeIndex(LuceneIndexSettings.defaults(directory.resolve("b")))) {
            a.upsert(SCOPE, chunks).get(60, TimeUnit.SECONDS);
            for (int from = 0; from < shuffled.size(); from += 37) { // many small commits: another segment layout
                b.upsert(SCOPE, shuffled.subList(from, Math.min(shuffled.size(), from + 37))).get(60, TimeUnit.SECONDS);
            }
            for (int q = 0; q < 20; q++) {
                String text = words[q % words.length] + " " + words[(q * 3 + 1) % words.length];
                float[] vector = chunks.get(q * 7).vector();
                for (LuceneKnowledgeIndex index : List.of(a, b)) {
                    List<ScoredChunk> found = index.search(new ChunkQuery("acme", List.of("docs"), text, "s", vector, 20, MetadataFilter.NONE))
                            .get(10, TimeUnit.SECONDS);
                    List<String> ranking = found.stream()
                            .sorted(java.util.Comparator.comparingInt((ScoredChunk c) -> c.keywordRank() == 0 ? 999 : c.keywordRank())
                                    .thenComparingInt(c -> c.vectorRank() == 0 ? 999 : c.vectorRank()))
                            .map(c -> c.hit().chunkId() + "@" + c.keywordRank() + "/" + c.vectorRank()).toList();
                    (index == a ? first : second).add(ranking);
                }
            }
        }
        assertThat(second).isEqualTo(first);
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
