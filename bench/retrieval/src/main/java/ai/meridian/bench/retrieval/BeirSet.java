package ai.meridian.bench.retrieval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A retrieval test set in BEIR's layout: corpus.jsonl, queries.jsonl and qrels/test.tsv. */
record BeirSet(String name, List<Document> corpus, Map<String, String> queries, Map<String, Map<String, Integer>> qrels) {

    record Document(String id, String title, String text) {
    }

    static BeirSet read(Path directory) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<Document> corpus = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(directory.resolve("corpus.jsonl"), StandardCharsets.UTF_8)) {
            for (String line; (line = in.readLine()) != null; ) {
                if (!line.isBlank()) {
                    JsonNode doc = json.readTree(line);
                    corpus.add(new Document(doc.get("_id").asText(), doc.path("title").asText(""), doc.path("text").asText("")));
                }
            }
        }
        Map<String, String> queries = queries(directory.resolve("queries.jsonl"));
        Map<String, Map<String, Integer>> qrels = new HashMap<>();
        List<String> lines = Files.readAllLines(directory.resolve("qrels").resolve("test.tsv"), StandardCharsets.UTF_8);
        for (String line : lines) {
            String[] cols = line.split("\t");
            if (cols.length < 3 || cols[0].equals("query-id")) {
                continue;
            }
            qrels.computeIfAbsent(cols[0], q -> new HashMap<>()).put(cols[1], Integer.parseInt(cols[2].trim()));
        }
        queries.keySet().retainAll(qrels.keySet());
        return new BeirSet(directory.getFileName().toString(), corpus, queries, qrels);
    }

    /** A queries.jsonl file: {@code {"_id", "text"}} per line, in order. */
    static Map<String, String> queries(Path file) throws IOException {
        ObjectMapper json = new ObjectMapper();
        Map<String, String> queries = new LinkedHashMap<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line; (line = in.readLine()) != null; ) {
                if (!line.isBlank()) {
                    JsonNode query = json.readTree(line);
                    queries.put(query.get("_id").asText(), query.get("text").asText());
                }
            }
        }
        return queries;
    }
}
