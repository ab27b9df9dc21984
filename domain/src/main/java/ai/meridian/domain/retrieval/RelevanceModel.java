package ai.meridian.domain.retrieval;

import java.util.Map;
import java.util.Objects;

/**
 * Turns a knowledge-base chunk's two scores into one calibrated relevance in 0..1, the probability that the chunk
 * is relevant to the query: {@code σ(bias + a·keyword + b·similarity)}, a logistic regression over the normalised
 * BM25 score (0..1, see the index port) and the cosine similarity in the query's vector space. Cosines of different
 * embedding models are distributed differently, so each model (vector space) has its own coefficients; a chunk with
 * no vector in the query's space (stale after a model change, or no query vector because embedding failed) is
 * judged by keywords alone, with coefficients fitted for that case.
 *
 * <p>Ranking by this score is a weighted (convex, in logit space) combination of the two scores: what fusion does.
 * Because the score is calibrated, a fixed threshold means the same for every query: 0.5 keeps chunks that are more
 * likely relevant than not, whichever retriever found them. The coefficients are fitted by {@code bench/retrieval}
 * ({@code run.sh fit} over the candidates {@code run.sh eval --dump} writes) on the evaluation sets described in
 * docs/retrieval.md.
 */
public final class RelevanceModel {

    /** {@code σ(bias + keyword·k + similarity·s)}. */
    public record Coefficients(double bias, double keyword, double similarity) {
        public Coefficients {
            if (!Double.isFinite(bias) || !Double.isFinite(keyword) || !Double.isFinite(similarity)) {
                throw new IllegalArgumentException("coefficients must be finite");
            }
        }

        public double logit(double k, double s) {
            return bias + keyword * k + similarity * s;
        }
    }

    /**
     * Fitted on the Debian Reference and manual-page sets (English and Chinese) with the bundled models; see
     * docs/retrieval.md for the figures and the procedure. A model without its own coefficients uses {@code generic}.
     */
    public static final RelevanceModel DEFAULT = new RelevanceModel(Map.of(
            "bge-small-zh-v1.5", new Coefficients(-9.89, 11.10, 17.91),
            "bge-small-en-v1.5", new Coefficients(-14.12, 6.69, 21.19)),
            new Coefficients(-9.89, 11.10, 17.91),
            new Coefficients(-2.98, 15.45, 0.0));

    private final Map<String, Coefficients> bySpace;
    private final Coefficients generic;
    private final Coefficients keywordOnly;

    public RelevanceModel(Map<String, Coefficients> bySpace, Coefficients generic, Coefficients keywordOnly) {
        this.bySpace = Map.copyOf(bySpace);
        this.generic = Objects.requireNonNull(generic, "generic");
        this.keywordOnly = Objects.requireNonNull(keywordOnly, "keywordOnly");
    }

    /** The coefficients used for similarities in this space. */
    public Coefficients coefficients(String space) {
        return bySpace.getOrDefault(space, generic);
    }

    public Coefficients keywordOnly() {
        return keywordOnly;
    }

    public Map<String, Coefficients> bySpace() {
        return bySpace;
    }

    public Coefficients generic() {
        return generic;
    }

    /**
     * The relevance of a chunk with normalised keyword score {@code keyword} (0..1) and cosine {@code similarity} in
     * {@code space} (NaN when it has no vector there).
     */
    public double relevance(double keyword, double similarity, String space) {
        double z = Double.isNaN(similarity) ? keywordOnly.logit(keyword, 0) : coefficients(space).logit(keyword, similarity);
        return sigmoid(z);
    }

    public static double sigmoid(double z) {
        return 1.0 / (1.0 + Math.exp(-z));
    }
}
