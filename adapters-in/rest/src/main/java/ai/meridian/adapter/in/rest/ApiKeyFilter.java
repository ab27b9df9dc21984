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
import java.util.Optional;

/** Authenticates every API call by its Bearer key and remembers the caller for the controllers. */
@ServerFilter("/v1/**")
public final class ApiKeyFilter {
    static final String CALLER = "meridian.caller";

    private final AuthenticateCallerUseCase authentication;

    ApiKeyFilter(AuthenticateCallerUseCase authentication) {
        this.authentication = authentication;
    }

    @RequestFilter
    @Nullable
    HttpResponse<?> authenticate(HttpRequest<?> request) {
        String token = bearer(request.getHeaders().get(HttpHeaders.AUTHORIZATION));
        Optional<Caller> caller = authentication.authenticate(token);
        if (caller.isPresent()) {
            request.setAttribute(CALLER, caller.get());
            return null;
        }
        String message = token == null
                ? "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
                : "Incorrect API key provided.";
        return ErrorResponses.of(request, new GatewayError(ErrorKind.AUTHENTICATION, message, null, "invalid_api_key", null))
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
    }

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
