package ai.meridian.adapter.out.lucene;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.search.SearcherManager;

/**
 * Makes writes durable and visible in groups: each write waits for a commit that covers its sequence number
 * (Lucene numbers every operation), and one commit plus one searcher refresh completes every write it covers.
 * Under load many writes share one fsync instead of each paying for its own; alone, a write pays one.
 */
final class GroupCommit {
    private final IndexWriter writer;
    private final SearcherManager searchers;
    private final ExecutorService committer;
    private final List<Waiter> waiting = new ArrayList<>();
    private boolean running;

    GroupCommit(IndexWriter writer, SearcherManager searchers, ExecutorService committer) {
        this.writer = writer;
        this.searchers = searchers;
        this.committer = committer;
    }

    /** Completes once an operation with this sequence number is committed and searchable. */
    CompletableFuture<Void> durable(long sequenceNumber) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        synchronized (this) {
            waiting.add(new Waiter(Math.abs(sequenceNumber), done));
            if (!running) {
                running = true;
                committer.execute(this::commitWhileWaiting);
            }
        }
        return done;
    }

    private void commitWhileWaiting() {
        while (true) {
            synchronized (this) {
                if (waiting.isEmpty()) {
                    running = false;
                    return;
                }
            }
            long committed;
            try {
                // commit() returns -1 when nothing changed since the last commit: then everything completed
                // before it was called is already durable.
                long completedBefore = writer.getMaxCompletedSequenceNumber();
                committed = writer.commit();
                if (committed < 0) {
                    committed = completedBefore;
                }
                searchers.maybeRefreshBlocking();
            } catch (Exception | Error e) {
                List<Waiter> failed;
                synchronized (this) {
                    failed = new ArrayList<>(waiting);
                    waiting.clear();
                }
                failed.forEach(w -> w.done.completeExceptionally(e));
                continue;
            }
            List<Waiter> covered = new ArrayList<>();
            synchronized (this) {
                for (Iterator<Waiter> it = waiting.iterator(); it.hasNext(); ) {
                    Waiter w = it.next();
                    if (w.sequenceNumber <= committed) {
                        covered.add(w);
                        it.remove();
                    }
                }
            }
            covered.forEach(w -> w.done.complete(null));
        }
    }

    private record Waiter(long sequenceNumber, CompletableFuture<Void> done) {
    }
}
