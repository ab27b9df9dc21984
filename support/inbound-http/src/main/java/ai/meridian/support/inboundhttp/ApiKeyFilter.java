package ai.meridian.support.inboundhttp;

import ai.meridian.application.port.in.AuthenticateCallerUseCase.Caller;
import ai.meridian.application.port.in.AuthenticateCallerUseCase;
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
import java.util.List;
import java.util.Optional;

/**
 * Authenticates every API call by its {@code Authorization: Bearer} key (or, on a protocol door that takes it, its
 * {@code x-api-key}: {@link Credentials.Scheme#BEARER_OR_X_API_KEY}) and remembers the caller, and the request's
 * protocol door, for the controllers and error writers. CORS preflights ({@code OPTIONS} with
 * {@code Access-Control-Request-Method}) carry no key and are answered by {@link CorsFilter}, so they pass here.
 */
@ServerFilter("/v1/**")
public final class ApiKeyFilter {
    static final String CALLER = "meridian.caller";
    static final String NO_KEY = "You didn't provide an API key. You need to provide your API key in an Authorization header "
            + "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
    static final String WRONG_KEY = "Incorrect API key provided.";

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
        if (CorsFilter.isPreflight(request)) {
            return null;
        }
        boolean apiKeyHeader = door.isPresent() && door.get().acceptsApiKeyHeader();
        Credentials.Presented presented = Credentials.extract(request.getHeaders().getAll(HttpHeaders.AUTHORIZATION),
                apiKeyHeader ? request.getHeaders().getAll(Credentials.X_API_KEY) : List.of(),
                apiKeyHeader ? Credentials.Scheme.BEARER_OR_X_API_KEY : Credentials.Scheme.BEARER);
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
        return unauthorized(request, token == null ? door.map(ProtocolDoor::missingKeyMessage).orElse(NO_KEY) : WRONG_KEY);
    }

    private static HttpResponse<?> unauthorized(HttpRequest<?> request, String message) {
        return ErrorResponses.of(request, new GatewayError(ErrorKind.AUTHENTICATION, message, null, "invalid_api_key", null))
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
    }

    /** The caller the filter authenticated (every request that reaches a controller has one). */
    public static Caller callerOf(HttpRequest<?> request) {
        return request.getAttribute(CALLER, Caller.class)
                .orElseThrow(() -> new IllegalStateException("request reached a controller without authentication"));
    }

    /** The authenticated caller's context for the use cases: request id, tenant, key, access, trace parent, address. */
    public static CallerContext context(HttpRequest<?> request) {
        return CallerContext.of(callerOf(request), RequestIds.of(request), request.getHeaders().get("traceparent"), System.nanoTime(),
                clientAddress(request));
    }

    public static String clientAddress(HttpRequest<?> request) {
        InetSocketAddress remote = request.getRemoteAddress();
        return remote == null || remote.getAddress() == null ? "" : remote.getAddress().getHostAddress();
    }
}
