package ai.meridian.application.port.out;

import ai.meridian.domain.conversation.Conversation;
import ai.meridian.domain.conversation.ConversationHistory;
import ai.meridian.domain.conversation.ConversationId;
import ai.meridian.domain.conversation.ConversationTranscript;
import ai.meridian.domain.conversation.RunningSummary;
import ai.meridian.domain.conversation.StoredTurn;
import ai.meridian.domain.conversation.Turn;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Where conversations are kept. Every method takes the tenant and touches only that tenant's data: another
 * tenant's id is simply not found. Implementations never block the caller's thread. Futures fail with
 * {@link ConversationStoreUnavailableException} when the store cannot be reached, and a completed write is
 * durable (it survives a crash of the gateway right after).
 */
public interface ConversationStore {

    /** The system turns, the summary and up to {@code maxRecentTurns} newest turns after it; empty if unknown. */
    CompletableFuture<Optional<ConversationHistory>> loadHistory(String tenant, ConversationId id, int maxRecentTurns);

    /**
     * Appends {@code turns} as one unbroken run of sequence numbers, atomically: all or none, and never
     * interleaved with another append to the same conversation. With {@code createWithTitle} the
     * conversation is created in the same transaction; without it, an unknown id fails with
     * {@link UnknownConversationException}.
     */
    CompletableFuture<List<StoredTurn>> append(String tenant, ConversationId id, Optional<String> createWithTitle,
                                               List<Turn> turns, Instant at);

    /** Replaces the running summary unless a summary covering at least as many turns is already stored. */
    CompletableFuture<Boolean> saveSummary(String tenant, ConversationId id, RunningSummary summary);

    /**
     * Conversations most recently changed first; {@code after} continues a listing after that conversation
     * (unknown → {@link UnknownConversationException}).
     */
    CompletableFuture<ConversationPage> list(String tenant, int limit, Optional<ConversationId> after);

    /** The conversation with every turn, oldest first. */
    CompletableFuture<Optional<ConversationTranscript>> read(String tenant, ConversationId id);

    CompletableFuture<Optional<Conversation>> rename(String tenant, ConversationId id, String title, Instant at);

    /** Deletes the conversation and its turns; false if there was none. */
    CompletableFuture<Boolean> delete(String tenant, ConversationId id);

    /** One page of a listing. */
    record ConversationPage(List<Conversation> conversations, boolean hasMore) {
        public ConversationPage {
            conversations = List.copyOf(Objects.requireNonNull(conversations, "conversations"));
        }
    }
}
