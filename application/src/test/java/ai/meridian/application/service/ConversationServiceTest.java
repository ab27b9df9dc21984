package ai.meridian.application.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.meridian.application.port.in.CallerContext;
import ai.meridian.application.port.in.ManageConversationsUseCase.PageRequest;
import ai.meridian.application.port.out.ConversationStore.ConversationPage;
import ai.meridian.application.port.out.TelemetryPort;
import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.InvalidValueException;
import ai.meridian.domain.conversation.Conversation;
import ai.meridian.domain.conversation.ConversationId;
import ai.meridian.domain.conversation.Turn;
import ai.meridian.domain.error.ErrorKind;
import ai.meridian.domain.error.GatewayException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ConversationServiceTest {
    private final InMemoryConversationStore store = new InMemoryConversationStore();
    private final ConversationService service = new ConversationService(store, TelemetryPort.NOOP, ConversationSettings.DEFAULTS, Clock.systemUTC());
    private final CallerContext acme = new CallerContext("r", "acme", "k", null, 0);
    private final CallerContext other = new CallerContext("r", "other", "k", null, 0);

    private ConversationId seed(String tenant, String id, int minute) throws Exception {
        ConversationId conversation = new ConversationId(id);
        Instant at = Instant.parse("2026-01-01T00:00:00Z").plusSeconds(60L * minute);
        store.append(tenant, conversation, Optional.of("title " + id), List.of(Turn.fromClient(ChatMessage.user("q"), "m", at)), at).get();
        return conversation;
    }

    private static <T> T get(CompletableFuture<T> future) throws Exception {
        return future.get(5, TimeUnit.SECONDS);
    }

    private static void assertFails(CompletableFuture<?> future, ErrorKind kind, String param) {
        assertThatThrownBy(() -> get(future)).cause().isInstanceOfSatisfying(GatewayException.class, e -> {
            assertThat(e.error().kind()).isEqualTo(kind);
            assertThat(e.error().param()).isEqualTo(param);
        });
    }

    @Test
    void listsPageByPageNewestFirstAndOnlyTheCallersTenant() throws Exception {
        for (int i = 1; i <= 5; i++) {
            seed("acme", "c" + i, i);
        }
        seed("other", "x1", 9);
        ConversationPage first = get(service.list(acme, new PageRequest(2, Optional.empty())));
        assertThat(first.conversations()).extracting(c -> c.id().value()).containsExactly("c5", "c4");
        assertThat(first.hasMore()).isTrue();
        ConversationPage last = get(service.list(acme, new PageRequest(2, Optional.of(new ConversationId("c2")))));
        assertThat(last.conversations()).extracting(c -> c.id().value()).containsExactly("c1");
        assertThat(last.hasMore()).isFalse();
        assertFails(service.list(acme, new PageRequest(2, Optional.of(new ConversationId("x1")))), ErrorKind.INVALID_REQUEST, "after");
    }

    @Test
    void pageLimitsOutsideOneToAHundredAreRefused() {
        for (int limit : new int[] {0, -1, 101}) {
            assertThatThrownBy(() -> new PageRequest(limit, Optional.empty())).isInstanceOf(InvalidValueException.class);
        }
    }

    @Test
    void readsRenamesAndDeletesWithinTheTenant() throws Exception {
        ConversationId id = seed("acme", "c1", 1);
        assertThat(get(service.read(acme, "c1")).turns()).hasSize(1);
        Conversation renamed = get(service.rename(acme, "c1", "  Trip planning "));
        assertThat(renamed.title()).isEqualTo("Trip planning");
        assertFails(service.read(other, "c1"), ErrorKind.NOT_FOUND, "conversation_id");
        assertFails(service.rename(other, "c1", "mine now"), ErrorKind.NOT_FOUND, "conversation_id");
        assertFails(service.delete(other, "c1"), ErrorKind.NOT_FOUND, "conversation_id");
        assertThat(store.turns("acme", id)).hasSize(1);
        get(service.delete(acme, "c1"));
        assertFails(service.read(acme, "c1"), ErrorKind.NOT_FOUND, "conversation_id");
    }

    @Test
    void malformedIdsAreNotFoundAndBadTitlesAreBadRequests() throws Exception {
        seed("acme", "c1", 1);
        assertFails(service.read(acme, "../../etc/passwd"), ErrorKind.NOT_FOUND, "conversation_id");
        assertFails(service.delete(acme, "x".repeat(500)), ErrorKind.NOT_FOUND, "conversation_id");
        assertFails(service.rename(acme, "c1", " "), ErrorKind.INVALID_REQUEST, "title");
        assertFails(service.rename(acme, "c1", null), ErrorKind.INVALID_REQUEST, "title");
    }

    @Test
    void anOutageIsA503() {
        store.down = true;
        assertFails(service.list(acme, new PageRequest(20, Optional.empty())), ErrorKind.UNAVAILABLE, null);
        assertFails(service.read(acme, "c1"), ErrorKind.UNAVAILABLE, null);
    }
}
