package ai.meridian.domain.cache;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What sets two prompts apart even when their embeddings are close: sentence embeddings place "What is 15% of 80?"
 * next to "What is 15% of 90?", "Is X safe?" next to "Is X not safe?", "the capital of France" next to "the capital of
 * Spain", and "How do I enable dark mode?" next to "How do I disable dark mode?" (measured on bench/cache's paraphrase
 * set: hard negatives like these sit at cosine 0.90 to 0.99 from their originals, as close as true paraphrases). Two
 * prompts are compatible only when
 * <ul>
 * <li>they name the same numbers (digits, English number words and Chinese numerals, compared by value; a lone one
 * is not counted, it is mostly an article: "一个", "a");</li>
 * <li>they agree on negation (English and Chinese markers; "有没有", "能不能" ask, they do not negate);</li>
 * <li>they name the same entities (capitalised or mixed-case Latin words that are not sentence words, acronyms, Latin
 * words inside Chinese text, quoted phrases; a capitalised first word counts only if the other prompt names it too;
 * spellings of one name such as "Germany"/"German" or "JS"/"JavaScript" are one entity);</li>
 * <li>they agree on the closed classes of words whose choice changes the answer ({@link Contrast}): on/off, add/remove,
 * up/down, maximum/minimum, upload/download, import/export, units and currencies (and their order: "dollars to euros"
 * is not "euros to dollars"), answer languages, today/tomorrow, previous/next, production/staging, local/remote, and
 * so on, in English and Chinese.</li>
 * </ul>
 * It errs on the side of a miss: a miss costs one model call, a wrong hit a wrong answer. JDK only, a few microseconds
 * per pair.
 */
public final class PromptGuard {
    private static final Pattern NUMBER = Pattern.compile("\\d+(?:[.,]\\d+)*|[零〇一二两三四五六七八九十百千万亿]+");
    private static final Pattern LATIN_WORD = Pattern.compile("[A-Za-z][A-Za-z0-9+#.\\-]*(?:'s)?");
    private static final Pattern QUOTED = Pattern.compile("[\"“「『《]([^\"”」』》]{1,80})[\"”」』》]");
    private static final Pattern CJK = Pattern.compile("[\\u4e00-\\u9fff]");
    private static final Pattern ENGLISH_WORD = Pattern.compile("[$€£]|°[cf]\\b|[a-z0-9%]+(?:['’][a-z]+)?");
    private static final Set<String> ENGLISH_NEGATIONS = Set.of("not", "no", "never", "none", "nobody", "nothing", "neither", "nor",
            "without", "cannot", "dont", "doesnt", "didnt", "isnt", "arent", "wasnt", "werent", "wont", "cant", "shouldnt", "wouldnt",
            "couldnt", "mustnt", "havent", "hasnt", "hadnt", "aint");
    private static final List<String> CHINESE_NEGATIONS = List.of("不", "没", "沒", "別", "别", "无", "無", "非", "未", "勿", "莫", "否");
    /**
     * Words written with a negation character that negate nothing ("very", "future", "wireless", "but", "not only",
     * "different"), and the A-not-A questions ("有没有", "能不能": is there, can it) that ask without negating.
     */
    private static final Pattern CHINESE_NON_NEGATING = Pattern.compile("非常|未来|無論|无论|无线|無線|不过|不過|不仅|不僅|不但|不管"
            + "|不同(?!步)|并非不|区别|差别|分别|特别|别人|类别|级别|识别|告别|个别|不错|不少|不久|不断|差不多|莫名|否则|否則|是否|能否|可否|与否|與否|([有能要是会可好对行用])[不没]\\1|可不可以|不到|不超过|无薪");
    /** Chinese words whose numeral characters are no number ("very", "Baidu", "must", "per cent of"). */
    private static final Pattern CHINESE_NON_NUMBERS = Pattern.compile("十分|千万|百度|三星|万一|百分之|一些|一下|一般|一共|一样|一直|一起|"
            + "统一|唯一|一点|一定|一切|一致|一旦|一会|一遍");
    private static final Map<String, Integer> ENGLISH_NUMBERS = Map.ofEntries(Map.entry("zero", 0), Map.entry("one", 1),
            Map.entry("two", 2), Map.entry("three", 3), Map.entry("four", 4), Map.entry("five", 5), Map.entry("six", 6),
            Map.entry("seven", 7), Map.entry("eight", 8), Map.entry("nine", 9), Map.entry("ten", 10), Map.entry("eleven", 11),
            Map.entry("twelve", 12), Map.entry("fifteen", 15), Map.entry("twenty", 20), Map.entry("thirty", 30),
            Map.entry("forty", 40), Map.entry("fifty", 50), Map.entry("hundred", 100), Map.entry("thousand", 1000));
    /** Words that start sentences or questions: capitalised there without naming anything. */
    private static final Set<String> SENTENCE_WORDS = Set.copyOf(List.of("what", "whats", "what's", "which", "who", "whom", "whose", "where",
            "when", "why", "how", "is", "are", "was", "were", "am", "be", "can", "could", "would", "should", "will", "shall", "may", "might",
            "must", "do", "does", "did", "have", "has", "had", "please", "tell", "give", "show", "list", "explain", "describe",
            "write", "summarize", "summarise", "name", "find", "help", "i", "i'm", "im", "my", "me", "we", "our", "you", "your",
            "the", "a", "an", "in", "on", "at", "of", "for", "to", "from", "by", "with", "about", "and", "or", "but", "if", "then",
            "so", "it", "its", "this", "that", "these", "those", "there", "here", "hi", "hello", "hey", "ok", "okay", "thanks",
            "thank", "yes", "let", "let's", "lets", "kindly", "quick", "quickly", "briefly", "into", "any", "some",
            "all", "each", "every", "one", "say", "know", "need", "want", "like", "define", "compare", "translate", "calculate",
            "compute", "convert", "vs", "versus"));
    /** Spellings of one name (compared after lower-casing). */
    private static final Map<String, String> ALIASES = Map.ofEntries(Map.entry("js", "javascript"), Map.entry("ts", "typescript"),
            Map.entry("k8s", "kubernetes"), Map.entry("postgres", "postgresql"), Map.entry("pg", "postgresql"),
            Map.entry("golang", "go"), Map.entry("wi-fi", "wifi"), Map.entry("wlan", "wifi"), Map.entry("macbook", "mac"),
            Map.entry("macos", "mac"), Map.entry("osx", "mac"), Map.entry("py", "python"));

    private PromptGuard() {
    }

    /** True when nothing sets the two prompts apart (see the class comment). */
    public static boolean compatible(String a, String b) {
        return numbers(a).equals(numbers(b)) && negated(a) == negated(b) && sameEntities(a, b) && Contrast.agree(a, b);
    }

    /** The numbers a prompt names, by value, sorted (thousands separators dropped; a lone 1 not counted). */
    static List<String> numbers(String text) {
        List<String> numbers = new ArrayList<>();
        boolean chinese = CJK.matcher(text).find();
        String cleaned = chinese ? CHINESE_NON_NUMBERS.matcher(text).replaceAll(" ") : text;
        Matcher m = NUMBER.matcher(cleaned);
        while (m.find()) {
            String n = m.group();
            String value = Character.isDigit(n.charAt(0)) ? n.replace(",", "") : chineseValue(n);
            if (!value.equals("1")) {
                numbers.add(value);
            }
        }
        Matcher w = ENGLISH_WORD.matcher(text.toLowerCase(Locale.ROOT));
        while (w.find()) {
            Integer value = ENGLISH_NUMBERS.get(w.group());
            if (value != null && value != 1) {
                numbers.add(String.valueOf(value));
            }
        }
        Collections.sort(numbers);
        return numbers;
    }

    /** A Chinese numeral's value: "十五" is 15, "五千" 5000, "两" 2; digits without units ("二〇二五") read one by one. */
    static String chineseValue(String numeral) {
        String digits = "零一二三四五六七八九";
        String n = numeral.replace('两', '二').replace('〇', '零');
        if (n.chars().noneMatch(c -> "十百千万亿".indexOf(c) >= 0)) {
            StringBuilder s = new StringBuilder();
            n.chars().forEach(c -> s.append(digits.indexOf(c)));
            return s.toString().replaceFirst("^0+(?=\\d)", "");
        }
        long total = 0;
        long section = 0;
        long digit = 0;
        for (char c : n.toCharArray()) {
            int d = digits.indexOf(c);
            if (d >= 0) {
                digit = d;
            } else if (c == '十' || c == '百' || c == '千') {
                long unit = c == '十' ? 10 : c == '百' ? 100 : 1000;
                section += (digit == 0 ? 1 : digit) * unit;
                digit = 0;
            } else { // 万, 亿
                long unit = c == '万' ? 10_000L : 100_000_000L;
                total += (section + digit) * unit;
                section = 0;
                digit = 0;
            }
        }
        return String.valueOf(total + section + digit);
    }

    /** Whether the prompt negates: an English negation word or a Chinese negation character. */
    static boolean negated(String text) {
        String lower = text.toLowerCase(Locale.ROOT).replace("’", "'");
        for (String word : lower.split("[^a-z']+")) {
            String bare = word.replace("'", "");
            if (ENGLISH_NEGATIONS.contains(bare) || word.endsWith("n't")) {
                return true;
            }
        }
        if (!CJK.matcher(text).find()) {
            return false;
        }
        String chinese = CHINESE_NON_NEGATING.matcher(text).replaceAll(" ");
        for (String marker : CHINESE_NEGATIONS) {
            if (chinese.contains(marker)) {
                return true;
            }
        }
        return false;
    }

    /** The entities a prompt names, lower-cased, with a capitalised first word of a sentence among them. */
    static Set<String> entities(String text) {
        Names names = names(text);
        Set<String> all = new TreeSet<>(names.strong());
        all.addAll(names.initial());
        return all;
    }

    /** Names in the middle of sentences (strong), and capitalised words that start a sentence (maybe names, maybe not). */
    private record Names(Set<String> strong, Set<String> initial) {
    }

    private static Names names(String prompt) {
        String text = prompt.replaceAll("°[CFcf]", " ");
        Set<String> strong = new TreeSet<>();
        Set<String> initial = new TreeSet<>();
        boolean chinese = CJK.matcher(text).find();
        Matcher m = LATIN_WORD.matcher(text);
        while (m.find()) {
            String word = m.group();
            String bare = word.endsWith("'s") ? word.substring(0, word.length() - 2) : word;
            bare = bare.replaceAll("[.\\-]+$", "");
            if (bare.isEmpty()) {
                continue;
            }
            String lower = bare.toLowerCase(Locale.ROOT);
            boolean named = !bare.equals(lower); // has a capital letter
            if (!(chinese || named) || SENTENCE_WORDS.contains(lower) || Contrast.isUnit(lower)) {
                continue; // not a name, or a unit or currency ("USD", "Celsius"), which Contrast compares in order
            }
            String name = ALIASES.getOrDefault(lower, lower);
            boolean titleCase = bare.length() > 1 && bare.substring(1).equals(bare.substring(1).toLowerCase(Locale.ROOT));
            if (!chinese && titleCase && startsSentence(text, m.start())) {
                initial.add(name);
            } else {
                strong.add(name);
            }
        }
        Matcher q = QUOTED.matcher(text);
        while (q.find()) {
            strong.add("\"" + q.group(1).trim().toLowerCase(Locale.ROOT));
        }
        return new Names(strong, initial);
    }

    private static boolean startsSentence(String text, int at) {
        for (int i = at - 1; i >= 0; i--) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c) || c == '"' || c == '\'' || c == '“' || c == '(') {
                continue;
            }
            return c == '.' || c == '!' || c == '?' || c == ':' || c == ';';
        }
        return true;
    }

    /**
     * Both prompts name the same entities. A capitalised first word counts only when the other prompt names it too
     * ("Steps to reset the VPN password" names the VPN, not "steps"); one name's spellings match ("Germany" and "German",
     * "Friday" and "Fridays": one is the other plus at most four letters).
     */
    static boolean sameEntities(String a, String b) {
        Names left = names(a);
        Names right = names(b);
        Set<String> x = named(left, right);
        Set<String> y = named(right, left);
        return covered(x, y) && covered(y, x);
    }

    /** The names, with the capitalised first words that the other prompt writes as a name too. */
    private static Set<String> named(Names names, Names other) {
        Set<String> result = new TreeSet<>(names.strong());
        for (String word : names.initial()) {
            if (other.strong().contains(word) || other.initial().contains(word)) {
                result.add(word);
            }
        }
        return result;
    }

    private static boolean covered(Set<String> these, Set<String> by) {
        for (String name : these) {
            boolean found = false;
            for (String other : by) {
                if (sameName(name, other)) {
                    found = true;
                    break;
                }
            }
            if (!found) {
                return false;
            }
        }
        return true;
    }

    private static boolean sameName(String x, String y) {
        if (x.equals(y)) {
            return true;
        }
        String shorter = x.length() <= y.length() ? x : y;
        String longer = shorter == x ? y : x;
        return shorter.length() >= 3 && longer.startsWith(shorter) && longer.length() - shorter.length() <= 4
                && Character.isLetter(longer.charAt(shorter.length()));
    }

    /**
     * Closed classes of words whose choice changes the answer. Each word (English, matched as whole words; Chinese, as
     * substrings) stands for one value of one class. Two prompts disagree on a class when each names a value of it the
     * other does not ("enable" against "disable"), or when one names a marked value the other lacks: the marked values
     * (off, remove, down, maximum, minimum, previous, cancel, under, ...) turn a question into another one, while the unmarked
     * ones are what a question means when it says nothing ("How do I map a drive?" adds one). Units and data types are
     * ordered: "convert dollars to euros" and "convert euros to dollars" name the same values the other way round.
     */
    static final class Contrast {
        private record Value(String kind, String value, boolean marked) {
        }

        private static final Map<String, Value> ENGLISH = new HashMap<>();
        private static final Map<String, Value> CHINESE = new LinkedHashMap<>();
        private static final Set<String> ORDERED = Set.of("unit", "type");
        private static final Set<String> MARKED = new java.util.HashSet<>();
        private static final int LONGEST_PHRASE = 3;

        static {
            // kind, value, marked, then the English words and phrases (comma-separated), a "|", the Chinese words
            add("switch", "on", false, "enable, enabled, enabling, turn on, switch on, activate, set up, setup | 开启 打开 开通 启用");
            add("switch", "off", true, "disable, disabled, disabling, turn off, switch off, deactivate, stop, stopped, stopping | 关闭 关掉 禁用 停用 停掉 关不了");
            add("change", "add", false, "add, adding, create, creating, install, installing, insert | 添加 新建 创建 安装 加入 拉进");
            add("change", "remove", true, "remove, removing, delete, deleted, deleting, drop, uninstall, uninstalling, unset, revoke | 删除 删掉 移除 移出 卸载 回收");
            add("cancel", "cancel", true, "cancel, cancelling, canceling, withdraw | 取消 撤回 退订");
            add("level", "up", false, "increase, increasing, raise, enlarge, extend, extended | 调大 增加 提高 延长 扩大 加大");
            add("level", "down", true, "decrease, decreasing, reduce, reduced, lower, shrink, shorten | 调小 减少 降低 缩短 减小 优惠税率");
            add("extreme", "max", true, "maximum, max, largest, biggest, highest, longest, limit | 上限 最大 最多 最高 最长");
            add("extreme", "min", true, "minimum, smallest, lowest, shortest | 下限 最小 最少 最低 最短 至少");
            add("bound", "over", false, "over, above, exceed, exceeds, exceeding, more than, greater than | 超过 以上 高于 大于");
            add("bound", "under", true, "under #, under $, under €, under £, below, less than, fewer than | 低于 以下 不到 小于 少于 不超过");
            add("transfer", "upload", false, "upload, uploads, uploaded, uploading | 上传");
            add("transfer", "download", false, "download, downloads, downloaded, downloading | 下载");
            add("io", "import", false, "import, importing | 导入");
            add("io", "export", false, "export, exporting | 导出");
            add("io", "read", false, "read, reading | 读取 逐行读");
            add("io", "write", false, "write, writing | 写入 逐行写");
            add("cipher", "encrypt", false, "encrypt, encrypting | 加密");
            add("cipher", "decrypt", true, "decrypt, decrypting | 解密");
            add("link", "connect", false, "connect, connecting, join | 连接 连上 接入");
            add("link", "disconnect", true, "disconnect, disconnecting | 断开");
            add("history", "undo", false, "undo, revert, roll back, rollback | 撤销 回退 回滚");
            add("history", "redo", true, "redo, roll forward | 重做");
            add("hours", "open", false, "open, opens, opening | 开门");
            add("term", "open-source", false, "open source, open-source | 开源"); // not about opening hours
            add("term", "open-enrollment", false, "open enrollment | ");
            add("hours", "close", false, "close, closes, closed, closing, shut | 关门");
            add("period", "start", false, "start, starts, begin, begins | 开始");
            add("period", "end", false, "end, ends, finish | 结束");
            add("answer", "accept", false, "accept, accepting | 接受");
            add("answer", "decline", false, "decline, declining, reject, turn down | 拒绝 婉拒 回绝");
            add("flow", "submit", false, "submit, submitting | 提交");
            add("flow", "approve", false, "approve, approving | 审批");
            add("when", "today", false, "today, tonight | 今天");
            add("when", "tomorrow", false, "tomorrow | 明天");
            add("when", "yesterday", true, "yesterday | 昨天");
            add("order", "previous", true, "previous, prior, former, the last, my last, our last | 上一次 上次 之前 上个");
            add("order", "next", false, "next, upcoming | 下一次 下次 下个 即将");
            add("stage", "production", false, "production, prod | 生产 线上");
            add("stage", "staging", false, "staging | 测试环境 测试库 测试数据库 预发");
            add("place", "local", false, "local | 本地分支");
            add("place", "remote", false, "remote | 远程 远端");
            add("pay", "paid", false, "paid | 带薪 付费 收费");
            add("pay", "free", false, "free | 免费");
            add("pay", "unpaid", true, "unpaid | 无薪");
            add("axis", "horizontal", false, "horizontally, horizontal | 水平 横向");
            add("axis", "vertical", false, "vertically, vertical | 垂直 纵向");
            add("complexity", "time", false, "time complexity | 时间复杂度");
            add("complexity", "space", true, "space complexity | 空间复杂度");
            add("language", "english", false, "english | 英文 英语");
            add("language", "chinese", false, "chinese, mandarin | 中文 汉语");
            add("language", "japanese", false, "japanese | 日文 日语");
            add("language", "french", false, "french | 法语 法文");
            add("language", "spanish", false, "spanish | 西班牙语 西语");
            add("language", "german", false, "german | 德语 德文");
            add("language", "portuguese", false, "portuguese | 葡萄牙语");
            add("language", "korean", false, "korean | 韩语 韩文");
            add("unit", "km", false, "km, kilometer, kilometers, kilometre, kilometres | 公里 千米");
            add("unit", "mile", false, "mile, miles | 英里");
            add("unit", "kg", false, "kg, kilogram, kilograms | 公斤 千克");
            add("unit", "g", false, "gram, grams | 克");
            add("unit", "lb", false, "pound, pounds, lb, lbs | 磅");
            add("unit", "oz", false, "ounce, ounces, oz | 盎司");
            add("unit", "jin", false, " | 斤");
            add("unit", "celsius", false, "celsius, °c | 摄氏 ℃");
            add("unit", "fahrenheit", false, "fahrenheit, °f | 华氏 ℉");
            add("unit", "usd", false, "dollar, dollars, usd, $ | 美元 美金");
            add("unit", "eur", false, "euro, euros, eur, € | 欧元");
            add("unit", "cny", false, "rmb, cny, yuan | 人民币");
            add("unit", "jpy", false, "yen, jpy | 日元");
            add("unit", "gbp", false, "gbp, £ | 英镑");
            add("unit", "minute", false, "minute, minutes | 分钟");
            add("unit", "hour", false, "hour, hours | 小时");
            add("unit", "pdf", false, "pdf | ");
            add("unit", "csv", false, "csv | ");
            add("type", "string", false, "string, strings | 字符串");
            add("type", "integer", false, "integer, integers, int | 整数 整型");
            add("type", "list", false, "list, lists | 列表");
            add("type", "array", false, "array, arrays | 数组");
            add("type", "dict", false, "dictionary, dictionaries, dict, dicts | 字典");
        }

        private Contrast() {
        }

        static boolean isUnit(String word) {
            Value v = ENGLISH.get(word);
            return v != null && ORDERED.contains(v.kind());
        }

        private static void add(String kind, String value, boolean marked, String words) {
            String[] parts = words.split("\\|", -1);
            Value v = new Value(kind, value, marked);
            if (marked) {
                MARKED.add(kind + ":" + value);
            }
            for (String english : parts[0].split(",")) {
                if (!english.isBlank()) {
                    ENGLISH.put(english.strip(), v);
                }
            }
            for (String chinese : parts[1].trim().split(" ")) {
                if (!chinese.isEmpty()) {
                    CHINESE.put(chinese, v);
                }
            }
        }

        /** The values a prompt names, per kind, in the order they appear. */
        static Map<String, List<String>> values(String text) {
            record Found(int at, Value value) {
            }
            List<Found> found = new ArrayList<>();
            String lower = text.toLowerCase(Locale.ROOT).replace('’', '\'');
            List<int[]> spans = new ArrayList<>();
            List<String> words = new ArrayList<>();
            Matcher m = ENGLISH_WORD.matcher(lower);
            while (m.find()) {
                // A number is "#" here: "under #" is a bound ("under 25"), "under" alone mostly is not ("under the GPL").
                words.add(m.group().chars().allMatch(Character::isDigit) ? "#" : m.group());
                spans.add(new int[] {m.start(), m.end()});
            }
            for (int i = 0; i < words.size(); i++) {
                for (int n = Math.min(LONGEST_PHRASE, words.size() - i); n >= 1; n--) {
                    String phrase = String.join(" ", words.subList(i, i + n));
                    Value v = ENGLISH.get(phrase);
                    if (v != null) {
                        found.add(new Found(spans.get(i)[0], v));
                        // "under $25" is a bound and a currency: a phrase ending in a number or a currency sign leaves it to be read.
                        String last = words.get(i + n - 1);
                        i += n > 1 && (last.equals("#") || ENGLISH.containsKey(last) && isUnit(last)) ? n - 2 : n - 1;
                        break;
                    }
                }
            }
            boolean ascii = text.chars().allMatch(c -> c < 128);
            for (Map.Entry<String, Value> e : ascii ? Map.<String, Value>of().entrySet() : CHINESE.entrySet()) {
                int at = text.indexOf(e.getKey());
                while (at >= 0) {
                    found.add(new Found(at, e.getValue()));
                    at = text.indexOf(e.getKey(), at + e.getKey().length());
                }
            }
            found.sort((x, y) -> Integer.compare(x.at(), y.at()));
            Map<String, List<String>> values = new HashMap<>();
            for (Found f : found) {
                List<String> list = values.computeIfAbsent(f.value().kind(), k -> new ArrayList<>());
                if (!list.contains(f.value().value())) {
                    list.add(f.value().value());
                }
            }
            return values;
        }

        private static boolean marked(String kind, String value) {
            return MARKED.contains(kind + ":" + value);
        }

        /** True when the prompts agree on every class (see the class comment). */
        static boolean agree(String a, String b) {
            Map<String, List<String>> left = values(a);
            Map<String, List<String>> right = values(b);
            Set<String> kinds = new TreeSet<>(left.keySet());
            kinds.addAll(right.keySet());
            for (String kind : kinds) {
                List<String> x = left.getOrDefault(kind, List.of());
                List<String> y = right.getOrDefault(kind, List.of());
                if (x.equals(y)) {
                    continue;
                }
                boolean xExtra = false;
                boolean yExtra = false;
                for (String v : x) {
                    if (!y.contains(v)) {
                        xExtra = true;
                        if (marked(kind, v)) {
                            return false;
                        }
                    }
                }
                for (String v : y) {
                    if (!x.contains(v)) {
                        yExtra = true;
                        if (marked(kind, v)) {
                            return false;
                        }
                    }
                }
                if (xExtra && yExtra) {
                    return false; // each names a value the other does not: "enable" against "disable"
                }
                if (ORDERED.contains(kind) && !xExtra && !yExtra && x.size() == y.size()) {
                    return false; // the same values in another order: "dollars to euros" against "euros to dollars"
                }
            }
            return true;
        }
    }
}
