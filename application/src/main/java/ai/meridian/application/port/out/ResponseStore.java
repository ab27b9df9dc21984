package ai.meridian.application.port.out;

import ai.meridian.domain.response.ResponseId;
import ai.meridian.domain.response.StoredResponse;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Where responses are kept (the Responses API's {@code store}), so that {@code previous_response_id} continues a
 * conversation and {@code GET /v1/responses/{id}} reads one back. Every method takes the tenant and touches only
 * that tenant's responses: another tenant's id is simply not found. Implementations never block the caller's
 * thread; futures fail with {@link ConversationStoreUnavailableException} when the store cannot be reached (it is
 * the conversation database), and a completed save is durable.
 */
public interface ResponseStore {

    /** Keeps a response; its id is new (saving an id twice fails). */
    CompletableFuture<Void> save(String tenant, StoredResponse response);

    CompletableFuture<Optional<StoredResponse>> find(String tenant, ResponseId id);

    /**
     * The chain that ends at {@code id}: that response and those it continues, oldest first, at most
     * {@code maxResponses} of them (the newest). Empty when {@code id} is unknown; a chain whose older link was
     * deleted starts after the gap.
     */
    CompletableFuture<List<StoredResponse>> chain(String tenant, ResponseId id, int maxResponses);

    /** Deletes one response; false if there was none. Responses that continued it stay (their chain starts after it). */
    CompletableFuture<Boolean> delete(String tenant, ResponseId id);

    /** Deletes every tenant's responses made before {@code cutoff} (retention); returns how many. */
    CompletableFuture<Integer> deleteCreatedBefore(Instant cutoff);
}
