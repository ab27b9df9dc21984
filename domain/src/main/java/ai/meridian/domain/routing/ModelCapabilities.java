package ai.meridian.domain.routing;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * What one model on one backend can do, as far as the gateway knows. {@code supported} and
 * {@code unsupported} hold what is known either way (declared in configuration, discovered from the
 * backend, or given by the backend's type); a capability in neither is unknown and not held against the
 * route (the backend decides). {@code contextWindow} and {@code maxOutputTokens} are 0 when unknown.
 * {@code parameters} says which pass-through request fields the backend forwards or honours.
 */
public record ModelCapabilities(Set<Capability> supported, Set<Capability> unsupported, int contextWindow, int maxOutputTokens,
                                ParameterSupport parameters) {
    /** Nothing known: every request may go there, the backend forwards every field. */
    public static final ModelCapabilities UNKNOWN = new ModelCapabilities(Set.of(), Set.of(), 0, 0, ParameterSupport.ANY);

    public ModelCapabilities {
        supported = supported == null || supported.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(supported));
        unsupported = unsupported == null || unsupported.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(unsupported));
        for (Capability c : supported) {
            if (unsupported.contains(c)) {
                throw new IllegalArgumentException("capability " + c.configName() + " is both supported and unsupported");
            }
        }
        if (contextWindow < 0 || maxOutputTokens < 0) {
            throw new IllegalArgumentException("context window and max output tokens must not be negative");
        }
        parameters = parameters == null ? ParameterSupport.ANY : parameters;
    }

    /**
     * These capabilities, overridden where {@code declared} knows better: its known capabilities replace
     * these, its sizes replace these when set; its parameter support narrows these.
     */
    public ModelCapabilities overriddenBy(ModelCapabilities declared) {
        EnumSet<Capability> yes = supported.isEmpty() ? EnumSet.noneOf(Capability.class) : EnumSet.copyOf(supported);
        EnumSet<Capability> no = unsupported.isEmpty() ? EnumSet.noneOf(Capability.class) : EnumSet.copyOf(unsupported);
        yes.removeAll(declared.unsupported);
        no.removeAll(declared.supported);
        yes.addAll(declared.supported);
        no.addAll(declared.unsupported);
        return new ModelCapabilities(yes, no, declared.contextWindow > 0 ? declared.contextWindow : contextWindow,
                declared.maxOutputTokens > 0 ? declared.maxOutputTokens : maxOutputTokens, parameters.and(declared.parameters));
    }

    /**
     * True when nothing known stands in the way of a request with these needs: what {@link #shortfall} decides,
     * without building a message (asked per route per request; allocates nothing).
     */
    public boolean canServe(RequestNeeds needs) {
        for (Capability c : needs.capabilities()) {
            if (lacks(c)) {
                return false;
            }
        }
        for (String parameter : needs.parameters()) {
            if (!parameters.accepts(parameter)) {
                return false;
            }
        }
        if (contextWindow > 0 && needs.promptTokens() + Math.max(needs.maxOutputTokens(), 0) > contextWindow) {
            return false;
        }
        return maxOutputTokens <= 0 || needs.maxOutputTokens() <= maxOutputTokens;
    }

    /** Why a request with these needs cannot go to this model, or empty when nothing known stands in the way. */
    public Optional<Shortfall> shortfall(RequestNeeds needs, String where) {
        if (canServe(needs)) {
            return Optional.empty();
        }
        for (Capability c : needs.capabilities()) {
            if (lacks(c)) {
                return Optional.of(new Shortfall(c.param(), where + " does not support " + c.describe()));
            }
        }
        for (String parameter : needs.parameters()) {
            if (!parameters.accepts(parameter)) {
                return Optional.of(new Shortfall(parameter, where + " does not support the parameter '" + parameter + "'"));
            }
        }
        if (contextWindow > 0 && needs.promptTokens() + Math.max(needs.maxOutputTokens(), 0) > contextWindow) {
            return Optional.of(new Shortfall("messages", where + " has a context window of " + contextWindow
                    + " tokens; this request needs about " + needs.promptTokens() + " for its prompt"
                    + (needs.maxOutputTokens() > 0 ? " plus " + needs.maxOutputTokens() + " for the answer" : "")));
        }
        if (maxOutputTokens > 0 && needs.maxOutputTokens() > maxOutputTokens) {
            return Optional.of(new Shortfall("max_tokens", where + " writes at most " + maxOutputTokens
                    + " tokens per answer; the request asks for " + needs.maxOutputTokens()));
        }
        return Optional.empty();
    }

    /** Known not to have it, or (for what must be declared) not known to have it. */
    private boolean lacks(Capability c) {
        return unsupported.contains(c) || c.mustBeDeclared() && !supported.contains(c);
    }

    /**
     * What a public model can do through at least one of its routes (routing picks a route that can): a capability
     * is supported when some route supports it, unsupported when every route says it is not; a size is the largest
     * of the routes' when every route knows it, else unknown. Parameter support is not combined (each route
     * answers for itself): the result accepts any.
     */
    public static ModelCapabilities acrossRoutes(java.util.Collection<ModelCapabilities> routes) {
        if (routes.isEmpty()) {
            return UNKNOWN;
        }
        EnumSet<Capability> yes = EnumSet.noneOf(Capability.class);
        EnumSet<Capability> no = EnumSet.allOf(Capability.class);
        int window = Integer.MAX_VALUE;
        int output = Integer.MAX_VALUE;
        int largestWindow = 0;
        int largestOutput = 0;
        for (ModelCapabilities route : routes) {
            yes.addAll(route.supported);
            no.retainAll(route.unsupported);
            window = Math.min(window, route.contextWindow);
            output = Math.min(output, route.maxOutputTokens);
            largestWindow = Math.max(largestWindow, route.contextWindow);
            largestOutput = Math.max(largestOutput, route.maxOutputTokens);
        }
        return new ModelCapabilities(yes, no, window > 0 ? largestWindow : 0, output > 0 ? largestOutput : 0, ParameterSupport.ANY);
    }

    /** True when nothing at all is known: no capability either way, no size, every parameter forwarded. */
    public boolean knowsNothing() {
        return supported.isEmpty() && unsupported.isEmpty() && contextWindow == 0 && maxOutputTokens == 0
                && parameters.acceptsAny() && parameters.refused().isEmpty();
    }

    /** What {@code GET /v1/models} shows: each known capability as true or false, and the sizes when known. */
    public Map<String, Object> describe() {
        Map<String, Object> shown = new TreeMap<>();
        supported.forEach(c -> shown.put(c.configName(), true));
        unsupported.forEach(c -> shown.put(c.configName(), false));
        if (contextWindow > 0) {
            shown.put("context_window", contextWindow);
        }
        if (maxOutputTokens > 0) {
            shown.put("max_output_tokens", maxOutputTokens);
        }
        return shown;
    }

    /** Which pass-through request fields a backend forwards or honours. */
    public record ParameterSupport(boolean acceptsAny, Set<String> accepted, Set<String> refused) {
        /** Forwards every field (OpenAI-compatible upstreams). */
        public static final ParameterSupport ANY = new ParameterSupport(true, Set.of(), Set.of());

        public ParameterSupport {
            accepted = accepted == null ? Set.of() : Set.copyOf(accepted);
            refused = refused == null ? Set.of() : Set.copyOf(refused);
        }

        /** Only these fields. */
        public static ParameterSupport only(List<String> names) {
            return new ParameterSupport(false, Set.copyOf(names), Set.of());
        }

        /** Every field but these. */
        public static ParameterSupport anyBut(List<String> names) {
            return new ParameterSupport(true, Set.of(), Set.copyOf(names));
        }

        public boolean accepts(String name) {
            return acceptsAny ? !refused.contains(name) : accepted.contains(name) && !refused.contains(name);
        }

        /** Accepted by both. */
        public ParameterSupport and(ParameterSupport other) {
            if (acceptsAny && other.acceptsAny) {
                return new ParameterSupport(true, Set.of(), union(refused, other.refused));
            }
            if (acceptsAny) {
                return other.and(this);
            }
            java.util.Set<String> both = new java.util.TreeSet<>(accepted);
            if (!other.acceptsAny) {
                both.retainAll(other.accepted);
            }
            return new ParameterSupport(false, both, union(refused, other.refused));
        }

        private static Set<String> union(Set<String> a, Set<String> b) {
            java.util.Set<String> all = new java.util.TreeSet<>(a);
            all.addAll(b);
            return all;
        }
    }
}
