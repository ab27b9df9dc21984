package ai.meridian.adapter.out.jdbc;

import ai.meridian.application.port.out.ConversationStoreUnavailableException;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.error.GatewayException;
import java.time.Duration;

/** Failures of the directory, usage and audit stores: an outage is a 503 the caller may retry; anything else stays a bug. */
final class StoreUnavailable {
    private StoreUnavailable() {
    }

    static RuntimeException translate(String what, Throwable error) {
        RuntimeException translated = SqlFailures.translate(error);
        if (translated instanceof ConversationStoreUnavailableException) {
            return new GatewayException(new GatewayError(ErrorKind.UNAVAILABLE, "The " + what + " is unavailable; please retry.",
                    null, null, Duration.ofSeconds(2)), translated);
        }
        return translated;
    }
}
