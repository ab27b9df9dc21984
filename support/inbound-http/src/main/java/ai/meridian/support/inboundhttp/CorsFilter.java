package ai.meridian.support.inboundhttp;

import ai.meridian.application.port.in.AuthenticateCallerUseCase.Caller;
import ai.meridian.application.port.in.CheckOriginUseCase;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayError;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.annotation.Order;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;

/**
 * CORS for browser clients, off unless configured. A preflight ({@code OPTIONS} with
 * {@code Access-Control-Request-Method}) carries no key, so it is answered here, before authentication: allowed
 * when the configuration or any enabled tenant lists the origin. An actual request gets
 * {@code Access-Control-Allow-Origin} only when the configuration or its own key's tenant lists the origin, so a
 * tenant's origin cannot read another tenant's answers with a stolen preflight. With CORS on, a request from an origin that
 * nobody allows is refused (403) before it runs. (With CORS on, the framework's own drive-by-localhost guard is turned off in
 * {@code application.yml}: this filter decides.)
 */
@ServerFilter("/**")
@Order(-100)
@io.micronaut.context.annotation.Requires(beans = CheckOriginUseCase.class)
final class CorsFilter {
    private static final String EXPOSED = "x-request-id, x-meridian-backend, x-meridian-fallback-tier, x-conversation-id, retry-after, "
            + "x-ratelimit-limit-requests, x-ratelimit-remaining-requests, x-ratelimit-reset-requests, "
            + "x-ratelimit-limit-tokens, x-ratelimit-remaining-tokens, x-ratelimit-reset-tokens";
    private static final String ALLOWED_HEADERS = "authorization, content-type, x-request-id, x-conversation-id, traceparent, "
            + "openai-organization, openai-project, x-stainless-arch, x-stainless-lang, x-stainless-os, x-stainless-package-version, "
            + "x-stainless-runtime, x-stainless-runtime-version, x-stainless-retry-count, x-stainless-timeout, x-stainless-helper-method";

    private final CheckOriginUseCase origins;

    CorsFilter(CheckOriginUseCase origins) {
        this.origins = origins;
    }

    static boolean isPreflight(HttpRequest<?> request) {
        return request.getMethod() == HttpMethod.OPTIONS && request.getHeaders().contains("Access-Control-Request-Method");
    }

    @RequestFilter
    @Nullable
    HttpResponse<?> preflight(HttpRequest<?> request) {
        String origin = request.getHeaders().get(HttpHeaders.ORIGIN);
        if (!isPreflight(request)) {
            // With CORS on, a browser request from an origin nobody allows is refused before it runs, not merely left unreadable.
            if (origins.enabled() && origin != null && !origins.allowsPreflight(origin)) {
                return ErrorResponses.of(request, new GatewayError(ErrorKind.PERMISSION, "The origin '" + origin + "' may not call this API.",
                        null, "origin_not_allowed", null));
            }
            return null;
        }
        if (!origins.enabled() || !origins.allowsPreflight(origin)) {
            return ErrorResponses.of(request, new GatewayError(ErrorKind.PERMISSION, origins.enabled()
                    ? "The origin '" + origin + "' may not call this API." : "Cross-origin requests are not enabled on this gateway.",
                    null, "origin_not_allowed", null));
        }
        return HttpResponse.status(HttpStatus.NO_CONTENT)
                .header(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, origin)
                .header(HttpHeaders.ACCESS_CONTROL_ALLOW_METHODS, "GET, POST, PATCH, DELETE, OPTIONS")
                .header(HttpHeaders.ACCESS_CONTROL_ALLOW_HEADERS, ALLOWED_HEADERS)
                .header(HttpHeaders.ACCESS_CONTROL_MAX_AGE, "600")
                .header(HttpHeaders.VARY, "Origin")
                .header(RequestIds.HEADER, RequestIds.of(request));
    }

    @ResponseFilter
    void allowOrigin(HttpRequest<?> request, MutableHttpResponse<?> response) {
        String origin = request.getHeaders().get(HttpHeaders.ORIGIN);
        if (origin == null || isPreflight(request) || !origins.enabled()) {
            return;
        }
        Caller caller = request.getAttribute(ApiKeyFilter.CALLER, Caller.class).orElse(null);
        if (caller != null && origins.allows(caller, origin)) {
            response.header(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            response.header(HttpHeaders.ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSED);
            response.header(HttpHeaders.VARY, "Origin");
        }
    }
}
