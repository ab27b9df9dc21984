package ai.meridian.bench.retrieval;

import java.util.List;
import java.util.Map;

/** The measures BEIR reports, computed as trec_eval does: nDCG with linear gains, recall over judged-relevant documents. */
final class Metrics {
    private Metrics() {
    }

    static double ndcgAt(int k, List<String> ranking, Map<String, Integer> judgements) {
        double dcg = 0;
        for (int i = 0; i < Math.min(k, ranking.size()); i++) {
            int gain = judgements.getOrDefault(ranking.get(i), 0);
            if (gain > 0) {
                dcg += gain / log2(i + 2);
            }
        }
        List<Integer> ideal = judgements.values().stream().filter(g -> g > 0).sorted((a, b) -> b - a).toList();
        double idcg = 0;
        for (int i = 0; i < Math.min(k, ideal.size()); i++) {
            idcg += ideal.get(i) / log2(i + 2);
        }
        return idcg == 0 ? 0 : dcg / idcg;
    }

    static double recallAt(int k, List<String> ranking, Map<String, Integer> judgements) {
        long relevant = judgements.values().stream().filter(g -> g > 0).count();
        if (relevant == 0) {
            return 0;
        }
        long found = ranking.stream().limit(k).filter(id -> judgements.getOrDefault(id, 0) > 0).count();
        return (double) found / relevant;
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }
}
