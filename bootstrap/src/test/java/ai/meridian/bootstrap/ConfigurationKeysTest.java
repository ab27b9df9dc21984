package ai.meridian.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one list of configuration keys ({@link ConfigurationKeys}) knows every key the documentation names, and a
 * key a file sets that is not in it stops start-up naming the key, the file, the line and the nearest valid key.
 */
class ConfigurationKeysTest {

    @Test
    void typosAreUnknownAndTheNearestValidKeyIsNamed() {
        assertThat(ConfigurationKeys.check("meridian.modles[0].id").nearest()).contains("meridian.models");
        assertThat(ConfigurationKeys.check("meridian.masterkey").nearest()).contains("meridian.master-key");
        assertThat(ConfigurationKeys.check("meridian.master_key").nearest()).contains("meridian.master-key");
        assertThat(ConfigurationKeys.check("meridian.backends.vllm.base-ur").nearest()).contains("meridian.backends.vllm.base-url");
        assertThat(ConfigurationKeys.check("meridian.models[0].routse[0].backend").unknownPrefix()).isEqualTo("meridian.models[0].routse[0]");
        assertThat(ConfigurationKeys.check("meridian.models[0].routse[0].backend").nearest()).contains("meridian.models[0].routes");
        assertThat(ConfigurationKeys.check("meridian.tracing.otlp.enabld").nearest()).contains("meridian.tracing.otlp.enabled");
        assertThat(ConfigurationKeys.check("meridian.something-else-entirely").known()).isFalse();
        assertThat(ConfigurationKeys.check("meridian.something-else-entirely").nearest()).isEmpty();
    }

    @Test
    void everyKindOfValidKeyIsKnown() {
        for (String key : List.of("meridian.master-key", "meridian.masterKey", "meridian.backends.my-vllm.headers.X-Team",
                "meridian.backends.a.forward-headers[0]", "meridian.backends.a.forward-headers", "meridian.backends.a.parameters.set.top_k",
                "meridian.backends.t.endpoints[1]", "meridian.backends.a.circuit-breaker.wait-in-open", "meridian.models[3].fallbacks[1].routes[0].weight",
                "meridian.models[0].complexity.markers[2]", "meridian.models[0].grounding.knowledge-bases[0]", "meridian.logging.format",
                "meridian.web-search.searxng.headers.Authorization", "meridian.tracing.otlp.headers.x-api-key", "meridian.backends")) {
            assertThat(ConfigurationKeys.check(key).known()).as(key).isTrue();
        }
    }

    /** Every {@code meridian.*} key the docs name, and every key of the docs' key tables, is in the one list. */
    @Test
    void everyDocumentedKeyIsKnown() throws IOException {
        List<Path> docs = new ArrayList<>(List.of(Path.of("..", "README.md")));
        try (Stream<Path> files = Files.walk(Path.of("..", "docs"))) {
            files.filter(f -> f.toString().endsWith(".md")).forEach(docs::add);
        }
        Pattern full = Pattern.compile("`(meridian\\.[A-Za-z0-9_.<>*\\[\\]-]+)`");
        Pattern rowKeys = Pattern.compile("`([a-z][a-z0-9.<>*\\[\\]-]*)`");
        List<String> checked = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        for (Path doc : docs) {
            String prefix = null;
            for (String line : Files.readAllLines(doc)) {
                if (line.startsWith("#")) {
                    prefix = tablePrefix(line).orElse(null);
                    continue;
                }
                Matcher m = full.matcher(line);
                while (m.find()) {
                    check(m.group(1), doc, checked, unknown);
                }
                if (prefix != null && line.startsWith("| `")) {
                    String firstCell = line.substring(1, line.indexOf('|', 1));
                    Matcher k = rowKeys.matcher(firstCell);
                    while (k.find()) {
                        if (!k.group(1).startsWith("meridian.") && !k.group(1).startsWith("micronaut.") && !k.group(1).startsWith("datasources.")) {
                            check(prefix + k.group(1), doc, checked, unknown);
                        }
                    }
                }
            }
        }
        assertThat(checked).as("keys found in the docs").hasSizeGreaterThan(100);
        assertThat(unknown).as("documented keys missing from ConfigurationKeys.KEYS").isEmpty();
    }

    /** The key tables whose first column holds keys relative to a section, by their heading. */
    private static Optional<String> tablePrefix(String heading) {
        if (heading.contains("circuit-breaker")) {
            return Optional.of("meridian.backends.x.circuit-breaker.");
        }
        if (heading.contains("type: openai") || heading.contains("Keys under `meridian.backends.<id>`")) {
            return Optional.of("meridian.backends.x.");
        }
        if (heading.contains("Models: `meridian.models`")) {
            return Optional.of("meridian.models[0].");
        }
        if (heading.contains("`meridian.retrieval`")) {
            return Optional.of("meridian.retrieval.");
        }
        return Optional.empty();
    }

    /** Names in the docs that start like keys but are not: span attributes, file names, a rejected alternative. */
    private static final java.util.Set<String> NOT_KEYS = java.util.Set.of("meridian.backend", "meridian.fallback", "meridian.fallback.tier",
            "meridian.request_id", "meridian.route", "meridian.tenant", "meridian.database.*", "meridian.fallback.mid_stream",
            "meridian.client_detached", "meridian.client_cancelled", "meridian.circuit_open");

    private static void check(String documented, Path doc, List<String> checked, List<String> unknown) {
        if (NOT_KEYS.contains(documented) || documented.matches(".*\\.(yml|yaml|db|properties)$")) {
            return;
        }
        String key = documented.replaceAll("<[^>]*>", "x").replaceAll("\\.\\*$", "").replaceAll("\\.$", "");
        checked.add(key);
        if (!ConfigurationKeys.isKeyOrSection(key)) {
            unknown.add(documented + " (" + doc.getFileName() + ")");
        }
    }

    @Test
    void anUnknownKeyInAFileNamesTheKeyTheFileTheLineAndTheNearestKey(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("meridian.yml"), "meridian:\n  master-key: k\n  modles:\n    - id: m\n");
        assertThatThrownBy(() -> ConfigurationFiles.read(List.of(file)))
                .hasMessageContaining("'meridian.modles[0]'").hasMessageContaining(file + " line 4")
                .hasMessageContaining("did you mean 'meridian.models'");
        Path second = Files.writeString(dir.resolve("b.yml"), "meridian:\n  masterkey: k\n");
        assertThatThrownBy(() -> ConfigurationFiles.read(List.of(second)))
                .hasMessageContaining("'meridian.masterkey'").hasMessageContaining("line 2").hasMessageContaining("'meridian.master-key'");
        Path top = Files.writeString(dir.resolve("c.yml"), "meridain:\n  master-key: k\n");
        assertThatThrownBy(() -> ConfigurationFiles.read(List.of(top))).hasMessageContaining("'meridain'").hasMessageContaining("'meridian'");
    }

    @Test
    void aYamlErrorNamesTheFileAndLine(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("meridian.yml"), "meridian:\n  master-key: k\n  models:\n    - id: m\n   routes: [\n");
        assertThatThrownBy(() -> ConfigurationFiles.read(List.of(file)))
                .hasMessageContaining(file.toString()).hasMessageMatching("(?s).*line [0-9]+, column [0-9]+.*").hasMessageContaining("not valid YAML");
        Path duplicate = Files.writeString(dir.resolve("d.yml"), "meridian:\n  master-key: a\n  master-key: b\n");
        assertThatThrownBy(() -> ConfigurationFiles.read(List.of(duplicate))).hasMessageContaining("line 3").hasMessageContaining("duplicate");
    }

    @Test
    void otherSectionsAndValidFilesPass(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("meridian.yml"), String.join("\n",
                "micronaut:", "  server:", "    port: 9", "datasources:", "  default:", "    url: jdbc:h2:mem:x",
                "meridian:", "  logging:", "    format: text", "  backends:", "    vllm:", "      type: openai", "      base-url: http://x/v1",
                "      forward-headers: [OpenAI-Organization]", "  models:", "    - id: m", "      routes: [{backend: vllm, model: x}]",
                "      fallbacks:", "        - routes: [{backend: vllm, model: y}]", "          retry: {max-attempts: 1}", ""));
        ConfigurationFiles read = ConfigurationFiles.read(List.of(file));
        assertThat(read.value("meridian.logging.format")).contains("text");
        assertThat(read.byKey()).containsKey("meridian.models[0].fallbacks[0].retry.max-attempts");
    }

    @Test
    void theLogFormatIsTextOnATerminalJsonOtherwiseOrAsConfigured() {
        assertThat(Meridian.logAppender(Optional.empty(), true)).isEqualTo("text");
        assertThat(Meridian.logAppender(Optional.empty(), false)).isEqualTo("json");
        assertThat(Meridian.logAppender(Optional.of("auto"), false)).isEqualTo("json");
        assertThat(Meridian.logAppender(Optional.of("json"), true)).isEqualTo("json");
        assertThat(Meridian.logAppender(Optional.of("Text"), false)).isEqualTo("text");
        assertThatThrownBy(() -> Meridian.logAppender(Optional.of("xml"), false)).hasMessageContaining("meridian.logging.format");
    }
}
