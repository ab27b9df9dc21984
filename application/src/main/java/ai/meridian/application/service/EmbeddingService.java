package ai.meridian.application.service;

import ai.meridian.application.port.in.EmbedTextsUseCase;
import ai.meridian.application.port.out.retrieval.EmbedTextPort;
import ai.meridian.application.port.out.retrieval.EmbedTextPort.EmbeddingUse;
import ai.meridian.application.port.out.retrieval.RetrievalUnavailableException;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.error.GatewayException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Serves {@code /v1/embeddings} from the local embedding model. Inputs are embedded as documents (no query
 * instruction): OpenAI's API has no notion of query versus passage, and clients that index and search with
 * the same call get vectors that compare consistently. Texts longer than the model's input are truncated by
 * the model, as sentence-transformers does, and usage counts the tokens actually embedded.
 */
public final class EmbeddingService implements EmbedTextsUseCase {
    /** OpenAI's own limit on inputs per request. */
    public static final int MAX_INPUTS = 2048;
    /** A bound on one input's size before tokenisation, so a huge string cannot tie up a tokenizer thread. */
    public static final int MAX_INPUT_CHARS = 100_000;

    private final List<EmbedTextPort> models;

    public EmbeddingService(EmbedTextPort embedder) {
        this(List.of(embedder));
    }

    /** Serves each of the models by its name; the first is the one {@link #model()} names. */
    public EmbeddingService(List<EmbedTextPort> models) {
        if (models.isEmpty()) {
            throw new IllegalArgumentException("at least one embedding model");
        }
        this.models = List.copyOf(models);
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
        return embedder.embed(inputs, EmbeddingUse.DOCUMENT)
                // Runs on the embedding thread that completed the vectors: tokenising for usage stays off callers' threads.
                .thenApply(vectors -> new EmbeddedTexts(embedder.model(), vectors, inputs.stream()
                        .mapToInt(embedder::countTokens).sum()))
                .exceptionally(e -> {
                    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                    if (cause instanceof RetrievalUnavailableException) {
                        throw new GatewayException(new GatewayError(ErrorKind.UNAVAILABLE,
                                "The embedding model is busy; retry shortly.", null, null, Duration.ofSeconds(1)), cause);
                    }
                    throw cause instanceof RuntimeException runtime ? runtime : new CompletionException(cause);
                });
    }
}
