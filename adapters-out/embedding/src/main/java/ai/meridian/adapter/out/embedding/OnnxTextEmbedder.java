package ai.meridian.adapter.out.embedding;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import ai.meridian.application.port.out.retrieval.EmbedTextPort;
import ai.meridian.application.port.out.retrieval.RetrievalUnavailableException;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Embeds texts in-process with a bundled ONNX model. Texts are tokenised with the model's own tokenizer
 * (truncated to its input limit), grouped into batches of similar length (less padding), each batch one ONNX
 * run on the adapter's bounded executor; vectors are pooled as the model was trained and L2-normalised.
 * When the queue is full the future fails with {@link RetrievalUnavailableException}, so a flood of requests
 * degrades retrieval instead of piling up.
 */
public final class OnnxTextEmbedder implements EmbedTextPort, AutoCloseable {
    private static final String SOURCE = "embeddings";

    private final BundledModel model;
    private final int maxBatchSize;
    private final OrtEnvironment environment;
    private final OrtSession session;
    private final boolean wantsTokenTypes;
    private final HuggingFaceTokenizer tokenizer;
    /** The same vocabulary without truncation: counts what a text really costs, for cutting chunks to fit. */
    private final HuggingFaceTokenizer counter;
    private final EmbeddingLanes lanes;
    private final int queueCapacity;
    /**
     * Held (shared) by every use of the native tokenizers outside the lanes, taken exclusively by
     * {@link #close()}: the tokenizers are released only after their last user stopped, never under one.
     */
    private final ReentrantReadWriteLock nativeUse = new ReentrantReadWriteLock();
    private boolean released;
    /** Set first by {@link #close()}: no new use starts, so the exclusive lock is not starved by a stream of them. */
    private volatile boolean closing;

    public OnnxTextEmbedder(OnnxEmbeddingSettings settings) {
        this.model = BundledModel.named(settings.model());
        this.maxBatchSize = settings.maxBatchSize();
        try {
            this.environment = OrtEnvironment.getEnvironment();
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            options.setIntraOpNumThreads(settings.intraOpThreads());
            options.setInterOpNumThreads(1);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            // The runtime's arena keeps the largest working memory a run ever needed; MAX_RUN_TOKENS bounds that.
            // (Without the arena memory went back after each run, but long inputs embedded 2.7 times slower.)
            this.session = environment.createSession(resource(model.modelResource()), options);
            this.wantsTokenTypes = session.getInputNames().contains("token_type_ids");
            Map<String, String> tokenizerOptions = new HashMap<>();
            tokenizerOptions.put("padding", "false");
            tokenizerOptions.put("truncation", "true");
            tokenizerOptions.put("maxLength", String.valueOf(model.maxTokens()));
            try (InputStream json = stream(model.tokenizerResource())) {
                this.tokenizer = HuggingFaceTokenizer.newInstance(json, tokenizerOptions);
            }
            Map<String, String> countingOptions = new HashMap<>();
            countingOptions.put("padding", "false");
            countingOptions.put("truncation", "false");
            try (InputStream json = stream(model.tokenizerResource())) {
                this.counter = HuggingFaceTokenizer.newInstance(json, countingOptions);
            }
        } catch (OrtException e) {
            throw new IllegalStateException("cannot load embedding model " + model.id() + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the tokenizer of " + model.id(), e);
        }
        this.queueCapacity = settings.queueCapacity();
        this.lanes = new EmbeddingLanes(settings.threads(), settings.queueCapacity(), "meridian-embedding");
    }

    /** The default: bge-small-zh-v1.5 with {@link OnnxEmbeddingSettings#defaults()}. */
    public static OnnxTextEmbedder withDefaults() {
        return new OnnxTextEmbedder(OnnxEmbeddingSettings.defaults());
    }

    @Override
    public String model() {
        return model.id();
    }

    @Override
    public int dimensions() {
        return model.dimensions();
    }

    @Override
    public int countTokens(String text) {
        return whileOpen(() -> tokenizer.encode(text).getIds().length);
    }

    /** Runs a use of the native tokenizers unless they are being or have been released. */
    private int whileOpen(java.util.function.IntSupplier use) {
        if (closing || !nativeUse.readLock().tryLock()) {
            throw new RetrievalUnavailableException(SOURCE, "the embedding model is shutting down");
        }
        try {
            if (released) {
                throw new RetrievalUnavailableException(SOURCE, "the embedding model is shut down");
            }
            return use.getAsInt();
        } finally {
            nativeUse.readLock().unlock();
        }
    }

    @Override
    public int maxInputTokens() {
        return model.maxTokens();
    }

    @Override
    public int countAllTokens(String text) {
        // Straight to the native encoding and its ids: Encoding would also copy out tokens as strings, offsets
        // and masks, which made counting (what chunking does most) several times slower.
        return whileOpen(() -> {
            long encoding = TokenizersLibrary.LIB.encode(counter.getHandle(), text, true);
            try {
                return TokenizersLibrary.LIB.getTokenIds(encoding).length;
            } finally {
                TokenizersLibrary.LIB.deleteEncoding(encoding);
            }
        });
    }

    @Override
    public CompletableFuture<List<float[]>> embed(List<String> texts, EmbeddingUse use) {
        if (texts.isEmpty()) {
            return CompletableFuture.completedFuture(List.of());
        }
        List<String> inputs = new ArrayList<>(texts.size());
        for (String text : texts) {
            inputs.add(use == EmbeddingUse.QUERY ? model.queryInstruction() + text : text);
        }
        // Similar lengths together: a batch is padded to its longest text.
        Integer[] order = new Integer[inputs.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Integer.compare(inputs.get(a).length(), inputs.get(b).length()));
        float[][] vectors = new float[inputs.size()][];
        List<CompletableFuture<Void>> batches = new ArrayList<>();
        for (int from = 0; from < order.length; from += maxBatchSize) {
            int[] indexes = new int[Math.min(maxBatchSize, order.length - from)];
            for (int k = 0; k < indexes.length; k++) {
                indexes[k] = order[from + k];
            }
            CompletableFuture<Void> batch = new CompletableFuture<>();
            EmbeddingLanes.Run run = new EmbeddingLanes.Run() {
                @Override
                public void run() {
                    try {
                        List<String> batchTexts = new ArrayList<>(indexes.length);
                        for (int index : indexes) {
                            batchTexts.add(inputs.get(index));
                        }
                        float[][] embedded = embedBatch(batchTexts);
                        for (int k = 0; k < indexes.length; k++) {
                            vectors[indexes[k]] = embedded[k];
                        }
                        batch.complete(null);
                    } catch (OrtException | RuntimeException e) {
                        batch.completeExceptionally(new RetrievalUnavailableException(SOURCE, "embedding failed: " + e.getMessage(), e));
                    }
                }

                @Override
                public void abandon() {
                    batch.completeExceptionally(new RetrievalUnavailableException(SOURCE, "the embedding model is shutting down"));
                }
            };
            try {
                lanes.submit(run, use == EmbeddingUse.QUERY);
            } catch (RejectedExecutionException e) {
                batch.completeExceptionally(new RetrievalUnavailableException(SOURCE, e.getMessage()));
            }
            batches.add(batch);
        }
        return CompletableFuture.allOf(batches.toArray(CompletableFuture[]::new)).thenApply(done -> List.of(vectors));
    }

    /**
     * Tokens one ONNX run may hold (texts × padded length). A run's working memory grows with the batch and
     * with the square of the length (attention), and the runtime keeps what it once needed: 32 texts of 512
     * tokens took over a gigabyte. Long texts therefore run in smaller groups (8 of 512 tokens, 32 of 128):
     * measured on 128 texts of 512 tokens, peak resident memory 0.72 GB instead of 2.1 GB, as fast or faster.
     */
    static final int MAX_RUN_TOKENS = 4096;

    private float[][] embedBatch(List<String> texts) throws OrtException {
        Encoding[] encodings = tokenizer.batchEncode(texts);
        float[][] pooled = new float[encodings.length][];
        int from = 0;
        while (from < encodings.length) {
            int to = from;
            int length = 1;
            // Texts come sorted by length, so a group's padding stays small.
            while (to < encodings.length) {
                int longer = Math.max(length, encodings[to].getIds().length);
                if (to > from && (long) (to - from + 1) * longer > MAX_RUN_TOKENS) {
                    break;
                }
                length = longer;
                to++;
            }
            run(encodings, from, to, length, pooled);
            from = to;
        }
        return pooled;
    }

    private void run(Encoding[] encodings, int from, int to, int length, float[][] pooled) throws OrtException {
        int count = to - from;
        long[][] ids = new long[count][length];
        long[][] mask = new long[count][length];
        long[][] types = new long[count][length];
        for (int b = 0; b < count; b++) {
            long[] tokenIds = encodings[from + b].getIds();
            System.arraycopy(tokenIds, 0, ids[b], 0, tokenIds.length);
            Arrays.fill(mask[b], 0, tokenIds.length, 1L);
        }
        Map<String, OnnxTensor> feed = new HashMap<>();
        try {
            feed.put("input_ids", OnnxTensor.createTensor(environment, ids));
            feed.put("attention_mask", OnnxTensor.createTensor(environment, mask));
            if (wantsTokenTypes) {
                feed.put("token_type_ids", OnnxTensor.createTensor(environment, types));
            }
            try (OrtSession.Result result = session.run(feed)) {
                OnnxTensor hidden = (OnnxTensor) result.get(0);
                long[] shape = hidden.getInfo().getShape();
                int width = (int) shape[2];
                FloatBuffer values = hidden.getFloatBuffer();
                for (int b = 0; b < count; b++) {
                    pooled[from + b] = normalise(pool(values, b, length, width, encodings[from + b].getIds().length));
                }
            }
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
    }

    private float[] pool(FloatBuffer hidden, int batchIndex, int length, int width, int tokens) {
        float[] vector = new float[width];
        int base = batchIndex * length * width;
        if (model.pooling() == BundledModel.Pooling.CLS) {
            hidden.get(base, vector);
            return vector;
        }
        for (int t = 0; t < tokens; t++) {
            int offset = base + t * width;
            for (int d = 0; d < width; d++) {
                vector[d] += hidden.get(offset + d);
            }
        }
        for (int d = 0; d < width; d++) {
            vector[d] /= tokens;
        }
        return vector;
    }

    static float[] normalise(float[] vector) {
        double sum = 0;
        for (float v : vector) {
            sum += (double) v * v;
        }
        double norm = Math.sqrt(sum);
        if (norm > 0) {
            for (int i = 0; i < vector.length; i++) {
                vector[i] = (float) (vector[i] / norm);
            }
        }
        return vector;
    }

    private static InputStream stream(String name) {
        InputStream in = OnnxTextEmbedder.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new IllegalStateException("the embedding model resource " + name + " is not on the classpath");
        }
        return in;
    }

    private static byte[] resource(String name) {
        try (InputStream in = stream(name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name, e);
        }
    }

    /** Waiting runs, running runs and threads: how busy the model is, for readiness. */
    public int[] load() {
        return lanes.load();
    }

    /** How many runs may wait before new ones are refused. */
    public int queueCapacity() {
        return queueCapacity;
    }

    /**
     * Stops taking work, lets the runs under way finish (up to 30 s), waits for every other user of the
     * tokenizers, and only then releases the native model and tokenizers: releasing them under a running
     * call crashed the JVM. If a run does not finish in time they are left to the process's exit instead.
     */
    @Override
    public void close() {
        closing = true;
        if (!lanes.close(30, TimeUnit.SECONDS)) {
            System.getLogger(OnnxTextEmbedder.class.getName()).log(System.Logger.Level.WARNING,
                    "embedding runs still under way after 30 s; the native model is left to the process's exit");
            return;
        }
        nativeUse.writeLock().lock();
        try {
            if (released) {
                return;
            }
            released = true;
            try {
                session.close();
            } catch (OrtException e) {
                // The session is being discarded; nothing more to release.
            }
            tokenizer.close();
            counter.close();
        } finally {
            nativeUse.writeLock().unlock();
        }
    }
}
