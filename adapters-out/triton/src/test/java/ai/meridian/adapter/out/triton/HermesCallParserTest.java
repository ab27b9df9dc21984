package ai.meridian.adapter.out.triton;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HermesCallParserTest {

    /** Everything the parser reported, in order, with the calls put together. */
    static final class Recorded implements HermesCallParser.Sink {
        final List<String> events = new ArrayList<>();
        final StringBuilder answer = new StringBuilder();
        final List<String> names = new ArrayList<>();
        final List<String> ids = new ArrayList<>();
        final List<StringBuilder> arguments = new ArrayList<>();

        @Override
        public void answer(String text) {
            events.add("text:" + text);
            answer.append(text);
        }

        @Override
        public void open(int index, String id, String name) {
            events.add("open:" + index + ":" + name);
            assertThat(index).isEqualTo(names.size());
            names.add(name);
            ids.add(id);
            arguments.add(new StringBuilder());
        }

        @Override
        public void arguments(int index, String piece) {
            events.add("args:" + index + ":" + piece);
            assertThat(piece).isNotEmpty();
            arguments.get(index).append(piece);
        }

        List<String> arguments() {
            return arguments.stream().map(StringBuilder::toString).toList();
        }
    }

    private static int counter;

    private static Recorded parse(boolean single, String... pieces) {
        Recorded recorded = new Recorded();
        HermesCallParser parser = new HermesCallParser(recorded, () -> "call_" + (++counter), single);
        for (String piece : pieces) {
            parser.feed(piece);
        }
        parser.finish();
        return recorded;
    }

    private static Recorded parseInPieces(String output, int[] cuts) {
        List<String> pieces = new ArrayList<>();
        int at = 0;
        for (int cut : cuts) {
            pieces.add(output.substring(at, cut));
            at = cut;
        }
        pieces.add(output.substring(at));
        return parse(false, pieces.toArray(String[]::new));
    }

    private static final String TWO_CALLS = "Let me look that up.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", "
            + "\"unit\": \"celsius\", \"note\": \"a } b { \\\" c </tool\"}}\n</tool_call>\n<tool_call>\n{\"name\": \"get_time\", \"arguments\": "
            + "{\"zone\": \"CET\"}}\n</tool_call>";

    @Test
    void textBeforeACallIsAnswerTextAndEachCallGetsItsNameIdAndArguments() {
        Recorded r = parse(false, TWO_CALLS);
        assertThat(r.answer).hasToString("Let me look that up.");
        assertThat(r.names).containsExactly("get_weather", "get_time");
        assertThat(r.ids).allMatch(id -> id.startsWith("call_")).doesNotHaveDuplicates();
        assertThat(r.arguments()).containsExactly("{\"city\": \"Paris\", \"unit\": \"celsius\", \"note\": \"a } b { \\\" c </tool\"}",
                "{\"zone\": \"CET\"}");
    }

    @Test
    void theResultDoesNotDependOnWhereTheStreamIsCut() {
        Recorded whole = parse(false, TWO_CALLS);
        for (int cut = 1; cut < TWO_CALLS.length(); cut++) {
            Recorded r = parseInPieces(TWO_CALLS, new int[] {cut});
            assertThat(r.answer).as("cut at " + cut).hasToString(whole.answer.toString());
            assertThat(r.names).as("cut at " + cut).isEqualTo(whole.names);
            assertThat(r.arguments()).as("cut at " + cut).isEqualTo(whole.arguments());
        }
        Random random = new Random(7);
        for (int run = 0; run < 200; run++) {
            int[] cuts = random.ints(random.nextInt(30) + 1, 1, TWO_CALLS.length()).sorted().distinct().toArray();
            Recorded r = parseInPieces(TWO_CALLS, cuts);
            assertThat(r.answer).hasToString(whole.answer.toString());
            assertThat(r.arguments()).isEqualTo(whole.arguments());
        }
        Recorded byChar = parse(false, TWO_CALLS.split(""));
        assertThat(byChar.arguments()).isEqualTo(whole.arguments());
    }

    @Test
    void argumentsArePassedOnAsTheyArriveNotAtTheEndOfTheCall() {
        Recorded r = new Recorded();
        HermesCallParser parser = new HermesCallParser(r, () -> "call_x", false);
        parser.feed("<tool_call>\n{\"name\": \"search\", ");
        assertThat(r.events).containsExactly("open:0:search");
        parser.feed("\"arguments\": {\"query\": \"tri");
        assertThat(r.events).containsExactly("open:0:search", "args:0:{\"query\": \"tri");
        parser.feed("ton inference\"");
        assertThat(r.events).last().isEqualTo("args:0:ton inference\"");
        parser.feed("}}\n</tool_");
        parser.feed("call>");
        parser.finish();
        assertThat(r.arguments()).containsExactly("{\"query\": \"triton inference\"}");
    }

    @Test
    void plainTextPassesThroughWithAnglesAndWhitespaceIntact() {
        String text = "  a < b and <tool is not a tag; x <tool_cal y\n\n";
        Recorded r = parse(false, "  a < b and <to", "ol is not a tag; x <tool_cal", " y\n", "\n");
        assertThat(r.answer).hasToString(text);
        assertThat(r.names).isEmpty();
    }

    @Test
    void theNameMayComeAfterTheArgumentsAndMissingArgumentsAreAnEmptyObject() {
        Recorded r = parse(false, "<tool_call>{\"arguments\": [1, {\"x\": \"]\"}], \"name\": \"late\"}</tool_call><tool_call>{\"name\": \"bare\"}</tool_call>");
        assertThat(r.names).containsExactly("late", "bare");
        assertThat(r.arguments()).containsExactly("[1, {\"x\": \"]\"}]", "{}");
    }

    @Test
    void argumentsWrittenAsAJsonStringAreTheTextItHolds() {
        Recorded r = parse(false, "<tool_call>\n{\"name\": \"f\", \"arguments\": \"{\\\"a\\\": \\\"\\u00e9\\\"}\"}\n</tool_call>");
        assertThat(r.arguments()).containsExactly("{\"a\": \"é\"}");
    }

    @Test
    void aCallWithoutAFunctionNameIsKeptAsText() {
        Recorded r = parse(false, "See: <tool_call>{\"oops\": 1}</tool_call> done");
        assertThat(r.names).isEmpty();
        assertThat(r.answer).hasToString("See:<tool_call>{\"oops\": 1}</tool_call>done");
        Recorded notJson = parse(false, "<tool_call>not json at all");
        assertThat(notJson.answer).hasToString("<tool_call>not json at all");
    }

    @Test
    void aCallCutByTheEndOfTheOutputOrByTheNextCallStillCounts() {
        Recorded r = parse(false, "<tool_call>{\"name\": \"a\", \"arguments\": {\"k\": 1}}<tool_call>{\"name\": \"b\", \"arguments\": {\"k\": ");
        assertThat(r.names).containsExactly("a", "b");
        assertThat(r.arguments()).containsExactly("{\"k\": 1}", "{\"k\": ");
    }

    @Test
    void textAfterACallIsAnswerTextWithoutTheTemplatesLineBreaks() {
        Recorded r = parse(false, "<tool_call>{\"name\": \"a\", \"arguments\": {}}</tool_call>\n\nThat is all.\n");
        assertThat(r.answer).hasToString("That is all.\n");
        Recorded onlyWhitespace = parse(false, "<tool_call>{\"name\": \"a\", \"arguments\": {}}</tool_call>\n");
        assertThat(onlyWhitespace.answer).hasToString("");
    }

    @Test
    void aSingleCallAnswerEndsWithItsFirstCall() {
        Recorded r = new Recorded();
        HermesCallParser parser = new HermesCallParser(r, () -> "call_1", true);
        parser.feed("<tool_call>{\"name\": \"a\", \"arguments\": {\"n\": 1}}</tool_call>\n<tool_call>{\"name\": \"b\"");
        assertThat(parser.done()).isTrue();
        parser.feed("more");
        parser.finish();
        assertThat(r.names).containsExactly("a");
        assertThat(r.arguments()).containsExactly("{\"n\": 1}");
        assertThat(r.answer).hasToString("");
    }

    @Test
    void jsonStringLiteralsDecodeEveryEscape() {
        assertThat(HermesCallParser.decodeString("\"a\\\"b\\\\c\\/d\\n\\t\\u4f60\"")).isEqualTo("a\"b\\c/d\n\t你");
        assertThat(HermesCallParser.decodeString("\"bad \\x\"")).isNull();
    }
}
