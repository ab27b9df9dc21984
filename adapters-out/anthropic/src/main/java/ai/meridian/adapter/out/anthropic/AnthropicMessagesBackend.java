package ai.meridian.adapter.out.anthropic;

import ai.meridian.application.port.out.BackendCall;
import ai.meridian.application.port.out.BackendFailureException;
import ai.meridian.application.port.out.BackendStreamListener;
import ai.meridian.application.port.out.Cancellable;
import ai.meridian.application.port.out.ModelBackend;
import ai.meridian.domain.chat.Choice;
import ai.meridian.domain.chat.Completion;
import ai.meridian.domain.chat.Delta;
import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.ToolCall;
import ai.meridian.domain.chat.ToolCallDelta;
import ai.meridian.domain.fallback.Failure;
import ai.meridian.domain.fallback.FailureKind;
import ai.meridian.domain.routing.Capability;
import ai.meridian.domain.routing.ModelCapabilities;
import ai.meridian.domain.routing.ModelCapabilities.ParameterSupport;
import ai.meridian.support.json.RawJson;
import ai.meridian.support.nettyhttp.BodyCollector;
import ai.meridian.support.nettyhttp.HttpExchange;
import ai.meridian.support.nettyhttp.PooledHttpClient;
import ai.meridian.support.nettyhttp.ResponseHandler;
import ai.meridian.support.nettyhttp.SseDecoder;
import ai.meridian.support.nettyhttp.UpstreamProtocolException;
import ai.meridian.support.nettyhttp.UpstreamTimeoutException;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A model backend that speaks Anthropic's Messages API ({@code POST <base-url>/v1/messages}): Anthropic itself,
 * DeepSeek's Anthropic-compatible endpoint, any server of that protocol. It uses the shared pooled Netty client,
 * parses streams event by event as bytes arrive, and keeps the OpenAI-compatible backend's behaviour for
 * timeouts (connect, first token, total), cancellation (closes the upstream connection) and failures.
 */
public final class AnthropicMessagesBackend implements ModelBackend {
    /** Request fields beyond the typed ones that the Messages API takes and this backend forwards as written. */
    static final Set<String> FORWARDED_PARAMETERS = Set.of("top_k", "thinking", "metadata", "service_tier", "container",
            "mcp_servers", "context_management", "output_config", "output_format", "inference_geo", "stop", "user",
            "parallel_tool_calls");
    private static final int ERROR_BODY_LIMIT = 64 * 1024;
    private static final AsciiString USER_AGENT = AsciiString.cached("meridian-gateway/0.1");
    private static final AsciiString EVENT_STREAM = AsciiString.cached("text/event-stream");

    private final AnthropicBackendConfig config;
    private final PooledHttpClient http;
    private final String messagesPath;
    private final String modelsPath;
    private final AsciiString host;
    private final ModelCapabilities capabilities;

    AnthropicMessagesBackend(AnthropicBackendConfig config, PooledHttpClient http) {
        this.config = config;
        this.http = http;
        this.messagesPath = config.endpoint().basePath() + "/v1/messages";
        this.modelsPath = config.endpoint().basePath() + "/v1/models";
        this.host = new AsciiString(config.endpoint().hostHeader());
        Set<String> accepted = new TreeSet<>(FORWARDED_PARAMETERS);
        if (config.samplingRemoved()) {
            accepted.remove("top_k");
        }
        accepted.addAll(config.allowedParameters());
        this.capabilities = new ModelCapabilities(
                Set.of(Capability.TOOLS, Capability.VISION, Capability.FILES, Capability.REASONING),
                Set.of(Capability.AUDIO, Capability.LOGPROBS, Capability.MULTIPLE_CHOICES, Capability.JSON_OBJECT, Capability.JSON_SCHEMA),
                0, 0, new ParameterSupport(false, accepted, config.deniedParameters()));
    }

    @Override
    public String id() {
        return config.id();
    }

    /**
     * What every model behind a Messages API can do: tools, images, PDF documents and thinking; not audio, log
     * probabilities, several choices or OpenAI's JSON modes. Of the pass-through fields it forwards
     * {@link #FORWARDED_PARAMETERS} and those {@code parameters.allow} adds, minus {@code parameters.deny}.
     */
    @Override
    public ModelCapabilities capabilities(String upstreamModel) {
        return capabilities;
    }

    @Override
    public CompletableFuture<Completion> complete(BackendCall call) {
        CompletableFuture<Completion> future = new CompletableFuture<>();
        FullHttpRequest request;
        try {
            request = request(HttpMethod.POST, messagesPath, call, false);
        } catch (AnthropicRequestWriter.Unsupported e) {
            future.completeExceptionally(new BackendFailureException(unsupported(e)));
            return future;
        }
        WholeAnswer handler = new WholeAnswer(future, call.upstreamModel());
        HttpExchange exchange = http.send(request, handler);
        // The head is a whole answer's first sign of life: due within the first-token timeout (a hung backend then
        // costs one first-token wait, not the total timeout); after it the read timeout bounds each silence.
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
        FullHttpRequest request;
        try {
            request = request(HttpMethod.POST, messagesPath, call, true);
        } catch (AnthropicRequestWriter.Unsupported e) {
            listener.onError(unsupported(e));
            return () -> { };
        }
        StreamAnswer handler = new StreamAnswer(listener, call.upstreamModel());
        HttpExchange exchange = http.send(request, handler);
        exchange.schedule(() -> {
            if (!handler.firstToken) {
                exchange.abort(new UpstreamTimeoutException("no first token within " + config.firstTokenTimeout().toMillis() + " ms"));
            }
        }, config.firstTokenTimeout().toNanos(), TimeUnit.NANOSECONDS);
        exchange.schedule(() -> exchange.abort(new UpstreamTimeoutException("stream not finished within " + config.totalTimeout().toMillis() + " ms")),
                config.totalTimeout().toNanos(), TimeUnit.NANOSECONDS);
        return exchange::cancel;
    }

    /** A request the Messages API cannot express is the client's to change: a 400 naming the field, no other backend tried. */
    private Failure unsupported(AnthropicRequestWriter.Unsupported e) {
        return Failure.of(FailureKind.CLIENT_ERROR, "Invalid '" + e.param() + "' for backend " + config.id() + " (Anthropic Messages API): "
                + e.getMessage() + ".");
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
        http.close();
    }

    private FullHttpRequest request(HttpMethod method, String path, BackendCall call, boolean stream) {
        ByteBuf body;
        if (call == null) {
            body = Unpooled.EMPTY_BUFFER;
        } else {
            body = PooledByteBufAllocator.DEFAULT.buffer(256 + call.messages().size() * 128);
            try {
                AnthropicRequestWriter.write(body, call, stream, config);
            } catch (RuntimeException e) {
                body.release();
                throw e;
            }
        }
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, path, body, false);
        HttpHeaders headers = request.headers();
        headers.set(HttpHeaderNames.HOST, host);
        headers.set(HttpHeaderNames.USER_AGENT, USER_AGENT);
        headers.set("anthropic-version", config.anthropicVersion());
        if (!config.betas().isEmpty()) {
            headers.set("anthropic-beta", String.join(",", config.betas()));
        }
        if (call != null) {
            headers.set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
            headers.set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
            headers.set(HttpHeaderNames.ACCEPT, stream ? EVENT_STREAM : HttpHeaderValues.APPLICATION_JSON);
            headers.set("x-request-id", call.requestId());
            if (call.traceparent() != null) {
                headers.set("traceparent", call.traceparent());
            }
        }
        if (config.apiKey() != null) {
            if (config.bearerAuth()) {
                headers.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + config.apiKey());
            } else {
                headers.set("x-api-key", config.apiKey());
            }
        }
        config.headers().forEach(headers::set);
        if (call != null && !config.forwardHeaders().isEmpty()) {
            // the client's value of an allowed header wins over a configured one (its anthropic-beta over the backend's)
            call.clientHeaders().forEach((name, value) -> {
                if (config.forwardHeaders().contains(name)) {
                    headers.set(name, value);
                }
            });
        }
        return request;
    }

    /** What both handlers share: the head, a bounded body, and reading a whole message or an error body. */
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

        void collect(ByteBuf content) {
            if (!body.add(content) && status == 200) {
                exchange.abort(new UpstreamProtocolException("answer larger than " + config.maxResponseBytes() + " bytes"));
            }
        }

        Failure statusFailure() {
            return Failures.ofStatus(status, headers, body.bytes(), body.length(), config.id());
        }

        /** The collected whole message, or the failure it amounts to (an error object, malformed JSON, no content). */
        Object parseWhole() {
            AnthropicWire.Message message;
            try {
                message = AnthropicWire.readMessage(body.bytes(), body.length());
            } catch (IOException | RuntimeException e) {
                return Failure.of(FailureKind.PROTOCOL_ERROR, "backend " + config.id() + " answered malformed JSON: " + e.getMessage());
            }
            if (message.errorMessage != null || message.errorType != null) {
                return Failures.ofErrorType(message.errorType, message.errorMessage, config.id());
            }
            return message;
        }
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
            Object parsed = parseWhole();
            if (parsed instanceof Failure failure) {
                fail(failure);
                return;
            }
            AnthropicWire.Message message = (AnthropicWire.Message) parsed;
            Choice choice;
            try {
                choice = message.toChoice();
            } catch (RuntimeException e) {
                fail(Failure.of(FailureKind.PROTOCOL_ERROR, "backend " + config.id() + " answered an unusable message: " + e.getMessage()));
                return;
            }
            future.complete(new Completion(List.of(choice), message.usage.toUsage(), message.model == null ? requestedModel : message.model,
                    null, null, message.extra));
        }

        @Override
        public void onFailure(Throwable cause, boolean afterHead) {
            fail(Failures.of(cause, afterHead, config.id()));
        }

        private void fail(Failure failure) {
            future.completeExceptionally(new BackendFailureException(failure));
        }
    }

    /** One content block of a stream, by the index Anthropic gave it. */
    private static final class Block {
        final String type;
        final int toolIndex;
        final String startInput;
        boolean sawInput;

        Block(String type, int toolIndex, String startInput) {
            this.type = type;
            this.toolIndex = toolIndex;
            this.startInput = startInput;
        }
    }

    /**
     * A streamed answer: each event becomes a delta at once. Text, thinking and tool input pieces pass as they come;
     * a thinking block's signature and a redacted thinking block pass as {@code thinking_blocks} (the delta's extra
     * field), a citation as {@code citations}; the stop sequence that ended the answer is the last delta's
     * {@code stop_reason}. Read whole when a server ignores {@code stream: true}.
     */
    private final class StreamAnswer extends Answer implements SseDecoder.Sink {
        private final BackendStreamListener listener;
        private final SseDecoder decoder = new SseDecoder();
        private final Map<Integer, Block> blocks = new HashMap<>();
        private final AnthropicWire.Usage usage = new AnthropicWire.Usage();
        private String model;
        private boolean sse;
        private int tools;
        private String stopReason;
        private String stopSequence;
        private String stopDetails;
        private boolean sawStopReason;
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
            AnthropicWire.Event event;
            try {
                event = AnthropicWire.readEvent(data, length);
                absorb(event);
            } catch (IOException | RuntimeException e) {
                exchange.abort(new UpstreamProtocolException("malformed stream event: " + e.getMessage()));
            }
        }

        private void absorb(AnthropicWire.Event event) {
            switch (event.type) {
                case "message_start":
                    if (event.model != null) {
                        model = event.model;
                    }
                    merge(event.usage);
                    break;
                case "content_block_start":
                    blockStart(event.index, event.contentBlock == null ? Map.of() : event.contentBlock);
                    break;
                case "content_block_delta":
                    blockDelta(event);
                    break;
                case "content_block_stop":
                    blockStop(event.index);
                    break;
                case "message_delta":
                    if (event.stopReason != null) {
                        stopReason = event.stopReason;
                        sawStopReason = true;
                    }
                    if (event.stopSequence != null) {
                        stopSequence = event.stopSequence;
                    }
                    if (event.stopDetails != null) {
                        stopDetails = event.stopDetails;
                    }
                    merge(event.usage);
                    break;
                case "message_stop":
                    complete();
                    break;
                case "error":
                    exchange.abort(null);
                    fail(Failures.ofErrorType(event.errorType, event.errorMessage, config.id()));
                    break;
                default:
                    break; // ping, and event types added later
            }
        }

        private void merge(AnthropicWire.Usage more) {
            if (more.input != null) {
                usage.input = more.input;
            }
            if (more.output != null) {
                usage.output = more.output;
            }
            if (more.cacheRead != null) {
                usage.cacheRead = more.cacheRead;
            }
            if (more.cacheCreation != null) {
                usage.cacheCreation = more.cacheCreation;
            }
            usage.other.putAll(more.other);
        }

        private void blockStart(int index, Map<String, String> block) {
            String type = RawJson.stringValue(block.get("type"));
            type = type == null ? "" : type;
            switch (type) {
                case "text": {
                    blocks.put(index, new Block(type, -1, null));
                    String text = RawJson.stringValue(block.get("text"));
                    if (text != null && !text.isEmpty()) {
                        deliver(Delta.of(text), true);
                    }
                    break;
                }
                case "thinking": {
                    blocks.put(index, new Block(type, -1, null));
                    String thinking = RawJson.stringValue(block.get("thinking"));
                    if (thinking != null && !thinking.isEmpty()) {
                        deliver(new Delta("", thinking), true);
                    }
                    String signature = RawJson.stringValue(block.get("signature"));
                    if (signature != null && !signature.isEmpty()) {
                        signature(signature);
                    }
                    break;
                }
                case "redacted_thinking":
                    blocks.put(index, new Block(type, -1, null));
                    deliver(extra(AnthropicWire.THINKING_BLOCKS, "[" + AnthropicWire.rawObject(block) + "]"), true);
                    break;
                case "tool_use": {
                    int tool = tools++;
                    blocks.put(index, new Block(type, tool, block.getOrDefault("input", "{}")));
                    String id = RawJson.stringValue(block.get("id"));
                    String name = RawJson.stringValue(block.get("name"));
                    if (name == null || name.isEmpty()) {
                        throw new IllegalStateException("a tool_use block without a name");
                    }
                    deliver(Delta.toolCalls(0, List.of(new ToolCallDelta(tool, id, "function", name, ""))), true);
                    break;
                }
                default:
                    blocks.put(index, new Block(type, -1, null));
                    deliver(extra(AnthropicWire.OTHER_CONTENT, "[" + AnthropicWire.rawObject(block) + "]"), true);
            }
        }

        private void blockDelta(AnthropicWire.Event event) {
            Block block = blocks.get(event.index);
            String piece = event.deltaText == null ? "" : event.deltaText;
            switch (event.deltaType) {
                case "text_delta":
                    if (!piece.isEmpty()) {
                        deliver(Delta.of(piece), true);
                    }
                    break;
                case "thinking_delta":
                    if (!piece.isEmpty()) {
                        deliver(new Delta("", piece), true);
                    }
                    break;
                case "signature_delta":
                    if (!piece.isEmpty()) {
                        signature(piece);
                    }
                    break;
                case "input_json_delta":
                    if (block != null && block.toolIndex >= 0) {
                        block.sawInput = true;
                        if (!piece.isEmpty()) {
                            deliver(Delta.toolCalls(0, List.of(ToolCallDelta.arguments(block.toolIndex, piece))), true);
                        }
                    }
                    break;
                case "citations_delta":
                    if (event.deltaRaw != null) {
                        deliver(extra("citations", "[" + event.deltaRaw + "]"), false);
                    }
                    break;
                default:
                    break; // deltas of blocks the domain has no value for
            }
        }

        /** A tool call whose input came whole in its start (no input pieces followed) gets it now. */
        private void blockStop(int index) {
            Block block = blocks.get(index);
            if (block != null && block.toolIndex >= 0 && !block.sawInput) {
                deliver(Delta.toolCalls(0, List.of(ToolCallDelta.arguments(block.toolIndex, block.startInput))), true);
            }
        }

        private void signature(String signature) {
            deliver(extra(AnthropicWire.THINKING_BLOCKS,
                    "[{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":" + RawJson.quote(signature) + "}]"), true);
        }

        private Delta extra(String field, String json) {
            return new Delta(0, "", "", List.of(), null, null, null, null, Map.of(), Map.of(), Map.of(field, json));
        }

        private void deliver(Delta delta, boolean output) {
            if (output && !firstToken) {
                firstToken = true;
                watchSilence(); // between tokens, the read timeout
            }
            listener.onDelta(delta);
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
                Object parsed = parseWhole();
                if (parsed instanceof Failure failure) {
                    fail(failure);
                } else {
                    replay((AnthropicWire.Message) parsed);
                }
                return;
            }
            decoder.finish(this);
            if (!ended) {
                if (sawStopReason) {
                    complete();
                } else {
                    fail(Failure.of(FailureKind.STREAM_CUT, "backend " + config.id() + " ended the stream without finishing the answer"));
                }
            }
        }

        /** A whole message from a server that does not stream, passed on as pieces. */
        private void replay(AnthropicWire.Message message) {
            Choice choice;
            try {
                choice = message.toChoice();
            } catch (RuntimeException e) {
                fail(Failure.of(FailureKind.PROTOCOL_ERROR, "backend " + config.id() + " answered an unusable message: " + e.getMessage()));
                return;
            }
            if (message.model != null) {
                model = message.model;
            }
            // Thinking block by block, as a stream would have brought it: its text, then its signature.
            for (String block : message.thinkingBlocks) {
                Map<String, String> members = RawJson.objectMembers(block);
                if ("thinking".equals(RawJson.stringValue(members.get("type")))) {
                    String thinking = RawJson.stringValue(members.get("thinking"));
                    if (thinking != null && !thinking.isEmpty()) {
                        deliver(new Delta("", thinking), true);
                    }
                    String signature = RawJson.stringValue(members.get("signature"));
                    if (signature != null && !signature.isEmpty()) {
                        signature(signature);
                    }
                } else {
                    deliver(extra(AnthropicWire.THINKING_BLOCKS, "[" + block + "]"), true);
                }
            }
            if (!choice.text().isEmpty()) {
                deliver(Delta.of(choice.text()), true);
            }
            for (int i = 0; i < choice.toolCalls().size(); i++) {
                ToolCall call = choice.toolCalls().get(i);
                deliver(Delta.toolCalls(0, List.of(new ToolCallDelta(i, call.id(), "function", call.name(), call.arguments()))), true);
            }
            merge(message.usage);
            stopReason = message.stopReason;
            stopSequence = message.stopSequence;
            stopDetails = message.extra.get("stop_details");
            complete();
        }

        private void complete() {
            ended = true;
            // What the stop says beyond its reason rides on a last delta: the matched sequence (as vLLM reports it) and
            // a refusal's details.
            Map<String, String> stop = new java.util.LinkedHashMap<>();
            if (stopSequence != null) {
                stop.put("stop_reason", RawJson.quote(stopSequence));
            }
            if (stopDetails != null) {
                stop.put("stop_details", stopDetails);
            }
            if (!stop.isEmpty()) {
                listener.onDelta(new Delta(0, "", "", List.of(), null, null, null, null, Map.of(), stop, Map.of()));
            }
            FinishReason reason = AnthropicWire.finishReason(stopReason);
            Optional<ai.meridian.domain.chat.TokenUsage> reported = usage.toUsage();
            listener.onComplete(reason, reported, model);
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
