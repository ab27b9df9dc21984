package ai.meridian.domain.pii;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A generated corpus (fixed seed) for the masker's precision and recall: sentences in Chinese and English that carry
 * one piece of personal data each (with the value the masker must find), and sentences full of ordinary numbers,
 * dates, times, prices, versions, order and tracking ids that must come out untouched.
 */
final class PiiCorpus {
    record Sample(String text, String label, String value) {
    }

    private static final int[] W = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    private final Random random;

    PiiCorpus(long seed) {
        this.random = new Random(seed);
    }

    private String digits(int n) {
        StringBuilder s = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            s.append(random.nextInt(10));
        }
        return s.toString();
    }

    String residentId() {
        String region = (1 + random.nextInt(8)) + digits(5);
        int year = 1950 + random.nextInt(60);
        int month = 1 + random.nextInt(12);
        int day = 1 + random.nextInt(28);
        String body = region + year + String.format("%02d%02d", month, day) + digits(3);
        int sum = 0;
        for (int i = 0; i < 17; i++) {
            sum += (body.charAt(i) - '0') * W[i];
        }
        return body + "10X98765432".charAt(sum % 11);
    }

    String mobile() {
        String n = "1" + (3 + random.nextInt(7)) + digits(9);
        return switch (random.nextInt(4)) {
            case 0 -> "+86 " + n;
            case 1 -> n.substring(0, 3) + "-" + n.substring(3, 7) + "-" + n.substring(7);
            default -> n;
        };
    }

    String email() {
        String[] names = {"zhang.wei", "li_na", "wang.fang88", "j.smith", "ops+alerts", "chen-jie"};
        String[] domains = {"example.com", "corp.example.cn", "mail.example.org", "163.com", "qq.com"};
        return names[random.nextInt(names.length)] + random.nextInt(100) + "@" + domains[random.nextInt(domains.length)];
    }

    String card() {
        String[] prefixes = {"62", "4", "51", "53", "55", "6011"};
        String prefix = prefixes[random.nextInt(prefixes.length)];
        int length = prefix.equals("62") ? 16 + random.nextInt(4) : 16;
        String body = prefix + digits(length - prefix.length() - 1);
        int sum = 0;
        for (int i = 0; i < body.length(); i++) {
            int d = body.charAt(body.length() - 1 - i) - '0';
            if (i % 2 == 0) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
        }
        String number = body + (10 - sum % 10) % 10;
        if (length == 16 && random.nextBoolean()) {
            return number.substring(0, 4) + " " + number.substring(4, 8) + " " + number.substring(8, 12) + " " + number.substring(12);
        }
        return number;
    }

    String ipv4() {
        return (1 + random.nextInt(223)) + "." + random.nextInt(256) + "." + random.nextInt(256) + "." + (1 + random.nextInt(254));
    }

    String ipv6() {
        String[] forms = {"2001:db8:%x:%x::%x", "fe80::%x:%x:%x:%x", "2001:0db8:85a3:0000:0000:8a2e:%04x:%04x", "::ffff:192.0.2.%d"};
        int form = random.nextInt(forms.length);
        return switch (form) {
            case 0 -> String.format(forms[0], random.nextInt(65536), random.nextInt(65536), 1 + random.nextInt(65535));
            case 1 -> String.format(forms[1], random.nextInt(65536), random.nextInt(65536), random.nextInt(65536), 1 + random.nextInt(65535));
            case 2 -> String.format(forms[2], random.nextInt(65536), random.nextInt(65536));
            default -> String.format(forms[3], 1 + random.nextInt(254));
        };
    }

    private static final String[] TEMPLATES = {
        "我的%s请帮我查一下", "Please contact me at %s tomorrow.", "客户信息：%s，已核实。", "Value: %s.", "(%s)", "用户 %s 提交了申请",
        "Note %s, thanks", "请把结果发到%s。"};

    List<Sample> positives(int perKind) {
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < perKind; i++) {
            samples.add(sample("CN_ID", residentId()));
            samples.add(sample("CN_MOBILE", mobile()));
            samples.add(sample("EMAIL", email()));
            samples.add(sample("BANK_CARD", card()));
            samples.add(sample("IPV4", ipv4()));
            samples.add(sample("IPV6", ipv6()));
        }
        return samples;
    }

    private Sample sample(String label, String value) {
        String template = TEMPLATES[random.nextInt(TEMPLATES.length)];
        return new Sample(String.format(template, value), label, value);
    }

    /** Ordinary text with numbers in it: nothing here is personal data. */
    List<String> negatives(int count) {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int year = 2000 + random.nextInt(30);
            int month = 1 + random.nextInt(12);
            int day = 1 + random.nextInt(28);
            String text = switch (i % 24) {
                case 0 -> "订单号 " + year + String.format("%02d%02d", month, day) + digits(6) + " 已发货";
                case 1 -> "Order #" + (100000 + random.nextInt(900000)) + " shipped on " + year + "-" + String.format("%02d-%02d", month, day);
                case 2 -> "价格：¥" + (1 + random.nextInt(9999)) + "." + digits(2) + "，优惠后 " + random.nextInt(999) + " 元";
                case 3 -> "Total: $" + String.format("%,d", random.nextInt(10_000_000)) + "." + digits(2);
                case 4 -> year + "年" + month + "月" + day + "日 " + String.format("%02d:%02d:%02d", random.nextInt(24), random.nextInt(60), random.nextInt(60));
                case 5 -> "Meeting at " + String.format("%02d:%02d", random.nextInt(24), random.nextInt(60)) + " on " + month + "/" + day + "/" + year;
                case 6 -> "Version " + random.nextInt(20) + "." + random.nextInt(20) + "." + random.nextInt(50) + " released";
                case 7 -> "快递单号 SF" + digits(12) + "，运单 JD" + digits(13);
                case 8 -> "Invoice INV-" + year + "-" + digits(6) + " total " + digits(4) + ".00 CNY";
                case 9 -> "服务热线 400-" + digits(3) + "-" + digits(4) + "，座机 0571-" + (2 + random.nextInt(7)) + digits(7);
                case 10 -> "Pi is 3.14159265358979 and e is 2.718281828";
                case 11 -> "库存 " + String.format("%,d", random.nextInt(1_000_000)) + " 件，编号 SKU" + digits(10);
                case 12 -> "Build " + year + String.format("%02d%02d", month, day) + "." + digits(4) + " passed " + random.nextInt(5000) + " tests";
                case 13 -> "ratio 0." + digits(6) + ", p-value 1e-" + (1 + random.nextInt(9));
                case 14 -> "身高 1" + digits(2) + " 厘米，体重 " + digits(2) + " 公斤，年龄 " + (18 + random.nextInt(60));
                case 15 -> "Transaction id " + Long.toHexString(random.nextLong()) + Long.toHexString(random.nextLong());
                case 16 -> "UUID " + java.util.UUID.nameUUIDFromBytes(digits(8).getBytes()) + " created";
                case 17 -> "Room 12" + digits(2) + ", floor " + random.nextInt(60) + ", building " + digits(3);
                case 18 -> "MAC 00:1a:" + String.format("%02x:%02x:%02x:%02x", random.nextInt(256), random.nextInt(256), random.nextInt(256), random.nextInt(256));
                case 19 -> "Score " + random.nextInt(100) + ":" + random.nextInt(100) + " at " + String.format("%02d:%02d", random.nextInt(24), random.nextInt(60));
                case 20 -> "ISBN 978-7-" + digits(3) + "-" + digits(5) + "-" + random.nextInt(10);
                case 21 -> "工单 " + (1 + random.nextInt(9)) + digits(9) + " 处理中";
                case 22 -> "Coordinates 3" + digits(1) + "." + digits(6) + ", 12" + digits(1) + "." + digits(6);
                default -> "共计 " + digits(3) + " 人，合计金额 " + digits(5) + " 元，日期 " + year + String.format("%02d%02d", month, day);
            };
            texts.add(text);
        }
        return texts;
    }
}
