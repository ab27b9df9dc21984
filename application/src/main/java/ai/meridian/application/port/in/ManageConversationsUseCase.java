package ai.meridian.application.port.in;

import ai.meridian.application.port.out.ConversationStore.ConversationPage;
import ai.meridian.domain.chat.InvalidValueException;
import ai.meridian.domain.conversation.Conversation;
import ai.meridian.domain.conversation.ConversationId;
import ai.meridian.domain.conversation.ConversationTranscript;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A client wants to see and tidy its stored conversations: list them page by page, read one with its
 * turns, rename, delete. Everything is scoped to the caller's tenant; futures fail with a
 * {@code GatewayException} carrying the client-visible error (404 for ids the tenant does not have).
 */
public interface ManageConversationsUseCase {

    CompletableFuture<ConversationPage> list(CallerContext caller, PageRequest page);

    CompletableFuture<ConversationTranscript> read(CallerContext caller, String id);

    CompletableFuture<Conversation> rename(CallerContext caller, String id, String title);

    CompletableFuture<Void> delete(CallerContext caller, String id);

    /** Which page: at most {@code limit} (1 to 100) conversations, after the conversation {@code after} if given. */
    record PageRequest(int limit, Optional<ConversationId> after) {
        public static final int DEFAULT_LIMIT = 20;
        public static final int MAX_LIMIT = 100;

        public PageRequest {
            if (limit < 1 || limit > MAX_LIMIT) {
                throw new InvalidValueException("limit", "Invalid 'limit': expected an integer from 1 to " + MAX_LIMIT + ".");
            }
            Objects.requireNonNull(after, "after");
        }
    }
}
