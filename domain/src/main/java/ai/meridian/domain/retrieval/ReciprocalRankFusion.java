package ai.meridian.domain.retrieval;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reciprocal rank fusion (Cormack, Clarke and Büttcher, 2009): a passage scores the sum over the lists that
 * found it of {@code weight / (k + rank)}, rank counted from 1. It needs no score calibration between BM25,
 * cosine similarity and a web engine's order, which is why it fuses sources whose scores are not comparable.
 */
public final class ReciprocalRankFusion {
    /** The constant from the paper; it damps the advantage of the very first ranks. */
    public static final int DEFAULT_K = 60;

    private final int k;

    public ReciprocalRankFusion(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1");
        }
        this.k = k;
    }

    public ReciprocalRankFusion() {
        this(DEFAULT_K);
    }

    public int k() {
        return k;
    }

    /**
     * Fuses the lists into one, best first, each passage once (by id) with its fused score. A passage keeps
     * the fields of the first list that found it. Ties go to the passage with the better single rank, then to
     * the one seen first, so the order is deterministic.
     */
    public List<Passage> fuse(List<RankedList> lists) {
        Map<String, Fused> byId = new LinkedHashMap<>();
        for (RankedList list : lists) {
            int rank = 0;
            java.util.Set<String> seenInList = new java.util.HashSet<>();
            for (Passage passage : list.passages()) {
                rank++;
                if (!seenInList.add(passage.id())) {
                    continue; // a list naming a passage twice counts its best rank only
                }
                Fused fused = byId.computeIfAbsent(passage.id(), id -> new Fused(passage, byId.size()));
                fused.score += list.weight() / (k + rank);
                fused.bestRank = Math.min(fused.bestRank, rank);
            }
        }
        List<Fused> ordered = new ArrayList<>(byId.values());
        ordered.sort(Comparator.comparingDouble((Fused f) -> -f.score)
                .thenComparingInt(f -> f.bestRank)
                .thenComparingInt(f -> f.firstSeen));
        List<Passage> result = new ArrayList<>(ordered.size());
        for (Fused f : ordered) {
            result.add(f.passage.withScore(f.score));
        }
        return result;
    }

    private static final class Fused {
        final Passage passage;
        final int firstSeen;
        double score;
        int bestRank = Integer.MAX_VALUE;

        Fused(Passage passage, int firstSeen) {
            this.passage = passage;
            this.firstSeen = firstSeen;
        }
    }
}
