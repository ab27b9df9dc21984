package ai.meridian.support.inboundhttp;

import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayError;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MediaType;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.server.exceptions.response.ErrorContext;
import io.micronaut.http.server.exceptions.response.ErrorResponseProcessor;
import jakarta.inject.Singleton;

/**
 * Gives every error the framework itself raises (unknown route, wrong method, body too large,
 * unsupported media type, unreadable request) OpenAI's error shape instead of Micronaut's.
 */
@Singleton
final class OpenAiErrorResponseProcessor implements ErrorResponseProcessor<byte[]> {
    private final long maxRequestSize;
    private final java.util.List<ProtocolDoor> doors;

    OpenAiErrorResponseProcessor(@io.micronaut.context.annotation.Value("${micronaut.server.max-request-size:10485760}") long maxRequestSize,
                                 java.util.List<ProtocolDoor> doors) {
        this.maxRequestSize = maxRequestSize;
        this.doors = java.util.List.copyOf(doors);
    }

    @Override
    @SuppressWarnings("unchecked")
    public MutableHttpResponse<byte[]> processResponse(ErrorContext context, MutableHttpResponse<?> response) {
        HttpRequest<?> request = context.getRequest();
        response.header(RequestIds.HEADER, RequestIds.of(request));
        if (request.getMethod() == HttpMethod.HEAD) {
            return (MutableHttpResponse<byte[]>) response;
        }
        int status = response.code();
        ErrorKind kind = ErrorKind.forStatus(status);
        String code = status == 406 ? "not_acceptable" : status == 408 ? "request_timeout" : kind.defaultCode();
        GatewayError error = new GatewayError(kind, message(status, context), null, code, null);
        ProtocolDoor door = ProtocolDoor.of(request).or(() -> ProtocolDoor.forPath(doors, request.getPath())).orElse(null);
        if (door != null) {
            // A framework error on a protocol door's path (unknown sub-path, wrong method, body too large): in its shape.
            return ((MutableHttpResponse<byte[]>) response).status(door.status(error), ErrorResponses.reason(door.status(error))).body(door.errorBody(error))
                    .contentType(MediaType.APPLICATION_JSON_TYPE);
        }
        return ((MutableHttpResponse<byte[]>) response).body(ErrorResponses.openAiBody(error)).contentType(MediaType.APPLICATION_JSON_TYPE);
    }

    private String message(int status, ErrorContext context) {
        HttpRequest<?> request = context.getRequest();
        switch (status) {
            case 404:
                return "Unknown request URL: " + request.getMethodName() + " " + request.getPath() + ". Please check the URL for typos.";
            case 405:
                return "Method " + request.getMethodName() + " is not allowed for " + request.getPath() + ".";
            case 413:
                return "The request body is too large: the limit is " + maxRequestSize + " bytes.";
            case 415:
                return "Unsupported content type '" + request.getContentType().map(MediaType::toString).orElse("none")
                        + "': send the request body as application/json.";
            case 406:
                return "This endpoint cannot answer in the media type the Accept header asks for.";
            default:
                if (status >= 500) {
                    return "The server had an error while processing your request.";
                }
                return context.getErrors().isEmpty() ? "The request could not be processed." : context.getErrors().get(0).getMessage();
        }
    }
}
