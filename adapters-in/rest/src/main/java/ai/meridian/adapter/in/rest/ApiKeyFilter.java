package ai.meridian.adapter.in.rest;

import ai.meridian.application.port.in.AuthenticateCallerUseCase;
import ai.meridian.application.port.in.AuthenticateCallerUseCase.Caller;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayError;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import java.util.List;
import java.util.Optional;

/**
 * Authenticates every API call by its Bearer key (or, on a protocol door that takes it, its {@code x-api-key}) and
 * remembers the caller, and the request's protocol door, for the controllers and error writers.
 */
@ServerFilter("/v1/**")
public final class ApiKeyFilter {
    static final String CALLER = "meridian.caller";

    private final AuthenticateCallerUseCase authentication;
    private final List<ProtocolDoor> doors;

    ApiKeyFilter(AuthenticateCallerUseCase authentication, List<ProtocolDoor> doors) {
        this.authentication = authentication;
        this.doors = List.copyOf(doors);
    }

    @RequestFilter
    @Nullable
    HttpResponse<?> authenticate(HttpRequest<?> request) {
        Optional<ProtocolDoor> door = ProtocolDoor.forPath(doors, request.getPath());
        door.ifPresent(d -> request.setAttribute(ProtocolDoor.ATTRIBUTE, d));
        String token = bearer(request.getHeaders().get(HttpHeaders.AUTHORIZATION));
        if (token == null && door.isPresent() && door.get().acceptsApiKeyHeader()) {
            String apiKey = request.getHeaders().get("x-api-key");
            token = apiKey == null || apiKey.isBlank() ? null : apiKey.trim();
        }
        Optional<Caller> caller = authentication.authenticate(token);
        if (caller.isPresent()) {
            request.setAttribute(CALLER, caller.get());
            return null;
        }
        String message = token == null && door.isPresent() ? door.get().missingKeyMessage() : token == null
                ? "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
                : "Incorrect API key provided.";
        return ErrorResponses.of(request, new GatewayError(ErrorKind.AUTHENTICATION, message, null, "invalid_api_key", null))
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
    }

    /** The caller the filter authenticated (every request that reaches a controller has one). */
    public static Caller callerOf(HttpRequest<?> request) {
        return request.getAttribute(CALLER, Caller.class)
                .orElseThrow(() -> new IllegalStateException("request reached a controller without authentication"));
    }

    static String bearer(String header) {
        if (header == null) {
            return null;
        }
        String trimmed = header.trim();
        if (trimmed.length() > 7 && trimmed.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return trimmed.substring(7).trim();
        }
        return trimmed.isEmpty() ? null : trimmed;
    }
}
