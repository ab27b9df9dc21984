package ai.meridian.domain.conversation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.InvalidValueException;
import ai.meridian.domain.chat.Role;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ConversationValuesTest {
    private static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void generatedIdsHaveTheirShapeAndDiffer() {
        SplittableRandom random = new SplittableRandom(7);
        ConversationId a = ConversationId.generate(random);
        ConversationId b = ConversationId.generate(random);
        assertThat(a.value()).matches("conv_[0-9a-f]{24}");
        assertThat(a).isNotEqualTo(b);
    }

    @Test
    void malformedIdsAreRefusedNamingTheParameter() {
        for (String bad : List.of("", "has space", "x".repeat(65), "a/b", "é", "' OR 1=1 --")) {
            assertThatThrownBy(() -> new ConversationId(bad)).isInstanceOf(InvalidValueException.class)
                    .satisfies(e -> assertThat(((InvalidValueException) e).param()).isEqualTo("conversation_id"));
        }
    }

    @Test
    void newIsTheWordThatStartsAConversation() {
        assertThat(ConversationRef.parse("new").isNew()).isTrue();
        assertThat(ConversationRef.parse("conv_1").existing()).contains(new ConversationId("conv_1"));
    }

    @Test
    void titlesAreTrimmedBoundedAndPrintable() {
        assertThat(Conversation.validTitle("  Trip to Lisbon ")).isEqualTo("Trip to Lisbon");
        assertThatThrownBy(() -> Conversation.validTitle(" ")).isInstanceOf(InvalidValueException.class);
        assertThatThrownBy(() -> Conversation.validTitle("x".repeat(201))).isInstanceOf(InvalidValueException.class);
        assertThatThrownBy(() -> Conversation.validTitle("a\u0000b")).isInstanceOf(InvalidValueException.class);
    }

    @Test
    void aTitleIsMadeFromTheFirstQuestion() {
        assertThat(Conversation.titleFrom("What is\nthe capital of France?")).isEqualTo("What is the capital of France?");
        String longQuestion = "Please explain in detail how the fallback tiers of this gateway decide which backend answers next";
        assertThat(Conversation.titleFrom(longQuestion)).endsWith("…").hasSizeLessThanOrEqualTo(61);
        assertThat(Conversation.titleFrom("  ")).isEqualTo("New conversation");
    }

    @Test
    void onlyAssistantTurnsCarryBackendCitationsAndFinishReason() {
        assertThatThrownBy(() -> new Turn(Role.USER, "hi", "", "m", "b", null, null, Optional.empty(), AT))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Turn(Role.USER, "hi", "", "m", "", null, null, Optional.of(FinishReason.STOP), AT))
                .isInstanceOf(IllegalArgumentException.class);
        Turn answer = new Turn(Role.ASSISTANT, "hello", null, "m", "b", null, null, Optional.of(FinishReason.STOP), AT);
        assertThat(answer.usage().totalTokens()).isZero();
        assertThat(answer.asMessage().content()).isEqualTo("hello");
    }

    @Test
    void sequenceNumbersStartAtOneAndHistoryIsInOrder() {
        Turn turn = new Turn(Role.USER, "q", "", "m", "", null, null, null, AT);
        assertThatThrownBy(() -> new StoredTurn(0, turn)).isInstanceOf(IllegalArgumentException.class);
        Conversation conversation = new Conversation(new ConversationId("c"), "default", "t", 2, AT, AT);
        assertThatThrownBy(() -> new ConversationHistory(conversation, List.of(), Optional.empty(),
                List.of(new StoredTurn(2, turn), new StoredTurn(1, turn)))).isInstanceOf(IllegalArgumentException.class);
    }
}
