package ai.meridian.application.service;

import ai.meridian.application.port.out.retrieval.IndexedChunk;
import ai.meridian.application.port.out.retrieval.KnowledgeIndexPort;
import ai.meridian.application.port.out.retrieval.KnowledgeScope;
import ai.meridian.application.port.out.retrieval.StoredChunk;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Brings every chunk into the vector spaces of the models configured now, in the background: after a change of
 * embedding model, chunks whose vector is in another space are read back from the index (their text and metadata
 * are stored with them), embedded again by the model their language calls for, and written over themselves (same
 * chunk id), a batch at a time. Nothing is deleted first, so no document is ever missing: until its turn a stale
 * chunk stays findable by keywords, and it is replaced in one write. Progress is counted for operators and for
 * each knowledge base ({@code stale_chunks}). Several gateways sharing one index may all do this; the writes are
 * idempotent.
 */
public final class Reembedding {
    private static final System.Logger LOG = System.getLogger(Reembedding.class.getName());
    static final int BATCH = 32;

    private final KnowledgeIndexPort index;
    private final LanguageEmbeddings embeddings;
    private final AtomicReference<State> state = new AtomicReference<>(State.IDLE);
    private final AtomicLong total = new AtomicLong();
    private final AtomicLong done = new AtomicLong();
    private volatile String lastError = "";

    public enum State {
        IDLE, RUNNING, DONE, FAILED
    }

    /** Where a run stands: chunks found stale when it started (or later), chunks re-embedded, and the last error. */
    public record Progress(State state, long total, long done, String lastError) {
    }

    public Reembedding(KnowledgeIndexPort index, LanguageEmbeddings embeddings) {
        this.index = index;
        this.embeddings = embeddings;
    }

    public Progress progress() {
        return new Progress(state.get(), total.get(), done.get(), lastError);
    }

    /** How many of a base's chunks still wait for the current models. */
    public CompletableFuture<Long> stale(KnowledgeScope scope) {
        return index.countOutside(scope, embeddings.spaces());
    }

    /** Starts a run unless one is running; completes when no stale chunk is left (or it failed and will retry later). */
    public CompletableFuture<Progress> start() {
        if (!state.compareAndSet(State.IDLE, State.RUNNING) && !state.compareAndSet(State.DONE, State.RUNNING)
                && !state.compareAndSet(State.FAILED, State.RUNNING)) {
            return CompletableFuture.completedFuture(progress());
        }
        done.set(0);
        return index.countOutside(null, embeddings.spaces()).thenCompose(stale -> {
            total.set(stale);
            if (stale > 0) {
                LOG.log(Level.INFO, "re-embedding {0} chunks into {1}", stale, embeddings.spaces());
            }
            return next();
        }).handle((v, error) -> {
            if (error != null) {
                lastError = String.valueOf(KnowledgeRetriever.reason(error));
                state.set(State.FAILED);
                LOG.log(Level.WARNING, "re-embedding stopped after {0} chunks, retrying in a minute: {1}", done.get(), lastError);
                CompletableFuture.runAsync(this::start, CompletableFuture.delayedExecutor(1, TimeUnit.MINUTES));
            } else {
                state.set(State.DONE);
                if (total.get() > 0) {
                    LOG.log(Level.INFO, "re-embedding done: {0} chunks", done.get());
                }
            }
            return progress();
        });
    }

    private CompletableFuture<Void> next() {
        return index.chunksOutside(embeddings.spaces(), BATCH).thenCompose(batch -> {
            if (batch.isEmpty()) {
                return CompletableFuture.completedFuture(null);
            }
            List<String> texts = batch.stream().map(s -> embeddings.documentText(s.chunk().title(), s.chunk().text())).toList();
            return embeddings.embedDocuments(texts).thenCompose(vectors -> {
                Map<KnowledgeScope, List<IndexedChunk>> byScope = new LinkedHashMap<>();
                for (int i = 0; i < batch.size(); i++) {
                    StoredChunk stale = batch.get(i);
                    byScope.computeIfAbsent(stale.scope(), s -> new ArrayList<>())
                            .add(stale.chunk().withVector(vectors.get(i).space(), vectors.get(i).vector()));
                }
                List<CompletableFuture<Void>> writes = new ArrayList<>();
                byScope.forEach((scope, chunks) -> writes.add(index.upsert(scope, chunks)));
                return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new));
            }).thenCompose(v -> {
                long n = done.addAndGet(batch.size());
                total.accumulateAndGet(n, Math::max);
                return next();
            });
        });
    }

    /** Waits a moment before the first run, so start-up is not slowed by it. */
    public void startSoon(Duration delay) {
        CompletableFuture.runAsync(this::start, CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS));
    }
}
