package ai.meridian.adapter.in.responses;

import ai.meridian.domain.chat.ChatMessage;
import ai.meridian.domain.chat.ContentPart;
import ai.meridian.domain.chat.Role;
import ai.meridian.domain.chat.ToolCall;
import ai.meridian.domain.response.ResponseId;
import ai.meridian.domain.response.ResponseStatus;
import ai.meridian.domain.response.StoredResponse;
import ai.meridian.domain.retrieval.Citation;
import ai.meridian.support.json.RawJson;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The items of a response as the Responses API shows them: output items (a web search served by grounding, reasoning,
 * the message with its annotated text, function calls) and input items, each with an id made from the response's
 * ({@code msg_…}, {@code rs_…}, {@code fc_…_n}, {@code ws_…}, {@code in_…_n}), so that an id names its response and
 * an {@code item_reference} can be followed back to what it stands for.
 */
final class Items {
    private static final Pattern MARKER = Pattern.compile("\\[(\\d{1,3})]");

    private Items() {
    }

    /** One item: how it is written, and what it is as input to a later request. */
    interface Item {
        String id();

        void write(JsonGenerator g) throws IOException;

        InputItem asInput();
    }

    /** A web search grounding ran; {@code sources} (the web sources found, when the request included them) or null. */
    record WebSearch(String id, String status, String query, List<Citation> sources) implements Item {
        @Override
        public void write(JsonGenerator g) throws IOException {
            g.writeStartObject();
            g.writeStringField("id", id);
            g.writeStringField("type", "web_search_call");
            g.writeStringField("status", status);
            g.writeObjectFieldStart("action");
            g.writeStringField("type", "search");
            g.writeStringField("query", query);
            if (sources != null) {
                g.writeArrayFieldStart("sources");
                for (Citation c : sources) {
                    if (c.source().equals("web")) {
                        g.writeStartObject();
                        g.writeStringField("type", "url");
                        g.writeStringField("url", c.url());
                        g.writeEndObject();
                    }
                }
                g.writeEndArray();
            }
            g.writeEndObject();
            g.writeEndObject();
        }

        @Override
        public InputItem asInput() {
            return new InputItem.Skip();
        }
    }

    /** Reasoning: as the item's {@code content} (reasoning text), or as its {@code summary} when the request asked for one. */
    record Reasoning(String id, String text, boolean summary, String status) implements Item {
        @Override
        public void write(JsonGenerator g) throws IOException {
            g.writeStartObject();
            g.writeStringField("id", id);
            g.writeStringField("type", "reasoning");
            g.writeArrayFieldStart("summary");
            if (summary) {
                g.writeStartObject();
                g.writeStringField("type", "summary_text");
                g.writeStringField("text", text);
                g.writeEndObject();
            }
            g.writeEndArray();
            if (!summary) {
                g.writeArrayFieldStart("content");
                g.writeStartObject();
                g.writeStringField("type", "reasoning_text");
                g.writeStringField("text", text);
                g.writeEndObject();
                g.writeEndArray();
            }
            g.writeNullField("encrypted_content");
            g.writeStringField("status", status);
            g.writeEndObject();
        }

        @Override
        public InputItem asInput() {
            return new InputItem.Reasoning(text);
        }
    }

    /** The assistant's message: its text with annotations for the sources it cites, a refusal, log probabilities when asked. */
    record Message(String id, String status, String text, String refusal, List<Annotation> annotations, String logprobs) implements Item {
        @Override
        public void write(JsonGenerator g) throws IOException {
            g.writeStartObject();
            g.writeStringField("id", id);
            g.writeStringField("type", "message");
            g.writeStringField("status", status);
            g.writeStringField("role", "assistant");
            g.writeArrayFieldStart("content");
            if (text != null) {
                outputText(g, text, annotations, logprobs);
            }
            if (refusal != null) {
                g.writeStartObject();
                g.writeStringField("type", "refusal");
                g.writeStringField("refusal", refusal);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }

        @Override
        public InputItem asInput() {
            ChatMessage.Builder message = ChatMessage.builder(Role.ASSISTANT).content(text == null ? "" : text);
            if (refusal != null) {
                message.extra(Map.of("refusal", RawJson.quote(refusal)));
            }
            return new InputItem.Message(message.build());
        }
    }

    /** A call of a function tool ({@code function_call}) or of a custom tool ({@code custom_tool_call}, its input as written). */
    record FunctionCall(String id, String status, ToolCall call) implements Item {
        @Override
        public void write(JsonGenerator g) throws IOException {
            boolean custom = isCustom(call);
            g.writeStartObject();
            g.writeStringField("id", id);
            g.writeStringField("type", custom ? "custom_tool_call" : "function_call");
            g.writeStringField("status", status);
            g.writeStringField("call_id", call.id());
            g.writeStringField("name", call.name());
            g.writeStringField(custom ? "input" : "arguments", call.arguments());
            g.writeEndObject();
        }

        @Override
        public InputItem asInput() {
            return new InputItem.Call(call);
        }
    }

    /** An input message as the client sent it (text, or its parts in the Responses API's names). */
    record InputMessage(String id, ChatMessage message) implements Item {
        @Override
        public void write(JsonGenerator g) throws IOException {
            g.writeStartObject();
            g.writeStringField("id", id);
            g.writeStringField("type", "message");
            g.writeStringField("status", "completed");
            g.writeStringField("role", message.role() == Role.SYSTEM ? "system" : message.role().wireName());
            g.writeArrayFieldStart("content");
            boolean assistant = message.role() == Role.ASSISTANT;
            if (message.parts().isEmpty()) {
                if (assistant) {
                    outputText(g, message.content(), List.of(), null);
                } else {
                    inputText(g, message.content());
                }
            } else {
                for (ContentPart part : message.parts()) {
                    part(g, part, assistant);
                }
            }
            String refusal = message.extra().containsKey("refusal") ? RawJson.stringValue(message.extra().get("refusal")) : null;
            if (refusal != null) {
                g.writeStartObject();
                g.writeStringField("type", "refusal");
                g.writeStringField("refusal", refusal);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }

        @Override
        public InputItem asInput() {
            return new InputItem.Message(message);
        }
    }

    record FunctionOutput(String id, ChatMessage message) implements Item {
        @Override
        public void write(JsonGenerator g) throws IOException {
            g.writeStartObject();
            g.writeStringField("id", id);
            g.writeStringField("type", "function_call_output");
            g.writeStringField("status", "completed");
            g.writeStringField("call_id", message.toolCallId());
            if (message.parts().isEmpty()) {
                g.writeStringField("output", message.content());
            } else {
                g.writeArrayFieldStart("output");
                for (ContentPart part : message.parts()) {
                    part(g, part, false);
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        }

        @Override
        public InputItem asInput() {
            return new InputItem.Output(message.toolCallId(), message.parts().isEmpty() ? message.content() : null, message.parts());
        }
    }

    /** A {@code url_citation} for one [n] marker in the text; offsets count Unicode code points. */
    record Annotation(int start, int end, Citation citation) {
        void write(JsonGenerator g) throws IOException {
            g.writeStartObject();
            g.writeStringField("type", "url_citation");
            g.writeNumberField("start_index", start);
            g.writeNumberField("end_index", end);
            g.writeStringField("url", citation.url());
            g.writeStringField("title", citation.title());
            g.writeEndObject();
        }
    }

    /** The annotations of a text: each [n] that names one of the sources. */
    static List<Annotation> annotations(String text, List<Citation> citations) {
        if (citations.isEmpty() || text == null || text.isEmpty()) {
            return List.of();
        }
        List<Annotation> found = new ArrayList<>();
        Matcher m = MARKER.matcher(text);
        while (m.find()) {
            int number = Integer.parseInt(m.group(1));
            for (Citation c : citations) {
                if (c.number() == number) {
                    found.add(new Annotation(text.codePointCount(0, m.start()), text.codePointCount(0, m.end()), c));
                    break;
                }
            }
        }
        return found;
    }

    static void outputText(JsonGenerator g, String text, List<Annotation> annotations, String logprobs) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", "output_text");
        g.writeStringField("text", text);
        g.writeArrayFieldStart("annotations");
        for (Annotation a : annotations) {
            a.write(g);
        }
        g.writeEndArray();
        g.writeFieldName("logprobs");
        g.writeRawValue(logprobs == null ? "[]" : logprobs);
        g.writeEndObject();
    }

    private static void inputText(JsonGenerator g, String text) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", "input_text");
        g.writeStringField("text", text);
        g.writeEndObject();
    }

    /** A chat content part in the Responses API's names. */
    private static void part(JsonGenerator g, ContentPart part, boolean assistant) throws IOException {
        if (part.isText()) {
            if (assistant) {
                outputText(g, part.text(), List.of(), null);
            } else {
                inputText(g, part.text());
            }
            return;
        }
        Map<String, String> fields = RawJson.objectMembers(part.json());
        g.writeStartObject();
        switch (part.type()) {
            case ContentPart.IMAGE_URL: {
                Map<String, String> image = RawJson.objectMembers(fields.get("image_url"));
                g.writeStringField("type", "input_image");
                g.writeFieldName("image_url");
                g.writeRawValue(image.getOrDefault("url", "null"));
                g.writeFieldName("detail");
                g.writeRawValue(image.getOrDefault("detail", "\"auto\""));
                break;
            }
            case ContentPart.FILE: {
                g.writeStringField("type", "input_file");
                for (Map.Entry<String, String> f : RawJson.objectMembers(fields.get("file")).entrySet()) {
                    g.writeFieldName(f.getKey());
                    g.writeRawValue(f.getValue());
                }
                break;
            }
            default: {
                g.writeStringField("type", part.type());
                for (Map.Entry<String, String> f : fields.entrySet()) {
                    if (!f.getKey().equals("type")) {
                        g.writeFieldName(f.getKey());
                        g.writeRawValue(f.getValue());
                    }
                }
            }
        }
        g.writeEndObject();
    }

    /** A web search that could not run (grounding said so in a notice) failed; else it completed. */
    static String webSearchStatus(List<String> notices) {
        return notices.stream().anyMatch(n -> n.startsWith("web search")) ? "failed" : "completed";
    }

    static String status(ResponseStatus status) {
        return status == ResponseStatus.COMPLETED ? "completed" : "incomplete";
    }

    /** The output items of a stored response, in the order a stream would have sent them for an ordinary answer. */
    static List<Item> output(StoredResponse r, Attributes a, String logprobs) {
        ResponseId id = r.id();
        List<Item> items = new ArrayList<>();
        if (a.webSearchQuery() != null) {
            items.add(new WebSearch(id.itemId("ws", null), webSearchStatus(r.notices()), a.webSearchQuery(),
                    a.webSearchSources() ? r.citations() : null));
        }
        if (r.output().isEmpty()) {
            return items;
        }
        ChatMessage answer = r.output().get();
        String status = status(r.status());
        if (answer.reasoningContent() != null && !answer.reasoningContent().isEmpty()) {
            items.add(new Reasoning(id.itemId("rs", null), answer.reasoningContent(), a.summary(), status));
        }
        String refusal = answer.extra().containsKey("refusal") ? RawJson.stringValue(answer.extra().get("refusal")) : null;
        if (!answer.contentNull() || refusal != null) {
            String text = answer.contentNull() ? null : answer.content();
            items.add(new Message(id.itemId("msg", null), status, text, refusal, annotations(text, r.citations()), logprobs));
        }
        for (int k = 0; k < answer.toolCalls().size(); k++) {
            ToolCall call = answer.toolCalls().get(k);
            items.add(new FunctionCall(id.itemId(callKind(call), k), "completed", call));
        }
        return items;
    }

    /** The input items of a stored response: each input message, an assistant's calls as function_call items, tool results as outputs. */
    static List<Item> input(StoredResponse r) {
        List<Item> items = new ArrayList<>();
        for (ChatMessage m : r.input()) {
            if (m.role() == Role.TOOL) {
                items.add(new FunctionOutput(r.id().itemId("in", items.size()), m));
                continue;
            }
            if (m.role() == Role.ASSISTANT && m.reasoningContent() != null) {
                items.add(new Reasoning(r.id().itemId("in", items.size()), m.reasoningContent(), false, "completed"));
            }
            if (!(m.role() == Role.ASSISTANT && m.contentNull())) {
                items.add(new InputMessage(r.id().itemId("in", items.size()), m));
            }
            for (ToolCall call : m.toolCalls()) {
                items.add(new FunctionCall(r.id().itemId("in", items.size()), "completed", call));
            }
        }
        return items;
    }

    static boolean isCustom(ToolCall call) {
        return "custom".equals(call.type());
    }

    /** The id kind of the k-th call of an answer: {@code fc} for a function call, {@code ctc} for a custom tool's. */
    static String callKind(ToolCall call) {
        return isCustom(call) ? "ctc" : "fc";
    }

    /** The item of a stored response an id names, if it has one. */
    static Optional<Item> find(StoredResponse r, Attributes a, String itemId) {
        List<Item> all = new ArrayList<>(output(r, a, null));
        all.addAll(input(r));
        return all.stream().filter(i -> i.id().equals(itemId)).findFirst();
    }
}
