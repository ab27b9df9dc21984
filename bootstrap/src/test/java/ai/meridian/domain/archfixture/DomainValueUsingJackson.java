package ai.meridian.domain.archfixture;

import com.fasterxml.jackson.databind.ObjectMapper;

/** Deliberately breaks the rules: a domain class that reaches for a framework. Used only to prove the rule bites. */
public final class DomainValueUsingJackson {
    private final ObjectMapper mapper = new ObjectMapper();

    public String render(Object value) throws Exception {
        return mapper.writeValueAsString(value);
    }
}
