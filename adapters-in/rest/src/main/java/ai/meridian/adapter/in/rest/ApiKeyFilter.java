package ai.meridian.adapter.in.rest;

import ai.meridian.application.port.in.AuthenticateCallerUseCase;
import ai.meridian.application.port.in.AuthenticateCallerUseCase.Caller;
import ai.meridian.application.port.in.CallerContext;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayError;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * Authenticates every API call by its {@code Authorization: Bearer} key and remembers the caller for the
 * controllers. CORS preflights ({@code OPTIONS} with {@code Access-Control-Request-Method}) carry no key and are
 * answered by {@link CorsFilter}, so they pass here.
 */
@ServerFilter("/v1/**")
final class ApiKeyFilter {
    static final String CALLER = "meridian.caller";
    static final String NO_KEY = "You didn't provide an API key. You need to provide your API key in an Authorization header "
            + "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
    static final String WRONG_KEY = "Incorrect API key provided.";

    private final AuthenticateCallerUseCase authentication;

    ApiKeyFilter(AuthenticateCallerUseCase authentication) {
        this.authentication = authentication;
    }

    @RequestFilter
    @Nullable
    HttpResponse<?> authenticate(HttpRequest<?> request) {
        if (CorsFilter.isPreflight(request)) {
            return null;
        }
        Credentials.Presented presented = Credentials.extract(request.getHeaders().getAll(HttpHeaders.AUTHORIZATION), java.util.List.of(),
                Credentials.Scheme.BEARER);
        String token;
        if (presented instanceof Credentials.Malformed malformed) {
            return unauthorized(request, malformed.message());
        } else if (presented instanceof Credentials.Token t) {
            token = t.value();
        } else {
            token = null;
        }
        Optional<Caller> caller = authentication.authenticate(token, clientAddress(request));
        if (caller.isPresent()) {
            request.setAttribute(CALLER, caller.get());
            return null;
        }
        return unauthorized(request, token == null ? NO_KEY : WRONG_KEY);
    }

    private static HttpResponse<?> unauthorized(HttpRequest<?> request, String message) {
        return ErrorResponses.of(request, new GatewayError(ErrorKind.AUTHENTICATION, message, null, "invalid_api_key", null))
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
    }

    static Caller callerOf(HttpRequest<?> request) {
        return request.getAttribute(CALLER, Caller.class)
                .orElseThrow(() -> new IllegalStateException("request reached a controller without authentication"));
    }

    /** The authenticated caller's context for the use cases: request id, tenant, key, access, trace parent, address. */
    static CallerContext context(HttpRequest<?> request) {
        return CallerContext.of(callerOf(request), RequestIds.of(request), request.getHeaders().get("traceparent"), System.nanoTime(),
                clientAddress(request));
    }

    static String clientAddress(HttpRequest<?> request) {
        InetSocketAddress remote = request.getRemoteAddress();
        return remote == null || remote.getAddress() == null ? "" : remote.getAddress().getHostAddress();
    }
}
