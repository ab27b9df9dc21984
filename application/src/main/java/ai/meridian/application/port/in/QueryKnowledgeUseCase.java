package ai.meridian.application.port.in;

import ai.meridian.domain.retrieval.Passage;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A client wants passages from its knowledge bases without an answer (retrieval only, and Dify's external
 * knowledge API). Hybrid: keyword and vector search fused by reciprocal rank; each passage's score is the
 * fused score normalised to 1 for a passage every retriever ranked first.
 */
public interface QueryKnowledgeUseCase {

    CompletableFuture<List<Passage>> query(CallerContext caller, List<String> knowledgeBases, String query, int topK, double minScore);
}
