package ai.meridian.domain.retrieval;

import java.util.List;
import java.util.Optional;

/** What one request asks of grounding; empty means "as the model is configured". */
public record GroundingRequest(Optional<Boolean> webSearch, Optional<List<String>> knowledgeBases) {

    public static final GroundingRequest AS_CONFIGURED = new GroundingRequest(Optional.empty(), Optional.empty());

    public GroundingRequest {
        webSearch = webSearch == null ? Optional.empty() : webSearch;
        knowledgeBases = knowledgeBases == null ? Optional.empty() : knowledgeBases.map(List::copyOf);
        knowledgeBases.ifPresent(names -> names.forEach(GroundingSettings::checkName));
    }
}
