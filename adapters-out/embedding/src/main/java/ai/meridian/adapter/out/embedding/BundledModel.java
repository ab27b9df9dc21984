package ai.meridian.adapter.out.embedding;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The embedding models that ship inside the jar, and how each is run. */
public enum BundledModel {
    /**
     * BAAI's bge-small-zh-v1.5 (int8): Chinese first, workable English, 512 dimensions, CLS pooling. For
     * short-query-to-passage retrieval BAAI recommends prefixing queries (not passages) with an instruction.
     */
    BGE_SMALL_ZH_V15("bge-small-zh-v1.5", "bge-small-zh-v1.5-q.onnx", "bge-small-zh-v1.5-q-tokenizer.json", 512, Pooling.CLS,
            "为这个句子生成表示以用于检索相关文章：", 512),
    /**
     * BAAI's bge-small-en-v1.5 (int8): English, 384 dimensions, CLS pooling, 512 tokens; queries are prefixed with
     * BAAI's English instruction, as for the Chinese model.
     */
    BGE_SMALL_EN_V15("bge-small-en-v1.5", "bge-small-en-v1.5-q.onnx", "bge-small-en-v1.5-q-tokenizer.json", 384, Pooling.CLS,
            "Represent this sentence for searching relevant passages: ", 512),
    /** sentence-transformers' all-MiniLM-L6-v2 (int8): English, 384 dimensions, mean pooling, trained on 256 tokens. */
    ALL_MINILM_L6_V2("all-minilm-l6-v2", "all-minilm-l6-v2-q.onnx", "all-minilm-l6-v2-q-tokenizer.json", 384, Pooling.MEAN, "", 256);

    private final String id;
    private final String modelResource;
    private final String tokenizerResource;
    private final int dimensions;
    private final Pooling pooling;
    private final String queryInstruction;
    private final int maxTokens;

    BundledModel(String id, String modelResource, String tokenizerResource, int dimensions, Pooling pooling, String queryInstruction,
                 int maxTokens) {
        this.id = id;
        this.modelResource = modelResource;
        this.tokenizerResource = tokenizerResource;
        this.dimensions = dimensions;
        this.pooling = pooling;
        this.queryInstruction = queryInstruction;
        this.maxTokens = maxTokens;
    }

    /** The model's name in configuration and in {@code /v1/embeddings}. */
    public String id() {
        return id;
    }

    public int dimensions() {
        return dimensions;
    }

    String modelResource() {
        return modelResource;
    }

    String tokenizerResource() {
        return tokenizerResource;
    }

    Pooling pooling() {
        return pooling;
    }

    String queryInstruction() {
        return queryInstruction;
    }

    /** The most tokens the model reads; longer texts are cut (chunking keeps chunks below it). */
    public int maxTokens() {
        return maxTokens;
    }

    /** By id, case-insensitively, also without the dot ({@code bge-small-zh-v15}). */
    public static BundledModel named(String name) {
        String wanted = name == null ? "" : name.strip().toLowerCase(Locale.ROOT);
        for (BundledModel model : values()) {
            if (model.id.equals(wanted) || model.id.replace(".", "").equals(wanted)) {
                return model;
            }
        }
        throw new IllegalArgumentException("meridian.embedding.model '" + name + "' is not a bundled model; choose one of "
                + Arrays.stream(values()).map(BundledModel::id).collect(Collectors.joining(", ")));
    }

    enum Pooling {
        /** The first token's hidden state ([CLS]), as BGE models are trained. */
        CLS,
        /** The average of the real (unpadded) tokens' hidden states, as sentence-transformers models are trained. */
        MEAN
    }
}
