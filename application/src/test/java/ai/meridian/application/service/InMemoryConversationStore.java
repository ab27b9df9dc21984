package ai.meridian.application.service;

import ai.meridian.application.port.out.ConversationStore;
import ai.meridian.application.port.out.ConversationStoreUnavailableException;
import ai.meridian.application.port.out.UnknownConversationException;
import ai.meridian.domain.chat.Role;
import ai.meridian.domain.conversation.Conversation;
import ai.meridian.domain.conversation.ConversationHistory;
import ai.meridian.domain.conversation.ConversationId;
import ai.meridian.domain.conversation.ConversationTranscript;
import ai.meridian.domain.conversation.RunningSummary;
import ai.meridian.domain.conversation.StoredTurn;
import ai.meridian.domain.conversation.Turn;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The store's contract kept in memory, for tests of the core (the JDBC adapter has its own tests against
 * real databases). {@code down} makes every call fail as an unreachable database would.
 */
final class InMemoryConversationStore implements ConversationStore {
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    volatile boolean down;

    private static final class Entry {
        Conversation conversation;
        Optional<RunningSummary> summary = Optional.empty();
        final List<StoredTurn> turns = new ArrayList<>();
    }

    private static String key(String tenant, ConversationId id) {
        return tenant + "\u0000" + id.value();
    }

    private synchronized <T> CompletableFuture<T> call(Supplier<T> body) {
        if (down) {
            return CompletableFuture.failedFuture(new ConversationStoreUnavailableException("database down", null));
        }
        try {
            return CompletableFuture.completedFuture(body.get());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    synchronized List<StoredTurn> turns(String tenant, ConversationId id) {
        Entry entry = entries.get(key(tenant, id));
        return entry == null ? List.of() : List.copyOf(entry.turns);
    }

    synchronized Optional<RunningSummary> summary(String tenant, ConversationId id) {
        return entries.get(key(tenant, id)).summary;
    }

    @Override
    public CompletableFuture<Optional<ConversationHistory>> loadHistory(String tenant, ConversationId id, int maxRecentTurns) {
        return call(() -> Optional.ofNullable(entries.get(key(tenant, id))).map(e -> {
            int through = e.summary.map(RunningSummary::throughSeq).orElse(0);
            List<StoredTurn> system = e.turns.stream().filter(t -> t.turn().role() == Role.SYSTEM).toList();
            List<StoredTurn> recent = e.turns.stream().filter(t -> t.turn().role() != Role.SYSTEM && t.seq() > through).toList();
            return new ConversationHistory(e.conversation, system, e.summary,
                    recent.subList(Math.max(0, recent.size() - maxRecentTurns), recent.size()));
        }));
    }

    @Override
    public CompletableFuture<List<StoredTurn>> append(String tenant, ConversationId id, Optional<String> createWithTitle, List<Turn> turns, Instant at) {
        return call(() -> {
            Entry entry = entries.get(key(tenant, id));
            if (entry == null) {
                if (createWithTitle.isEmpty()) {
                    throw new UnknownConversationException(id);
                }
                entry = new Entry();
                entry.conversation = new Conversation(id, tenant, createWithTitle.get(), 0, at, at);
                entries.put(key(tenant, id), entry);
            }
            List<StoredTurn> stored = new ArrayList<>();
            for (Turn turn : turns) {
                stored.add(new StoredTurn(entry.turns.size() + stored.size() + 1, turn));
            }
            entry.turns.addAll(stored);
            Conversation c = entry.conversation;
            entry.conversation = new Conversation(id, tenant, c.title(), entry.turns.size(), c.createdAt(), at);
            return stored;
        });
    }

    @Override
    public CompletableFuture<Boolean> saveSummary(String tenant, ConversationId id, RunningSummary summary) {
        return call(() -> {
            Entry entry = entries.get(key(tenant, id));
            if (entry == null || entry.summary.map(s -> s.throughSeq() >= summary.throughSeq()).orElse(false)) {
                return false;
            }
            entry.summary = Optional.of(summary);
            return true;
        });
    }

    @Override
    public CompletableFuture<ConversationPage> list(String tenant, int limit, Optional<ConversationId> after) {
        return call(() -> {
            List<Conversation> all = entries.values().stream().map(e -> e.conversation).filter(c -> c.tenant().equals(tenant))
                    .sorted(Comparator.comparing(Conversation::updatedAt).thenComparing(c -> c.id().value()).reversed()).toList();
            int from = 0;
            if (after.isPresent()) {
                int index = all.stream().map(Conversation::id).toList().indexOf(after.get());
                if (index < 0) {
                    throw new UnknownConversationException(after.get());
                }
                from = index + 1;
            }
            List<Conversation> page = all.subList(from, Math.min(all.size(), from + limit));
            return new ConversationPage(page, from + limit < all.size());
        });
    }

    @Override
    public CompletableFuture<Optional<ConversationTranscript>> read(String tenant, ConversationId id) {
        return call(() -> Optional.ofNullable(entries.get(key(tenant, id)))
                .map(e -> new ConversationTranscript(e.conversation, e.summary, e.turns)));
    }

    @Override
    public CompletableFuture<Optional<Conversation>> rename(String tenant, ConversationId id, String title, Instant at) {
        return call(() -> Optional.ofNullable(entries.get(key(tenant, id))).map(e -> {
            Conversation c = e.conversation;
            e.conversation = new Conversation(id, tenant, title, c.turnCount(), c.createdAt(), at);
            return e.conversation;
        }));
    }

    @Override
    public CompletableFuture<Boolean> delete(String tenant, ConversationId id) {
        return call(() -> entries.remove(key(tenant, id)) != null);
    }
}
