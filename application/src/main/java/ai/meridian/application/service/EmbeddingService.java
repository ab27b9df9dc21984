package ai.meridian.application.service;

import ai.meridian.application.port.in.EmbedTextsUseCase;
import ai.meridian.application.port.out.retrieval.EmbedTextPort;
import ai.meridian.application.port.out.retrieval.EmbedTextPort.EmbeddingUse;
import ai.meridian.application.port.out.retrieval.RetrievalUnavailableException;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.tenancy.RateLimitStatus;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Serves {@code /v1/embeddings} from the local embedding model. Inputs are embedded as documents (no query
 * instruction): OpenAI's API has no notion of query versus passage, and clients that index and search with
 * the same call get vectors that compare consistently. Texts longer than the model's input are truncated by
 * the model, as sentence-transformers does, and usage counts the tokens actually embedded.
 *
 * <p>With {@link Metering}, a key's limits apply as to chat: admitted before anything is embedded (the prompt tokens
 * estimated from the inputs' length, since the model's own count is CPU work kept off the caller's thread), then
 * charged with the model's own count and written to the usage ledger (backend {@value #LEDGER_BACKEND}).
 */
public final class EmbeddingService implements EmbedTextsUseCase {
    /** OpenAI's own limit on inputs per request. */
    public static final int MAX_INPUTS = 2048;
    /** A bound on one input's size before tokenisation, so a huge string cannot tie up a tokenizer thread. */
    public static final int MAX_INPUT_CHARS = 100_000;

    /** What the usage ledger names as the backend of {@code /v1/embeddings} requests: the gateway's own models. */
    public static final String LEDGER_BACKEND = "embeddings";

    private final List<EmbedTextPort> models;
    private final Metering metering;

    public EmbeddingService(EmbedTextPort embedder) {
        this(List.of(embedder));
    }

    /** Serves each of the models by its name; the first is the one {@link #model()} names. Not metered. */
    public EmbeddingService(List<EmbedTextPort> models) {
        this(models, null);
    }

    /** Serves each of the models, applying each key's limits and recording usage through {@code metering} (if not null). */
    public EmbeddingService(List<EmbedTextPort> models, Metering metering) {
        if (models.isEmpty()) {
            throw new IllegalArgumentException("at least one embedding model");
        }
        this.models = List.copyOf(models);
        this.metering = metering;
    }

    @Override
    public String model() {
        return models.get(0).model();
    }

    @Override
    public CompletableFuture<EmbeddedTexts> embed(EmbedTextsCommand command) {
        if (!command.caller().access().permits(ai.meridian.domain.tenancy.Action.USE_MODELS)) {
            throw AccessDenied.forbidden(ai.meridian.domain.tenancy.Action.USE_MODELS);
        }
        if (!command.caller().access().mayUseModel(command.model(), command.model())) {
            throw AccessDenied.forbidden("This key may not use the model '" + command.model() + "'.", "model", "model_not_allowed");
        }
        EmbedTextPort embedder = models.stream().filter(m -> m.model().equals(command.model())).findFirst().orElseThrow(() ->
                new GatewayException(new GatewayError(ErrorKind.MODEL_NOT_FOUND, "The model '" + command.model()
                        + "' does not exist or is not an embedding model. This gateway embeds with "
                        + models.stream().map(m -> "'" + m.model() + "'").collect(java.util.stream.Collectors.joining(" or ")) + ".",
                        "model", null, null)));
        if (command.dimensions() != null && command.dimensions() != embedder.dimensions()) {
            throw GatewayException.invalid("dimensions", "The model '" + embedder.model() + "' only produces " + embedder.dimensions()
                    + "-dimensional embeddings; 'dimensions' must be " + embedder.dimensions() + " or left out.");
        }
        List<String> inputs = command.inputs();
        if (inputs.isEmpty()) {
            throw GatewayException.invalid("input", "'input' must not be empty.");
        }
        if (inputs.size() > MAX_INPUTS) {
            throw GatewayException.invalid("input", "'input' has " + inputs.size() + " items; at most " + MAX_INPUTS + " are allowed.");
        }
        for (int i = 0; i < inputs.size(); i++) {
            String input = inputs.get(i);
            String param = inputs.size() == 1 ? "input" : "input[" + i + "]";
            if (input.isEmpty()) {
                throw GatewayException.invalid(param, "'" + param + "' must not be an empty string.");
            }
            if (input.length() > MAX_INPUT_CHARS) {
                throw GatewayException.invalid(param, "'" + param + "' is longer than " + MAX_INPUT_CHARS + " characters.");
            }
        }
        CompletableFuture<RateLimitStatus> admitted = metering == null ? CompletableFuture.completedFuture(RateLimitStatus.NONE)
                : metering.admit(command.caller(), command.caller().access().limits().countsTokens() ? estimate(embedder, inputs) : 0);
        return admitted.thenCompose(status -> embedder.embed(inputs, EmbeddingUse.DOCUMENT)
                // Runs on the embedding thread that completed the vectors: tokenising for usage stays off callers' threads.
                .thenApply(vectors -> {
                    int tokens = inputs.stream().mapToInt(embedder::countTokens).sum();
                    if (metering != null) {
                        metering.record(command.caller(), embedder.model(), LEDGER_BACKEND, new TokenUsage(tokens, 0));
                    }
                    return new EmbeddedTexts(embedder.model(), vectors, tokens, status);
                }))
                .exceptionally(e -> {
                    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                    if (cause instanceof RetrievalUnavailableException) {
                        throw new GatewayException(new GatewayError(ErrorKind.UNAVAILABLE,
                                "The embedding model is busy; retry shortly.", null, null, Duration.ofSeconds(1)), cause);
                    }
                    throw cause instanceof RuntimeException runtime ? runtime : new CompletionException(cause);
                });
    }

    /**
     * The tokens the inputs will cost, estimated without the tokenizer: a Han character is about a token, other text
     * about four characters a token, and the model reads at most its window of each input.
     */
    static long estimate(EmbedTextPort model, List<String> inputs) {
        long total = 0;
        for (String input : inputs) {
            long han = 0;
            for (int i = 0; i < input.length(); i++) {
                if (Character.UnicodeScript.of(input.charAt(i)) == Character.UnicodeScript.HAN) {
                    han++;
                }
            }
            total += Math.min(model.maxInputTokens(), 2 + han + (input.length() - han + 3) / 4);
        }
        return total;
    }
}
