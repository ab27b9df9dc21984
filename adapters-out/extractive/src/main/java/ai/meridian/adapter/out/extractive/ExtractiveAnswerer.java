package ai.meridian.adapter.out.extractive;

import ai.meridian.application.port.out.BackendCall;
import ai.meridian.application.port.out.BackendStreamListener;
import ai.meridian.application.port.out.Cancellable;
import ai.meridian.application.port.out.ModelBackend;
import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.Completion;
import ai.meridian.domain.chat.Delta;
import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.Role;
import ai.meridian.domain.retrieval.SourceDocument;
import ai.meridian.domain.routing.Capability;
import ai.meridian.domain.routing.ModelCapabilities;
import ai.meridian.domain.routing.ModelCapabilities.ParameterSupport;
import java.util.EnumSet;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Answers without a model: picks the sentences of the numbered sources that share the most (rare) terms
 * with the question, at most two per source, keeps them in source order and cites each as [n]. Used when no
 * model backend is configured or reachable, and as a last fallback tier.
 */
public final class ExtractiveAnswerer implements ModelBackend {
    public static final String MODEL = "extractive";
    private static final ModelCapabilities CAPABILITIES = new ModelCapabilities(Set.of(Capability.TEXT_COMPLETION),
            EnumSet.of(Capability.TOOLS, Capability.VISION, Capability.AUDIO, Capability.FILES, Capability.REASONING,
                    Capability.JSON_OBJECT, Capability.JSON_SCHEMA, Capability.LOGPROBS, Capability.MULTIPLE_CHOICES),
            0, 0, ParameterSupport.only(List.of("seed", "stop", "user", "presence_penalty", "frequency_penalty")));

    private final String id;
    private final ExtractiveSettings settings;

    public ExtractiveAnswerer(String id, ExtractiveSettings settings) {
        this.id = id;
        this.settings = settings;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public boolean generatesText() {
        return false;
    }

    /**
     * It writes plain text from the sources: it cannot call tools, read images, audio or files, give log
     * probabilities or several choices, or honour pass-through fields. A text completion (the Completions API) is
     * answered like a question: the prompt is the question, the answer the extract from the sources. Sampling controls (temperature,
     * top_p, max_tokens, seed, stop, penalties, user) do not apply to it and are accepted.
     */
    @Override
    public ModelCapabilities capabilities(String upstreamModel) {
        return CAPABILITIES;
    }

    @Override
    public CompletableFuture<Completion> complete(BackendCall call) {
        return CompletableFuture.completedFuture(new Completion(String.join("", answer(call)), "", FinishReason.STOP, Optional.empty(), MODEL));
    }

    @Override
    public Cancellable stream(BackendCall call, BackendStreamListener listener) {
        for (String piece : answer(call)) {
            listener.onDelta(Delta.of(piece));
        }
        listener.onComplete(FinishReason.STOP, Optional.empty(), MODEL);
        return () -> { };
    }

    /** The answer as pieces (one per sentence), so a stream has something to stream. */
    List<String> answer(BackendCall call) {
        String question = lastUserMessage(call.messages());
        List<SourceDocument> sources = call.sources();
        if (sources.isEmpty()) {
            return List.of(settings.noSourcesAnswer());
        }
        Set<String> questionTerms = SentenceScorer.terms(question);
        List<Candidate> candidates = new ArrayList<>();
        for (int rank = 0; rank < sources.size(); rank++) {
            SourceDocument source = sources.get(rank);
            List<String> sentences = SentenceScorer.sentences(source.text());
            for (int position = 0; position < sentences.size(); position++) {
                candidates.add(new Candidate(source.citation().number(), rank, position, sentences.get(position),
                        SentenceScorer.terms(sentences.get(position))));
            }
        }
        Map<String, Double> idf = SentenceScorer.idf(candidates.stream().map(Candidate::terms).toList());
        double best = 0;
        for (Candidate c : candidates) {
            for (String term : c.terms) {
                if (questionTerms.contains(term)) {
                    c.overlap += idf.getOrDefault(term, 0.0);
                }
            }
            // Earlier sources ranked better; earlier sentences of a passage tend to carry its point.
            c.score = c.overlap / Math.sqrt(1 + c.terms.size()) + 0.05 / (1 + c.rank) + 0.01 / (1 + c.position);
            best = Math.max(best, c.overlap);
        }
        // Only sentences that share enough with the question; with no overlap at all, the top source leads.
        double floor = best * 0.25;
        List<Candidate> eligible = best > 0
                ? candidates.stream().filter(c -> c.overlap > 0 && c.overlap >= floor).toList()
                : candidates.stream().filter(c -> c.rank == 0).limit(2).toList();
        List<Candidate> chosen = new ArrayList<>();
        Map<Integer, Integer> perSource = new HashMap<>();
        eligible.stream().sorted(Comparator.comparingDouble((Candidate c) -> c.score).reversed()).forEach(c -> {
            if (chosen.size() < settings.maxSentences() && perSource.getOrDefault(c.number, 0) < 2) {
                chosen.add(c);
                perSource.merge(c.number, 1, Integer::sum);
            }
        });
        chosen.sort(Comparator.comparingInt((Candidate c) -> c.rank).thenComparingInt(c -> c.position));
        List<String> pieces = new ArrayList<>();
        for (int i = 0; i < chosen.size(); i++) {
            Candidate c = chosen.get(i);
            pieces.add((i == 0 ? "" : " ") + c.sentence + " [" + c.number + "]");
        }
        return pieces;
    }

    private static String lastUserMessage(List<ChatMessage> messages) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i).role() == Role.USER) {
                return messages.get(i).content();
            }
        }
        return "";
    }

    private static final class Candidate {
        final int number;
        final int rank;
        final int position;
        final String sentence;
        final Set<String> terms;
        double overlap;
        double score;

        Candidate(int number, int rank, int position, String sentence, Set<String> terms) {
            this.number = number;
            this.rank = rank;
            this.position = position;
            this.sentence = sentence;
            this.terms = terms;
        }

        Set<String> terms() {
            return terms;
        }
    }
}
