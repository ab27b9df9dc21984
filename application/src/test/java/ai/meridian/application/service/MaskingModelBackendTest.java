package ai.meridian.application.service;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.application.port.out.BackendCall;
import ai.meridian.application.port.out.BackendStreamListener;
import ai.meridian.application.port.out.Cancellable;
import ai.meridian.application.port.out.ModelBackend;
import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.Choice;
import ai.meridian.domain.chat.Completion;
import ai.meridian.domain.chat.ContentPart;
import ai.meridian.domain.chat.Delta;
import ai.meridian.domain.chat.FinishReason;
import ai.meridian.domain.chat.GenerationParams;
import ai.meridian.domain.chat.TokenUsage;
import ai.meridian.domain.chat.ToolCall;
import ai.meridian.domain.chat.ToolCallDelta;
import ai.meridian.domain.fallback.Failure;
import ai.meridian.domain.pii.PiiMasker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The PII policy around an untrusted backend: the backend sees placeholders in prompts, tool arguments and tool
 * results; the caller sees the values restored in whole and streamed answers, tool calls included, whatever the
 * chunking.
 */
class MaskingModelBackendTest {
    private static final PiiPolicy POLICY = new PiiPolicy(PiiMasker.builtIn(), Set.of("cloud"), true, true);
    private static final String SECRET_MAIL = "alice@example.com";
    private static final String SECRET_PHONE = "13812345678";

    /** Answers by echoing the last user message (and a tool call whose arguments repeat it), cut into pieces of {@code piece}. */
    static final class EchoBackend implements ModelBackend {
        final List<BackendCall> seen = new ArrayList<>();
        int piece = 3;

        @Override
        public String id() {
            return "cloud";
        }

        private static String echo(BackendCall call) {
            List<ChatMessage> m = call.messages();
            return m.get(m.size() - 1).content();
        }

        @Override
        public CompletableFuture<Completion> complete(BackendCall call) {
            seen.add(call);
            String text = "You said: " + echo(call);
            Choice choice = new Choice(0, text, "", List.of(ToolCall.function("c1", "notify", "{\"to\":\"" + echo(call) + "\"}")), null, null,
                    null, FinishReason.TOOL_CALLS, Map.of(), Map.of());
            return CompletableFuture.completedFuture(new Completion(List.of(choice), Optional.empty(), "m", null, null, Map.of()));
        }

        @Override
        public Cancellable stream(BackendCall call, BackendStreamListener listener) {
            seen.add(call);
            String text = "You said: " + echo(call);
            for (int i = 0; i < text.length(); i += piece) {
                listener.onDelta(Delta.of(text.substring(i, Math.min(text.length(), i + piece))));
            }
            String args = "{\"to\":\"" + echo(call) + "\"}";
            listener.onDelta(Delta.toolCalls(0, List.of(ToolCallDelta.start(0, "c1", "notify"))));
            for (int i = 0; i < args.length(); i += piece) {
                listener.onDelta(Delta.toolCalls(0, List.of(ToolCallDelta.arguments(0, args.substring(i, Math.min(args.length(), i + piece))))));
            }
            listener.onComplete(FinishReason.TOOL_CALLS, Optional.of(new TokenUsage(5, 5)), "m");
            return () -> { };
        }
    }

    private static BackendCall call(List<ChatMessage> messages) {
        return new BackendCall("req-1", "m", messages, GenerationParams.DEFAULTS, null);
    }

    private static List<ChatMessage> prompt() {
        return List.of(ChatMessage.system("Be brief."),
                ChatMessage.assistantToolCalls(null, List.of(ToolCall.function("c0", "lookup", "{\"phone\":\"" + SECRET_PHONE + "\"}"))),
                ChatMessage.toolResult("c0", "owner: " + SECRET_MAIL),
                new ChatMessage(ai.meridian.domain.chat.Role.USER, null, List.of(ContentPart.text("write to " + SECRET_MAIL + " or " + SECRET_PHONE)),
                        false, null, List.of(), null, null, null, Map.of()));
    }

    @Test
    void theUntrustedBackendSeesPlaceholdersAndTheCallerSeesTheValues() throws Exception {
        EchoBackend backend = new EchoBackend();
        MaskingModelBackend masked = new MaskingModelBackend(backend, POLICY);
        Completion answer = masked.complete(call(prompt())).get();
        String sent = backend.seen.get(0).messages().toString();
        assertThat(sent).doesNotContain(SECRET_MAIL, SECRET_PHONE).contains("[EMAIL_1]", "[CN_MOBILE_1]");
        assertThat(backend.seen.get(0).messages().get(1).toolCalls().get(0).arguments()).isEqualTo("{\"phone\":\"[CN_MOBILE_1]\"}");
        assertThat(answer.content()).isEqualTo("You said: write to " + SECRET_MAIL + " or " + SECRET_PHONE);
        assertThat(answer.first().toolCalls().get(0).arguments()).isEqualTo("{\"to\":\"write to " + SECRET_MAIL + " or " + SECRET_PHONE + "\"}");
    }

    @Test
    void aStreamIsRestoredAcrossDeltasForEveryCut() {
        for (int piece = 1; piece <= 9; piece++) {
            EchoBackend backend = new EchoBackend();
            backend.piece = piece;
            StringBuilder text = new StringBuilder();
            StringBuilder args = new StringBuilder();
            boolean[] completed = new boolean[1];
            new MaskingModelBackend(backend, POLICY).stream(call(prompt()), new BackendStreamListener() {
                @Override
                public void onDelta(Delta delta) {
                    text.append(delta.content());
                    delta.toolCalls().forEach(t -> args.append(t.arguments() == null ? "" : t.arguments()));
                }

                @Override
                public void onComplete(FinishReason reason, Optional<TokenUsage> usage, String upstreamModel) {
                    completed[0] = true;
                }

                @Override
                public void onError(Failure failure) {
                    throw new AssertionError(failure.message());
                }
            });
            assertThat(completed[0]).isTrue();
            assertThat(text.toString()).as("pieces of %d", piece).isEqualTo("You said: write to " + SECRET_MAIL + " or " + SECRET_PHONE);
            assertThat(args.toString()).isEqualTo("{\"to\":\"write to " + SECRET_MAIL + " or " + SECRET_PHONE + "\"}");
            assertThat(backend.seen.get(0).messages().toString()).doesNotContain(SECRET_MAIL);
        }
    }

    @Test
    void textPartsWithFieldsOfTheirOwnAndNumbersInToolArgumentsAreMaskedToo() throws Exception {
        EchoBackend backend = new EchoBackend();
        String part = "{\"type\":\"text\",\"text\":\"write to " + SECRET_MAIL + "\",\"cache_control\":{\"type\":\"ephemeral\"}}";
        List<ChatMessage> prompt = List.of(
                ChatMessage.assistantToolCalls(null, List.of(ToolCall.function("c0", "lookup", "{\"phone\":" + SECRET_PHONE + ",\"n\":2}"))),
                ChatMessage.toolResult("c0", "found"),
                new ChatMessage(ai.meridian.domain.chat.Role.USER, null,
                        List.of(new ContentPart(ContentPart.TEXT, "write to " + SECRET_MAIL, part)), false, null, List.of(), null, null, null, Map.of()));
        new MaskingModelBackend(backend, POLICY).complete(call(prompt)).get();
        List<ChatMessage> sent = backend.seen.get(0).messages();
        assertThat(sent.get(0).toolCalls().get(0).arguments()).as("still JSON: the number became a string")
                .isEqualTo("{\"phone\":\"[CN_MOBILE_1]\",\"n\":2}");
        ContentPart maskedPart = sent.get(2).parts().get(0);
        assertThat(maskedPart.text()).isEqualTo("write to [EMAIL_1]");
        assertThat(maskedPart.json()).isEqualTo("{\"type\":\"text\",\"text\":\"write to [EMAIL_1]\",\"cache_control\":{\"type\":\"ephemeral\"}}");
        assertThat(sent.toString()).doesNotContain(SECRET_MAIL, SECRET_PHONE);
    }

    @Test
    void aPromptWithoutPersonalDataGoesThroughUntouched() throws Exception {
        EchoBackend backend = new EchoBackend();
        BackendCall plain = call(List.of(ChatMessage.user("What is 2 + 2? Order 2026112700123, price 19.99")));
        new MaskingModelBackend(backend, POLICY).complete(plain).get();
        assertThat(backend.seen.get(0)).isSameAs(plain);
        assertThat(POLICY.untrusted("cloud", true)).isTrue();
        assertThat(POLICY.untrusted("on-prem", true)).isFalse();
        assertThat(new PiiPolicy(PiiMasker.builtIn(), Set.of("*"), true, true).untrusted("extractive", false)).isFalse();
    }

    @Test
    void withRestoringOffTheCallerSeesThePlaceholders() throws Exception {
        EchoBackend backend = new EchoBackend();
        PiiPolicy noRestore = new PiiPolicy(PiiMasker.builtIn(), Set.of("*"), false, true);
        Completion answer = new MaskingModelBackend(backend, noRestore).complete(call(List.of(ChatMessage.user("mail " + SECRET_MAIL)))).get();
        assertThat(answer.content()).isEqualTo("You said: mail [EMAIL_1]");
    }
}
