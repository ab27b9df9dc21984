package ai.meridian.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.meridian.application.port.out.retrieval.ChunkQuery;
import ai.meridian.application.port.out.retrieval.IndexHit;
import ai.meridian.application.port.out.retrieval.ScoredChunk;
import ai.meridian.application.port.out.retrieval.StoredChunk;
import ai.meridian.domain.knowledge.DocumentMetadata;
import ai.meridian.domain.knowledge.MetadataCondition;
import ai.meridian.domain.knowledge.MetadataFilter;
import ai.meridian.domain.knowledge.MetadataValue;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import ai.meridian.application.port.out.retrieval.IndexedChunk;
import ai.meridian.application.port.out.retrieval.KnowledgeIndexPort;
import ai.meridian.application.port.out.retrieval.KnowledgeScope;
import ai.meridian.application.port.out.retrieval.RetrievalUnavailableException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link KnowledgeIndexPort} adapter passes, against its real storage: keyword search
 * (English and Chinese), vector nearest neighbours, tenant isolation, knowledge-base scoping, replacement by
 * chunk id, deletes, limits, empty results and an unreachable backend; hybrid search scoring every candidate both
 * ways (normalised BM25 in 0..1, cosine in the query's vector space, NaN in another), ties ordered by chunk id,
 * vector spaces kept apart and stale chunks found for re-embedding; and metadata carried with hits and filtered on
 * with every operator exactly as {@link MetadataCondition#matches} defines it. A subclass gives a fresh, empty index
 * for each test, configured for vectors of {@link #DIMENSIONS} dimensions.
 */
public abstract class KnowledgeIndexContract {
    public static final int DIMENSIONS = 8;
    protected static final String SPACE = IndexedChunk.DEFAULT_SPACE;
    /** A second vector space of the same size (another embedding model); adapters must accept it. */
    public static final String OTHER_SPACE = "other-model";
    protected static final KnowledgeScope ACME_DOCS = new KnowledgeScope("acme", "docs");
    protected static final KnowledgeScope ACME_HR = new KnowledgeScope("acme", "hr");
    protected static final KnowledgeScope GLOBEX_DOCS = new KnowledgeScope("globex", "docs");

    /** A fresh, empty index for this test. */
    protected abstract KnowledgeIndexPort index();

    /** An index of the same kind whose backend cannot be reached, if the adapter has a remote backend. */
    protected Optional<KnowledgeIndexPort> unreachableIndex() {
        return Optional.empty();
    }

    /** A unit vector along one axis, slightly tilted towards the next: easy to reason about nearest neighbours. */
    protected static float[] axis(int i) {
        float[] v = new float[DIMENSIONS];
        v[i % DIMENSIONS] = 1f;
        v[(i + 1) % DIMENSIONS] = 0.1f;
        return v;
    }

    protected static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    protected static IndexedChunk chunk(String chunkId, String documentId, String text, float[] vector) {
        return new IndexedChunk(chunkId, documentId, "Title of " + documentId, "https://kb.example/" + documentId, text, 0, vector);
    }

    protected static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new AssertionError(e.getCause());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private List<IndexHit> keyword(KnowledgeIndexPort index, String tenant, List<String> bases, String query, int limit) {
        return await(index.keywordSearch(tenant, bases, query, limit));
    }

    private List<IndexHit> nearest(KnowledgeIndexPort index, String tenant, List<String> bases, float[] vector, int limit) {
        return await(index.vectorSearch(tenant, bases, SPACE, vector, limit));
    }

    private void seedEnglish(KnowledgeIndexPort index) {
        await(index.upsert(ACME_DOCS, List.of(
                chunk("travel#0", "travel", "Employees submit travel expense claims within thirty days of returning.", axis(0)),
                chunk("travel#1", "travel", "Hotel receipts must be attached to every travel expense claim.", axis(1)),
                chunk("vpn#0", "vpn", "Connect to the corporate VPN before opening the internal wiki.", axis(2)),
                chunk("lunch#0", "lunch", "The canteen serves lunch from half past eleven.", axis(3)))));
    }

    @Test
    void keywordSearchRanksTheChunksThatShareTheQuerysWords() {
        KnowledgeIndexPort index = index();
        seedEnglish(index);
        List<IndexHit> hits = keyword(index, "acme", List.of("docs"), "how do I claim travel expenses?", 10);
        assertThat(hits).extracting(IndexHit::chunkId).containsExactlyInAnyOrder("travel#0", "travel#1");
        assertThat(hits).allSatisfy(h -> assertThat(h.score()).isPositive());
        assertThat(hits.get(0).score()).isGreaterThanOrEqualTo(hits.get(1).score());
        assertThat(keyword(index, "acme", List.of("docs"), "VPN wiki", 10)).extracting(IndexHit::chunkId).first().isEqualTo("vpn#0");
    }

    @Test
    void keywordSearchUnderstandsChineseText() {
        KnowledgeIndexPort index = index();
        await(index.upsert(ACME_DOCS, List.of(
                chunk("zh#0", "zh-travel", "员工出差回来后，应在三十天内提交差旅费报销申请，并附上酒店发票。", axis(0)),
                chunk("zh#1", "zh-canteen", "公司食堂每天中午十一点半开始供应午餐。", axis(1)),
                chunk("en#0", "en-vpn", "Connect to the corporate VPN first.", axis(2)))));
        assertThat(keyword(index, "acme", List.of("docs"), "差旅费怎么报销", 10)).extracting(IndexHit::chunkId).first().isEqualTo("zh#0");
        assertThat(keyword(index, "acme", List.of("docs"), "食堂午餐", 10)).extracting(IndexHit::chunkId).first().isEqualTo("zh#1");
        assertThat(keyword(index, "acme", List.of("docs"), "VPN 怎么连接", 10)).extracting(IndexHit::chunkId).first().isEqualTo("en#0");
    }

    @Test
    void vectorSearchReturnsTheNearestChunksFirstWithCosineScores() {
        KnowledgeIndexPort index = index();
        seedEnglish(index);
        float[] query = axis(1);
        List<IndexHit> hits = nearest(index, "acme", List.of("docs"), query, 3);
        assertThat(hits).hasSize(3);
        assertThat(hits.get(0).chunkId()).isEqualTo("travel#1");
        assertThat(hits.get(0).score()).isCloseTo(1.0, within(1e-3));
        // axis(0) = (1, 0.1, 0...) against axis(1) = (0, 1, 0.1, ...): cosine 0.1 / 1.01
        assertThat(hits).extracting(IndexHit::chunkId).contains("travel#0");
        assertThat(hits.stream().filter(h -> h.chunkId().equals("travel#0")).findFirst().orElseThrow().score())
                .isCloseTo(0.1 / 1.01, within(1e-3));
        assertThat(hits.get(0).score()).isGreaterThanOrEqualTo(hits.get(1).score());
        float[] scaled = axis(1).clone();
        for (int i = 0; i < scaled.length; i++) {
            scaled[i] *= 7f;
        }
        assertThat(nearest(index, "acme", List.of("docs"), scaled, 1)).extracting(IndexHit::chunkId).containsExactly("travel#1");
    }

    @Test
    void hitsCarryWhatWasStored() {
        KnowledgeIndexPort index = index();
        await(index.upsert(ACME_DOCS, List.of(new IndexedChunk("c-7", "handbook", "Staff handbook", "https://wiki/handbook",
                "Badges must be worn at all times.", 7, axis(4)))));
        IndexHit expected = new IndexHit("c-7", "handbook", "docs", "Staff handbook", "https://wiki/handbook",
                "Badges must be worn at all times.", 7, 0);
        IndexHit byKeyword = keyword(index, "acme", List.of("docs"), "badges", 5).get(0);
        IndexHit byVector = nearest(index, "acme", List.of("docs"), axis(4), 5).get(0);
        for (IndexHit hit : List.of(byKeyword, byVector)) {
            assertThat(hit).usingRecursiveComparison().ignoringFields("score").isEqualTo(expected);
        }
    }

    @Test
    void tenantsNeverSeeEachOthersChunksEvenWithTheSameNamesAndIds() {
        KnowledgeIndexPort index = index();
        await(index.upsert(ACME_DOCS, List.of(chunk("c1", "d1", "acme secret merger plan", axis(0)))));
        await(index.upsert(GLOBEX_DOCS, List.of(chunk("c1", "d1", "globex public holiday calendar", axis(0)))));
        assertThat(keyword(index, "globex", List.of("docs"), "secret merger plan", 10)).isEmpty();
        assertThat(nearest(index, "globex", List.of("docs"), axis(0), 10)).extracting(IndexHit::text)
                .containsExactly("globex public holiday calendar");
        assertThat(nearest(index, "acme", List.of("docs"), axis(0), 10)).extracting(IndexHit::text)
                .containsExactly("acme secret merger plan");
        assertThat(keyword(index, "nobody", List.of("docs"), "holiday merger", 10)).isEmpty();
        assertThat(nearest(index, "nobody", List.of("docs"), axis(0), 10)).isEmpty();

        await(index.deleteDocument(GLOBEX_DOCS, "d1"));
        assertThat(keyword(index, "acme", List.of("docs"), "merger", 10)).hasSize(1);
        await(index.deleteKnowledgeBase(ACME_DOCS));
        assertThat(keyword(index, "acme", List.of("docs"), "merger", 10)).isEmpty();
    }

    @Test
    void searchesCoverExactlyTheNamedKnowledgeBases() {
        KnowledgeIndexPort index = index();
        await(index.upsert(ACME_DOCS, List.of(chunk("a", "d", "quarterly planning notes", axis(0)))));
        await(index.upsert(ACME_HR, List.of(chunk("b", "e", "quarterly review process", axis(0)))));
        assertThat(keyword(index, "acme", List.of("docs"), "quarterly", 10)).extracting(IndexHit::chunkId).containsExactly("a");
        assertThat(keyword(index, "acme", List.of("hr"), "quarterly", 10)).extracting(IndexHit::knowledgeBase).containsExactly("hr");
        assertThat(keyword(index, "acme", List.of("docs", "hr"), "quarterly", 10)).extracting(IndexHit::chunkId)
                .containsExactlyInAnyOrder("a", "b");
        assertThat(nearest(index, "acme", List.of("hr", "docs"), axis(0), 10)).hasSize(2);
        assertThat(keyword(index, "acme", List.of("other"), "quarterly", 10)).isEmpty();
    }

    @Test
    void upsertReplacesAChunkWithTheSameId() {
        KnowledgeIndexPort index = index();
        await(index.upsert(ACME_DOCS, List.of(chunk("c1", "d1", "the old wording about invoices", axis(0)))));
        await(index.upsert(ACME_DOCS, List.of(chunk("c1", "d1", "the new wording about receipts", axis(5)))));
        assertThat(keyword(index, "acme", List.of("docs"), "invoices", 10)).isEmpty();
        assertThat(keyword(index, "acme", List.of("docs"), "receipts wording", 10)).extracting(IndexHit::text)
                .containsExactly("the new wording about receipts");
        assertThat(nearest(index, "acme", List.of("docs"), axis(0), 10)).hasSize(1).first()
                .satisfies(hit -> assertThat(hit.text()).isEqualTo("the new wording about receipts"));
    }

    @Test
    void deleteDocumentRemovesAllItsChunksAndNothingElse() {
        KnowledgeIndexPort index = index();
        seedEnglish(index);
        await(index.deleteDocument(ACME_DOCS, "travel"));
        assertThat(keyword(index, "acme", List.of("docs"), "travel expense claim", 10)).isEmpty();
        assertThat(nearest(index, "acme", List.of("docs"), axis(0), 10)).extracting(IndexHit::documentId)
                .containsExactlyInAnyOrder("vpn", "lunch");
        await(index.deleteDocument(ACME_DOCS, "no-such-document"));
        assertThat(nearest(index, "acme", List.of("docs"), axis(0), 10)).hasSize(2);
    }

    @Test
    void deleteKnowledgeBaseRemovesThatBaseOnly() {
        KnowledgeIndexPort index = index();
        seedEnglish(index);
        await(index.upsert(ACME_HR, List.of(chunk("hr#0", "leave", "Annual leave requests go to your manager.", axis(0)))));
        await(index.deleteKnowledgeBase(ACME_DOCS));
        assertThat(nearest(index, "acme", List.of("docs"), axis(0), 10)).isEmpty();
        assertThat(keyword(index, "acme", List.of("docs", "hr"), "travel leave", 10)).extracting(IndexHit::chunkId).containsExactly("hr#0");
        await(index.upsert(ACME_DOCS, List.of(chunk("again", "d", "travel again", axis(0)))));
        assertThat(keyword(index, "acme", List.of("docs"), "travel", 10)).extracting(IndexHit::chunkId).containsExactly("again");
    }

    @Test
    void limitsBoundTheResultsAndInvalidArgumentsAreRefused() {
        KnowledgeIndexPort index = index();
        List<IndexedChunk> many = IntStream.range(0, 30)
                .mapToObj(i -> chunk("c" + i, "d" + (i % 3), "common words appear in chunk number " + i, axis(i))).toList();
        await(index.upsert(ACME_DOCS, many));
        assertThat(keyword(index, "acme", List.of("docs"), "common words", 7)).hasSize(7);
        assertThat(nearest(index, "acme", List.of("docs"), axis(3), 5)).hasSize(5);
        assertThat(keyword(index, "acme", List.of("docs"), "common words", 100)).hasSize(30);
        assertThatThrownBy(() -> index.keywordSearch("acme", List.of("docs"), "x", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> index.vectorSearch("acme", List.of("docs"), SPACE, axis(0), -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> index.keywordSearch(" ", List.of("docs"), "x", 5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> index.upsert(ACME_DOCS, List.of(chunk("z", "d", "zeros", new float[DIMENSIONS]))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void nothingToSearchGivesEmptyResultsNotErrors() {
        KnowledgeIndexPort index = index();
        assertThat(keyword(index, "acme", List.of("docs"), "anything", 10)).isEmpty();
        assertThat(nearest(index, "acme", List.of("docs"), axis(0), 10)).isEmpty();
        seedEnglish(index);
        assertThat(keyword(index, "acme", List.of(), "travel", 10)).isEmpty();
        assertThat(nearest(index, "acme", List.of(), axis(0), 10)).isEmpty();
        assertThat(keyword(index, "acme", List.of("docs"), "   ", 10)).isEmpty();
        assertThat(keyword(index, "acme", List.of("docs"), "the of and ？！。", 10)).isEmpty();
        assertThat(keyword(index, "acme", List.of("docs"), "xylophone", 10)).isEmpty();
        await(index.upsert(ACME_DOCS, List.of()));
    }

    @Test
    void deletingWhatDoesNotExistSucceedsAndChangesNothing() {
        KnowledgeIndexPort index = index();
        await(index.deleteKnowledgeBase(ACME_HR));
        await(index.deleteDocument(ACME_HR, "nothing"));
        seedEnglish(index);
        await(index.deleteKnowledgeBase(ACME_HR));
        await(index.deleteDocument(GLOBEX_DOCS, "travel"));
        assertThat(nearest(index, "acme", List.of("docs"), axis(0), 10)).hasSize(4);
    }

    @Test
    void concurrentWritesAreAllSearchableOnceTheirFuturesComplete() {
        KnowledgeIndexPort index = index();
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            writes.add(index.upsert(ACME_DOCS, List.of(chunk("w" + i, "doc" + i, "parallel write number w" + i, axis(i)))));
        }
        writes.forEach(KnowledgeIndexContract::await);
        assertThat(keyword(index, "acme", List.of("docs"), "parallel write", 100)).hasSize(40);
        assertThat(keyword(index, "acme", List.of("docs"), "w17", 5)).extracting(IndexHit::chunkId).first().isEqualTo("w17");
    }

    // ---- hybrid search: both scores for every candidate --------------------------------------------------------------

    private List<ScoredChunk> hybrid(KnowledgeIndexPort index, String text, float[] vector, int candidates, MetadataFilter filter) {
        return await(index.search(new ChunkQuery("acme", List.of("docs"), text, SPACE, vector, candidates, filter)));
    }

    private static ScoredChunk find(List<ScoredChunk> found, String chunkId) {
        return found.stream().filter(c -> c.hit().chunkId().equals(chunkId)).findFirst()
                .orElseThrow(() -> new AssertionError(chunkId + " not among " + found.stream().map(c -> c.hit().chunkId()).toList()));
    }

    @Test
    void aHybridSearchScoresEveryCandidateBothWays() {
        KnowledgeIndexPort index = index();
        seedEnglish(index);
        // "travel expense" matches travel#0 and travel#1 by keywords; axis(2) is nearest to vpn#0, which has no query word.
        List<ScoredChunk> found = hybrid(index, "travel expense", axis(2), 1, MetadataFilter.NONE);
        ScoredChunk byKeyword = found.stream().filter(c -> c.keywordRank() == 1).findFirst().orElseThrow();
        ScoredChunk byVector = found.stream().filter(c -> c.vectorRank() == 1).findFirst().orElseThrow();
        assertThat(byKeyword.hit().documentId()).isEqualTo("travel");
        assertThat(byKeyword.keyword()).isGreaterThan(0).isLessThanOrEqualTo(1);
        assertThat(byKeyword.similarity()).as("the cosine of a keyword candidate is computed too")
                .isCloseTo(cosine(axis(2), axis(byKeyword.hit().chunkId().equals("travel#0") ? 0 : 1)), within(1e-3));
        assertThat(byVector.hit().chunkId()).isEqualTo("vpn#0");
        assertThat(byVector.similarity()).isCloseTo(1.0, within(1e-3));
        assertThat(byVector.keyword()).as("a nearest candidate without query words scores 0 by keywords").isZero();
        assertThat(found).hasSize(2);
        // A nearest candidate that does have query words gets its keyword score.
        ScoredChunk both = find(hybrid(index, "hotel receipts", axis(0), 1, MetadataFilter.NONE), "travel#0");
        assertThat(both.vectorRank()).isEqualTo(1);
        assertThat(both.keyword()).as("travel#0 shares no word with 'hotel receipts'").isZero();
        ScoredChunk travel1 = find(hybrid(index, "travel claim", axis(1), 1, MetadataFilter.NONE), "travel#1");
        assertThat(travel1.keyword()).isGreaterThan(0);
        assertThat(travel1.vectorRank()).isEqualTo(1);
    }

    @Test
    void keywordScoresAreNormalisedByWhatTheQueryCouldScore() {
        KnowledgeIndexPort index = index();
        seedEnglish(index);
        double full = find(hybrid(index, "hotel receipts", null, 10, MetadataFilter.NONE), "travel#1").keyword();
        double half = find(hybrid(index, "hotel", null, 10, MetadataFilter.NONE), "travel#1").keyword();
        double diluted = find(hybrid(index, "hotel receipts qwxzv", null, 10, MetadataFilter.NONE), "travel#1").keyword();
        assertThat(full).isBetween(0.2, 1.0);
        assertThat(half).as("a one-word query matched fully").isBetween(0.2, 1.0);
        assertThat(diluted).as("a query word no chunk has lowers the share matched").isLessThan(full * 0.8).isPositive();
        assertThat(find(hybrid(index, "hotel canteen", null, 10, MetadataFilter.NONE), "travel#1").keyword())
                .as("half the query's words").isLessThan(full);
    }

    @Test
    void vectorsOfAnotherSpaceAreNeverComparedWithTheQuery() {
        KnowledgeIndexPort index = index();
        seedEnglish(index);
        assertThat(await(index.vectorSearch("acme", List.of("docs"), OTHER_SPACE, axis(0), 10))).isEmpty();
        await(index.upsert(ACME_DOCS, List.of(new IndexedChunk("other#0", "other", "", "", "travel notes from another model", 0,
                OTHER_SPACE, axis(5), DocumentMetadata.EMPTY))));
        assertThat(await(index.vectorSearch("acme", List.of("docs"), OTHER_SPACE, axis(5), 10))).extracting(IndexHit::chunkId)
                .containsExactly("other#0");
        assertThat(await(index.vectorSearch("acme", List.of("docs"), SPACE, axis(5), 10))).extracting(IndexHit::chunkId)
                .doesNotContain("other#0");
        assertThat(find(hybrid(index, "travel", axis(5), 10, MetadataFilter.NONE), "other#0").similarity())
                .as("a keyword candidate with no vector in the query's space").isNaN();
    }

    @Test
    void chunksOfAnotherSpaceAreFoundAndCountedForReembedding() {
        KnowledgeIndexPort index = index();
        seedEnglish(index);
        await(index.upsert(ACME_HR, List.of(new IndexedChunk("old#0", "old", "Old", "", "embedded by an earlier model", 3,
                OTHER_SPACE, axis(5), new DocumentMetadata(Map.of("tags", MetadataValue.Text.of("x")))))));
        assertThat(await(index.countOutside(null, Set.of(SPACE)))).isEqualTo(1);
        assertThat(await(index.countOutside(ACME_HR, Set.of(SPACE)))).isEqualTo(1);
        assertThat(await(index.countOutside(ACME_DOCS, Set.of(SPACE)))).isZero();
        assertThat(await(index.countOutside(null, Set.of(SPACE, OTHER_SPACE)))).isZero();
        List<StoredChunk> stale = await(index.chunksOutside(Set.of(SPACE), 10));
        assertThat(stale).singleElement().satisfies(s -> {
            assertThat(s.scope()).isEqualTo(ACME_HR);
            assertThat(s.chunk().chunkId()).isEqualTo("old#0");
            assertThat(s.chunk().text()).isEqualTo("embedded by an earlier model");
            assertThat(s.chunk().position()).isEqualTo(3);
            assertThat(s.chunk().metadata().get("tags")).isEqualTo(MetadataValue.Text.of("x"));
        });
        await(index.upsert(ACME_HR, List.of(stale.get(0).chunk().withVector(SPACE, axis(5)))));
        assertThat(await(index.countOutside(null, Set.of(SPACE)))).isZero();
        assertThat(await(index.vectorSearch("acme", List.of("hr"), SPACE, axis(5), 10))).extracting(IndexHit::chunkId).containsExactly("old#0");
    }

    @Test
    void equalScoresAreOrderedByChunkIdWhateverTheWriteOrder() {
        KnowledgeIndexPort index = index();
        List<IndexedChunk> same = IntStream.range(0, 12).mapToObj(i -> chunk("dup" + (char) ('a' + (i * 7) % 12), "d" + i,
                "identical wording everywhere", axis(1))).toList();
        for (IndexedChunk c : same) {
            await(index.upsert(ACME_DOCS, List.of(c)));
        }
        List<ScoredChunk> found = hybrid(index, "identical wording", axis(1), 5, MetadataFilter.NONE);
        assertThat(found.stream().filter(c -> c.keywordRank() > 0).sorted(java.util.Comparator.comparingInt(ScoredChunk::keywordRank))
                .map(c -> c.hit().chunkId())).containsExactly("dupa", "dupb", "dupc", "dupd", "dupe");
        assertThat(found.stream().filter(c -> c.vectorRank() > 0).sorted(java.util.Comparator.comparingInt(ScoredChunk::vectorRank))
                .map(c -> c.hit().chunkId())).containsExactly("dupa", "dupb", "dupc", "dupd", "dupe");
    }

    // ---- metadata --------------------------------------------------------------------------------------------------

    private void seedMetadata(KnowledgeIndexPort index) {
        await(index.upsert(ACME_DOCS, List.of(
                meta("m1", 0, Map.of("tags", MetadataValue.Text.of("Finance", "legal"), "year", new MetadataValue.Number(2023),
                        "published", new MetadataValue.Date(Instant.parse("2023-05-01T00:00:00Z")), "author", MetadataValue.Text.of("Ada Lovelace"))),
                meta("m2", 1, Map.of("tags", MetadataValue.Text.of("hr"), "year", new MetadataValue.Number(2024),
                        "published", new MetadataValue.Date(Instant.parse("2024-02-10T12:00:00Z")), "author", MetadataValue.Text.of("Grace Hopper"))),
                meta("m3", 2, Map.of("tags", MetadataValue.Text.of(""), "year", new MetadataValue.Number(2025), "draft.v2", MetadataValue.Text.of("yes"))),
                meta("m4", 3, Map.of()))));
    }

    private static IndexedChunk meta(String id, int axis, Map<String, MetadataValue> values) {
        return new IndexedChunk(id, "doc-" + id, "T " + id, "", "quarterly report about budgets " + id, 0, SPACE, axis(axis),
                new DocumentMetadata(values));
    }

    private List<String> filtered(KnowledgeIndexPort index, MetadataFilter filter) {
        List<String> byKeyword = hybrid(index, "quarterly report", null, 50, filter).stream().map(c -> c.hit().chunkId()).sorted().toList();
        List<String> byVector = hybrid(index, "", axis(0), 50, filter).stream().map(c -> c.hit().chunkId()).sorted().toList();
        assertThat(byVector).as("keyword and vector search filter alike").isEqualTo(byKeyword);
        return byKeyword;
    }

    private static MetadataCondition is(String key, String operator, String value) {
        return new MetadataCondition(key, MetadataCondition.Operator.of(operator), value);
    }

    @Test
    void hitsCarryTheirDocumentsMetadata() {
        KnowledgeIndexPort index = index();
        seedMetadata(index);
        IndexHit hit = find(hybrid(index, "quarterly", null, 10, MetadataFilter.NONE), "m1").hit();
        assertThat(hit.metadata().get("tags")).isEqualTo(MetadataValue.Text.of("Finance", "legal"));
        assertThat(hit.metadata().get("year")).isEqualTo(new MetadataValue.Number(2023));
        assertThat(hit.metadata().get("published")).isEqualTo(new MetadataValue.Date(Instant.parse("2023-05-01T00:00:00Z")));
        assertThat(find(hybrid(index, "quarterly", null, 10, MetadataFilter.NONE), "m4").hit().metadata().isEmpty()).isTrue();
    }

    @Test
    void everyMetadataOperatorFiltersBothSearchesAsTheDomainDefinesIt() {
        KnowledgeIndexPort index = index();
        seedMetadata(index);
        List<MetadataFilter> filters = List.of(
                MetadataFilter.all(is("tags", "is", "legal")),
                MetadataFilter.all(is("tags", "is", "LEGAL")),
                MetadataFilter.all(is("tags", "is not", "legal")),
                MetadataFilter.all(is("author", "contains", "love")),
                MetadataFilter.all(is("author", "not contains", "HOP")),
                MetadataFilter.all(is("author", "start with", "grace")),
                MetadataFilter.all(is("author", "end with", "lace")),
                MetadataFilter.all(is("author", "contains", "a*e")),
                MetadataFilter.all(is("tags", "empty", null)),
                MetadataFilter.all(is("tags", "not empty", null)),
                MetadataFilter.all(is("year", "=", "2024")),
                MetadataFilter.all(is("year", "≠", "2024")),
                MetadataFilter.all(is("year", ">", "2023")),
                MetadataFilter.all(is("year", "<", "2024")),
                MetadataFilter.all(is("year", "≥", "2024")),
                MetadataFilter.all(is("year", "≤", "2024")),
                MetadataFilter.all(is("published", "before", "2024-01-01")),
                MetadataFilter.all(is("published", "after", "2023-05-01")),
                MetadataFilter.all(is("published", "after", "1700000000")),
                MetadataFilter.all(is("published", "is", "2024-02-10T12:00:00Z")),
                MetadataFilter.all(is("published", ">", "2023-12-31")),
                MetadataFilter.all(is("draft.v2", "is", "yes")),
                MetadataFilter.all(is("tags", "is", "hr"), is("year", ">", "2023")),
                MetadataFilter.any(is("tags", "is", "hr"), is("year", ">", "2024")),
                MetadataFilter.any(is("author", "contains", "ada"), is("year", "≥", "2025")),
                MetadataFilter.all(is("author", "contains", "a"), is("year", "<", "2024")),
                MetadataFilter.all(is("missing", "is", "x")),
                MetadataFilter.all(is("missing", "is not", "x")));
        List<IndexedChunk> seeded = List.of(
                meta("m1", 0, Map.of("tags", MetadataValue.Text.of("Finance", "legal"), "year", new MetadataValue.Number(2023),
                        "published", new MetadataValue.Date(Instant.parse("2023-05-01T00:00:00Z")), "author", MetadataValue.Text.of("Ada Lovelace"))),
                meta("m2", 1, Map.of("tags", MetadataValue.Text.of("hr"), "year", new MetadataValue.Number(2024),
                        "published", new MetadataValue.Date(Instant.parse("2024-02-10T12:00:00Z")), "author", MetadataValue.Text.of("Grace Hopper"))),
                meta("m3", 2, Map.of("tags", MetadataValue.Text.of(""), "year", new MetadataValue.Number(2025), "draft.v2", MetadataValue.Text.of("yes"))),
                meta("m4", 3, Map.of()));
        for (MetadataFilter filter : filters) {
            List<String> expected = seeded.stream().filter(c -> filter.matches(c.metadata())).map(IndexedChunk::chunkId).sorted().toList();
            assertThat(filtered(index, filter)).as(filter.toString()).isEqualTo(expected);
        }
        assertThat(filtered(index, MetadataFilter.all(is("tags", "is", "legal")))).containsExactly("m1");
        assertThat(filtered(index, MetadataFilter.all(is("tags", "empty", null)))).containsExactly("m3", "m4");
        assertThat(filtered(index, MetadataFilter.any(is("tags", "is", "hr"), is("year", ">", "2024")))).containsExactly("m2", "m3");
    }

    @Test
    void aFilterNeverLetsAnotherTenantsChunksIn() {
        KnowledgeIndexPort index = index();
        seedMetadata(index);
        await(index.upsert(GLOBEX_DOCS, List.of(new IndexedChunk("g1", "g", "", "", "quarterly report budgets", 0, SPACE, axis(0),
                new DocumentMetadata(Map.of("tags", MetadataValue.Text.of("legal")))))));
        assertThat(filtered(index, MetadataFilter.all(is("tags", "is", "legal")))).containsExactly("m1");
        assertThat(filtered(index, MetadataFilter.any(is("tags", "is", "legal"), is("tags", "is not", "legal")))).doesNotContain("g1");
    }

    @Test
    void anUnreachableBackendFailsWithRetrievalUnavailable() {
        Optional<KnowledgeIndexPort> unreachable = unreachableIndex();
        if (unreachable.isEmpty()) {
            return; // an embedded index has no remote backend to lose
        }
        KnowledgeIndexPort index = unreachable.get();
        for (CompletableFuture<?> call : List.of(
                index.keywordSearch("acme", List.of("docs"), "travel", 5),
                index.vectorSearch("acme", List.of("docs"), SPACE, axis(0), 5),
                index.upsert(ACME_DOCS, List.of(chunk("c", "d", "text", axis(0)))),
                index.deleteDocument(ACME_DOCS, "d"),
                index.deleteKnowledgeBase(ACME_DOCS))) {
            assertThatThrownBy(() -> call.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(RetrievalUnavailableException.class);
        }
    }
}
