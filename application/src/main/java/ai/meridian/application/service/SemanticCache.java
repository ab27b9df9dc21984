package ai.meridian.application.service;

import ai.meridian.application.port.out.retrieval.ChunkQuery;
import ai.meridian.application.port.out.retrieval.IndexedChunk;
import ai.meridian.application.port.out.retrieval.KnowledgeIndexPort;
import ai.meridian.application.port.out.retrieval.KnowledgeScope;
import ai.meridian.application.port.out.retrieval.ScoredChunk;
import ai.meridian.domain.cache.PromptGuard;
import java.lang.System.Logger.Level;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The semantic cache: prompts whose answers are cached, embedded (by their language's model) and kept in a vector
 * index of their own, one partition per tenant, model, route, parameters, tools, grounding and earlier messages (see
 * {@link CacheKeys#partition}). A new prompt is served an earlier prompt's answer when their cosine similarity is at
 * least the model's threshold and {@link PromptGuard} finds nothing that sets them apart (numbers, negation, names),
 * which embeddings are known to blur. The index only points at exact-cache keys: the answer itself, its freshness and
 * its generations are the exact cache's, so a purge or a knowledge-base change reaches semantic hits too; pointers
 * whose entry is gone are removed when found.
 *
 * <p>The index is a {@link KnowledgeIndexPort} (Lucene embedded, or Qdrant shared by every replica) of its own, apart
 * from the knowledge bases: a partition is a "knowledge base" of the tenant, a prompt is a one-chunk document.
 */
public final class SemanticCache {
    private static final System.Logger LOG = System.getLogger(SemanticCache.class.getName());
    /** Candidates looked at per lookup: the nearest few, in case the nearest is stale or set apart by the guard. */
    static final int CANDIDATES = 4;

    private final KnowledgeIndexPort index;
    private final LanguageEmbeddings embeddings;

    public SemanticCache(KnowledgeIndexPort index, LanguageEmbeddings embeddings) {
        this.index = Objects.requireNonNull(index, "index");
        this.embeddings = Objects.requireNonNull(embeddings, "embeddings");
    }

    /** A prompt placed in the index's space: what a lookup found is looked for with, and what a new answer is kept under. */
    public record Probe(String tenant, String partition, String prompt, String space, float[] vector) {
        KnowledgeScope scope() {
            return new KnowledgeScope(tenant, partition);
        }
    }

    /** An earlier prompt close enough: the exact key its answer is under, and how similar it is. */
    public record Match(String key, String prompt, double similarity) {
    }

    /** The prompt embedded, and the earlier prompts of its partition at or above {@code threshold}, most similar first. */
    public CompletableFuture<Found> find(String tenant, String partition, String prompt, double threshold) {
        return embeddings.embedQuery(prompt).thenCompose(embedded -> {
            Probe probe = new Probe(tenant, "sc-" + partition.substring(0, 40), prompt, embedded.space(), embedded.vector());
            ChunkQuery query = ChunkQuery.nearest(tenant, List.of(probe.partition()), embedded.space(), embedded.vector(), CANDIDATES);
            return index.search(query).thenApply(found -> new Found(probe, found.stream()
                    .filter(c -> c.vectorRank() > 0 && c.similarity() >= threshold)
                    .filter(c -> PromptGuard.compatible(prompt, c.hit().text()))
                    .sorted(Comparator.comparingDouble(ScoredChunk::similarity).reversed())
                    .map(c -> new Match(c.hit().documentId(), c.hit().text(), c.similarity()))
                    .toList()));
        });
    }

    /** What a lookup found: the probe (to remember a new answer under) and the matches. */
    public record Found(Probe probe, List<Match> matches) {
    }

    /** Remembers that the answer to the probe's prompt is cached under {@code key} (in the background). */
    public void remember(Probe probe, String key) {
        IndexedChunk chunk = new IndexedChunk(key, key, "", "", probe.prompt(), 0, probe.space(), probe.vector(), null);
        index.upsert(probe.scope(), List.of(chunk)).whenComplete((ok, error) -> {
            if (error != null) {
                LOG.log(Level.DEBUG, "semantic cache: could not index a prompt: {0}", error.getMessage());
            }
        });
    }

    /** Forgets a pointer whose answer is gone. */
    public void forget(Probe probe, String key) {
        index.deleteDocument(probe.scope(), key).exceptionally(e -> null);
    }
}
