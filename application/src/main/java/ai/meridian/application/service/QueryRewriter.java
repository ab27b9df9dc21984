package ai.meridian.application.service;

import ai.meridian.application.port.out.BackendCall;
import ai.meridian.application.port.out.ModelBackend;
import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.GenerationParams;
import ai.meridian.domain.chat.Role;
import ai.meridian.domain.chat.ToolSpec;
import ai.meridian.domain.fallback.Tier;
import ai.meridian.domain.retrieval.StandaloneQuery;
import ai.meridian.domain.routing.Route;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Turns a follow-up question ("and in 2023?", "它的作者是谁") into a standalone search query. In a
 * conversation it asks the model the request is routed to, briefly and with a short timeout; without history,
 * or when the model cannot be reached, the last user message is the query.
 */
final class QueryRewriter {
    private static final String INSTRUCTIONS = "Rewrite the user's last message as a standalone web search query. Use the earlier "
            + "conversation only to resolve references such as pronouns. Reply with the query alone, in the language of the last "
            + "message, without quotes or explanations, at most 30 words.";
    private static final int TRANSCRIPT_MESSAGES = 6;
    private static final int TRANSCRIPT_CHARS = 600;

    private final BackendRegistry backends;
    private final RetrievalSettings settings;

    QueryRewriter(BackendRegistry backends, RetrievalSettings settings) {
        this.backends = backends;
        this.settings = settings;
    }

    /** The search query for this request; never fails (falls back to the last user message). */
    CompletableFuture<Query> standalone(ChatContext context) {
        List<ChatMessage> messages = context.messages();
        String fallback = StandaloneQuery.fromLastUserMessage(messages).orElse("");
        if (!settings.rewriteWithModel() || !isFollowUp(messages) || fallback.isEmpty()) {
            return CompletableFuture.completedFuture(new Query(fallback, false));
        }
        Optional<ModelBackend> backend = primaryRoute(context).flatMap(r -> backends.find(r.backend())).filter(ModelBackend::generatesText);
        if (backend.isEmpty()) {
            return CompletableFuture.completedFuture(new Query(fallback, false));
        }
        BackendCall call = new BackendCall(context.command().caller().requestId() + "-rewrite", primaryRoute(context).get().upstreamModel(),
                List.of(ChatMessage.system(INSTRUCTIONS), ChatMessage.user(transcript(messages))),
                new GenerationParams(0.0, null, 64, null, null, null, null, null, null), context.span().traceparent(), List.of(),
                ToolSpec.NONE, context.command().caller().headers());
        return backend.get().complete(call)
                .orTimeout(settings.rewriteTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .handle((completion, error) -> {
                    if (error != null) {
                        return new Query(fallback, false);
                    }
                    String rewritten = clean(completion.content());
                    return rewritten.isEmpty() ? new Query(fallback, false) : new Query(rewritten, true);
                });
    }

    /** The query, and whether the model wrote it. */
    record Query(String text, boolean rewritten) {
    }

    private static boolean isFollowUp(List<ChatMessage> messages) {
        return messages.stream().anyMatch(m -> m.role() == Role.ASSISTANT);
    }

    private static Optional<Route> primaryRoute(ChatContext context) {
        return context.model().plan().tiers().stream().findFirst().map(Tier::routing).map(r -> r.routes().routes().get(0));
    }

    private static String transcript(List<ChatMessage> messages) {
        List<ChatMessage> recent = new ArrayList<>();
        for (ChatMessage m : messages) {
            if (m.role() != Role.SYSTEM) {
                recent.add(m);
            }
        }
        recent = recent.subList(Math.max(0, recent.size() - TRANSCRIPT_MESSAGES), recent.size());
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < recent.size(); i++) {
            ChatMessage m = recent.get(i);
            boolean last = i == recent.size() - 1;
            String content = m.content().length() > TRANSCRIPT_CHARS && !last ? m.content().substring(0, TRANSCRIPT_CHARS) + "…" : m.content();
            text.append(last ? "Last message: " : speaker(m)).append(content);
            m.toolCalls().forEach(call -> text.append(" [calls ").append(call.name()).append(']'));
            text.append('\n');
        }
        return text.toString();
    }

    private static String speaker(ChatMessage m) {
        switch (m.role()) {
            case USER:
                return "User: ";
            case ASSISTANT:
                return "Assistant: ";
            default:
                return "Tool result: ";
        }
    }

    static String clean(String text) {
        String line = text.strip().lines().findFirst().orElse("").strip();
        while (line.length() >= 2 && (line.startsWith("\"") && line.endsWith("\"") || line.startsWith("“") && line.endsWith("”"))) {
            line = line.substring(1, line.length() - 1).strip();
        }
        return line.length() > StandaloneQuery.MAX_CHARS ? line.substring(0, StandaloneQuery.MAX_CHARS) : line;
    }
}
