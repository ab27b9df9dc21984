package ai.meridian.adapter.in.completions;

import ai.meridian.application.port.in.ChatStreamObserver;
import ai.meridian.application.port.in.StreamEnd;
import ai.meridian.application.port.in.StreamStart;
import ai.meridian.domain.chat.Delta;
import ai.meridian.domain.error.GatewayError;
import ai.meridian.support.inboundhttp.ErrorResponses;
import ai.meridian.support.inboundhttp.AnswerHeaders;
import ai.meridian.support.inboundhttp.EventStream;

/**
 * A text completion streamed as the Completions API streams it: a chunk per piece of text (the first one carries
 * the sources), a finish chunk per choice, the usage chunk when asked for, then {@code [DONE]}; a failure after the
 * first token ends the stream with an error event.
 */
final class CompletionsStream implements ChatStreamObserver {
    private static final String DONE = "data: [DONE]\n\n";
    private final String requestId;
    private final boolean includeUsage;
    private final EventStream events;
    private StreamStart start;
    private boolean first = true;

    CompletionsStream(String requestId, boolean includeUsage, EventStream events) {
        this.requestId = requestId;
        this.includeUsage = includeUsage;
        this.events = events;
    }

    @Override
    public void onStart(StreamStart streamStart) {
        this.start = streamStart;
        events.open(header -> AnswerHeaders.write(requestId, streamStart.servedBy(), streamStart.conversationId(), streamStart.rateLimit(), header));
    }

    @Override
    public void onDelta(Delta delta) {
        if (delta.content().isEmpty() && delta.reasoningContent().isEmpty() && delta.logprobs() == null) {
            return; // nothing a text completion shows (a chat backend's bookkeeping)
        }
        events.send(event(CompletionsJsonWriter.chunk(start, delta, first)));
        first = false;
    }

    @Override
    public void onFinish(StreamEnd end) {
        StringBuilder tail = new StringBuilder(256);
        for (int choice = 0; choice < end.finishReasons().size(); choice++) {
            tail.append(event(CompletionsJsonWriter.finish(start, choice, end.finishReasons().get(choice), first)));
            first = false;
        }
        if (includeUsage) {
            tail.append(event(CompletionsJsonWriter.usageChunk(start, end.usage())));
        }
        events.send(tail.append(DONE).toString());
        events.end();
    }

    @Override
    public void onError(GatewayError error) {
        if (!events.opened()) {
            events.failBeforeOpen(error);
            return;
        }
        events.send(event(ErrorResponses.openAiEvent(error)));
        events.end();
    }

    private static String event(String json) {
        return "data: " + json + "\n\n";
    }
}
