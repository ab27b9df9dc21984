package ai.meridian.bench.retrieval;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fits {@code RelevanceModel}'s coefficients from the candidates {@code RetrievalEvaluation --dump} wrote, as
 * docs/retrieval.md describes: per vector space {@code σ(bias + a·keyword + b·cosine)} and one keyword-only model.
 * Positives: chunks of judged-relevant documents. Negatives: the top 20 candidates (by keyword + cosine) of each
 * off-topic query, weighted so both classes weigh the same, and the unjudged candidates of answerable queries with
 * weight {@code --unjudged-weight} (0.003). Ridge 0.01. Prints the coefficients to paste into {@code RelevanceModel}.
 *
 * <pre>RelevanceFit DUMP.tsv[,DUMP.tsv...] [--unjudged-weight 0.003]</pre>
 */
public final class RelevanceFit {
    private RelevanceFit() {
    }

    record Row(String query, String space, double keyword, double similarity, int grade) {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = Wiring.options(args, 1);
        double unjudged = Double.parseDouble(Wiring.option(options, "unjudged-weight", "0.003"));
        Map<String, List<Row>> byQuery = new LinkedHashMap<>();
        for (String file : args[0].split(",")) {
            List<String> lines = Files.readAllLines(Path.of(file), StandardCharsets.UTF_8);
            for (String line : lines.subList(1, lines.size())) {
                String[] c = line.split("\t");
                byQuery.computeIfAbsent(file + "|" + c[0], q -> new ArrayList<>())
                        .add(new Row(c[0], c[1], Double.parseDouble(c[4]), Double.parseDouble(c[5]), Integer.parseInt(c[8])));
            }
        }
        List<String> spaces = byQuery.values().stream().flatMap(List::stream).map(Row::space).distinct().sorted().toList();
        for (String space : spaces) {
            report(space, fit(byQuery, space, unjudged));
        }
        report("keywords alone", fit(byQuery, null, unjudged));
    }

    private static double[] fit(Map<String, List<Row>> byQuery, String space, double unjudgedWeight) {
        List<Logistic.Example> positives = new ArrayList<>();
        List<Logistic.Example> unjudged = new ArrayList<>();
        List<Row> offTopic = new ArrayList<>();
        for (List<Row> rows : byQuery.values()) {
            if (space != null && !rows.get(0).space().equals(space)) {
                continue;
            }
            if (rows.get(0).query().startsWith("neg:")) {
                rows.stream().sorted(Comparator.comparingDouble((Row r) -> -(r.keyword() + (Double.isNaN(r.similarity()) ? 0 : r.similarity()))))
                        .limit(20).forEach(offTopic::add);
                continue;
            }
            for (Row r : rows) {
                if (space != null && Double.isNaN(r.similarity())) {
                    continue;
                }
                Logistic.Example e = new Logistic.Example(features(r, space), r.grade() > 0, r.grade() > 0 ? 1 : unjudgedWeight);
                (r.grade() > 0 ? positives : unjudged).add(e);
            }
        }
        List<Logistic.Example> examples = new ArrayList<>(positives);
        if (unjudgedWeight > 0) {
            examples.addAll(unjudged);
        }
        List<Row> negatives = offTopic.stream().filter(r -> space == null || !Double.isNaN(r.similarity())).toList();
        double weight = (double) Math.max(1, positives.size()) / Math.max(1, negatives.size());
        negatives.forEach(r -> examples.add(new Logistic.Example(features(r, space), false, weight)));
        return Logistic.fit(examples, space == null ? 1 : 2, 1e-2);
    }

    private static double[] features(Row r, String space) {
        return space == null ? new double[] {r.keyword()} : new double[] {r.keyword(), r.similarity()};
    }

    private static void report(String what, double[] w) {
        System.out.printf("%-20s bias %.2f, keyword %.2f%s%n", what, w[0], w[1], w.length > 2 ? String.format(", cosine %.2f", w[2]) : "");
    }
}
