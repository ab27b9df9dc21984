package ai.meridian.application.service;

import ai.meridian.application.port.in.CallerContext;
import ai.meridian.application.port.in.IngestDocumentsUseCase;
import ai.meridian.application.port.in.ManageKnowledgeBasesUseCase;
import ai.meridian.application.port.out.DocumentText;
import ai.meridian.application.port.out.ExtractDocumentTextPort;
import ai.meridian.application.port.out.KnowledgeBaseStore;
import ai.meridian.application.port.out.UnreadableDocumentException;
import ai.meridian.application.port.out.retrieval.FetchPagePort;
import ai.meridian.application.port.out.retrieval.IndexedChunk;
import ai.meridian.application.port.out.retrieval.KnowledgeIndexPort;
import ai.meridian.application.port.out.retrieval.KnowledgeScope;
import ai.meridian.domain.chat.InvalidValueException;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.domain.knowledge.DocumentMetadata;
import ai.meridian.domain.knowledge.IngestionJob;
import ai.meridian.domain.knowledge.MetadataValue;
import ai.meridian.domain.knowledge.KnowledgeBase;
import ai.meridian.domain.knowledge.KnowledgeDocument;
import ai.meridian.domain.tenancy.Action;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Knowledge bases and what goes into them. Ingestion reads each document (uploaded text, a file, or a URL
 * fetched safely), cuts it into chunks, embeds them in batches and indexes them, one document after the
 * other, saving the job's progress as it goes. A document that fails is taken out of the index again, so
 * a knowledge base never holds half a document.
 */
public final class KnowledgeBaseService implements ManageKnowledgeBasesUseCase, IngestDocumentsUseCase {
    private static final System.Logger LOG = System.getLogger(KnowledgeBaseService.class.getName());
    static final int MAX_DOCUMENTS_PER_REQUEST = 100;
    static final int EMBEDDING_BATCH = 32;

    private final KnowledgeBaseStore store;
    private final KnowledgeIndexPort index;
    private final LanguageEmbeddings embeddings;
    private final ExtractDocumentTextPort extractor;
    private final Optional<FetchPagePort> fetcher;
    private final Function<String, List<String>> chunker;
    private final Clock clock;
    private final Executor work;
    private final IngestionLimits limits;
    /** Jobs accepted and not finished yet, on this replica. */
    private final AtomicInteger activeJobs = new AtomicInteger();
    /** The runs under way on this replica, so that a shutdown can stop them and record why. */
    private final Set<Run> runs = ConcurrentHashMap.newKeySet();

    /**
     * {@code work} runs ingestion's CPU work (chunking, and whatever the chunker's tokenizer costs): a bounded
     * pool of its own, never the database's threads or an event loop, since a long document keeps a thread
     * busy for seconds. At most {@code limits.maxJobs()} jobs run at once; more are refused with a 429.
     */
    public KnowledgeBaseService(KnowledgeBaseStore store, KnowledgeIndexPort index, LanguageEmbeddings embeddings,
                                ExtractDocumentTextPort extractor, Optional<FetchPagePort> fetcher,
                                Function<String, List<String>> chunker, Clock clock, Executor work, IngestionLimits limits) {
        this.store = store;
        this.index = index;
        this.embeddings = embeddings;
        this.extractor = extractor;
        this.fetcher = fetcher;
        this.chunker = chunker;
        this.clock = clock;
        this.work = java.util.Objects.requireNonNull(work, "work");
        this.limits = java.util.Objects.requireNonNull(limits, "limits");
    }

    /** How many ingestion jobs may run at once on a replica, and what a refused client is told to wait. */
    public record IngestionLimits(int maxJobs, Duration retryAfter) {
        public IngestionLimits {
            if (maxJobs < 1) {
                throw new IllegalArgumentException("meridian.ingestion.max-jobs must be at least 1");
            }
            if (retryAfter == null || retryAfter.isNegative() || retryAfter.isZero()) {
                throw new IllegalArgumentException("meridian.ingestion.retry-after must be positive");
            }
        }

        public static final IngestionLimits DEFAULTS = new IngestionLimits(8, Duration.ofSeconds(5));
    }

    /**
     * The id of the document at {@code position} in a job: derived from the job, so that after a crash the
     * half-indexed document of an interrupted job can be found and taken out again.
     */
    static String documentId(String jobId, int position) {
        return "doc_" + UUID.nameUUIDFromBytes((jobId + "/" + position).getBytes(StandardCharsets.UTF_8)).toString()
                .replace("-", "").substring(0, 20);
    }

    /**
     * Keeps the runs under way visibly alive: each one whose job was not saved for {@code every} is saved
     * again with the same progress, so that {@link #recoverStale} never takes a slow step for a dead replica.
     */
    public void heartbeat(Duration every) {
        Instant due = clock.instant().minus(every);
        for (Run run : runs) {
            run.touchIfOlderThan(due);
        }
    }

    /**
     * Stops every run under way on this replica (the gateway is shutting down and its drain time is over):
     * each job records the documents it did not finish as failed, with {@code reason}, and the document it
     * was in the middle of is taken out of the index again, after its step under way ended (or
     * {@code stepWait} passed). Completes when all of that is saved.
     */
    public CompletableFuture<Void> interruptAll(String reason, Duration stepWait) {
        List<CompletableFuture<Void>> stops = new ArrayList<>();
        for (Run run : runs) {
            stops.add(run.interrupt(reason, stepWait));
        }
        return CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new));
    }

    /**
     * Jobs left queued or running by a replica that stopped without finishing them (not updated for
     * {@code staleAfter}, while running jobs are updated every heartbeat): each is marked as interrupted with
     * the reason, and its half-indexed document is taken out again. Returns how many were found.
     */
    public CompletableFuture<Integer> recoverStale(Duration staleAfter) {
        Instant now = clock.instant();
        return store.staleJobs(now.minus(staleAfter)).thenCompose(stale -> {
            List<CompletableFuture<Void>> recovered = new ArrayList<>();
            for (IngestionJob job : stale) {
                if (runs.stream().anyMatch(r -> r.id().equals(job.id()))) {
                    continue; // this replica's own: alive, only slow
                }
                KnowledgeScope scope = new KnowledgeScope(job.tenant(), job.knowledgeBase());
                String halfDone = documentId(job.id(), job.current());
                recovered.add(index.deleteDocument(scope, halfDone).exceptionally(e -> null)
                        .thenCompose(v -> store.deleteDocument(job.tenant(), job.knowledgeBase(), halfDone).exceptionally(e -> false))
                        .thenCompose(v -> store.saveJob(job.interrupted("interrupted: the gateway stopped before this job finished "
                                + "(last progress " + job.updatedAt() + "); ingest the remaining documents again", now))));
                LOG.log(Level.WARNING, "ingestion job {0} of tenant {1} was left unfinished by a stopped gateway; marked interrupted",
                        job.id(), job.tenant());
            }
            return CompletableFuture.allOf(recovered.toArray(CompletableFuture[]::new)).thenApply(v -> recovered.size());
        });
    }

    /** Jobs running now (accepted, not finished) and the most that may. */
    public int activeJobs() {
        return activeJobs.get();
    }

    public int maxJobs() {
        return limits.maxJobs();
    }

    @Override
    public CompletableFuture<KnowledgeBase> create(CallerContext caller, String name, String description) {
        String tenant = caller.tenant();
        try {
            AccessDenied.require(caller, Action.WRITE);
            allowed(caller, name);
        } catch (GatewayException e) {
            return CompletableFuture.failedFuture(e);
        }
        KnowledgeBase base;
        try {
            base = new KnowledgeBase(tenant, name, description, clock.instant());
        } catch (InvalidValueException e) {
            return CompletableFuture.failedFuture(GatewayException.invalid(e.param(), e.getMessage()));
        }
        return store.createBase(base).thenApply(created -> {
            if (!created) {
                throw new GatewayException(GatewayError.of(ErrorKind.CONFLICT, "A knowledge base named '" + name + "' already exists."));
            }
            return base;
        });
    }

    @Override
    public CompletableFuture<List<KnowledgeBaseSummary>> list(CallerContext caller) {
        return store.listBases(caller.tenant()).thenCompose(bases -> {
            List<CompletableFuture<KnowledgeBaseSummary>> summaries = bases.stream()
                    .filter(b -> caller.access().mayUseKnowledgeBase(b.name())).map(this::summary).toList();
            return CompletableFuture.allOf(summaries.toArray(CompletableFuture[]::new))
                    .thenApply(v -> summaries.stream().map(CompletableFuture::join).toList());
        });
    }

    @Override
    public CompletableFuture<KnowledgeBaseSummary> get(CallerContext caller, String name) {
        return existing(caller, Action.READ, name).thenCompose(this::summary);
    }

    private CompletableFuture<KnowledgeBaseSummary> summary(KnowledgeBase base) {
        List<String> models = List.copyOf(embeddings.spaces());
        CompletableFuture<Long> stale = index.countOutside(new KnowledgeScope(base.tenant(), base.name()), embeddings.spaces())
                .exceptionally(e -> -1L);
        return store.listDocuments(base.tenant(), base.name()).thenCombine(stale, (documents, waiting) ->
                new KnowledgeBaseSummary(base, documents.size(), documents.stream().mapToInt(KnowledgeDocument::chunks).sum(), models, waiting));
    }

    @Override
    public CompletableFuture<Void> delete(CallerContext caller, String name) {
        String tenant = caller.tenant();
        return existing(caller, Action.WRITE, name)
                .thenCompose(base -> index.deleteKnowledgeBase(new KnowledgeScope(tenant, name)))
                .thenCompose(v -> store.deleteBase(tenant, name))
                .thenApply(v -> null);
    }

    @Override
    public CompletableFuture<List<KnowledgeDocument>> documents(CallerContext caller, String knowledgeBase) {
        return existing(caller, Action.READ, knowledgeBase).thenCompose(base -> store.listDocuments(base.tenant(), knowledgeBase));
    }

    @Override
    public CompletableFuture<Void> deleteDocument(CallerContext caller, String knowledgeBase, String documentId) {
        String tenant = caller.tenant();
        return existing(caller, Action.WRITE, knowledgeBase)
                .thenCompose(base -> store.deleteDocument(tenant, knowledgeBase, documentId))
                .thenCompose(deleted -> {
                    if (!deleted) {
                        throw notFound("The document '" + documentId + "' does not exist in knowledge base '" + knowledgeBase + "'.");
                    }
                    return index.deleteDocument(new KnowledgeScope(tenant, knowledgeBase), documentId);
                });
    }

    /**
     * The caller's knowledge base, or a 404 (another tenant's base of that name is not this tenant's); a 403 when the
     * caller's role does not permit {@code action} or its key may not use this base.
     */
    CompletableFuture<KnowledgeBase> existing(CallerContext caller, Action action, String name) {
        try {
            AccessDenied.require(caller, action);
            allowed(caller, name);
        } catch (GatewayException e) {
            return CompletableFuture.failedFuture(e);
        }
        return existing(caller.tenant(), name);
    }

    private static void allowed(CallerContext caller, String name) {
        if (!caller.access().mayUseKnowledgeBase(name)) {
            throw AccessDenied.forbidden("This key may not use the knowledge base '" + name + "'.", "knowledge_base",
                    "knowledge_base_not_allowed");
        }
    }

    CompletableFuture<KnowledgeBase> existing(String tenant, String name) {
        return store.findBase(tenant, name).thenApply(found ->
                found.orElseThrow(() -> notFound("The knowledge base '" + name + "' does not exist.")));
    }

    private static GatewayException notFound(String message) {
        return new GatewayException(new GatewayError(ErrorKind.NOT_FOUND, message, null, "not_found", null));
    }

    @Override
    public CompletableFuture<IngestionJob> ingest(CallerContext caller, String knowledgeBase, List<DocumentSource> documents) {
        String tenant = caller.tenant();
        try {
            AccessDenied.require(caller, Action.WRITE);
            allowed(caller, knowledgeBase);
        } catch (GatewayException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (documents.isEmpty()) {
            return CompletableFuture.failedFuture(GatewayException.invalid("documents", "Give at least one document."));
        }
        if (documents.size() > MAX_DOCUMENTS_PER_REQUEST) {
            return CompletableFuture.failedFuture(GatewayException.invalid("documents",
                    "At most " + MAX_DOCUMENTS_PER_REQUEST + " documents per request."));
        }
        if (fetcher.isEmpty() && documents.stream().anyMatch(d -> d instanceof DocumentSource.Url)) {
            return CompletableFuture.failedFuture(GatewayException.invalid("documents", "Fetching URLs is turned off on this gateway."));
        }
        if (activeJobs.incrementAndGet() > limits.maxJobs()) {
            activeJobs.decrementAndGet();
            // 429, not 503: the gateway is well; this client (or its neighbours) asks for more concurrent work than it takes.
            return CompletableFuture.failedFuture(new GatewayException(new GatewayError(ErrorKind.RATE_LIMITED,
                    "This gateway is already ingesting " + limits.maxJobs() + " jobs, its limit; retry in "
                            + limits.retryAfter().toSeconds() + " s.", null, "ingestion_busy", limits.retryAfter())));
        }
        IngestionJob job = IngestionJob.queued("job_" + UUID.randomUUID().toString().replace("-", ""), tenant, knowledgeBase,
                documents.size(), clock.instant());
        CompletableFuture<IngestionJob> accepted = existing(tenant, knowledgeBase)
                .thenCompose(base -> store.saveJob(job))
                .thenApply(saved -> {
                    new Run(job, documents).start().whenComplete((v, e) -> activeJobs.decrementAndGet());
                    return job;
                });
        accepted.whenComplete((v, e) -> {
            if (e != null) {
                activeJobs.decrementAndGet();
            }
        });
        return accepted;
    }

    @Override
    public CompletableFuture<IngestionJob> job(CallerContext caller, String jobId) {
        if (!caller.access().permits(Action.READ)) {
            return CompletableFuture.failedFuture(AccessDenied.forbidden(Action.READ));
        }
        return store.findJob(caller.tenant(), jobId).thenApply(found -> found.orElseThrow(() ->
                notFound("The ingestion job '" + jobId + "' does not exist.")));
    }

    /** Ends a run that was interrupted: nothing more is done or saved for it. */
    private static final class Stopped extends RuntimeException {
        Stopped() {
            super("stopped", null, false, false);
        }
    }

    private static boolean stopped(Throwable error) {
        Throwable cause = error;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause instanceof Stopped;
    }

    /**
     * One job's documents, processed one after the other; progress is saved after every step, the saves of
     * one job in order. Once interrupted, a run saves nothing more and stops at its next step.
     */
    private final class Run {
        private final List<DocumentSource> documents;
        private final KnowledgeScope scope;
        private IngestionJob job;
        private boolean stopped;
        private CompletableFuture<Void> saves = CompletableFuture.completedFuture(null);
        /** Completes when the run has ended, by finishing or by noticing it was stopped. */
        private volatile CompletableFuture<Void> done = CompletableFuture.completedFuture(null);

        Run(IngestionJob job, List<DocumentSource> documents) {
            this.job = job;
            this.documents = documents;
            this.scope = new KnowledgeScope(job.tenant(), job.knowledgeBase());
        }

        String id() {
            return job.id();
        }

        CompletableFuture<Void> start() {
            runs.add(this);
            done = update(job.running(clock.instant())).thenCompose(v -> next(0)).exceptionally(e -> {
                if (!stopped(e)) {
                    LOG.log(Level.WARNING, "ingestion job {0} stopped: {1}", job.id(), e.getMessage());
                }
                return null;
            }).whenComplete((v, e) -> runs.remove(this));
            return done;
        }

        private CompletableFuture<Void> next(int i) {
            if (i == documents.size()) {
                return CompletableFuture.completedFuture(null);
            }
            if (isStopped()) {
                return CompletableFuture.failedFuture(new Stopped());
            }
            String documentId = documentId(job.id(), i);
            int[] found = {0};
            int[] indexed = {0};
            DocumentSource source = documents.get(i);
            return read(source)
                    // Chunking is CPU work for seconds on a long document: on the work pool, whatever thread read it.
                    .thenApplyAsync(read -> new Chunked(read, read.text.text().isBlank() ? List.of() : chunker.apply(read.text.text())), work)
                    .thenCompose(chunked -> {
                        ReadDocument read = chunked.read;
                        List<String> chunks = chunked.chunks;
                        if (chunks.isEmpty()) {
                            // Nothing to search would be indexed: the client must hear it, not find an empty document later.
                            throw new UnreadableDocumentException("no text could be read from it (empty, only whitespace or markup, "
                                    + "or a scanned PDF without a text layer)");
                        }
                        found[0] = chunks.size();
                        DocumentMetadata metadata = standardMetadata(read).with(source.metadata());
                        return update(job.chunksFound(chunks.size(), clock.instant()))
                                .thenCompose(v -> indexBatches(documentId, read, metadata, chunks, 0, indexed))
                                .thenCompose(v -> store.saveDocument(new KnowledgeDocument(scope.tenant(), scope.knowledgeBase(), documentId,
                                        read.text.title(), read.source, read.contentType, chunks.size(), clock.instant(), metadata)));
                    })
                    .handle((v, error) -> error)
                    .thenCompose(error -> {
                        if (error == null) {
                            return update(job.documentDone(clock.instant()));
                        }
                        if (stopped(error) || isStopped()) {
                            return CompletableFuture.failedFuture(new Stopped()); // interrupt() cleans up and records it
                        }
                        String reason = "document " + (i + 1) + " (" + label(documents.get(i)) + "): " + messageOf(error);
                        CompletableFuture<Void> cleaned = indexed[0] > 0
                                ? index.deleteDocument(scope, documentId).exceptionally(e -> null)
                                : CompletableFuture.completedFuture(null);
                        return cleaned.thenCompose(v -> update(job.documentFailed(reason, found[0] - indexed[0], clock.instant())));
                    })
                    .thenCompose(v -> next(i + 1));
        }

        private synchronized boolean isStopped() {
            return stopped;
        }

        /** Saves the job's next state after the saves before it; refused once the run was interrupted. */
        private synchronized CompletableFuture<Void> update(IngestionJob next) {
            if (stopped) {
                return CompletableFuture.failedFuture(new Stopped());
            }
            job = next;
            return save(next);
        }

        private CompletableFuture<Void> save(IngestionJob next) {
            saves = saves.handle((v, e) -> null).thenCompose(v -> store.saveJob(next));
            return saves;
        }

        synchronized void touchIfOlderThan(Instant due) {
            if (!stopped && job.updatedAt().isBefore(due)) {
                update(job.touched(clock.instant()));
            }
        }

        /**
         * Stops the run, waits up to {@code wait} for its step under way (an embedding batch, an index write)
         * so that nothing lands in the index after the clean-up, then takes the half-done document out and
         * saves the job as interrupted.
         */
        CompletableFuture<Void> interrupt(String reason, Duration wait) {
            synchronized (this) {
                if (stopped) {
                    return saves.handle((v, e) -> null);
                }
                stopped = true;
            }
            return done.handle((v, e) -> (Void) null).completeOnTimeout(null, wait.toMillis(), TimeUnit.MILLISECONDS).thenCompose(v -> {
                synchronized (this) {
                    String halfDone = documentId(job.id(), job.current());
                    IngestionJob end = job.interrupted(reason, clock.instant());
                    job = end;
                    saves = saves.handle((x, e) -> null)
                            .thenCompose(x -> index.deleteDocument(scope, halfDone).exceptionally(e -> null))
                            .thenCompose(x -> store.deleteDocument(scope.tenant(), scope.knowledgeBase(), halfDone).exceptionally(e -> false))
                            .thenCompose(x -> store.saveJob(end));
                    return saves;
                }
            });
        }

        private CompletableFuture<Void> indexBatches(String documentId, ReadDocument read, DocumentMetadata metadata, List<String> chunks,
                                                     int from, int[] indexed) {
            if (from >= chunks.size()) {
                return CompletableFuture.completedFuture(null);
            }
            List<String> batch = chunks.subList(from, Math.min(chunks.size(), from + EMBEDDING_BATCH));
            List<String> embedded = batch.stream().map(chunk -> embeddings.documentText(read.text.title(), chunk)).toList();
            return embeddings.embedDocuments(embedded).thenCompose(vectors -> {
                List<IndexedChunk> indexedChunks = new ArrayList<>(batch.size());
                for (int k = 0; k < batch.size(); k++) {
                    int position = from + k;
                    indexedChunks.add(new IndexedChunk(documentId + ":" + position, documentId, read.text.title(), read.url,
                            batch.get(k), position, vectors.get(k).space(), vectors.get(k).vector(), metadata));
                }
                return index.upsert(scope, indexedChunks);
            }).thenCompose(v -> {
                indexed[0] += batch.size();
                return update(job.chunksIndexed(batch.size(), clock.instant()));
            }).thenCompose(v -> indexBatches(documentId, read, metadata, chunks, from + EMBEDDING_BATCH, indexed));
        }

        /** What every document carries: its title, where it came from, and when it was ingested. */
        private DocumentMetadata standardMetadata(ReadDocument read) {
            DocumentMetadata metadata = DocumentMetadata.EMPTY.with("ingested_at", new MetadataValue.Date(clock.instant()));
            if (!read.text.title().isEmpty()) {
                metadata = metadata.with("title", MetadataValue.Text.of(cut(read.text.title())));
            }
            if (!read.source.isEmpty()) {
                metadata = metadata.with("source", MetadataValue.Text.of(cut(read.source)));
            }
            return metadata;
        }

    }

    private static String cut(String value) {
        return value.length() <= MetadataValue.MAX_LENGTH ? value : value.substring(0, MetadataValue.MAX_LENGTH);
    }

    private record ReadDocument(DocumentText text, String source, String url, String contentType) {
    }

    private record Chunked(ReadDocument read, List<String> chunks) {
    }

    private CompletableFuture<ReadDocument> read(DocumentSource source) {
        if (source instanceof DocumentSource.Text text) {
            boolean isUrl = text.source().regionMatches(true, 0, "http://", 0, 7) || text.source().regionMatches(true, 0, "https://", 0, 8);
            return CompletableFuture.completedFuture(new ReadDocument(new DocumentText(text.title(), text.text()), text.source(),
                    isUrl ? text.source() : "", "text/plain"));
        }
        if (source instanceof DocumentSource.File file) {
            return extractor.extract(file.content()).thenApply(t -> new ReadDocument(
                    new DocumentText(t.title().isEmpty() ? file.content().filename() : t.title(), t.text()),
                    file.content().filename(), "", file.content().contentType()));
        }
        String url = ((DocumentSource.Url) source).url();
        return fetcher.orElseThrow().fetch(url).thenApply(page -> new ReadDocument(new DocumentText(page.title(), page.text()),
                page.finalUrl(), page.finalUrl(), "text/html"));
    }

    private static String label(DocumentSource source) {
        if (source instanceof DocumentSource.File file) {
            return file.content().filename().isEmpty() ? "file" : file.content().filename();
        }
        if (source instanceof DocumentSource.Url url) {
            return url.url();
        }
        String title = ((DocumentSource.Text) source).title();
        return title.isEmpty() ? "text" : title;
    }

    private static String messageOf(Throwable error) {
        Throwable cause = error;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }
}
