package ai.meridian.adapter.in.rest;

import ai.meridian.application.port.in.ListModelsUseCase;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.domain.error.GatewayException;
import ai.meridian.support.inboundhttp.RequestIds;
import ai.meridian.support.openaiwire.OpenAiJsonWriter;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;

/** {@code GET /v1/models} and {@code GET /v1/models/{id}} (ids may contain slashes, as in {@code Qwen/Qwen2.5-7B}). */
@Controller
final class ModelsController {
    private final ListModelsUseCase models;

    ModelsController(ListModelsUseCase models) {
        this.models = models;
    }

    @Get(uri = "/v1/models", produces = MediaType.APPLICATION_JSON)
    HttpResponse<byte[]> list(HttpRequest<?> request) {
        return HttpResponse.ok(OpenAiJsonWriter.models(models.listModels())).header(RequestIds.HEADER, RequestIds.of(request));
    }

    @Get(uri = "/v1/models/{+id}", produces = MediaType.APPLICATION_JSON)
    HttpResponse<byte[]> get(HttpRequest<?> request, @PathVariable("id") String id) {
        return models.findModel(id)
                .map(model -> HttpResponse.ok(OpenAiJsonWriter.model(model)).header(RequestIds.HEADER, RequestIds.of(request)))
                .orElseThrow(() -> new GatewayException(new GatewayError(ErrorKind.MODEL_NOT_FOUND,
                        "The model '" + id + "' does not exist.", "model", null, null)));
    }
}
