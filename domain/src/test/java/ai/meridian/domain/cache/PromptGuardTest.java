package ai.meridian.domain.cache;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Pairs an embedding places side by side: the guard must keep apart those asking for another answer, and only those. */
class PromptGuardTest {

    @Test
    void loadsItsWordListsAtAll() {
        // The word lists are built when the class loads; a duplicate in a Set.of once made every lookup fail.
        assertThat(PromptGuard.compatible("How do I reset my VPN password?", "How do I reset my VPN password?")).isTrue();
    }

    @ParameterizedTest(name = "{0} | {1}")
    @CsvSource(delimiter = '|', textBlock = """
            What is 15% of 80?                              | What is 15% of 90?
            How do I undo the last git commit?              | How do I undo the last 3 git commits?
            Who approves travel over $5,000?                | Who approves travel over $10,000?
            cron怎么设置每5分钟执行一次？                     | cron怎么设置每15分钟执行一次？
            超过5000元的差旅由谁审批？                        | 超过10000元的差旅由谁审批？
            Is it safe to use public Wi-Fi for work?        | Why is it not safe to use public Wi-Fi for work?
            为什么周五不能在家办公？                          | 周五可以在家办公吗？
            How do I reset my VPN password?                 | How do I reset my Jira password?
            What is the capital of Australia?               | What is the capital of Austria?
            Windows 11怎么映射网络驱动器？                    | Windows 7怎么映射网络驱动器？
            How do I enable dark mode in the dashboard?     | How do I disable dark mode in the dashboard?
            怎么给公司账号开启双重认证？                       | 怎么给公司账号关闭双重认证？
            How do I map a network drive in Windows 11?     | How do I remove a mapped network drive in Windows 11?
            What is the maximum attachment size in Outlook? | What is the minimum attachment size in Outlook?
            Outlook附件最大可以多大？                         | Outlook附件最小可以多小？
            How do I export my data to CSV?                 | How do I import my data from CSV?
            What file formats can I upload?                 | What file formats can I download?
            How do I convert 100 US dollars to euros?       | How do I convert 100 euros to US dollars?
            100美元等于多少人民币？                            | 100人民币等于多少美元？
            Convert 30 degrees Celsius to Fahrenheit.       | Convert 30 degrees Fahrenheit to Celsius.
            How many kilometers is a marathon?              | How many miles is a marathon?
            马拉松全程多少公里？                               | 马拉松全程多少英里？
            How do I run a cron job every 5 minutes?        | How do I run a cron job every 5 hours?
            How do I convert a string to an integer in JavaScript? | How do I convert an integer to a string in JavaScript?
            用英文总结一下会议纪要                              | 用中文总结一下会议纪要
            What is the weather forecast for tomorrow in Paris? | What is the weather forecast for today in Paris?
            Who is the account manager for Acme Corp?       | Who was the previous account manager for Acme Corp?
            华为这个客户的客户经理是谁？                        | 华为这个客户之前的客户经理是谁？
            How do I restart the payment service in production? | How do I restart the payment service in staging?
            How do I delete a remote branch in git?         | How do I delete a local branch in git?
            How many weeks of paid parental leave does the company offer? | How many weeks of unpaid parental leave does the company offer?
            How do I center a div horizontally with CSS?    | How do I center a div vertically with CSS?
            What is the time complexity of binary search?   | What is the space complexity of binary search?
            超过5000元的差旅由谁审批？                        | 低于5000元的差旅由谁审批？
            怎么调大Java的堆内存？                             | 怎么调小Java的堆内存？
            How do I encrypt a USB drive with BitLocker?    | How do I decrypt a USB drive with BitLocker?
            What time does the cafeteria close?             | What time does the cafeteria open?
            How do I undo the last git commit?              | How do I redo the last git commit?
            What is the difference between Java and Python? | What is the difference between JavaScript and Python?
            """)
    void keepsApartPromptsThatAskForAnotherAnswer(String a, String b) {
        assertThat(PromptGuard.compatible(a, b)).isFalse();
        assertThat(PromptGuard.compatible(b, a)).isFalse();
    }

    @ParameterizedTest(name = "{0} | {1}")
    @CsvSource(delimiter = '|', textBlock = """
            How do I reset my VPN password?                 | Steps to reset the password for the VPN?
            How do I install Python 3.12 on Ubuntu 22.04?   | Installing Python 3.12 on Ubuntu 22.04, how?
            How do I run a cron job every 5 minutes?        | How can I schedule a cron job to run every five minutes?
            Can I work from home on Fridays?                | Am I permitted to work remotely on Friday?
            What is the maternity leave policy in Germany?  | What are the maternity leave rules for German staff?
            What is the default port of PostgreSQL?         | What port does Postgres listen on by default?
            How do I set up two-factor authentication?      | What are the steps to turn on two-factor authentication?
            Convert 30 degrees Celsius to Fahrenheit.       | What is 30 °C in Fahrenheit?
            How do I convert 100 US dollars to euros?       | How much is 100 US dollars in euros?
            一斤等于多少克？                                   | 1斤合多少克？
            100美元等于多少人民币？                            | 一百美元换成人民币是多少？
            超过5000元的差旅由谁审批？                        | 出差费用超过五千块找谁审批？
            上海办公室的着装要求是什么？                        | 上海办公室有没有着装规定？
            企业版支持单点登录吗？                             | 企业版能不能用单点登录？
            25元以下的费用需要发票吗？                         | 不到25元的开支要不要提供发票？
            收到钓鱼邮件应该怎么办？                           | 我收到一封像是钓鱼的邮件，该怎么做？
            Outlook邮件不同步是什么原因？                      | Outlook不能同步邮件可能是什么问题？
            How long does IT keep deleted emails?           | For how long are deleted emails retained by IT?
            What is 2 to the power of 10?                   | What's 2^10?
            三月份市场部带来了多少线索？                        | 3月份市场线索有多少条？
            """)
    void letsParaphrasesThrough(String a, String b) {
        assertThat(PromptGuard.compatible(a, b)).isTrue();
        assertThat(PromptGuard.compatible(b, a)).isTrue();
    }

    @Test
    void readsChineseNumeralsByValue() {
        assertThat(PromptGuard.chineseValue("十五")).isEqualTo("15");
        assertThat(PromptGuard.chineseValue("五千")).isEqualTo("5000");
        assertThat(PromptGuard.chineseValue("一百零五")).isEqualTo("105");
        assertThat(PromptGuard.chineseValue("两万三千")).isEqualTo("23000");
        assertThat(PromptGuard.chineseValue("二〇二五")).isEqualTo("2025");
        assertThat(PromptGuard.numbers("百度网盘有多少存储空间？")).isEmpty();
        assertThat(PromptGuard.numbers("What is fifteen percent of 80?")).containsExactly("15", "80");
    }

    @Test
    void aLoneOneIsAnArticleNotANumber() {
        assertThat(PromptGuard.numbers("一年有几天病假？")).isEmpty();
        assertThat(PromptGuard.numbers("How many ounces make up one pound?")).isEmpty();
        assertThat(PromptGuard.compatible("一年有几天病假？", "两年有几天病假？")).isFalse();
    }

    @Test
    void chineseQuestionsOfTheFormAnotAAreNotNegations() {
        assertThat(PromptGuard.negated("有没有班车到公司？")).isFalse();
        assertThat(PromptGuard.negated("能不能用单点登录？")).isFalse();
        assertThat(PromptGuard.negated("要不要提供发票？")).isFalse();
        assertThat(PromptGuard.negated("Outlook邮件不同步")).isTrue();
        assertThat(PromptGuard.negated("为什么不能在家办公？")).isTrue();
    }
}
