package ai.meridian.domain.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.Role;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ContextWindowPolicyTest {
    /** One token per character plus four for framing: easy to reason about in a test. */
    private final ContextWindowPolicy policy = new ContextWindowPolicy(m -> 4 + m.content().length());
    private static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");

    private static List<StoredTurn> history(int exchanges) {
        List<StoredTurn> turns = new ArrayList<>();
        for (int i = 0; i < exchanges; i++) {
            turns.add(new StoredTurn(2 * i + 2, Turn.fromClient(ChatMessage.user("q" + i + "xxxxxx"), "m", AT)));
            turns.add(new StoredTurn(2 * i + 3, new Turn(Role.ASSISTANT, "a" + i + "yyyyyy", "", "m", "b", null, null, null, AT)));
        }
        return turns;
    }

    @Test
    void everythingIsSentWhenItFits() {
        ContextWindowPolicy.Window window = policy.fit(List.of(ChatMessage.system("sys")), Optional.empty(), history(3),
                List.of(ChatMessage.user("now")), new ContextBudget(10_000, 0));
        assertThat(window.dropped()).isEmpty();
        assertThat(window.messages()).extracting(ChatMessage::content)
                .containsExactly("sys", "q0xxxxxx", "a0yyyyyy", "q1xxxxxx", "a1yyyyyy", "q2xxxxxx", "a2yyyyyy", "now");
        assertThat(window.promptTokens()).isEqualTo(3 + 7 + 6 * 12 + 7);
    }

    @Test
    void theOldestTurnsAreDroppedAndTheSystemPromptAndNewMessagesStay() {
        // 3 framing + 7 system + 7 new = 17; room for 36 more = three turns of 12; the oldest kept would be an answer.
        ContextWindowPolicy.Window window = policy.fit(List.of(ChatMessage.system("sys")), Optional.empty(), history(3),
                List.of(ChatMessage.user("now")), new ContextBudget(256, 256 - 53));
        assertThat(window.messages()).extracting(ChatMessage::content).containsExactly("sys", "q2xxxxxx", "a2yyyyyy", "now");
        assertThat(window.dropped()).extracting(StoredTurn::seq).containsExactly(2, 3, 4, 5);
        assertThat(window.kept()).extracting(StoredTurn::seq).containsExactly(6, 7);
        assertThat(window.promptTokens()).isLessThanOrEqualTo(53);
    }

    @Test
    void newMessagesAreSentEvenWhenTheyAloneExceedTheBudget() {
        String huge = "x".repeat(1000);
        ContextWindowPolicy.Window window = policy.fit(List.of(), Optional.empty(), history(2),
                List.of(ChatMessage.user(huge)), new ContextBudget(256, 0));
        assertThat(window.messages()).extracting(ChatMessage::content).containsExactly(huge);
        assertThat(window.dropped()).hasSize(4);
    }

    @Test
    void theSummaryStandsInForDroppedTurnsWhenItFits() {
        RunningSummary summary = new RunningSummary("they said hi", 1);
        ContextWindowPolicy.Window window = policy.fit(List.of(), Optional.of(summary), history(1),
                List.of(ChatMessage.user("now")), new ContextBudget(10_000, 0));
        assertThat(window.summaryIncluded()).isTrue();
        assertThat(window.messages().get(0).role()).isEqualTo(Role.SYSTEM);
        assertThat(window.messages().get(0).content()).endsWith("they said hi");
        assertThat(window.messages()).hasSize(4);
    }

    @Test
    void aSummaryThatDoesNotFitIsLeftOut() {
        RunningSummary summary = new RunningSummary("s".repeat(500), 1);
        ContextWindowPolicy.Window window = policy.fit(List.of(), Optional.of(summary), List.of(),
                List.of(ChatMessage.user("now")), new ContextBudget(256, 0));
        assertThat(window.summaryIncluded()).isFalse();
        assertThat(window.messages()).extracting(ChatMessage::content).containsExactly("now");
    }

    @Test
    void theBudgetLeavesRoomForTheAnswer() {
        assertThat(ContextBudget.of(8192, null).promptTokens()).isEqualTo(8192 - 1024);
        assertThat(ContextBudget.of(1000, null).promptTokens()).isEqualTo(750);
        assertThat(ContextBudget.of(4096, 1000).promptTokens()).isEqualTo(3096);
        assertThat(ContextBudget.of(4096, 10_000).promptTokens()).isZero();
    }

    @Test
    void aToolResultIsNeverKeptWithoutTheCallItAnswers() {
        List<StoredTurn> turns = new ArrayList<>();
        turns.add(new StoredTurn(2, Turn.fromClient(ChatMessage.user("weather?"), "m", AT)));
        turns.add(new StoredTurn(3, new Turn(ChatMessage.assistantToolCalls(null, List.of(
                ai.meridian.domain.chat.ToolCall.function("call_1", "weather", "{\"city\":\"Paris\"}"))), "m", "b", null, null,
                Optional.of(ai.meridian.domain.chat.FinishReason.TOOL_CALLS), AT)));
        turns.add(new StoredTurn(4, Turn.fromClient(ChatMessage.toolResult("call_1", "18C and sunny"), "m", AT)));
        turns.add(new StoredTurn(5, new Turn(Role.ASSISTANT, "It is 18C.", "", "m", "b", null, null, null, AT)));
        // Room for the last two turns only: the tool result (17) and the answer (14) fit, the call does not.
        ContextWindowPolicy.Window window = policy.fit(List.of(), Optional.empty(), turns, List.of(ChatMessage.user("now")),
                new ContextBudget(256, 256 - (3 + 7 + 17 + 14)));
        assertThat(window.kept()).isEmpty();
        assertThat(window.messages()).extracting(ChatMessage::content).containsExactly("now");

        ContextWindowPolicy.Window roomy = policy.fit(List.of(), Optional.empty(), turns, List.of(ChatMessage.user("now")),
                new ContextBudget(10_000, 0));
        assertThat(roomy.messages().get(1).toolCalls()).hasSize(1);
        assertThat(roomy.messages().get(2).toolCallId()).isEqualTo("call_1");
    }
}
