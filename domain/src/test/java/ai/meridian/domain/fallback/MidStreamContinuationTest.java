package ai.meridian.domain.fallback;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.Delta;
import ai.meridian.domain.chat.Role;
import ai.meridian.domain.chat.ToolCallDelta;
import java.util.List;
import org.junit.jupiter.api.Test;

class MidStreamContinuationTest {
    private static final List<ChatMessage> PROMPT = List.of(ChatMessage.system("be brief"), ChatMessage.user("tell me"));

    @Test
    void textWithoutCallsOrRefusalInOneChoiceCanBeContinued() {
        assertThat(MidStreamContinuation.whyNot(new MidStreamContinuation.Delivered(1, "partial", false, false))).isEmpty();
        assertThat(MidStreamContinuation.whyNot(new MidStreamContinuation.Delivered(2, "partial", false, false))).get().asString().contains("several choices");
        assertThat(MidStreamContinuation.whyNot(new MidStreamContinuation.Delivered(1, "partial", true, false))).get().asString().contains("tool calls");
        assertThat(MidStreamContinuation.whyNot(new MidStreamContinuation.Delivered(1, "", false, true))).get().asString().contains("refusal");
    }

    @Test
    void aPrefixContinuationEndsThePromptWithTheOpenAssistantTurn() {
        List<ChatMessage> messages = MidStreamContinuation.messages(PROMPT, "The answer is", ContinuationStyle.ASSISTANT_PREFIX);
        assertThat(messages).hasSize(3).startsWith(PROMPT.get(0), PROMPT.get(1));
        assertThat(messages.get(2).role()).isEqualTo(Role.ASSISTANT);
        assertThat(messages.get(2).content()).isEqualTo("The answer is");
        assertThat(messages.get(2).extra()).containsEntry("prefix", "true");
    }

    @Test
    void aTextCompletionIsContinuedByAppendingThePartialAnswerToItsPrompt() {
        List<ChatMessage> messages = MidStreamContinuation.textMessages(PROMPT, " me more");
        assertThat(messages).containsExactly(ChatMessage.system("be brief"), ChatMessage.user("tell me me more"));
        assertThat(MidStreamContinuation.textMessages(PROMPT, "")).isEqualTo(PROMPT);
    }

    @Test
    void aPromptContinuationShowsThePartialAnswerAndAsksForTheRest() {
        List<ChatMessage> messages = MidStreamContinuation.messages(PROMPT, "The answer is", ContinuationStyle.PROMPT);
        assertThat(messages).hasSize(4);
        assertThat(messages.get(2)).isEqualTo(ChatMessage.assistant("The answer is"));
        assertThat(messages.get(3).role()).isEqualTo(Role.USER);
        assertThat(messages.get(3).content()).contains("Continue it exactly from where it stopped");
    }

    @Test
    void withNoTextDeliveredTheAnswerStartsAgain() {
        assertThat(MidStreamContinuation.messages(PROMPT, "", ContinuationStyle.PROMPT)).isEqualTo(PROMPT);
        assertThat(MidStreamContinuation.messages(PROMPT, null, ContinuationStyle.ASSISTANT_PREFIX)).isEqualTo(PROMPT);
    }

    @Test
    void anOverlapIsTheLongestRepeatOfAtLeastEightCharacters() {
        assertThat(MidStreamContinuation.overlap("Once upon a time there was", "there was a dragon")).isEqualTo(9);
        assertThat(MidStreamContinuation.overlap("Once upon a time there was", " a dragon")).isZero();
        assertThat(MidStreamContinuation.overlap("It was", "was late")).as("too short to tell from chance").isZero();
        assertThat(MidStreamContinuation.overlap("abc", "")).isZero();
        assertThat(MidStreamContinuation.overlapDecidable("0123456789", "01234")).isFalse();
        assertThat(MidStreamContinuation.overlapDecidable("0123456789", "0123456789")).isTrue();
        assertThat(MidStreamContinuation.overlapDecidable("x".repeat(500), "y".repeat(MidStreamContinuation.OVERLAP_WINDOW))).isTrue();
    }

    @Test
    void toolCallPiecesWaitUntilTextFollowsOrTheAnswerEnds() {
        HeldToolCalls held = new HeldToolCalls();
        Delta text = Delta.of("Checking.");
        Delta open = Delta.toolCalls(0, List.of(ToolCallDelta.start(0, "c1", "f")));
        Delta args = Delta.toolCalls(0, List.of(ToolCallDelta.arguments(0, "{}")));
        assertThat(held.accept(text)).containsExactly(text);
        assertThat(held.accept(open)).isEmpty();
        assertThat(held.accept(args)).isEmpty();
        assertThat(held.holding()).isTrue();
        Delta more = Delta.of(" Done.");
        assertThat(held.accept(more)).containsExactly(open, args, more);
        assertThat(held.accept(open)).isEmpty();
        assertThat(held.release()).containsExactly(open);
        assertThat(held.accept(args)).isEmpty();
        assertThat(held.drop()).isEqualTo(1);
        assertThat(held.holding()).isFalse();
    }

    @Test
    void continuationStylesHaveTheirConfigurationNames() {
        assertThat(ContinuationStyle.named("prefix")).isEqualTo(ContinuationStyle.ASSISTANT_PREFIX);
        assertThat(ContinuationStyle.named("PROMPT")).isEqualTo(ContinuationStyle.PROMPT);
        assertThat(ContinuationStyle.ASSISTANT_PREFIX.wireName()).isEqualTo("prefix");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ContinuationStyle.named("magic")).isInstanceOf(IllegalArgumentException.class);
    }
}
