package ai.meridian.application.port.in;

import ai.meridian.domain.response.StoredResponse;
import java.util.concurrent.CompletableFuture;

/**
 * A client wants to read back or delete a response it had stored. Scoped to the caller's tenant: another tenant's id,
 * like an unknown one or one that cannot be an id, is a 404. Futures fail with a {@code GatewayException}.
 */
public interface ManageResponsesUseCase {

    CompletableFuture<StoredResponse> read(CallerContext caller, String id);

    CompletableFuture<Void> delete(CallerContext caller, String id);
}
