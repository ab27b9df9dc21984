package ai.meridian.bench.cache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/** The paraphrase set: groups of an original prompt, prompts that ask the same, and prompts that only look alike. */
final class ParaphraseSet {
    /** The kinds of hard negatives (what differs from the original). */
    static final Set<String> KINDS = Set.of("number", "date", "name", "negation", "product", "version", "unit", "language", "opposite");

    private ParaphraseSet() {
    }

    /** A hard negative: worded almost like the original, asking for a different answer; {@code kind} says why. */
    record Negative(String text, String kind) {
        Negative {
            Objects.requireNonNull(text, "text");
            if (!KINDS.contains(kind)) {
                throw new IllegalArgumentException("unknown negative kind: " + kind);
            }
        }
    }

    record Group(String id, String lang, String domain, String original, List<String> paraphrases, List<Negative> negatives) {
        Group {
            if (id == null || id.isBlank() || original == null || original.isBlank()) {
                throw new IllegalArgumentException("a group has an id and an original");
            }
            if (!lang.equals("en") && !lang.equals("zh")) {
                throw new IllegalArgumentException(id + ": lang is en or zh");
            }
            if (paraphrases.size() < 2 || negatives.size() < 2) {
                throw new IllegalArgumentException(id + ": at least two paraphrases and two negatives");
            }
            paraphrases = List.copyOf(paraphrases);
            negatives = List.copyOf(negatives);
        }
    }

    /** Every group of the JSONL files, in order; ids must be unique and no prompt may appear twice. */
    static List<Group> load(List<Path> files) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<Group> groups = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        Set<String> prompts = new HashSet<>();
        for (Path file : files) {
            int line = 0;
            for (String text : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                line++;
                if (text.isBlank()) {
                    continue;
                }
                JsonNode node = json.readTree(text);
                List<String> paraphrases = new ArrayList<>();
                node.path("paraphrases").forEach(p -> paraphrases.add(p.asText()));
                List<Negative> negatives = new ArrayList<>();
                node.path("negatives").forEach(n -> negatives.add(new Negative(n.path("text").asText(), n.path("kind").asText())));
                Group group = new Group(node.path("id").asText(), node.path("lang").asText(), node.path("domain").asText(),
                        node.path("original").asText(), paraphrases, negatives);
                if (!ids.add(group.id())) {
                    throw new IllegalArgumentException(file + ":" + line + ": duplicate id " + group.id());
                }
                List<String> all = new ArrayList<>(paraphrases);
                all.add(group.original());
                negatives.forEach(n -> all.add(n.text()));
                for (String prompt : all) {
                    if (!prompts.add(prompt.strip())) {
                        throw new IllegalArgumentException(file + ":" + line + ": prompt appears twice: " + prompt);
                    }
                }
                groups.add(group);
            }
        }
        return groups;
    }
}
