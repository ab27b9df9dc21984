package ai.meridian.domain.chat;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The tools of a request: the tool definitions, how the model may use them ({@code choice}, empty when the
 * client did not say), whether it may call several at once ({@code parallelToolCalls}, empty when not said),
 * and whether the client used the legacy {@code functions}/{@code function_call} form (answers then carry
 * {@code function_call}, and backends receive the legacy fields).
 */
public record ToolSpec(List<ToolDefinition> tools, Optional<ToolChoice> choice, Optional<Boolean> parallelToolCalls, boolean legacy) {
    public static final ToolSpec NONE = new ToolSpec(List.of(), Optional.empty(), Optional.empty(), false);
    /** OpenAI's limit on tools per request. */
    public static final int MAX_TOOLS = 128;

    public ToolSpec {
        tools = tools == null ? List.of() : List.copyOf(tools);
        choice = Objects.requireNonNullElse(choice, Optional.empty());
        parallelToolCalls = Objects.requireNonNullElse(parallelToolCalls, Optional.empty());
        if (tools.size() > MAX_TOOLS) {
            throw new InvalidValueException(legacy ? "functions" : "tools", "at most " + MAX_TOOLS + " tools per request");
        }
        if (choice.isPresent() && "function".equals(choice.get().mode())) {
            String named = choice.get().toolName();
            if (tools.stream().noneMatch(t -> t.name().equals(named))) {
                throw new InvalidValueException(legacy ? "function_call" : "tool_choice",
                        "tool_choice names '" + named + "', which is not among the request's tools");
            }
        }
    }

    /** True when the request offers tools the model may call. */
    public boolean offered() {
        return !tools.isEmpty() && !(choice.isPresent() && "none".equals(choice.get().mode()));
    }

    public boolean isEmpty() {
        return tools.isEmpty() && choice.isEmpty() && parallelToolCalls.isEmpty();
    }
}
