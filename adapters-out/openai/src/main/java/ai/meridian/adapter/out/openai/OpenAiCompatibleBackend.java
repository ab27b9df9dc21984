package ai.meridian.adapter.out.openai;

import ai.meridian.support.nettyhttp.BodyCollector;
import ai.meridian.support.nettyhttp.HttpExchange;
import ai.meridian.support.nettyhttp.PooledHttpClient;
import ai.meridian.support.nettyhttp.ResponseHandler;
import ai.meridian.support.nettyhttp.SseDecoder;
import ai.meridian.support.nettyhttp.UpstreamProtocolException;
import ai.meridian.support.nettyhttp.UpstreamTimeoutException;
import ai.meridian.application.port.out.BackendCall;
import ai.meridian.application.port.out.BackendFailureException;
import ai.meridian.application.port.out.BackendStreamListener;
import ai.meridian.application.port.out.Cancellable;
import ai.meridian.application.port.out.ModelBackend;
import ai.meridian.domain.chat.Choice;
import ai.meridian.domain.chat.Completion;
import ai.meridian.domain.chat.Delta;
import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.fallback.Failure;
import ai.meridian.domain.fallback.FailureKind;
import ai.meridian.domain.routing.Capability;
import ai.meridian.domain.routing.ModelCapabilities;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A model backend that speaks OpenAI's {@code /chat/completions} over HTTP: the DeepSeek API, vLLM,
 * Ollama, LM Studio, any compatible server. Streams are parsed event by event as bytes arrive.
 */
public final class OpenAiCompatibleBackend implements ModelBackend {
    private static final System.Logger LOG = System.getLogger(OpenAiCompatibleBackend.class.getName());
    private static final int ERROR_BODY_LIMIT = 64 * 1024;
    private static final AsciiString USER_AGENT = AsciiString.cached("meridian-gateway/0.1");
    private static final AsciiString EVENT_STREAM = AsciiString.cached("text/event-stream");
    private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);

    private final OpenAiBackendConfig config;
    private final PooledHttpClient http;
    private final String chatPath;
    private final String completionsPath;
    private final String modelsPath;
    private final AsciiString authorization;
    private final AsciiString host;
    /** What every model on this backend can do when nothing more is known of it: text completions and the parameter rules. */
    private final ModelCapabilities backendWide;
    /** Whether this backend sends text completions: the backend-wide default, which a model's declaration overrides. */
    private final ModelCapabilities textMode;
    /**
     * What each known model can do: the upstream's model list (once read) overridden by configuration, narrowed by
     * the parameter rules. Replaced whole when the list is read; asked once per route per request: one map lookup.
     */
    private volatile Map<String, ModelCapabilities> byModel;
    private volatile boolean closed;
    private volatile List<String> listedModels = List.of();
    private final CompletableFuture<Optional<List<String>>> firstListing = new CompletableFuture<>();

    OpenAiCompatibleBackend(OpenAiBackendConfig config, PooledHttpClient http) {
        this.config = config;
        this.http = http;
        this.chatPath = config.endpoint().basePath() + "/chat/completions";
        this.completionsPath = config.endpoint().basePath() + "/completions";
        this.modelsPath = config.endpoint().basePath() + "/models";
        this.authorization = config.apiKey() == null ? null : new AsciiString("Bearer " + config.apiKey());
        this.host = new AsciiString(config.endpoint().hostHeader());
        // Text completions (POST /completions) are a mode of this backend, on unless configured off: said of every model.
        java.util.Set<Capability> text = java.util.Set.of(Capability.TEXT_COMPLETION);
        this.textMode = new ModelCapabilities(config.textCompletions() ? text : java.util.Set.of(),
                config.textCompletions() ? java.util.Set.of() : text, 0, 0, ModelCapabilities.ParameterSupport.ANY);
        this.backendWide = new ModelCapabilities(textMode.supported(), textMode.unsupported(), 0, 0, config.parameters().support());
        this.byModel = merged(Map.of());
    }

    @Override
    public String id() {
        return config.id();
    }

    @Override
    public CompletableFuture<Completion> complete(BackendCall call) {
        CompletableFuture<Completion> future = new CompletableFuture<>();
        WholeAnswer handler = new WholeAnswer(future, call.upstreamModel());
        HttpExchange exchange = http.send(request(HttpMethod.POST, call.textCompletion() ? completionsPath : chatPath, call, false), handler);
        // A whole answer's head is its first sign of life: it is due within the first-token timeout, and after
        // it no silence may last longer than the read timeout (a hung backend then costs one first-token wait).
        exchange.schedule(() -> {
            if (handler.status == 0) {
                exchange.abort(new UpstreamTimeoutException("no answer within the first-token timeout of " + config.firstTokenTimeout().toMillis() + " ms"));
            }
        }, config.firstTokenTimeout().toNanos(), TimeUnit.NANOSECONDS);
        exchange.schedule(() -> exchange.abort(new UpstreamTimeoutException("no complete answer within " + config.totalTimeout().toMillis() + " ms")),
                config.totalTimeout().toNanos(), TimeUnit.NANOSECONDS);
        future.whenComplete((c, e) -> {
            if (future.isCancelled()) {
                exchange.cancel();
            }
        });
        return future;
    }

    @Override
    public Cancellable stream(BackendCall call, BackendStreamListener listener) {
        StreamAnswer handler = new StreamAnswer(listener, call.upstreamModel());
        HttpExchange exchange = http.send(request(HttpMethod.POST, call.textCompletion() ? completionsPath : chatPath, call, true), handler);
        exchange.schedule(() -> {
            if (!handler.firstToken) {
                exchange.abort(new UpstreamTimeoutException("no first token within " + config.firstTokenTimeout().toMillis() + " ms"));
            }
        }, config.firstTokenTimeout().toNanos(), TimeUnit.NANOSECONDS);
        exchange.schedule(() -> exchange.abort(new UpstreamTimeoutException("stream not finished within " + config.totalTimeout().toMillis() + " ms")),
                config.totalTimeout().toNanos(), TimeUnit.NANOSECONDS);
        return exchange::cancel;
    }

    @Override
    public ModelCapabilities capabilities(String upstreamModel) {
        ModelCapabilities known = byModel.get(upstreamModel);
        return known == null ? backendWide : known;
    }

    /** The ids the upstream's model list named (empty until it has been read). */
    List<String> listedModels() {
        return listedModels;
    }

    /**
     * How the first reading of the upstream's model list went: the listed ids, or empty when it failed (or discovery
     * is off). Start-up may wait on it briefly (the built-in DeepSeek models); later readings do not change it.
     */
    public CompletableFuture<Optional<List<String>>> firstListing() {
        return firstListing;
    }

    /**
     * Per model: what the upstream listed, then the backend's text-completion setting, overridden by what configuration
     * declares, narrowed by the parameter rules.
     */
    private Map<String, ModelCapabilities> merged(Map<String, ModelCapabilities> discovered) {
        Map<String, ModelCapabilities> merged = new java.util.HashMap<>();
        java.util.Set<String> names = new java.util.LinkedHashSet<>(discovered.keySet());
        names.addAll(config.declaredModels().keySet());
        ModelCapabilities rules = new ModelCapabilities(java.util.Set.of(), java.util.Set.of(), 0, 0, config.parameters().support());
        for (String name : names) {
            ModelCapabilities capabilities = discovered.getOrDefault(name, ModelCapabilities.UNKNOWN).overriddenBy(textMode);
            ModelCapabilities declared = config.declaredModels().get(name);
            if (declared != null) {
                capabilities = capabilities.overriddenBy(declared);
            }
            merged.put(name, capabilities.overriddenBy(rules));
        }
        return Map.copyOf(merged);
    }

    /**
     * Reads the upstream's {@code GET /models} in the background (start-up does not wait): what it says about each
     * model joins what configuration declares. An upstream that cannot be reached, times out or fails is reported
     * once at WARN with the URL and asked again later ({@code model-discovery-retry}, 10 s, doubling up to 5 min); one that
     * answers 4xx or something
     * that is not a model list is reported once and not asked again.
     */
    void discoverModels() {
        if (config.modelDiscovery()) {
            discover(0);
        } else {
            firstListing.complete(Optional.empty());
        }
    }

    private void discover(int attempt) {
        if (closed) {
            return;
        }
        String url = config.baseUrl() + "/models";
        HttpExchange exchange = http.send(request(HttpMethod.GET, modelsPath, null, false), new ResponseHandler() {
            private int status;
            private BodyCollector body;
            private HttpExchange bound;

            @Override
            public void bind(HttpExchange value) {
                bound = value;
            }

            @Override
            public void onHead(HttpResponse head) {
                status = head.status().code();
                body = new BodyCollector(status == 200 ? config.maxResponseBytes() : ERROR_BODY_LIMIT);
            }

            @Override
            public void onContent(ByteBuf content) {
                if (!body.add(content) && status == 200) {
                    bound.abort(new UpstreamProtocolException("model list larger than " + config.maxResponseBytes() + " bytes"));
                }
            }

            @Override
            public void onEnd() {
                if (status == 200) {
                    try {
                        listed(url, attempt, ModelListing.parse(body.bytes(), body.length()));
                    } catch (IOException e) {
                        LOG.log(Level.WARNING, () -> "backend " + config.id() + ": the model list at " + url + " could not be read ("
                                + e.getMessage() + "); model capabilities come from configuration only");
                        firstListing.complete(Optional.empty());
                    }
                } else if (status >= 500 || status == 429) {
                    retry(bound, url, attempt, "HTTP " + status);
                } else {
                    LOG.log(Level.WARNING, () -> "backend " + config.id() + ": the model list at " + url + " answered HTTP " + status
                            + "; model capabilities come from configuration only");
                    firstListing.complete(Optional.empty());
                }
            }

            @Override
            public void onFailure(Throwable cause, boolean afterHead) {
                retry(bound, url, attempt, Failures.of(cause, afterHead, config.id()).message());
            }
        });
        long timeout = Math.max(10_000, config.connectTimeout().toMillis() * 2);
        exchange.schedule(() -> exchange.abort(new UpstreamTimeoutException("no model list within " + timeout + " ms")), timeout,
                TimeUnit.MILLISECONDS);
    }

    private void listed(String url, int attempt, List<ModelListing.Listed> models) {
        Map<String, ModelCapabilities> discovered = ModelListing.byId(models);
        byModel = merged(discovered);
        listedModels = List.copyOf(discovered.keySet());
        long described = models.stream().filter(m -> m.capabilities() != ModelCapabilities.UNKNOWN).count();
        LOG.log(attempt == 0 ? Level.DEBUG : Level.INFO, () -> "backend " + config.id() + ": read the model list at " + url
                + (attempt == 0 ? "" : " after " + (attempt + 1) + " attempts") + ": " + models.size() + " models, " + described
                + " with capabilities");
        firstListing.complete(Optional.of(listedModels));
    }

    private void retry(HttpExchange exchange, String url, int attempt, String why) {
        if (closed) {
            return;
        }
        long delayMillis = Math.min(300_000, config.modelDiscoveryRetry().toMillis() << Math.min(attempt, 10));
        if (attempt == 0) {
            LOG.log(Level.WARNING, () -> "backend " + config.id() + ": cannot read the model list at " + url + " (" + why
                    + "); model capabilities come from configuration only until it can; asking again in the background");
            firstListing.complete(Optional.empty());
        } else {
            LOG.log(Level.DEBUG, () -> "backend " + config.id() + ": model list at " + url + " still unavailable (" + why + ")");
        }
        exchange.eventLoop().schedule(() -> discover(attempt + 1), delayMillis, TimeUnit.MILLISECONDS);
    }

    private volatile ai.meridian.domain.fallback.ContinuationStyle continuation = ai.meridian.domain.fallback.ContinuationStyle.PROMPT;

    /** How this upstream continues answers other backends began (configuration {@code continuation}). */
    void continueWith(ai.meridian.domain.fallback.ContinuationStyle style) {
        continuation = java.util.Objects.requireNonNull(style, "style");
    }

    @Override
    public ai.meridian.domain.fallback.ContinuationStyle continuation(String upstreamModel) {
        return continuation;
    }

    /** With {@code health-check: models}, readiness asks the upstream ({@code GET /models}): a real probe. */
    @Override
    public boolean hasReadinessProbe() {
        return config.probeModels();
    }

    @Override
    public CompletableFuture<Boolean> probeReady() {
        if (!config.probeModels()) {
            return CompletableFuture.completedFuture(true);
        }
        CompletableFuture<Boolean> ready = new CompletableFuture<>();
        HttpExchange exchange = http.send(request(HttpMethod.GET, modelsPath, null, false), new ResponseHandler() {
            private int status;

            @Override
            public void onHead(HttpResponse head) {
                status = head.status().code();
            }

            @Override
            public void onContent(ByteBuf content) {
                // only the status matters
            }

            @Override
            public void onEnd() {
                ready.complete(status == 200);
            }

            @Override
            public void onFailure(Throwable cause, boolean afterHead) {
                ready.complete(false);
            }
        });
        exchange.schedule(() -> exchange.abort(new UpstreamTimeoutException("probe")), config.connectTimeout().toMillis() * 2, TimeUnit.MILLISECONDS);
        return ready;
    }

    @Override
    public void close() {
        closed = true;
        http.close();
    }

    private FullHttpRequest request(HttpMethod method, String path, BackendCall call, boolean stream) {
        ByteBuf body;
        if (call == null) {
            body = Unpooled.EMPTY_BUFFER;
        } else {
            body = PooledByteBufAllocator.DEFAULT.buffer(256 + call.messages().size() * 128);
            try {
                OpenAiWire.writeRequest(body, call, stream, config);
            } catch (RuntimeException e) {
                body.release();
                throw e;
            }
        }
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, path, body, false);
        HttpHeaders headers = request.headers();
        headers.set(HttpHeaderNames.HOST, host);
        headers.set(HttpHeaderNames.USER_AGENT, USER_AGENT);
        if (call != null) {
            headers.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
            headers.set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
            headers.set(HttpHeaderNames.ACCEPT, stream ? EVENT_STREAM : HttpHeaderValues.APPLICATION_JSON);
            headers.set("x-request-id", call.requestId());
            if (call.traceparent() != null) {
                headers.set("traceparent", call.traceparent());
            }
        }
        if (authorization != null) {
            headers.set(HttpHeaderNames.AUTHORIZATION, authorization);
        }
        config.headers().forEach(headers::set);
        if (call != null && !config.forwardHeaders().isEmpty()) {
            // the client's value of an allowed header wins over a configured default of the same name
            call.clientHeaders().forEach((name, value) -> {
                if (config.forwardHeaders().contains(name)) {
                    headers.set(name, value);
                }
            });
        }
        return request;
    }

    /** What both handlers share: the head, a bounded body, and reading a whole JSON answer or an error body. */
    private abstract class Answer implements ResponseHandler {
        HttpExchange exchange;
        int status;
        HttpHeaders headers;
        BodyCollector body;

        @Override
        public void bind(HttpExchange bound) {
            this.exchange = bound;
        }

        @Override
        public void onHead(HttpResponse head) {
            status = head.status().code();
            headers = head.headers();
            body = new BodyCollector(status == 200 ? config.maxResponseBytes() : ERROR_BODY_LIMIT);
            if (!(this instanceof StreamAnswer)) {
                watchSilence();
            }
        }

        /** The read timeout between the response's bytes, from now on. */
        void watchSilence() {
            exchange.watchSilence(config.readTimeout().toNanos(), () -> new UpstreamTimeoutException("no bytes from the backend for "
                    + config.readTimeout().toMillis() + " ms (read timeout)"));
        }

        /** Keeps the bytes of a whole answer (error bodies are cut at their limit rather than refused). */
        void collect(ByteBuf content) {
            if (!body.add(content) && status == 200) {
                exchange.abort(new UpstreamProtocolException("answer larger than " + config.maxResponseBytes() + " bytes"));
            }
        }

        Failure statusFailure() {
            return Failures.ofStatus(status, headers, body.bytes(), body.length(), config.id());
        }

        /** The collected whole answer's fields, or the failure it amounts to (an error object, malformed JSON). */
        Parsed parseWhole() {
            try {
                OpenAiWire.Fields fields = OpenAiWire.read(body.bytes(), 0, body.length());
                if (fields.choices.isEmpty() && fields.errorMessage != null) {
                    return new Parsed(null, Failure.of(FailureKind.SERVER_ERROR, "backend " + config.id() + " answered an error: " + fields.errorMessage));
                }
                return new Parsed(fields, null);
            } catch (IOException | RuntimeException e) {
                return new Parsed(null, Failure.of(FailureKind.PROTOCOL_ERROR, "backend " + config.id() + " answered malformed JSON: " + e.getMessage()));
            }
        }
    }

    private record Parsed(OpenAiWire.Fields fields, Failure failure) {
    }

    /** A whole JSON answer. */
    private final class WholeAnswer extends Answer {
        private final CompletableFuture<Completion> future;
        private final String requestedModel;

        WholeAnswer(CompletableFuture<Completion> future, String requestedModel) {
            this.future = future;
            this.requestedModel = requestedModel;
        }

        @Override
        public void onContent(ByteBuf content) {
            collect(content);
        }

        @Override
        public void onEnd() {
            if (status != 200) {
                fail(statusFailure());
                return;
            }
            Parsed parsed = parseWhole();
            if (parsed.failure() != null) {
                fail(parsed.failure());
                return;
            }
            OpenAiWire.Fields fields = parsed.fields();
            if (fields.choices.isEmpty()) {
                fail(Failure.of(FailureKind.PROTOCOL_ERROR, "backend " + config.id() + " answered without choices"));
                return;
            }
            List<Choice> choices = new ArrayList<>(fields.choices.size());
            for (OpenAiWire.ChoiceFields choice : fields.choices) {
                choices.add(choice.toChoice());
            }
            choices.sort(Comparator.comparingInt(Choice::index));
            future.complete(new Completion(choices, fields.usage(), fields.model == null ? requestedModel : fields.model,
                    fields.systemFingerprint, fields.serviceTier, fields.extra));
        }

        @Override
        public void onFailure(Throwable cause, boolean afterHead) {
            fail(Failures.of(cause, afterHead, config.id()));
        }

        private void fail(Failure failure) {
            future.completeExceptionally(new BackendFailureException(failure));
        }
    }

    /** A streamed answer, decoded event by event (or read whole when a server ignores {@code stream: true}). */
    private final class StreamAnswer extends Answer implements SseDecoder.Sink {
        private final BackendStreamListener listener;
        private final SseDecoder decoder = new SseDecoder();
        private String model;
        private boolean sse;
        private String finishReason;
        private Optional<TokenUsage> usage = Optional.empty();
        private boolean ended;
        volatile boolean firstToken;

        StreamAnswer(BackendStreamListener listener, String requestedModel) {
            this.listener = listener;
            this.model = requestedModel;
        }

        @Override
        public void onHead(HttpResponse head) {
            super.onHead(head);
            sse = status == 200 && !headers.get(HttpHeaderNames.CONTENT_TYPE, "").startsWith("application/json");
        }

        @Override
        public void onContent(ByteBuf content) {
            if (!sse) {
                collect(content);
                return;
            }
            try {
                decoder.feed(content, this);
            } catch (IllegalStateException e) {
                exchange.abort(new UpstreamProtocolException(e.getMessage()));
            }
        }

        @Override
        public void onEvent(byte[] data, int length) {
            if (ended) {
                return;
            }
            if (length == DONE.length && java.util.Arrays.equals(data, 0, length, DONE, 0, DONE.length)) {
                complete();
                return;
            }
            OpenAiWire.Fields fields;
            try {
                fields = OpenAiWire.read(data, 0, length);
            } catch (IOException | RuntimeException e) {
                exchange.abort(new UpstreamProtocolException("malformed stream event: " + e.getMessage()));
                return;
            }
            if (fields.errorMessage != null) {
                exchange.abort(null);
                fail(Failure.of(FailureKind.SERVER_ERROR, "backend " + config.id() + " sent an error in the stream: " + fields.errorMessage));
                return;
            }
            absorb(fields);
        }

        /** Takes what a chunk (or a whole answer) says, and passes each choice's piece on. */
        private void absorb(OpenAiWire.Fields fields) {
            if (fields.model != null) {
                model = fields.model;
            }
            Optional<TokenUsage> reported = fields.usage();
            if (reported.isPresent()) {
                usage = reported;
            }
            if (fields.choices.isEmpty()) {
                return;
            }
            Map<String, String> chunkExtra = fields.chunkExtra();
            for (OpenAiWire.ChoiceFields choice : fields.choices) {
                if (choice.finishReason != null && (choice.index == 0 || finishReason == null)) {
                    finishReason = choice.finishReason;
                }
                Delta delta = choice.toDelta(chunkExtra);
                if (!delta.isEmpty()) {
                    if (choice.hasOutput() && !firstToken) {
                        firstToken = true;
                        watchSilence(); // between tokens, the read timeout
                    }
                    listener.onDelta(delta);
                }
            }
        }

        @Override
        public void onEnd() {
            if (ended) {
                return;
            }
            if (status != 200) {
                fail(statusFailure());
                return;
            }
            if (!sse) {
                Parsed parsed = parseWhole();
                if (parsed.failure() != null) {
                    fail(parsed.failure());
                } else {
                    absorb(parsed.fields());
                    complete();
                }
                return;
            }
            decoder.finish(this);
            if (!ended) {
                if (finishReason != null) {
                    complete();
                } else {
                    fail(Failure.of(FailureKind.STREAM_CUT, "backend " + config.id() + " ended the stream without finishing the answer"));
                }
            }
        }

        private void complete() {
            ended = true;
            listener.onComplete(FinishReason.fromWire(finishReason), usage, model);
        }

        @Override
        public void onFailure(Throwable cause, boolean afterHead) {
            fail(Failures.of(cause, afterHead, config.id()));
        }

        private void fail(Failure failure) {
            if (!ended) {
                ended = true;
                listener.onError(failure);
            }
        }
    }

}
