package ai.meridian.application.port.in;

import ai.meridian.domain.tenancy.RateLimitStatus;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/** A client wants vectors for its texts from the gateway's local embedding model ({@code POST /v1/embeddings}). */
public interface EmbedTextsUseCase {

    /**
     * Embeds the inputs in order. Fails with a {@code GatewayException}: {@code MODEL_NOT_FOUND} for a model
     * this gateway does not serve, {@code INVALID_REQUEST} for bad inputs, {@code UNAVAILABLE} when the
     * embedding queue is full, {@code RATE_LIMITED} when the key's limits or budgets refuse it.
     */
    CompletableFuture<EmbeddedTexts> embed(EmbedTextsCommand command);

    /** The model clients name in {@code model}. */
    String model();

    /** {@code dimensions} is what the client asked for, if anything: only the model's own size is possible. */
    record EmbedTextsCommand(CallerContext caller, String model, List<String> inputs, Integer dimensions) {
        public EmbedTextsCommand {
            Objects.requireNonNull(caller, "caller");
            Objects.requireNonNull(model, "model");
            inputs = List.copyOf(inputs);
        }
    }

    /** One unit vector per input, in input order, the model tokens they cost, and where the key stands against its limits. */
    record EmbeddedTexts(String model, List<float[]> vectors, int promptTokens, RateLimitStatus rateLimit) {
        public EmbeddedTexts {
            Objects.requireNonNull(model, "model");
            vectors = List.copyOf(vectors);
            rateLimit = rateLimit == null ? RateLimitStatus.NONE : rateLimit;
        }

        public EmbeddedTexts(String model, List<float[]> vectors, int promptTokens) {
            this(model, vectors, promptTokens, RateLimitStatus.NONE);
        }
    }
}
