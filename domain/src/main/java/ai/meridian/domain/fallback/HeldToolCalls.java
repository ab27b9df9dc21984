package ai.meridian.domain.fallback;

import ai.meridian.domain.chat.Delta;
import java.util.ArrayList;
import java.util.List;

/**
 * Holds a stream's tool-call fragments back while another backend may still have to take the answer over, so that
 * a tool call is never spliced mid-argument: from the first fragment until the model writes text again or its answer
 * ends, the pieces that carry tool calls wait here and then go out in the order and shape the backend sent them. If
 * the backend fails meanwhile, they are {@linkplain #drop() dropped} unseen and the next backend writes its calls
 * whole. Not thread-safe; one per stream.
 */
public final class HeldToolCalls {
    private final List<Delta> held = new ArrayList<>();

    /**
     * Takes {@code delta} in. Returns what may go to the client now, in order: nothing while tool calls are held,
     * else the held pieces (once text follows them) and then {@code delta} itself.
     */
    public List<Delta> accept(Delta delta) {
        boolean carriesCalls = !delta.toolCalls().isEmpty();
        if (carriesCalls || (!held.isEmpty() && !writesText(delta))) {
            held.add(delta);
            return List.of();
        }
        if (held.isEmpty()) {
            return List.of(delta);
        }
        List<Delta> out = new ArrayList<>(held.size() + 1);
        out.addAll(held);
        out.add(delta);
        held.clear();
        return out;
    }

    /** The answer ended: everything held goes out. */
    public List<Delta> release() {
        List<Delta> out = List.copyOf(held);
        held.clear();
        return out;
    }

    /** The backend failed: what was held is never sent. Returns how many pieces were dropped. */
    public int drop() {
        int n = held.size();
        held.clear();
        return n;
    }

    public boolean holding() {
        return !held.isEmpty();
    }

    private static boolean writesText(Delta delta) {
        return !delta.content().isEmpty() || !delta.reasoningContent().isEmpty();
    }
}
