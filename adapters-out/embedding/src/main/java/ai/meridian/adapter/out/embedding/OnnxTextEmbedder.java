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
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

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
    private final ThreadPoolExecutor executor;

    public OnnxTextEmbedder(OnnxEmbeddingSettings settings) {
        this.model = BundledModel.named(settings.model());
        this.maxBatchSize = settings.maxBatchSize();
        try {
            this.environment = OrtEnvironment.getEnvironment();
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            options.setIntraOpNumThreads(settings.intraOpThreads());
            options.setInterOpNumThreads(1);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
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
        AtomicInteger counter = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(settings.threads(), settings.threads(), 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(settings.queueCapacity()), r -> {
                    Thread thread = new Thread(r, "meridian-embedding-" + counter.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                }, new ThreadPoolExecutor.AbortPolicy());
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
        return tokenizer.encode(text).getIds().length;
    }

    @Override
    public int maxInputTokens() {
        return model.maxTokens();
    }

    @Override
    public int countAllTokens(String text) {
        // Straight to the native encoding and its ids: Encoding would also copy out tokens as strings, offsets
        // and masks, which made counting (what chunking does most) several times slower.
        long encoding = TokenizersLibrary.LIB.encode(counter.getHandle(), text, true);
        try {
            return TokenizersLibrary.LIB.getTokenIds(encoding).length;
        } finally {
            TokenizersLibrary.LIB.deleteEncoding(encoding);
        }
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
            try {
                executor.execute(() -> {
                    try {
                        List<String> batchTexts = new ArrayList<>(indexes.length);
                        for (int index : indexes) {
                            batchTexts.add(inputs.get(index));
                        }
                        float[][] embedded = run(batchTexts);
                        for (int k = 0; k < indexes.length; k++) {
                            vectors[indexes[k]] = embedded[k];
                        }
                        batch.complete(null);
                    } catch (OrtException | RuntimeException e) {
                        batch.completeExceptionally(new RetrievalUnavailableException(SOURCE, "embedding failed: " + e.getMessage(), e));
                    }
                });
            } catch (RejectedExecutionException e) {
                batch.completeExceptionally(new RetrievalUnavailableException(SOURCE, "the embedding queue is full"));
            }
            batches.add(batch);
        }
        return CompletableFuture.allOf(batches.toArray(CompletableFuture[]::new)).thenApply(done -> List.of(vectors));
    }

    private float[][] run(List<String> texts) throws OrtException {
        Encoding[] encodings = tokenizer.batchEncode(texts);
        int length = 1;
        for (Encoding encoding : encodings) {
            length = Math.max(length, encoding.getIds().length);
        }
        long[][] ids = new long[encodings.length][length];
        long[][] mask = new long[encodings.length][length];
        long[][] types = new long[encodings.length][length];
        for (int b = 0; b < encodings.length; b++) {
            long[] tokenIds = encodings[b].getIds();
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
                float[][] pooled = new float[encodings.length][];
                for (int b = 0; b < encodings.length; b++) {
                    pooled[b] = normalise(pool(values, b, length, width, encodings[b].getIds().length));
                }
                return pooled;
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

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
            session.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (OrtException e) {
            // The session is being discarded; nothing more to release.
        }
        tokenizer.close();
        counter.close();
    }
}
