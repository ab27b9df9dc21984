package ai.meridian.bench.cache;

import ai.meridian.adapter.out.embedding.BundledModel;
import ai.meridian.adapter.out.embedding.OnnxEmbeddingSettings;
import ai.meridian.adapter.out.embedding.OnnxTextEmbedder;
import ai.meridian.adapter.out.lucene.LuceneIndexSettings;
import ai.meridian.adapter.out.lucene.LuceneKnowledgeIndex;
import ai.meridian.application.port.out.retrieval.ChunkQuery;
import ai.meridian.application.port.out.retrieval.KnowledgeIndexPort;
import ai.meridian.application.port.out.retrieval.KnowledgeScope;
import ai.meridian.application.port.out.retrieval.ScoredChunk;
import ai.meridian.application.service.LanguageEmbeddings;
import ai.meridian.application.service.SemanticCache;
import ai.meridian.bench.cache.ParaphraseSet.Group;
import ai.meridian.bench.cache.ParaphraseSet.Negative;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * How often the semantic cache serves a cached answer to a prompt that asks the same (hit rate) and to one that only
 * looks the same (false-hit rate), per similarity threshold, with {@code PromptGuard} and without it.
 *
 * <p>Wired as bootstrap wires the gateway's defaults: bge-small-zh-v1.5 for Chinese prompts and bge-small-en-v1.5 for
 * the rest ({@link LanguageEmbeddings}), the embedded Lucene index, and the core's {@link SemanticCache}. Every original
 * is cached (looked up, then remembered under its group's id, as the cache stage does after a miss) in one partition,
 * as requests of one tenant to one model with the same parameters share one; then every paraphrase and hard negative is
 * looked up with {@link SemanticCache#find}. The answer served is the first match, as the cache stage serves it when the
 * matched answer is still in the exact cache. A paraphrase is a hit when it is served its own original's answer (served
 * another group's answer it is a wrong hit); a hard negative served any answer is a false hit.
 *
 * <p>One lookup per prompt at the lowest threshold of the sweep gives every threshold's outcome (a higher threshold
 * only drops matches from the end of the list); the outcome at the recommended threshold is checked by looking every
 * prompt up again at that threshold. "Guard off" is the same index's nearest candidates without {@code PromptGuard}.
 *
 * <pre>SemanticCacheEvaluation [--sets FILE.jsonl,FILE.jsonl] [--from 0.80] [--to 0.98] [--step 0.01] [--max-false 0.01]
 *                          [--embedding auto|MODEL] [--show [THRESHOLD]]</pre>
 * {@code --show} lists the missed paraphrases and the false hits at the recommended threshold (or the one given).
 */
public final class SemanticCacheEvaluation {
    static final String TENANT = "bench";
    /** The whole set: the groups the guard was designed on, and the held-out groups written after it was frozen. */
    static final List<String> DEFAULT_SETS = List.of("bench/cache/paraphrases-en.jsonl", "bench/cache/paraphrases-zh.jsonl",
            "bench/cache/holdout-en.jsonl", "bench/cache/holdout-zh.jsonl");
    /** How many nearest prompts the cache looks at per lookup (SemanticCache's own number). */
    static final int CANDIDATES = 4;

    private SemanticCacheEvaluation() {
    }

    /** A match: the cached prompt's key (its group's id) and its similarity. */
    record Candidate(String key, double similarity) {
    }

    /** One looked-up prompt: what the cache found (guard on) and the nearest cached prompts (guard off), most similar first. */
    record Lookup(Group group, String text, String kind, List<Candidate> guarded, List<Candidate> raw, long findNanos) {
        boolean paraphrase() {
            return kind.equals("paraphrase");
        }

        /** The key of the answer served at {@code threshold}, or null (a miss). */
        String served(double threshold, boolean guard) {
            List<Candidate> list = guard ? guarded : raw;
            return !list.isEmpty() && list.get(0).similarity() >= threshold - 1e-9 ? list.get(0).key() : null;
        }
    }

    /** Outcomes at one threshold. */
    record Rates(int paraphrases, int hits, int wrongHits, int negatives, int falseHits) {
        double hitRate() {
            return paraphrases == 0 ? 0 : (double) hits / paraphrases;
        }

        double wrongHitRate() {
            return paraphrases == 0 ? 0 : (double) wrongHits / paraphrases;
        }

        double falseHitRate() {
            return negatives == 0 ? 0 : (double) falseHits / negatives;
        }
    }

    static Rates rates(List<Lookup> lookups, double threshold, boolean guard) {
        int paraphrases = 0;
        int hits = 0;
        int wrong = 0;
        int negatives = 0;
        int falseHits = 0;
        for (Lookup l : lookups) {
            String served = l.served(threshold, guard);
            if (l.paraphrase()) {
                paraphrases++;
                if (served != null && served.equals(l.group().id())) {
                    hits++;
                } else if (served != null) {
                    wrong++;
                }
            } else {
                negatives++;
                if (served != null) {
                    falseHits++;
                }
            }
        }
        return new Rates(paraphrases, hits, wrong, negatives, falseHits);
    }

    /** The partition requests of one tenant, model and parameters share (the cache keys it by a SHA-256, as here). */
    static String partition(String tenant, String model, String parameters) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha.digest((tenant + "\u0000" + model + "\u0000" + parameters).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The embedding models the gateway uses by default (auto: Chinese and English), or one bundled model for all. */
    record Models(LanguageEmbeddings embeddings, List<OnnxTextEmbedder> embedders) implements AutoCloseable {
        static Models of(String choice) {
            if (choice.equals("auto")) {
                OnnxTextEmbedder zh = new OnnxTextEmbedder(OnnxEmbeddingSettings.defaults().withModel(BundledModel.BGE_SMALL_ZH_V15.id()));
                OnnxTextEmbedder en = new OnnxTextEmbedder(OnnxEmbeddingSettings.defaults().withModel(BundledModel.BGE_SMALL_EN_V15.id()));
                return new Models(new LanguageEmbeddings(zh, en), List.of(zh, en));
            }
            OnnxTextEmbedder one = new OnnxTextEmbedder(OnnxEmbeddingSettings.defaults().withModel(choice));
            return new Models(LanguageEmbeddings.single(one), List.of(one));
        }

        @Override
        public void close() {
            embedders.forEach(OnnxTextEmbedder::close);
        }
    }

    /** The cache under evaluation: the core's SemanticCache on the real models and a Lucene index in its own directory. */
    static final class Rig implements AutoCloseable {
        final Models models;
        final LuceneKnowledgeIndex index;
        final SemanticCache cache;

        Rig(String embedding, Path directory) {
            this.models = Models.of(embedding);
            this.index = new LuceneKnowledgeIndex(LuceneIndexSettings.defaults(directory));
            this.cache = new SemanticCache(index, models.embeddings());
        }

        @Override
        public void close() {
            index.close();
            models.close();
        }
    }

    /** Caches every group's original under its id in {@code partition}, and waits until the index shows them all. */
    static void cacheOriginals(SemanticCache cache, KnowledgeIndexPort index, String tenant, String partition, List<Group> groups)
            throws Exception {
        KnowledgeScope scope = null;
        for (Group g : groups) {
            SemanticCache.Found found = cache.find(tenant, partition, g.original(), 1.0).get(1, TimeUnit.MINUTES);
            cache.remember(found.probe(), g.id());
            scope = new KnowledgeScope(found.probe().tenant(), found.probe().partition());
        }
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (index.countOutside(scope, Set.of()).get(1, TimeUnit.MINUTES) < groups.size()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the index did not show the cached prompts in time");
            }
            Thread.sleep(50);
        }
    }

    /** Looks up every paraphrase and hard negative of the groups (after the originals were cached). */
    static List<Lookup> lookUp(SemanticCache cache, KnowledgeIndexPort index, String tenant, String partition, List<Group> groups,
                               double floor) throws Exception {
        List<Lookup> lookups = new ArrayList<>();
        for (Group g : groups) {
            for (String p : g.paraphrases()) {
                lookups.add(lookUp(cache, index, tenant, partition, g, p, "paraphrase", floor));
            }
            for (Negative n : g.negatives()) {
                lookups.add(lookUp(cache, index, tenant, partition, g, n.text(), n.kind(), floor));
            }
        }
        return lookups;
    }

    private static Lookup lookUp(SemanticCache cache, KnowledgeIndexPort index, String tenant, String partition, Group group, String text,
                                 String kind, double floor) throws Exception {
        long start = System.nanoTime();
        SemanticCache.Found found = cache.find(tenant, partition, text, floor).get(1, TimeUnit.MINUTES);
        long nanos = System.nanoTime() - start;
        List<Candidate> guarded = found.matches().stream().map(m -> new Candidate(m.key(), m.similarity())).toList();
        SemanticCache.Probe probe = found.probe();
        List<ScoredChunk> nearest = index.search(ChunkQuery.nearest(probe.tenant(), List.of(probe.partition()), probe.space(), probe.vector(),
                CANDIDATES)).get(1, TimeUnit.MINUTES);
        List<Candidate> raw = nearest.stream().filter(c -> c.vectorRank() > 0)
                .sorted(Comparator.comparingDouble(ScoredChunk::similarity).reversed())
                .map(c -> new Candidate(c.hit().documentId(), c.similarity())).toList();
        return new Lookup(group, text, kind, guarded, raw, nanos);
    }

    /** The lowest threshold whose false-hit and wrong-hit rates (guard on) are within {@code maxFalse}, with the best hit rate. */
    static double recommend(List<Lookup> lookups, List<Double> thresholds, double maxFalse) {
        double best = Double.NaN;
        double bestHits = -1;
        for (double t : thresholds) {
            Rates r = rates(lookups, t, true);
            if (r.falseHitRate() <= maxFalse && r.wrongHitRate() <= maxFalse && r.hitRate() > bestHits + 1e-12) {
                best = t;
                bestHits = r.hitRate();
            }
        }
        return best;
    }

    static List<Double> sweep(double from, double to, double step) {
        List<Double> thresholds = new ArrayList<>();
        for (int i = 0; from + i * step <= to + 1e-9; i++) {
            thresholds.add(Math.round((from + i * step) * 1000) / 1000.0);
        }
        return thresholds;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        List<Path> sets = Arrays.stream(options.getOrDefault("sets", String.join(",", DEFAULT_SETS))
                .split(",")).map(Path::of).toList();
        List<Double> thresholds = sweep(Double.parseDouble(options.getOrDefault("from", "0.80")),
                Double.parseDouble(options.getOrDefault("to", "0.98")), Double.parseDouble(options.getOrDefault("step", "0.01")));
        double maxFalse = Double.parseDouble(options.getOrDefault("max-false", "0.01"));
        List<Group> groups = ParaphraseSet.load(sets);
        Path directory = Files.createTempDirectory("meridian-semantic-cache");
        String partition = partition(TENANT, "bench-model", "temperature=0");
        try (Rig rig = new Rig(options.getOrDefault("embedding", "auto"), directory)) {
            evaluate(rig, groups, partition, thresholds, maxFalse, options);
        } finally {
            try (var paths = Files.walk(directory)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void evaluate(Rig rig, List<Group> groups, String partition, List<Double> thresholds, double maxFalse,
                                 Map<String, String> options) throws Exception {
        long start = System.nanoTime();
        cacheOriginals(rig.cache, rig.index, TENANT, partition, groups);
        System.out.printf("cached %d originals in %.1f s (%s)%n", groups.size(), (System.nanoTime() - start) / 1e9,
                rig.models.embeddings().spaces());
        // Warm-up: the first ONNX runs and Lucene searches are slow; their timings would say nothing about a gateway.
        lookUp(rig.cache, rig.index, TENANT, partition, groups.subList(0, Math.min(20, groups.size())), thresholds.get(0));
        start = System.nanoTime();
        List<Lookup> lookups = lookUp(rig.cache, rig.index, TENANT, partition, groups, thresholds.get(0));
        System.out.printf("looked up %d prompts in %.1f s%n%n", lookups.size(), (System.nanoTime() - start) / 1e9);

        Map<String, Predicate<Lookup>> slices = new LinkedHashMap<>();
        slices.put("en", l -> l.group().lang().equals("en"));
        slices.put("zh", l -> l.group().lang().equals("zh"));
        slices.put("held-out", l -> l.group().id().startsWith("h"));
        slices.put("all", l -> true);
        for (Map.Entry<String, Predicate<Lookup>> slice : slices.entrySet()) {
            List<Lookup> part = lookups.stream().filter(slice.getValue()).toList();
            if (part.isEmpty()) {
                continue;
            }
            Rates any = rates(part, 0, true);
            System.out.printf("== %s: %d groups, %d paraphrases, %d hard negatives%n", slice.getKey(),
                    part.stream().map(l -> l.group().id()).distinct().count(), any.paraphrases(), any.negatives());
            System.out.println("threshold | guard on: hit%  wrong%  false% | guard off: hit%  wrong%  false%");
            for (double t : thresholds) {
                Rates on = rates(part, t, true);
                Rates off = rates(part, t, false);
                System.out.printf("  %.2f    |         %5.1f  %5.1f  %5.1f  |          %5.1f  %5.1f  %5.1f%n", t,
                        100 * on.hitRate(), 100 * on.wrongHitRate(), 100 * on.falseHitRate(),
                        100 * off.hitRate(), 100 * off.wrongHitRate(), 100 * off.falseHitRate());
            }
            double rec = recommend(part, thresholds, maxFalse);
            System.out.printf("  recommended for %s (guard on, false and wrong hits <= %.1f%%, best hit rate): %s%n%n", slice.getKey(),
                    100 * maxFalse, Double.isNaN(rec) ? "none in the sweep" : String.format("%.2f", rec));
        }

        double recommended = recommend(lookups, thresholds, maxFalse);
        if (Double.isNaN(recommended)) {
            System.out.println("no threshold of the sweep keeps false hits within " + 100 * maxFalse + "%");
            return;
        }
        System.out.printf("== recommended default threshold: %.2f%n", recommended);
        Rates on = rates(lookups, recommended, true);
        Rates off = rates(lookups, recommended, false);
        System.out.printf("  guard on:  hit %.1f%% (%d/%d), wrong %d, false hits %.1f%% (%d/%d)%n", 100 * on.hitRate(), on.hits(),
                on.paraphrases(), on.wrongHits(), 100 * on.falseHitRate(), on.falseHits(), on.negatives());
        System.out.printf("  guard off: hit %.1f%% (%d/%d), wrong %d, false hits %.1f%% (%d/%d)%n", 100 * off.hitRate(), off.hits(),
                off.paraphrases(), off.wrongHits(), 100 * off.falseHitRate(), off.falseHits(), off.negatives());
        System.out.println("  false hits by kind of negative at " + recommended + " (guard on / guard off):");
        Map<String, int[]> kinds = new TreeMap<>();
        for (Lookup l : lookups) {
            if (!l.paraphrase()) {
                int[] k = kinds.computeIfAbsent(l.kind(), x -> new int[3]);
                k[0]++;
                k[1] += l.served(recommended, true) != null ? 1 : 0;
                k[2] += l.served(recommended, false) != null ? 1 : 0;
            }
        }
        kinds.forEach((kind, k) -> System.out.printf("    %-9s %4d negatives: %3d / %3d%n", kind, k[0], k[1], k[2]));

        // The derived outcomes, checked against real lookups at the recommended threshold.
        int disagree = 0;
        for (Lookup l : lookups) {
            SemanticCache.Found f = rig.cache.find(TENANT, partition, l.text(), recommended).get(1, TimeUnit.MINUTES);
            String served = f.matches().isEmpty() ? null : f.matches().get(0).key();
            if (!java.util.Objects.equals(served, l.served(recommended, true))) {
                disagree++;
            }
        }
        System.out.printf("  lookups again at %.2f that disagree with the sweep: %d of %d%n", recommended, disagree, lookups.size());

        long[] nanos = lookups.stream().mapToLong(Lookup::findNanos).sorted().toArray();
        System.out.printf("%n== SemanticCache.find latency (embedding + Lucene search + guard, one at a time, %d partition entries): "
                + "p50 %.2f ms, p99 %.2f ms, max %.2f ms%n", groups.size(), percentile(nanos, 50) / 1e6, percentile(nanos, 99) / 1e6,
                nanos[nanos.length - 1] / 1e6);
        for (String lang : List.of("en", "zh")) {
            long[] n = lookups.stream().filter(l -> l.group().lang().equals(lang)).mapToLong(Lookup::findNanos).sorted().toArray();
            if (n.length > 0) {
                System.out.printf("   %s: p50 %.2f ms, p99 %.2f ms%n", lang, percentile(n, 50) / 1e6, percentile(n, 99) / 1e6);
            }
        }

        if (options.containsKey("show")) {
            double at = options.get("show").equals("true") ? recommended : Double.parseDouble(options.get("show"));
            System.out.printf("%n== at %.2f, guard on: missed paraphrases, wrong hits and false hits%n", at);
            for (Lookup l : lookups) {
                String served = l.served(at, true);
                double top = l.raw().isEmpty() ? 0 : l.raw().get(0).similarity();
                if (l.paraphrase() && !l.group().id().equals(served)) {
                    String why = served != null ? "WRONG " + served : top >= at ? "guard" : String.format("sim %.3f", top);
                    System.out.printf("  MISS  %s [%s] %s  <-  %s%n", l.group().id(), why, l.text(), l.group().original());
                } else if (!l.paraphrase() && served != null) {
                    System.out.printf("  FALSE %s %s %.3f %s  ->  %s%n", l.group().id(), l.kind(), l.guarded().get(0).similarity(), l.text(),
                            served);
                }
            }
        }
    }

    static double percentile(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    static Map<String, String> options(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].startsWith("--") && i + 1 < args.length && !args[i + 1].startsWith("--")) {
                options.put(args[i].substring(2), args[++i]);
            } else if (args[i].startsWith("--")) {
                options.put(args[i].substring(2), "true");
            }
        }
        return options;
    }
}
