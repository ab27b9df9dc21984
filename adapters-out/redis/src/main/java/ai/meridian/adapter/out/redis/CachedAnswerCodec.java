package ai.meridian.adapter.out.redis;

import ai.meridian.application.port.out.CachedAnswer;
import ai.meridian.domain.chat.Choice;
import ai.meridian.domain.chat.Completion;
import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.chat.ToolCall;
import ai.meridian.domain.retrieval.Citation;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A cached answer as bytes in Redis: a version byte, then every field in a fixed order, strings as UTF-8 with their
 * length (-1 for null), raw JSON fields as name/value pairs in their order. Compact and fast both ways, with nothing to
 * configure; an entry written by another version of the format is treated as missing.
 */
final class CachedAnswerCodec {
    static final byte VERSION = 1;

    private CachedAnswerCodec() {
    }

    static byte[] encode(CachedAnswer answer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(Math.max(256, answer.approximateBytes() / 2));
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            string(out, answer.tenant());
            string(out, answer.model());
            out.writeLong(answer.createdAtMillis());
            out.writeLong(answer.expiresAtMillis());
            Completion c = answer.completion();
            out.writeInt(c.choices().size());
            for (Choice choice : c.choices()) {
                out.writeInt(choice.index());
                string(out, choice.content());
                string(out, choice.reasoningContent());
                out.writeInt(choice.toolCalls().size());
                for (ToolCall call : choice.toolCalls()) {
                    call(out, call);
                }
                out.writeBoolean(choice.functionCall() != null);
                if (choice.functionCall() != null) {
                    call(out, choice.functionCall());
                }
                string(out, choice.refusal());
                string(out, choice.logprobs());
                string(out, choice.finishReason().wireName());
                raw(out, choice.messageExtra());
                raw(out, choice.choiceExtra());
            }
            out.writeBoolean(c.usage().isPresent());
            if (c.usage().isPresent()) {
                usage(out, c.usage().get());
            }
            string(out, c.upstreamModel());
            string(out, c.systemFingerprint());
            string(out, c.serviceTier());
            raw(out, c.extra());
            usage(out, answer.usage());
            out.writeInt(answer.citations().size());
            for (Citation citation : answer.citations()) {
                out.writeInt(citation.number());
                string(out, citation.title());
                string(out, citation.url());
                string(out, citation.date());
                string(out, citation.snippet());
                string(out, citation.source());
                out.writeBoolean(citation.score() != null);
                if (citation.score() != null) {
                    out.writeDouble(citation.score());
                }
            }
            out.writeInt(answer.generations().size());
            for (Map.Entry<String, Long> generation : answer.generations().entrySet()) {
                string(out, generation.getKey());
                out.writeLong(generation.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The answer, or empty when the bytes are of another format version (or damaged). */
    static Optional<CachedAnswer> decode(byte[] bytes) {
        if (bytes == null || bytes.length == 0 || bytes[0] != VERSION) {
            return Optional.empty();
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            in.readByte();
            String tenant = string(in);
            String model = string(in);
            long created = in.readLong();
            long expires = in.readLong();
            int choiceCount = count(in);
            List<Choice> choices = new ArrayList<>(choiceCount);
            for (int i = 0; i < choiceCount; i++) {
                int index = in.readInt();
                String content = string(in);
                String reasoning = string(in);
                int callCount = count(in);
                List<ToolCall> calls = new ArrayList<>(callCount);
                for (int k = 0; k < callCount; k++) {
                    calls.add(call(in));
                }
                ToolCall function = in.readBoolean() ? call(in) : null;
                String refusal = string(in);
                String logprobs = string(in);
                FinishReason finish = FinishReason.fromWire(string(in));
                choices.add(new Choice(index, content, reasoning, calls, function, refusal, logprobs, finish, raw(in), raw(in)));
            }
            Optional<TokenUsage> reported = in.readBoolean() ? Optional.of(usage(in)) : Optional.empty();
            Completion completion = new Completion(choices, reported, string(in), string(in), string(in), raw(in));
            TokenUsage usage = usage(in);
            int citationCount = count(in);
            List<Citation> citations = new ArrayList<>(citationCount);
            for (int i = 0; i < citationCount; i++) {
                int number = in.readInt();
                String title = string(in);
                String url = string(in);
                String date = string(in);
                String snippet = string(in);
                String source = string(in);
                Double score = in.readBoolean() ? in.readDouble() : null;
                citations.add(new Citation(number, title, url, date, snippet, source, score));
            }
            int generationCount = count(in);
            Map<String, Long> generations = new LinkedHashMap<>();
            for (int i = 0; i < generationCount; i++) {
                generations.put(string(in), in.readLong());
            }
            return Optional.of(new CachedAnswer(tenant, model, completion, usage, citations, generations, created, expires));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static int count(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > 1_000_000) {
            throw new IOException("damaged entry");
        }
        return n;
    }

    private static void call(DataOutputStream out, ToolCall call) throws IOException {
        string(out, call.id());
        string(out, call.type());
        string(out, call.name());
        string(out, call.arguments());
    }

    private static ToolCall call(DataInputStream in) throws IOException {
        return new ToolCall(string(in), string(in), string(in), string(in));
    }

    private static void usage(DataOutputStream out, TokenUsage usage) throws IOException {
        out.writeInt(usage.promptTokens());
        out.writeInt(usage.completionTokens());
        out.writeInt(usage.cachedPromptTokens());
        out.writeInt(usage.reasoningTokens());
        raw(out, usage.details());
    }

    private static TokenUsage usage(DataInputStream in) throws IOException {
        return new TokenUsage(in.readInt(), in.readInt(), in.readInt(), in.readInt(), raw(in));
    }

    private static void raw(DataOutputStream out, Map<String, String> fields) throws IOException {
        out.writeInt(fields.size());
        for (Map.Entry<String, String> field : fields.entrySet()) {
            string(out, field.getKey());
            string(out, field.getValue());
        }
    }

    private static Map<String, String> raw(DataInputStream in) throws IOException {
        int n = count(in);
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            fields.put(string(in), string(in));
        }
        return fields;
    }

    private static void string(DataOutputStream out, String value) throws IOException {
        if (value == null) {
            out.writeInt(-1);
            return;
        }
        byte[] utf8 = value.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    private static String string(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0) {
            return null;
        }
        byte[] utf8 = in.readNBytes(length);
        if (utf8.length != length) {
            throw new IOException("damaged entry");
        }
        return new String(utf8, java.nio.charset.StandardCharsets.UTF_8);
    }
}
