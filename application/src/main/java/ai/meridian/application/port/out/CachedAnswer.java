package ai.meridian.application.port.out;

import ai.meridian.domain.chat.Choice;
import ai.meridian.domain.chat.Completion;
import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.chat.ToolCall;
import ai.meridian.domain.retrieval.Citation;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An answer kept by the response cache: whose it is (tenant, public model), the whole completion (every choice, tool
 * calls, log probabilities, refusals, finish reasons, the backend's own fields), the usage the answer had, the
 * citations it was grounded on (an answer is never kept without them), when it was made and until when it may be
 * served (epoch milliseconds), and the generation of every
 * scope it depends on as they were when the request was looked up (a purge or a knowledge-base change raises a
 * generation, which makes the entry stale).
 */
public record CachedAnswer(String tenant, String model, Completion completion, TokenUsage usage, List<Citation> citations,
                           Map<String, Long> generations, long createdAtMillis, long expiresAtMillis) {

    public CachedAnswer {
        if (tenant == null || tenant.isBlank()) {
            throw new IllegalArgumentException("a cached answer belongs to a tenant");
        }
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("a cached answer belongs to a model");
        }
        Objects.requireNonNull(completion, "completion");
        Objects.requireNonNull(usage, "usage");
        citations = citations == null ? List.of() : List.copyOf(citations);
        generations = generations == null ? Map.of() : Map.copyOf(generations);
        if (expiresAtMillis < createdAtMillis) {
            throw new IllegalArgumentException("a cached answer expires after it was made");
        }
    }

    /** Roughly how much memory the entry holds (two bytes a character plus a fixed overhead per object), for size bounds and metrics. */
    public int approximateBytes() {
        long bytes = 256 + 2L * (tenant.length() + model.length());
        for (Choice choice : completion.choices()) {
            bytes += 128 + 2L * (len(choice.content()) + len(choice.reasoningContent()) + len(choice.refusal()) + len(choice.logprobs()));
            for (ToolCall call : choice.toolCalls()) {
                bytes += 96 + 2L * (len(call.id()) + len(call.name()) + len(call.arguments()));
            }
            bytes += raw(choice.messageExtra()) + raw(choice.choiceExtra());
        }
        bytes += raw(completion.extra()) + raw(usage.details());
        for (Citation citation : citations) {
            bytes += 96 + 2L * (citation.title().length() + citation.url().length() + citation.date().length() + citation.snippet().length()
                    + citation.source().length());
        }
        for (String scope : generations.keySet()) {
            bytes += 48 + 2L * scope.length();
        }
        return (int) Math.min(Integer.MAX_VALUE, bytes);
    }

    private static int len(String s) {
        return s == null ? 0 : s.length();
    }

    private static long raw(Map<String, String> fields) {
        long bytes = 0;
        for (Map.Entry<String, String> field : fields.entrySet()) {
            bytes += 64 + 2L * (field.getKey().length() + field.getValue().length());
        }
        return bytes;
    }
}
