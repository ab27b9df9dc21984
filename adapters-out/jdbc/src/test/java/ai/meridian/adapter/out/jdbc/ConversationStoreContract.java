package ai.meridian.adapter.out.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.meridian.application.port.out.ConversationStore.ConversationPage;
import ai.meridian.application.port.out.UnknownConversationException;
import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.Role;
import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.conversation.Conversation;
import ai.meridian.domain.conversation.ConversationHistory;
import ai.meridian.domain.conversation.ConversationId;
import ai.meridian.domain.conversation.ConversationTranscript;
import ai.meridian.domain.conversation.RunningSummary;
import ai.meridian.domain.conversation.StoredTurn;
import ai.meridian.domain.conversation.Turn;
import ai.meridian.domain.retrieval.Citation;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What every database behind {@link JdbcConversationStore} must do, run against each real database. Tests
 * use fresh random tenants, so they need no cleanup and can share a database with earlier runs.
 */
abstract class ConversationStoreContract {
    private static final SplittableRandom RANDOM = new SplittableRandom();
    private final Instant start = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    abstract JdbcConversationStore store();

    static String tenant() {
        return "t-" + Long.toHexString(RANDOM.nextLong());
    }

    static <T> T get(CompletableFuture<T> future) throws Exception {
        return future.get(30, TimeUnit.SECONDS);
    }

    private Instant at(int seconds) {
        return start.plusSeconds(seconds);
    }

    private Turn user(String text, int second) {
        return Turn.fromClient(ChatMessage.user(text), "chat", at(second));
    }

    private Turn answer(String text, int second, Citation... citations) {
        return new Turn(Role.ASSISTANT, text, "thinking " + text, "chat", "primary", new TokenUsage(11, 7), List.of(citations),
                Optional.of(FinishReason.STOP), at(second));
    }

    private ConversationId create(String tenant, String id, int second) throws Exception {
        ConversationId conversation = new ConversationId(id);
        get(store().append(tenant, conversation, Optional.of("About " + id), List.of(user("hi " + id, second), answer("hello", second)), at(second)));
        return conversation;
    }

    @Test
    void appendsAreNumberedWithoutGapsAndEveryFieldComesBack() throws Exception {
        String tenant = tenant();
        ConversationId id = new ConversationId("conv_roundtrip");
        Citation source = new Citation(1, "Lisbon", "https://example.com/lisbon", "2025-05-01", "Capital of Portugal", "web");
        List<StoredTurn> first = get(store().append(tenant, id, Optional.of("Travel"), List.of(
                Turn.fromClient(ChatMessage.system("Be brief."), "chat", at(0)), user("Capital of Portugal? 🇵🇹 葡萄牙的首都", 0),
                answer("Lisbon [1]", 1, source)), at(1)));
        assertThat(first).extracting(StoredTurn::seq).containsExactly(1, 2, 3);
        List<StoredTurn> second = get(store().append(tenant, id, Optional.empty(), List.of(user("And Spain?", 2),
                new Turn(Role.ASSISTANT, "Mad", "", "chat", "secondary", new TokenUsage(3, 1), List.of(), Optional.of(FinishReason.CANCELLED), at(3))),
                at(3)));
        assertThat(second).extracting(StoredTurn::seq).containsExactly(4, 5);

        ConversationTranscript transcript = get(store().read(tenant, id)).orElseThrow();
        assertThat(transcript.conversation().title()).isEqualTo("Travel");
        assertThat(transcript.conversation().turnCount()).isEqualTo(5);
        assertThat(transcript.conversation().createdAt()).isEqualTo(at(1));
        assertThat(transcript.conversation().updatedAt()).isEqualTo(at(3));
        assertThat(transcript.turns()).extracting(StoredTurn::seq).containsExactly(1, 2, 3, 4, 5);
        assertThat(transcript.turns().get(1).turn()).isEqualTo(user("Capital of Portugal? 🇵🇹 葡萄牙的首都", 0));
        Turn lisbon = transcript.turns().get(2).turn();
        assertThat(lisbon).isEqualTo(answer("Lisbon [1]", 1, source));
        assertThat(transcript.turns().get(4).turn().finishReason()).contains(FinishReason.CANCELLED);
        assertThat(transcript.turns().get(4).turn().backend()).isEqualTo("secondary");
    }

    @Test
    void toolCallsToolResultsPartsAndPassThroughFieldsComeBackWhole() throws Exception {
        String tenant = tenant();
        ConversationId id = new ConversationId("conv_tools");
        ChatMessage question = ChatMessage.builder(Role.USER).name("ann").parts(List.of(
                new ai.meridian.domain.chat.ContentPart("text", "What is on this map?", "{\"type\":\"text\",\"text\":\"What is on this map?\",\"cache_control\":{\"type\":\"ephemeral\"}}"),
                ai.meridian.domain.chat.ContentPart.of("image_url", "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://x/map.png\"}}")))
                .extra(java.util.Map.of("x_tag", "[1,2]")).build();
        ChatMessage call = ChatMessage.builder(Role.ASSISTANT).contentNull(true).reasoningContent("Look it up.")
                .toolCalls(List.of(ai.meridian.domain.chat.ToolCall.function("call_7", "lookup", "{\"q\":\"map 🗺\"}"),
                        new ai.meridian.domain.chat.ToolCall("call_8", "custom", "grep", "raw input")))
                .extra(java.util.Map.of("prefix", "false")).build();
        ChatMessage result = ChatMessage.toolResult("call_7", "A harbour.");
        ChatMessage legacy = ChatMessage.builder(Role.ASSISTANT).content("").functionCall(new ai.meridian.domain.chat.ToolCall(null, "function", "f", "{}")).build();
        ChatMessage functionResult = ChatMessage.builder(Role.FUNCTION).name("f").content("ok").build();
        List<Turn> turns = List.of(Turn.fromClient(question, "chat", at(0)),
                new Turn(call, "chat", "primary", new TokenUsage(9, 4, 2, 1, java.util.Map.of()), List.of(),
                        Optional.of(FinishReason.fromWire("tool_calls")), at(1)),
                Turn.fromClient(result, "chat", at(2)),
                new Turn(legacy, "chat", "primary", null, List.of(), Optional.of(FinishReason.fromWire("a_reason_no_one_knows")), at(3)),
                Turn.fromClient(functionResult, "chat", at(4)));
        get(store().append(tenant, id, Optional.of("Maps"), turns, at(4)));

        List<Turn> back = get(store().read(tenant, id)).orElseThrow().turns().stream().map(StoredTurn::turn).toList();
        assertThat(back.get(0).message()).isEqualTo(question);
        assertThat(back.get(1).message()).isEqualTo(call);
        assertThat(back.get(2).message()).isEqualTo(result);
        assertThat(back.get(3).message()).isEqualTo(legacy);
        assertThat(back.get(3).finishReason()).contains(FinishReason.fromWire("a_reason_no_one_knows"));
        assertThat(back.get(4).message()).isEqualTo(functionResult);
        // Replayed to a model, the call keeps its tool calls and loses only the reasoning.
        assertThat(back.get(1).asMessage().toolCalls()).hasSize(2);
        assertThat(back.get(1).asMessage().reasoningContent()).isNull();
    }

    @Test
    void longContentSurvivesWhole() throws Exception {
        String tenant = tenant();
        ConversationId id = new ConversationId("conv_long");
        String big = "0123456789abcdef".repeat(64 * 1024) + "终";
        get(store().append(tenant, id, Optional.of("Long"), List.of(user(big, 0), answer(big, 1)), at(1)));
        assertThat(get(store().read(tenant, id)).orElseThrow().turns()).allSatisfy(t -> assertThat(t.turn().content()).isEqualTo(big));
    }

    @Test
    void anotherTenantNeitherSeesNorChangesAConversation() throws Exception {
        String owner = tenant();
        String intruder = tenant();
        ConversationId id = create(owner, "conv_private", 0);
        assertThat(get(store().read(intruder, id))).isEmpty();
        assertThat(get(store().loadHistory(intruder, id, 10))).isEmpty();
        assertThat(get(store().rename(intruder, id, "mine", at(5)))).isEmpty();
        assertThat(get(store().delete(intruder, id))).isFalse();
        assertThat(get(store().saveSummary(intruder, id, new RunningSummary("x", 1)))).isFalse();
        assertThatThrownBy(() -> get(store().append(intruder, id, Optional.empty(), List.of(user("sneak", 1)), at(1))))
                .cause().isInstanceOf(UnknownConversationException.class);
        assertThat(get(store().list(intruder, 10, Optional.empty())).conversations()).isEmpty();
        ConversationTranscript untouched = get(store().read(owner, id)).orElseThrow();
        assertThat(untouched.conversation().title()).isEqualTo("About conv_private");
        assertThat(untouched.turns()).hasSize(2);
    }

    @Test
    void appendingToAnUnknownConversationFails() {
        assertThatThrownBy(() -> get(store().append(tenant(), new ConversationId("conv_nowhere"), Optional.empty(), List.of(user("q", 0)), at(0))))
                .cause().isInstanceOf(UnknownConversationException.class);
    }

    @Test
    void historyHasTheSystemTurnsTheSummaryAndTheNewestTurnsAfterIt() throws Exception {
        String tenant = tenant();
        ConversationId id = new ConversationId("conv_history");
        get(store().append(tenant, id, Optional.of("h"), List.of(Turn.fromClient(ChatMessage.system("sys"), "chat", at(0))), at(0)));
        for (int i = 0; i < 5; i++) {
            get(store().append(tenant, id, Optional.empty(), List.of(user("q" + i, i), answer("a" + i, i)), at(i)));
        }
        ConversationHistory all = get(store().loadHistory(tenant, id, 100)).orElseThrow();
        assertThat(all.systemTurns()).extracting(t -> t.turn().content()).containsExactly("sys");
        assertThat(all.recentTurns()).extracting(StoredTurn::seq).containsExactly(2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
        assertThat(all.summary()).isEmpty();

        assertThat(get(store().saveSummary(tenant, id, new RunningSummary("q0 to q2", 7)))).isTrue();
        assertThat(get(store().saveSummary(tenant, id, new RunningSummary("older", 5)))).as("never goes back").isFalse();
        ConversationHistory trimmed = get(store().loadHistory(tenant, id, 3)).orElseThrow();
        assertThat(trimmed.summary()).contains(new RunningSummary("q0 to q2", 7));
        assertThat(trimmed.recentTurns()).extracting(StoredTurn::seq).containsExactly(9, 10, 11);
        assertThat(trimmed.systemTurns()).hasSize(1);
        assertThat(get(store().read(tenant, id)).orElseThrow().summary()).contains(new RunningSummary("q0 to q2", 7));
    }

    @Test
    void listingPagesNewestFirstWithoutSkippingOrRepeating() throws Exception {
        String tenant = tenant();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            // Two conversations share each timestamp: the id breaks the tie.
            String id = "conv_" + i;
            create(tenant, id, i / 2);
            expected.add(0, id);
        }
        expected.sort((a, b) -> {
            int byTime = Integer.compare(Integer.parseInt(b.substring(5)) / 2, Integer.parseInt(a.substring(5)) / 2);
            return byTime != 0 ? byTime : b.compareTo(a);
        });
        List<String> seen = new ArrayList<>();
        Optional<ConversationId> after = Optional.empty();
        int pages = 0;
        while (true) {
            ConversationPage page = get(store().list(tenant, 3, after));
            pages++;
            page.conversations().forEach(c -> seen.add(c.id().value()));
            if (!page.hasMore()) {
                break;
            }
            after = Optional.of(page.conversations().get(page.conversations().size() - 1).id());
        }
        assertThat(seen).containsExactlyElementsOf(expected);
        assertThat(pages).isEqualTo(3);
        assertThatThrownBy(() -> get(store().list(tenant, 3, Optional.of(new ConversationId("conv_gone")))))
                .cause().isInstanceOf(UnknownConversationException.class);
    }

    @Test
    void renameAndDelete() throws Exception {
        String tenant = tenant();
        ConversationId id = create(tenant, "conv_edit", 0);
        Conversation renamed = get(store().rename(tenant, id, "Renamed", at(9))).orElseThrow();
        assertThat(renamed.title()).isEqualTo("Renamed");
        assertThat(renamed.updatedAt()).isEqualTo(at(9));
        assertThat(get(store().delete(tenant, id))).isTrue();
        assertThat(get(store().read(tenant, id))).isEmpty();
        assertThat(get(store().delete(tenant, id))).isFalse();
        // The id can be used again after a delete: no orphaned turns collide with it.
        create(tenant, "conv_edit", 1);
        assertThat(get(store().read(tenant, id)).orElseThrow().turns()).extracting(StoredTurn::seq).containsExactly(1, 2);
    }

    @Test
    void concurrentAppendsToOneConversationNeitherLoseNorInterleaveTurns() throws Exception {
        String tenant = tenant();
        ConversationId id = new ConversationId("conv_busy");
        get(store().append(tenant, id, Optional.of("busy"), List.of(user("start", 0)), at(0)));
        int writers = 8;
        int appendsEach = 15;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < appendsEach; i++) {
                        String tag = writer + "/" + i;
                        get(store().append(tenant, id, Optional.empty(), List.of(user("q " + tag, 1), answer("a " + tag, 1)), at(1)));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        List<StoredTurn> turns = get(store().read(tenant, id)).orElseThrow().turns();
        int expected = 1 + 2 * writers * appendsEach;
        assertThat(turns).hasSize(expected);
        assertThat(turns).extracting(StoredTurn::seq).containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, expected).boxed().toList());
        for (int i = 1; i < turns.size(); i += 2) {
            String question = turns.get(i).turn().content();
            assertThat(turns.get(i + 1).turn().content()).as("answer right after its question").isEqualTo("a " + question.substring(2));
        }
        assertThat(get(store().read(tenant, id)).orElseThrow().conversation().turnCount()).isEqualTo(expected);
    }
}
