package ai.meridian.application.service;

import ai.meridian.application.port.out.retrieval.EmbedTextPort;
import ai.meridian.application.port.out.retrieval.EmbedTextPort.EmbeddingUse;
import ai.meridian.domain.retrieval.Language;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Which embedding model embeds a text: the Chinese model for text whose letters are at least a tenth Han characters
 * ({@link Language#forEmbedding}: a Chinese passage that is mostly a code listing still goes to the Chinese model),
 * the other model for everything else; one model for both when only one is configured.
 * Each model's vectors live in their own vector space (named by the model), so a chunk is compared only with queries
 * embedded by the same model. Chunks are routed one by one (a mixed knowledge base gets both kinds), queries too.
 */
public final class LanguageEmbeddings {
    private final EmbedTextPort chinese;
    private final EmbedTextPort other;

    public LanguageEmbeddings(EmbedTextPort chinese, EmbedTextPort other) {
        this.chinese = Objects.requireNonNull(chinese, "chinese");
        this.other = Objects.requireNonNull(other, "other");
    }

    /** One model for every language. */
    public static LanguageEmbeddings single(EmbedTextPort model) {
        return new LanguageEmbeddings(model, model);
    }

    public EmbedTextPort modelFor(String text) {
        return Language.forEmbedding(text) == Language.CHINESE ? chinese : other;
    }

    /** The vector spaces chunks are written to now; chunks in any other space are stale. */
    public Set<String> spaces() {
        Set<String> spaces = new LinkedHashSet<>();
        spaces.add(chinese.model());
        spaces.add(other.model());
        return spaces;
    }

    /** The distinct models, Chinese first. */
    public List<EmbedTextPort> models() {
        return chinese == other ? List.of(chinese) : List.of(chinese, other);
    }

    /** The tokens the text costs in the model that will embed it (what chunking must keep within the model's window). */
    public int countTokens(String text) {
        return modelFor(text).countAllTokens(text);
    }

    /**
     * What is embedded for a chunk: its document's title and the chunk's text, so the vector knows what the passage is
     * about; the text alone if the title would push it past the model's input limit (nothing is cut silently).
     */
    public String documentText(String title, String chunk) {
        if (title == null || title.isBlank()) {
            return chunk;
        }
        String combined = title.strip() + "\n" + chunk;
        EmbedTextPort model = modelFor(combined);
        return model.countAllTokens(combined) <= model.maxInputTokens() ? combined : chunk;
    }

    /** The smallest input limit of the models: chunks (with room for a title) must stay within it. */
    public int maxTokens() {
        return models().stream().mapToInt(EmbedTextPort::maxInputTokens).min().orElseThrow();
    }

    /** A vector and the space (model) it belongs to. */
    public record Embedded(String space, float[] vector) {
    }

    /** Each text embedded as a document by its language's model, in order; one call per model. */
    public CompletableFuture<List<Embedded>> embedDocuments(List<String> texts) {
        List<EmbedTextPort> routed = new ArrayList<>(texts.size());
        for (String text : texts) {
            routed.add(modelFor(text));
        }
        Embedded[] result = new Embedded[texts.size()];
        List<CompletableFuture<Void>> calls = new ArrayList<>(2);
        for (EmbedTextPort model : models()) {
            List<Integer> indexes = new ArrayList<>();
            for (int i = 0; i < texts.size(); i++) {
                if (routed.get(i) == model) {
                    indexes.add(i);
                }
            }
            if (indexes.isEmpty()) {
                continue;
            }
            calls.add(model.embed(indexes.stream().map(texts::get).toList(), EmbeddingUse.DOCUMENT).thenAccept(vectors -> {
                for (int k = 0; k < indexes.size(); k++) {
                    result[indexes.get(k)] = new Embedded(model.model(), vectors.get(k));
                }
            }));
        }
        return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).thenApply(v -> List.of(result));
    }

    /** The query embedded, as a query, by its language's model. */
    public CompletableFuture<Embedded> embedQuery(String query) {
        EmbedTextPort model = modelFor(query);
        return model.embed(List.of(query), EmbeddingUse.QUERY).thenApply(vectors -> new Embedded(model.model(), vectors.get(0)));
    }
}
