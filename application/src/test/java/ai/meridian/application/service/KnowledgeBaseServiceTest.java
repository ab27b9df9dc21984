package ai.meridian.application.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.meridian.application.port.in.IngestDocumentsUseCase.DocumentSource;
import ai.meridian.application.port.out.DocumentContent;
import ai.meridian.application.port.out.DocumentText;
import ai.meridian.application.port.out.UnreadableDocumentException;
import ai.meridian.application.port.out.retrieval.EmbedTextPort;
import ai.meridian.application.port.out.retrieval.ChunkQuery;
import ai.meridian.application.port.out.retrieval.ScoredChunk;
import ai.meridian.application.port.out.retrieval.StoredChunk;
import ai.meridian.domain.knowledge.DocumentMetadata;
import ai.meridian.domain.knowledge.MetadataValue;
import java.util.Set;
import ai.meridian.application.port.out.retrieval.IndexedChunk;
import ai.meridian.application.port.out.retrieval.KnowledgeIndexPort;
import ai.meridian.application.port.out.retrieval.KnowledgeScope;
import ai.meridian.application.port.out.retrieval.RetrievalUnavailableException;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.domain.knowledge.IngestionJob;
import ai.meridian.domain.knowledge.JobStatus;
import ai.meridian.domain.knowledge.KnowledgeDocument;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class KnowledgeBaseServiceTest {
    static final java.util.concurrent.ExecutorService WORK = java.util.concurrent.Executors.newFixedThreadPool(2, r -> {
        Thread thread = new Thread(r, "test-work");
        thread.setDaemon(true);
        return thread;
    });
    private final InMemoryKnowledgeBaseStore store = new InMemoryKnowledgeBaseStore();
    private final MapIndex index = new MapIndex();
    private final FailingEmbeddings embeddings = new FailingEmbeddings("test");
    private final KnowledgeBaseService service = new KnowledgeBaseService(store, index, LanguageEmbeddings.single(embeddings),
            content -> {
                String text = new String(content.bytes(), StandardCharsets.UTF_8);
                return text.startsWith("BROKEN")
                        ? CompletableFuture.failedFuture(new UnreadableDocumentException("the PDF could not be read"))
                        : CompletableFuture.completedFuture(new DocumentText("From file", text));
            },
            Optional.empty(), text -> Arrays.asList(text.split("\\|")), Clock.systemUTC(), WORK, KnowledgeBaseService.IngestionLimits.DEFAULTS);

    /** An index in a map: enough to see what ingestion stores and deletes, and what re-embedding finds stale. */
    static final class MapIndex implements KnowledgeIndexPort {
        final Map<String, IndexedChunk> chunks = new ConcurrentHashMap<>();
        final Map<String, KnowledgeScope> scopes = new ConcurrentHashMap<>();

        @Override
        public CompletableFuture<Void> upsert(KnowledgeScope scope, List<IndexedChunk> batch) {
            batch.forEach(c -> {
                String key = scope.tenant() + "/" + scope.knowledgeBase() + "/" + c.chunkId();
                chunks.put(key, c);
                scopes.put(key, scope);
            });
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> deleteDocument(KnowledgeScope scope, String documentId) {
            chunks.values().removeIf(c -> c.documentId().equals(documentId));
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> deleteKnowledgeBase(KnowledgeScope scope) {
            chunks.keySet().removeIf(k -> k.startsWith(scope.tenant() + "/" + scope.knowledgeBase() + "/"));
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<List<ScoredChunk>> search(ChunkQuery query) {
            return CompletableFuture.completedFuture(List.of());
        }

        @Override
        public CompletableFuture<List<StoredChunk>> chunksOutside(Set<String> spaces, int limit) {
            return CompletableFuture.supplyAsync(() -> chunks.entrySet().stream().filter(e -> !spaces.contains(e.getValue().space()))
                    .limit(limit).map(e -> new StoredChunk(scopes.get(e.getKey()), e.getValue())).toList());
        }

        @Override
        public CompletableFuture<Long> countOutside(KnowledgeScope scope, Set<String> spaces) {
            return CompletableFuture.completedFuture(chunks.entrySet().stream()
                    .filter(e -> scope == null || scopes.get(e.getKey()).equals(scope))
                    .filter(e -> !spaces.contains(e.getValue().space())).count());
        }
    }

    /** Embeds anything except texts containing "POISON". */
    static final class FailingEmbeddings implements EmbedTextPort {
        private final String name;

        FailingEmbeddings(String name) {
            this.name = name;
        }

        @Override
        public String model() {
            return name;
        }

        @Override
        public int maxInputTokens() {
            return 512;
        }

        @Override
        public int dimensions() {
            return 2;
        }

        @Override
        public int countTokens(String text) {
            return text.split("\\s+").length;
        }

        @Override
        public CompletableFuture<List<float[]>> embed(List<String> texts, EmbeddingUse use) {
            if (texts.stream().anyMatch(t -> t.contains("POISON"))) {
                return CompletableFuture.failedFuture(new RetrievalUnavailableException("embeddings", "embedding model failed"));
            }
            List<float[]> vectors = new ArrayList<>();
            texts.forEach(t -> vectors.add(new float[] {t.length(), 1}));
            return CompletableFuture.completedFuture(vectors);
        }
    }

    private IngestionJob awaitJob(String tenant, String id) throws Exception {
        for (int i = 0; i < 200; i++) {
            IngestionJob job = service.job(caller(tenant), id).get(5, TimeUnit.SECONDS);
            if (job.status().finished()) {
                return job;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("job did not finish");
    }

    @Test
    void knowledgeBasesAreCreatedListedAndDeletedPerTenant() throws Exception {
        service.create(caller("acme"), "docs", "product docs").get();
        assertThatThrownBy(() -> service.create(caller("acme"), "docs", "").get()).cause()
                .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.error().kind()).isEqualTo(ErrorKind.CONFLICT));
        assertThatThrownBy(() -> service.create(caller("acme"), "Bad Name", "").get()).cause()
                .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.error().param()).isEqualTo("name"));
        assertThat(service.list(caller("acme")).get()).extracting(s -> s.base().name()).containsExactly("docs");
        assertThat(service.list(caller("globex")).get()).isEmpty();
        assertThatThrownBy(() -> service.get(caller("globex"), "docs").get()).as("another tenant's base is a 404").cause()
                .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.error().kind()).isEqualTo(ErrorKind.NOT_FOUND));
        service.delete(caller("acme"), "docs").get();
        assertThat(service.list(caller("acme")).get()).isEmpty();
    }

    @Test
    void ingestionReadsChunksEmbedsAndIndexesWithProgress() throws Exception {
        service.create(caller("acme"), "docs", "").get();
        IngestionJob queued = service.ingest(caller("acme"), "docs", List.of(
                new DocumentSource.Text("Guide", "one|two|three", "https://docs.example/guide"),
                new DocumentSource.File(new DocumentContent("notes.txt", "text/plain", "a|b".getBytes(StandardCharsets.UTF_8))))).get();
        assertThat(queued.status()).isIn(JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.COMPLETED);
        IngestionJob done = awaitJob("acme", queued.id());
        assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(done.documentsDone()).isEqualTo(2);
        assertThat(done.chunksTotal()).isEqualTo(5);
        assertThat(done.chunksDone()).isEqualTo(5);
        List<KnowledgeDocument> documents = service.documents(caller("acme"), "docs").get();
        assertThat(documents).extracting(KnowledgeDocument::title).containsExactlyInAnyOrder("Guide", "From file");
        assertThat(documents).extracting(KnowledgeDocument::chunks).containsExactlyInAnyOrder(3, 2);
        assertThat(index.chunks.values()).filteredOn(c -> c.title().equals("Guide")).extracting(IndexedChunk::url)
                .containsOnly("https://docs.example/guide");
        assertThat(service.get(caller("acme"), "docs").get().chunks()).isEqualTo(5);
    }

    @Test
    void aDocumentThatFailsIsReportedAndLeavesNothingHalfIndexed() throws Exception {
        service.create(caller("acme"), "docs", "").get();
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            many.add(i == 35 ? "POISON" : "chunk" + i);
        }
        IngestionJob job = awaitJob("acme", service.ingest(caller("acme"), "docs", List.of(
                new DocumentSource.Text("Good", "x|y", ""),
                new DocumentSource.Text("Half", String.join("|", many), ""),
                new DocumentSource.File(new DocumentContent("bad.pdf", "application/pdf", "BROKEN".getBytes(StandardCharsets.UTF_8))))).get().id());
        assertThat(job.status()).isEqualTo(JobStatus.COMPLETED_WITH_ERRORS);
        assertThat(job.documentsDone()).isEqualTo(1);
        assertThat(job.documentsFailed()).isEqualTo(2);
        assertThat(job.errors()).anySatisfy(e -> assertThat(e).contains("document 2 (Half)").contains("embedding model failed"))
                .anySatisfy(e -> assertThat(e).contains("document 3 (bad.pdf)").contains("the PDF could not be read"));
        assertThat(index.chunks.values()).as("the half-indexed document was taken out again")
                .extracting(IndexedChunk::title).containsOnly("Good");
        assertThat(job.chunksDone()).isEqualTo(job.chunksTotal());
    }

    @Test
    void aDocumentWithoutTextIsAFailedDocumentWithTheReason() throws Exception {
        service.create(caller("acme"), "docs", "").get();
        IngestionJob job = awaitJob("acme", service.ingest(caller("acme"), "docs", List.of(
                new DocumentSource.Text("Blank", "   \n\t ", ""),
                new DocumentSource.Text("Only separators", "|||", ""),
                new DocumentSource.File(new DocumentContent("scan.pdf", "application/pdf", new byte[0])))).get().id());
        assertThat(job.status()).isEqualTo(JobStatus.FAILED);
        assertThat(job.documentsFailed()).isEqualTo(3);
        assertThat(job.errors()).hasSize(3).allSatisfy(e -> assertThat(e).contains("no text could be read"));
        assertThat(job.errors().get(0)).startsWith("document 1 (Blank)");
        assertThat(index.chunks).isEmpty();
        assertThat(service.documents(caller("acme"), "docs").get()).isEmpty();
    }

    @Test
    void documentsCarryTheirMetadataIntoEveryChunkAndTheCatalog() throws Exception {
        service.create(caller("acme"), "docs", "").get();
        DocumentMetadata given = new DocumentMetadata(Map.of("tags", MetadataValue.Text.of("hr", "travel"),
                "year", new MetadataValue.Number(2024), "title", MetadataValue.Text.of("Overridden title")));
        awaitJob("acme", service.ingest(caller("acme"), "docs", List.of(new DocumentSource.Text("Guide", "one|two", "handbook.pdf", given))).get().id());
        assertThat(index.chunks.values()).hasSize(2).allSatisfy(c -> {
            assertThat(c.metadata().get("tags")).isEqualTo(MetadataValue.Text.of("hr", "travel"));
            assertThat(c.metadata().get("year")).isEqualTo(new MetadataValue.Number(2024));
            assertThat(c.metadata().get("title")).as("given metadata wins").isEqualTo(MetadataValue.Text.of("Overridden title"));
            assertThat(c.metadata().get("source")).isEqualTo(MetadataValue.Text.of("handbook.pdf"));
            assertThat(c.metadata().get("ingested_at")).isInstanceOf(MetadataValue.Date.class);
            assertThat(c.space()).isEqualTo("test");
        });
        assertThat(service.documents(caller("acme"), "docs").get().get(0).metadata().get("tags")).isEqualTo(MetadataValue.Text.of("hr", "travel"));
    }

    @Test
    void changingTheModelReembedsEveryChunkInTheBackgroundWithoutLosingOne() throws Exception {
        service.create(caller("acme"), "docs", "").get();
        awaitJob("acme", service.ingest(caller("acme"), "docs", List.of(new DocumentSource.Text("A", "1|2|3", ""),
                new DocumentSource.Text("B", "4|5", ""))).get().id());
        Map<String, IndexedChunk> before = Map.copyOf(index.chunks);
        LanguageEmbeddings next = LanguageEmbeddings.single(new FailingEmbeddings("next-model"));
        KnowledgeBaseService after = new KnowledgeBaseService(store, index, next, c -> CompletableFuture.failedFuture(new IllegalStateException()),
                Optional.empty(), text -> List.of(text), Clock.systemUTC(), WORK, KnowledgeBaseService.IngestionLimits.DEFAULTS);
        assertThat(after.get(caller("acme"), "docs").get().staleChunks()).isEqualTo(5);
        Reembedding reembedding = new Reembedding(index, next);
        Reembedding.Progress progress = reembedding.start().get(10, TimeUnit.SECONDS);
        assertThat(progress.state()).isEqualTo(Reembedding.State.DONE);
        assertThat(progress.total()).isEqualTo(5);
        assertThat(progress.done()).isEqualTo(5);
        assertThat(index.chunks.keySet()).isEqualTo(before.keySet());
        assertThat(index.chunks.values()).allSatisfy(c -> assertThat(c.space()).isEqualTo("next-model"));
        assertThat(index.chunks.values()).extracting(IndexedChunk::text).containsExactlyInAnyOrderElementsOf(
                before.values().stream().map(IndexedChunk::text).toList());
        assertThat(after.get(caller("acme"), "docs").get().staleChunks()).isZero();
        assertThat(after.get(caller("acme"), "docs").get().models()).containsExactly("next-model");
    }

    @Test
    void badIngestionRequestsAreRefused() throws Exception {
        service.create(caller("acme"), "docs", "").get();
        assertThatThrownBy(() -> service.ingest(caller("acme"), "docs", List.of()).get()).cause().hasMessageContaining("at least one document");
        assertThatThrownBy(() -> service.ingest(caller("acme"), "docs", List.of(new DocumentSource.Url("https://example.com"))).get())
                .cause().hasMessageContaining("Fetching URLs is turned off");
        assertThatThrownBy(() -> service.ingest(caller("acme"), "nope", List.of(new DocumentSource.Text("", "t", ""))).get())
                .isInstanceOf(ExecutionException.class).cause()
                .isInstanceOfSatisfying(GatewayException.class, e -> assertThat(e.error().kind()).isEqualTo(ErrorKind.NOT_FOUND));
        assertThatThrownBy(() -> service.job(caller("globex"), "job_x").get()).cause().hasMessageContaining("does not exist");
    }

    @Test
    void deletingADocumentRemovesItsChunks() throws Exception {
        service.create(caller("acme"), "docs", "").get();
        awaitJob("acme", service.ingest(caller("acme"), "docs", List.of(new DocumentSource.Text("A", "1|2", ""),
                new DocumentSource.Text("B", "3", ""))).get().id());
        String documentId = service.documents(caller("acme"), "docs").get().stream().filter(d -> d.title().equals("A")).findFirst().orElseThrow().documentId();
        service.deleteDocument(caller("acme"), "docs", documentId).get();
        assertThat(index.chunks.values()).extracting(IndexedChunk::title).containsOnly("B");
        assertThatThrownBy(() -> service.deleteDocument(caller("acme"), "docs", documentId).get()).cause().hasMessageContaining("does not exist");
    }

    private static ai.meridian.application.port.in.CallerContext caller(String tenant) {
        return new ai.meridian.application.port.in.CallerContext("req-test", tenant, "test-key", null, 0);
    }

    @Test
    void chunkingRunsOnTheWorkPoolNotOnTheThreadThatSavedTheJob() throws Exception {
        java.util.Set<String> chunkedOn = ConcurrentHashMap.newKeySet();
        KnowledgeBaseService recording = new KnowledgeBaseService(store, index, LanguageEmbeddings.single(embeddings), content -> CompletableFuture.failedFuture(
                new UnreadableDocumentException("unused")), Optional.empty(), text -> {
                    chunkedOn.add(Thread.currentThread().getName());
                    return List.of(text);
                }, Clock.systemUTC(), WORK, KnowledgeBaseService.IngestionLimits.DEFAULTS);
        recording.create(caller("acme"), "docs", "").get();
        awaitJob("acme", recording.ingest(caller("acme"), "docs", List.of(new DocumentSource.Text("A", "text", ""))).get().id());
        assertThat(chunkedOn).containsOnly("test-work");
    }

    @Test
    void jobsBeyondTheLimitAreRefusedWithRetryAfterUntilOneFinishes() throws Exception {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        KnowledgeBaseService limited = new KnowledgeBaseService(store, index, LanguageEmbeddings.single(embeddings), content -> CompletableFuture.failedFuture(
                new UnreadableDocumentException("unused")), Optional.empty(), text -> {
                    gate.join(); // the first job's chunking holds until the test lets it go
                    return List.of(text);
                }, Clock.systemUTC(), WORK, new KnowledgeBaseService.IngestionLimits(1, java.time.Duration.ofSeconds(7)));
        limited.create(caller("acme"), "docs", "").get();
        IngestionJob first = limited.ingest(caller("acme"), "docs", List.of(new DocumentSource.Text("A", "text", ""))).get();
        assertThat(limited.activeJobs()).isEqualTo(1);
        assertThatThrownBy(() -> limited.ingest(caller("acme"), "docs", List.of(new DocumentSource.Text("B", "text", ""))).get()).cause()
                .isInstanceOfSatisfying(GatewayException.class, e -> {
                    assertThat(e.error().kind()).isEqualTo(ErrorKind.RATE_LIMITED);
                    assertThat(e.error().code()).isEqualTo("ingestion_busy");
                    assertThat(e.error().retryAfter()).isEqualTo(java.time.Duration.ofSeconds(7));
                });
        gate.complete(null);
        awaitJobOf(limited, caller("acme"), first.id());
        for (int i = 0; i < 100 && limited.activeJobs() > 0; i++) {
            Thread.sleep(10);
        }
        assertThat(limited.activeJobs()).isZero();
        awaitJobOf(limited, caller("acme"), limited.ingest(caller("acme"), "docs", List.of(new DocumentSource.Text("B", "text", ""))).get().id());
        assertThatThrownBy(() -> limited.ingest(caller("acme"), "nope", List.of(new DocumentSource.Text("C", "t", ""))).get())
                .as("a refused request gives its slot back").cause().isInstanceOf(GatewayException.class);
        assertThat(limited.activeJobs()).isZero();
    }

    private static IngestionJob awaitJobOf(KnowledgeBaseService service, ai.meridian.application.port.in.CallerContext tenant, String id) throws Exception {
        for (int i = 0; i < 500; i++) {
            IngestionJob job = service.job(tenant, id).get(5, TimeUnit.SECONDS);
            if (job.status().finished()) {
                return job;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("job did not finish");
    }

    @Test
    void aShutdownInterruptsRunningJobsAndRecordsWhy() throws Exception {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        KnowledgeBaseService held = new KnowledgeBaseService(store, index, LanguageEmbeddings.single(embeddings), content -> CompletableFuture.failedFuture(
                new UnreadableDocumentException("unused")), Optional.empty(), text -> {
                    if (text.startsWith("slow")) {
                        gate.join();
                    }
                    return Arrays.asList(text.split("\\|"));
                }, Clock.systemUTC(), WORK, KnowledgeBaseService.IngestionLimits.DEFAULTS);
        held.create(caller("acme"), "docs", "").get();
        IngestionJob job = held.ingest(caller("acme"), "docs", List.of(new DocumentSource.Text("A", "a|b", ""),
                new DocumentSource.Text("B", "slow|c", ""), new DocumentSource.Text("C", "d", ""))).get();
        for (int i = 0; i < 200 && held.job(caller("acme"), job.id()).get().documentsDone() < 1; i++) {
            Thread.sleep(10);
        }
        CompletableFuture<Void> interrupted = held.interruptAll("interrupted: the gateway shut down", java.time.Duration.ofMillis(200));
        interrupted.get(5, TimeUnit.SECONDS); // the chunking step under way is not waited for beyond 200 ms
        IngestionJob after = held.job(caller("acme"), job.id()).get();
        assertThat(after.status()).isEqualTo(JobStatus.COMPLETED_WITH_ERRORS);
        assertThat(after.documentsDone()).isEqualTo(1);
        assertThat(after.documentsFailed()).isEqualTo(2);
        assertThat(after.errors()).containsExactly("interrupted: the gateway shut down");
        gate.complete(null); // the step ends; the stopped run saves nothing more
        for (int i = 0; i < 100 && held.activeJobs() > 0; i++) {
            Thread.sleep(10);
        }
        assertThat(held.activeJobs()).isZero();
        assertThat(held.job(caller("acme"), job.id()).get()).isEqualTo(after);
        assertThat(index.chunks.values()).extracting(IndexedChunk::title).containsOnly("A");
    }

    @Test
    void jobsLeftRunningByAStoppedGatewayAreMarkedInterruptedAndTheirHalfDocumentRemoved() throws Exception {
        service.create(caller("acme"), "docs", "").get();
        java.time.Instant old = java.time.Instant.now().minus(java.time.Duration.ofMinutes(10));
        IngestionJob orphan = IngestionJob.queued("job_orphan", "acme", "docs", 2, old).running(old).chunksFound(3, old).chunksIndexed(2, old);
        store.saveJob(orphan).get();
        String halfDone = KnowledgeBaseService.documentId("job_orphan", 0);
        index.upsert(new KnowledgeScope("acme", "docs"), List.of(new IndexedChunk(halfDone + ":0", halfDone, "Half", "", "text", 0,
                new float[] {1, 1}))).get();
        IngestionJob fresh = IngestionJob.queued("job_fresh", "acme", "docs", 1, java.time.Instant.now()).running(java.time.Instant.now());
        store.saveJob(fresh).get();

        assertThat(service.recoverStale(java.time.Duration.ofMinutes(2)).get(5, TimeUnit.SECONDS)).isEqualTo(1);
        IngestionJob recovered = service.job(caller("acme"), "job_orphan").get();
        assertThat(recovered.status()).isEqualTo(JobStatus.FAILED);
        assertThat(recovered.documentsFailed()).isEqualTo(2);
        assertThat(recovered.chunksTotal()).isEqualTo(recovered.chunksDone());
        assertThat(recovered.errors()).singleElement().asString().startsWith("interrupted: the gateway stopped before this job finished");
        assertThat(index.chunks).isEmpty();
        assertThat(service.job(caller("acme"), "job_fresh").get().status()).as("a job updated recently is someone's, alive")
                .isEqualTo(JobStatus.RUNNING);
    }
}
