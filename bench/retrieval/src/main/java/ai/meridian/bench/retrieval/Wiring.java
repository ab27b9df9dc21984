package ai.meridian.bench.retrieval;

import ai.meridian.adapter.out.embedding.BundledModel;
import ai.meridian.adapter.out.embedding.OnnxEmbeddingSettings;
import ai.meridian.adapter.out.embedding.OnnxTextEmbedder;
import ai.meridian.application.port.in.IngestDocumentsUseCase.DocumentSource;
import ai.meridian.application.port.out.KnowledgeBaseStore;
import ai.meridian.application.port.out.UnreadableDocumentException;
import ai.meridian.application.port.out.retrieval.KnowledgeIndexPort;
import ai.meridian.application.service.Chunking;
import ai.meridian.application.service.KnowledgeBaseService;
import ai.meridian.application.service.KnowledgeRetriever;
import ai.meridian.application.service.LanguageEmbeddings;
import ai.meridian.application.service.RetrievalSettings;
import ai.meridian.domain.knowledge.DocumentMetadata;
import ai.meridian.domain.knowledge.IngestionJob;
import ai.meridian.domain.knowledge.JobStatus;
import ai.meridian.domain.knowledge.MetadataValue;
import ai.meridian.domain.retrieval.ChunkingPolicy;
import ai.meridian.domain.retrieval.RelevanceModel;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Shared plumbing of the tools: options, and the gateway's own services wired as bootstrap wires them. */
final class Wiring {
    static final String TENANT = "bench";
    /** The evaluation acts as the operator of its tenant. */
    static final ai.meridian.application.port.in.CallerContext CALLER = new ai.meridian.application.port.in.CallerContext("bench", TENANT, "bench", null, 0);
    static final String BASE = "kb";
    /** The metadata key under which each ingested document keeps its BEIR id. */
    static final String BEIR_ID = "beir_id";

    private Wiring() {
    }

    static String option(Map<String, String> options, String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    static Map<String, String> options(String[] args, int from) {
        Map<String, String> options = new java.util.HashMap<>();
        for (int i = from; i < args.length; i++) {
            if (args[i].startsWith("--") && i + 1 < args.length && !args[i + 1].startsWith("--")) {
                options.put(args[i].substring(2), args[++i]);
            } else if (args[i].startsWith("--")) {
                options.put(args[i].substring(2), "true");
            }
        }
        return options;
    }

    /** The embedding models, closed together. */
    record Models(LanguageEmbeddings embeddings, List<OnnxTextEmbedder> embedders) implements AutoCloseable {
        @Override
        public void close() {
            embedders.forEach(OnnxTextEmbedder::close);
        }
    }

    /**
     * {@code auto} (the gateway's default): bge-small-zh-v1.5 for Chinese text, bge-small-en-v1.5 for the rest;
     * or one bundled model for everything.
     */
    static Models models(String choice) {
        if (choice.equals("auto")) {
            OnnxTextEmbedder zh = new OnnxTextEmbedder(OnnxEmbeddingSettings.defaults().withModel(BundledModel.BGE_SMALL_ZH_V15.id()));
            OnnxTextEmbedder en = new OnnxTextEmbedder(OnnxEmbeddingSettings.defaults().withModel(BundledModel.BGE_SMALL_EN_V15.id()));
            return new Models(new LanguageEmbeddings(zh, en), List.of(zh, en));
        }
        OnnxTextEmbedder one = new OnnxTextEmbedder(OnnxEmbeddingSettings.defaults().withModel(choice));
        return new Models(LanguageEmbeddings.single(one), List.of(one));
    }

    /** The gateway's hybrid search with its defaults, and a generous timeout (a tool on a busy box is not a gateway). */
    static KnowledgeRetriever retriever(KnowledgeBaseStore store, KnowledgeIndexPort index, LanguageEmbeddings embeddings,
                                        RelevanceModel relevance, Duration timeout) {
        return new KnowledgeRetriever(store, index, embeddings, relevance, RetrievalSettings.DEFAULTS.withKnowledgeTimeout(timeout));
    }

    /** Chunking runs here, as on the gateway's own ingestion pool (two threads: the tools ingest two jobs at a time). */
    private static final java.util.concurrent.ExecutorService WORK = java.util.concurrent.Executors.newFixedThreadPool(2, r -> {
        Thread thread = new Thread(r, "bench-ingest");
        thread.setDaemon(true);
        return thread;
    });

    /** The gateway's ingestion: its chunking (the default policy), title embedded with each chunk, one job per 100 documents. */
    static KnowledgeBaseService ingestion(KnowledgeBaseStore store, KnowledgeIndexPort index, LanguageEmbeddings embeddings,
                                          ChunkingPolicy policy) {
        return new KnowledgeBaseService(store, index, embeddings,
                content -> CompletableFuture.failedFuture(new UnreadableDocumentException("the tools ingest text only")),
                Optional.empty(), Chunking.chunker(policy, embeddings), Clock.systemUTC(), WORK,
                new KnowledgeBaseService.IngestionLimits(64, java.time.Duration.ofSeconds(5)));
    }

    /** Ingests the documents through the gateway's ingestion jobs (100 documents each, two at a time); fails on any failed document. */
    static void ingest(KnowledgeBaseService service, List<BeirSet.Document> documents) throws Exception {
        service.create(CALLER, BASE, "evaluation").exceptionally(e -> null).get(1, TimeUnit.MINUTES);
        List<String> running = new ArrayList<>();
        int next = 0;
        while (next < documents.size() || !running.isEmpty()) {
            while (running.size() < 2 && next < documents.size()) {
                List<DocumentSource> batch = new ArrayList<>();
                for (BeirSet.Document d : documents.subList(next, Math.min(documents.size(), next + 100))) {
                    batch.add(new DocumentSource.Text(d.title(), d.text(), "", DocumentMetadata.EMPTY.with(BEIR_ID, MetadataValue.Text.of(d.id()))));
                }
                next += batch.size();
                running.add(service.ingest(CALLER, BASE, batch).get(1, TimeUnit.MINUTES).id());
            }
            Thread.sleep(200);
            for (String id : List.copyOf(running)) {
                IngestionJob job = service.job(CALLER, id).get(1, TimeUnit.MINUTES);
                if (job.status() != JobStatus.QUEUED && job.status() != JobStatus.RUNNING) {
                    if (!job.errors().isEmpty()) {
                        System.out.println("ingestion errors: " + job.errors());
                    }
                    running.remove(id);
                }
            }
        }
    }

    /** The BEIR id a hit's document was ingested with. */
    static String beirId(DocumentMetadata metadata) {
        MetadataValue value = metadata.get(BEIR_ID);
        return value instanceof MetadataValue.Text t && !t.values().isEmpty() ? t.values().get(0) : "?";
    }
}
