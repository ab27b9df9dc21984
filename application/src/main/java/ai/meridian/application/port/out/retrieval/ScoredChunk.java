package ai.meridian.application.port.out.retrieval;

import java.util.Objects;

/**
 * A candidate of a {@link ChunkQuery}, scored both ways whichever search found it:
 * <ul>
 * <li>{@code keyword}: the chunk's BM25 score divided by the most the query's terms could score (every term, with
 * a term frequency tending to infinity), so 0..1 and comparable across queries; 0 when it has no query term;</li>
 * <li>{@code similarity}: the cosine of the chunk's vector and the query vector, or NaN when there was no query
 * vector or the chunk has no vector in the query's space;</li>
 * <li>{@code keywordRank}, {@code vectorRank}: its rank (from 1) among the keyword and the nearest-neighbour
 * candidates, 0 when it was not among them.</li>
 * </ul>
 * {@code hit().score()} is left 0: scores are the caller's to combine.
 */
public record ScoredChunk(IndexHit hit, double keyword, double similarity, int keywordRank, int vectorRank) {

    public ScoredChunk {
        Objects.requireNonNull(hit, "hit");
        if (!(keyword >= 0 && keyword <= 1.0000001)) {
            throw new IllegalArgumentException("a normalised keyword score is between 0 and 1, not " + keyword);
        }
        keyword = Math.min(1.0, keyword);
        if (keywordRank < 0 || vectorRank < 0 || (keywordRank == 0 && vectorRank == 0)) {
            throw new IllegalArgumentException("a candidate was found by at least one search");
        }
    }
}
