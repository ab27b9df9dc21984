package ai.meridian.adapter.out.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.ContentPart;
import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.Role;
import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.chat.ToolCall;
import ai.meridian.domain.response.ResponseId;
import ai.meridian.domain.response.ResponseStatus;
import ai.meridian.domain.response.StoredResponse;
import ai.meridian.domain.retrieval.Citation;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What every database behind {@link JdbcResponseStore} must do, run against each real database: responses come back
 * whole, chains are followed within a tenant only and are bounded, a fork reads only its own line, and another
 * tenant's ids are simply not there. Fresh random tenants keep tests apart.
 */
abstract class ResponseStoreContract {
    private static final SplittableRandom RANDOM = new SplittableRandom();
    private final Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    abstract JdbcResponseStore responses();

    static String tenant() {
        return "t-" + Long.toHexString(RANDOM.nextLong());
    }

    static <T> T get(CompletableFuture<T> future) throws Exception {
        return future.get(30, TimeUnit.SECONDS);
    }

    private static ResponseId newId() {
        return ResponseId.generate(RANDOM);
    }

    private StoredResponse plain(ResponseId id, ResponseId previous, String question, String answer, Instant at) {
        return new StoredResponse(id, Optional.ofNullable(previous), "chat", at, ResponseStatus.COMPLETED, List.of(ChatMessage.user(question)),
                Optional.of(ChatMessage.assistant(answer)), Optional.of(FinishReason.STOP), new TokenUsage(3, 2), List.of(), List.of(), Optional.empty(),
                "{\"store\":true}");
    }

    @Test
    void aResponseComesBackWhole() throws Exception {
        String tenant = tenant();
        ResponseId id = newId();
        List<ChatMessage> input = List.of(
                ChatMessage.builder(Role.USER).parts(List.of(ContentPart.text("What is on this picture?"),
                        ContentPart.of("image_url", "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://x/y.png\",\"detail\":\"low\"}}"))).build(),
                ChatMessage.assistantToolCalls(null, List.of(ToolCall.function("call_1", "look", "{\"zoom\":2}"))),
                ChatMessage.toolResult("call_1", "a cat"));
        ChatMessage output = ChatMessage.builder(Role.ASSISTANT).content("A cat [1].").reasoningContent("It said cat.")
                .toolCalls(List.of(ToolCall.function("call_2", "pet", "{}"))).extra(Map.of("refusal", "\"no\"")).build();
        StoredResponse stored = new StoredResponse(id, Optional.empty(), "vision-model", now, ResponseStatus.INCOMPLETE, input, Optional.of(output),
                Optional.of(FinishReason.fromWire("insufficient_system_resource")),
                new TokenUsage(120, 30, 100, 7, Map.of("prompt_tokens_details", "{\"cached_tokens\":100}")),
                List.of(new Citation(1, "Cats", "https://cats.example", "2025-01-01", "Cats are.", "web")),
                List.of("web search unavailable (throttled); answered from fewer sources"), Optional.empty(),
                "{\"instructions\":\"Be kind.\",\"metadata\":{\"k\":\"v\"}}");
        get(responses().save(tenant, stored));
        assertThat(get(responses().find(tenant, id))).contains(stored);
    }

    @Test
    void aFailedResponseKeepsItsFailureAndNoOutput() throws Exception {
        String tenant = tenant();
        StoredResponse failed = new StoredResponse(newId(), Optional.empty(), "chat", now, ResponseStatus.FAILED, List.of(ChatMessage.user("q")),
                Optional.empty(), Optional.empty(), TokenUsage.ZERO, List.of(), List.of(), Optional.of(new StoredResponse.Failure("server_error", "boom")), null);
        get(responses().save(tenant, failed));
        assertThat(get(responses().find(tenant, failed.id()))).contains(failed);
    }

    @Test
    void aChainIsFollowedOldestFirstAndAForkReadsOnlyItsOwnLine() throws Exception {
        String tenant = tenant();
        ResponseId r1 = newId();
        ResponseId r2 = newId();
        ResponseId r3 = newId();
        ResponseId fork = newId();
        get(responses().save(tenant, plain(r1, null, "q1", "a1", now)));
        get(responses().save(tenant, plain(r2, r1, "q2", "a2", now.plusSeconds(1))));
        get(responses().save(tenant, plain(r3, r2, "q3", "a3", now.plusSeconds(2))));
        get(responses().save(tenant, plain(fork, r1, "q2'", "a2'", now.plusSeconds(3))));
        assertThat(get(responses().chain(tenant, r3, 100))).extracting(StoredResponse::id).containsExactly(r1, r2, r3);
        assertThat(get(responses().chain(tenant, fork, 100))).extracting(StoredResponse::id).containsExactly(r1, fork);
        assertThat(get(responses().chain(tenant, r3, 2))).as("bounded: the newest").extracting(StoredResponse::id).containsExactly(r2, r3);
        assertThat(get(responses().chain(tenant, newId(), 100))).isEmpty();
    }

    @Test
    void anotherTenantsResponsesAreNotThere() throws Exception {
        String mine = tenant();
        String theirs = tenant();
        ResponseId r1 = newId();
        get(responses().save(mine, plain(r1, null, "q1", "a1", now)));
        assertThat(get(responses().find(theirs, r1))).isEmpty();
        assertThat(get(responses().chain(theirs, r1, 10))).isEmpty();
        assertThat(get(responses().delete(theirs, r1))).isFalse();
        // A response of theirs that names mine as its previous one does not reach into my tenant.
        ResponseId r2 = newId();
        get(responses().save(theirs, plain(r2, r1, "q2", "a2", now)));
        assertThat(get(responses().chain(theirs, r2, 10))).extracting(StoredResponse::id).containsExactly(r2);
        assertThat(get(responses().find(mine, r1))).isPresent();
    }

    @Test
    void deletingALinkLeavesTheResponsesAfterItWithAShorterChain() throws Exception {
        String tenant = tenant();
        ResponseId r1 = newId();
        ResponseId r2 = newId();
        ResponseId r3 = newId();
        get(responses().save(tenant, plain(r1, null, "q1", "a1", now)));
        get(responses().save(tenant, plain(r2, r1, "q2", "a2", now)));
        get(responses().save(tenant, plain(r3, r2, "q3", "a3", now)));
        assertThat(get(responses().delete(tenant, r2))).isTrue();
        assertThat(get(responses().delete(tenant, r2))).isFalse();
        assertThat(get(responses().find(tenant, r2))).isEmpty();
        assertThat(get(responses().chain(tenant, r3, 10))).extracting(StoredResponse::id).containsExactly(r3);
    }

    @Test
    void anIdIsSavedOnce() throws Exception {
        String tenant = tenant();
        ResponseId id = newId();
        get(responses().save(tenant, plain(id, null, "q", "a", now)));
        assertThatThrownBy(() -> get(responses().save(tenant, plain(id, null, "q", "b", now)))).hasCauseInstanceOf(IllegalStateException.class);
        assertThat(get(responses().find(tenant, id)).orElseThrow().output().orElseThrow().content()).isEqualTo("a");
    }

    @Test
    void retentionDeletesWhatIsOlderThanTheCutoff() throws Exception {
        String tenant = tenant();
        Instant longAgo = Instant.parse("2001-01-01T00:00:00Z");
        ResponseId old = newId();
        ResponseId fresh = newId();
        get(responses().save(tenant, plain(old, null, "q", "a", longAgo)));
        get(responses().save(tenant, plain(fresh, null, "q", "a", now)));
        assertThat(get(responses().deleteCreatedBefore(longAgo.plusSeconds(1)))).isGreaterThanOrEqualTo(1);
        assertThat(get(responses().find(tenant, old))).isEmpty();
        assertThat(get(responses().find(tenant, fresh))).isPresent();
    }
}
