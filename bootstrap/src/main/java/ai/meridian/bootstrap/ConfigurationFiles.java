package ai.meridian.bootstrap;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * The configuration files an operator wrote ({@code meridian.yml} in the working directory, or the files named
 * in {@code MICRONAUT_CONFIG_FILES} / {@code -Dmicronaut.config.files}), read before the gateway starts so that
 * mistakes stop start-up with their place: a YAML error names the file and line; a key under {@code meridian.}
 * that Meridian does not read ({@link ConfigurationKeys}) names the key, the file and line, and the nearest
 * valid key. Environment variables and system properties are not checked (Micronaut reads them in many
 * spellings).
 */
final class ConfigurationFiles {
    static final String LOCAL_CONFIG = "meridian.yml";

    /** A configuration mistake, worded for the operator. */
    static final class ConfigurationException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        ConfigurationException(String message) {
            super(message);
        }
    }

    /** One leaf (or empty section) of a file, with where it was written. */
    record Entry(String key, String value, Path file, int line) {
    }

    private final List<Path> files;
    private final List<Entry> entries;

    private ConfigurationFiles(List<Path> files, List<Entry> entries) {
        this.files = files;
        this.entries = entries;
    }

    /** The files Micronaut will read: those named, else {@code meridian.yml} in the working directory if it exists. */
    static List<Path> located(String named, Path workingDir) {
        List<Path> files = new ArrayList<>();
        if (named != null && !named.isBlank()) {
            for (String name : named.split(",")) {
                String file = name.trim();
                if (file.isEmpty() || file.startsWith("classpath:")) {
                    continue;
                }
                files.add(workingDir.resolve(file.startsWith("file:") ? file.substring(5) : file));
            }
        } else if (Files.isRegularFile(workingDir.resolve(LOCAL_CONFIG))) {
            files.add(workingDir.resolve(LOCAL_CONFIG));
        }
        return files;
    }

    /** Reads and checks the files; a mistake throws {@link ConfigurationException}. */
    static ConfigurationFiles read(List<Path> files) {
        List<Entry> entries = new ArrayList<>();
        for (Path file : files) {
            if (!Files.isRegularFile(file)) {
                throw new ConfigurationException("configuration file " + file + " does not exist");
            }
            String name = file.getFileName().toString();
            if (name.endsWith(".properties")) {
                properties(file, entries);
            } else if (name.endsWith(".yml") || name.endsWith(".yaml") || name.endsWith(".json")) {
                yaml(file, entries);
            }
        }
        for (Entry entry : entries) {
            checkKey(entry);
        }
        return new ConfigurationFiles(List.copyOf(files), List.copyOf(entries));
    }

    List<Path> files() {
        return files;
    }

    /** The value a file gives {@code key} (the last file that sets it wins, as in Micronaut). */
    Optional<String> value(String key) {
        String found = null;
        for (Entry entry : entries) {
            if (entry.key().equals(key) && entry.value() != null) {
                found = entry.value();
            }
        }
        return Optional.ofNullable(found);
    }

    private static void checkKey(Entry entry) {
        String key = entry.key();
        String top = key.split("[.\\[]", 2)[0];
        String where = entry.file() + (entry.line() > 0 ? " line " + entry.line() : "");
        if (!top.equals("meridian")) {
            if (ConfigurationKeys.distance(top.toLowerCase(java.util.Locale.ROOT), "meridian") <= 2) {
                throw new ConfigurationException("unknown configuration key '" + top + "' in " + where + "; did you mean 'meridian'?");
            }
            return; // micronaut.*, datasources.*, ...: the framework's own
        }
        ConfigurationKeys.Verdict verdict = ConfigurationKeys.check(key);
        if (!verdict.known()) {
            throw new ConfigurationException("unknown configuration key '" + verdict.unknownPrefix() + "' in " + where
                    + verdict.nearest().map(n -> "; did you mean '" + n + "'?").orElse("; see docs/configuration.md for the keys Meridian reads"));
        }
    }

    private static void properties(Path file, List<Entry> entries) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigurationException("configuration file " + file + " cannot be read: " + e.getMessage());
        }
        properties.stringPropertyNames().stream().sorted()
                .forEach(key -> entries.add(new Entry(key, properties.getProperty(key), file, 0)));
    }

    private static void yaml(Path file, List<Entry> entries) {
        LoaderOptions options = new LoaderOptions();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            // The composer alone, not Yaml: Yaml's constructor starts a logger, and nothing may log before the
            // log format is chosen from these very files.
            Composer composer = new Composer(new ParserImpl(new StreamReader(reader), options), new Resolver(), options);
            while (composer.checkNode()) {
                walk(composer.getNode(), "", file, entries);
            }
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String at = mark == null ? "" : " line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
            String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
            String context = e.getContext() != null ? " (" + e.getContext() + ")" : "";
            throw new ConfigurationException("configuration file " + file + at + " is not valid YAML: " + problem + context);
        } catch (YAMLException e) {
            throw new ConfigurationException("configuration file " + file + " is not valid YAML: " + e.getMessage());
        } catch (IOException e) {
            throw new ConfigurationException("configuration file " + file + " cannot be read: " + e.getMessage());
        }
    }

    private static void walk(Node node, String key, Path file, List<Entry> entries) {
        int line = node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
        if (node instanceof MappingNode mapping) {
            if (mapping.getValue().isEmpty() && !key.isEmpty()) {
                entries.add(new Entry(key, null, file, line));
            }
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (NodeTuple tuple : mapping.getValue()) {
                if (!(tuple.getKeyNode() instanceof ScalarNode name)) {
                    throw new ConfigurationException("configuration file " + file + " line " + (tuple.getKeyNode().getStartMark().getLine() + 1)
                            + ": keys must be plain names");
                }
                if (!seen.add(name.getValue())) {
                    // YAML allows it, and the later value would win silently
                    throw new ConfigurationException("configuration file " + file + " line " + (name.getStartMark().getLine() + 1)
                            + ": duplicate key '" + (key.isEmpty() ? "" : key + ".") + name.getValue() + "'");
                }
                String child = key.isEmpty() ? name.getValue() : key + "." + name.getValue();
                if (tuple.getValueNode() instanceof ScalarNode) {
                    int keyLine = name.getStartMark().getLine() + 1;
                    entries.add(new Entry(child, ((ScalarNode) tuple.getValueNode()).getValue(), file, keyLine));
                } else {
                    walk(tuple.getValueNode(), child, file, entries);
                }
            }
        } else if (node instanceof SequenceNode sequence) {
            if (sequence.getValue().isEmpty()) {
                entries.add(new Entry(key + "[]", null, file, line));
            }
            for (int i = 0; i < sequence.getValue().size(); i++) {
                walk(sequence.getValue().get(i), key + "[" + i + "]", file, entries);
            }
        } else if (node instanceof ScalarNode scalar && !key.isEmpty()) {
            entries.add(new Entry(key, scalar.getValue(), file, line));
        }
    }

    /** Entries by key, for tests and diagnostics. */
    Map<String, Entry> byKey() {
        Map<String, Entry> map = new LinkedHashMap<>();
        entries.forEach(e -> map.put(e.key(), e));
        return map;
    }
}
