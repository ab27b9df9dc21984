package ai.meridian.adapter.out.jtokkit;

import ai.meridian.application.port.out.TokenCounter;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Counts tokens with a BPE encoding from jtokkit. Backends' own tokenizers differ (DeepSeek, Qwen, Llama);
 * {@code cl100k_base} is within a few percent for English and Chinese, which is what usage
 * estimates and context budgets need.
 */
public final class JtokkitTokenCounter implements TokenCounter {
    private final Encoding encoding;

    public JtokkitTokenCounter(String encodingName) {
        EncodingType type = EncodingType.fromName(encodingName.toLowerCase(Locale.ROOT)).orElseThrow(() ->
                new IllegalArgumentException("meridian.tokenizer.encoding must be one of "
                        + Arrays.stream(EncodingType.values()).map(EncodingType::getName).collect(Collectors.joining(", "))
                        + ", not '" + encodingName + "'"));
        this.encoding = Encodings.newLazyEncodingRegistry().getEncoding(type);
    }

    @Override
    public int count(String text) {
        return text.isEmpty() ? 0 : encoding.countTokensOrdinary(text);
    }
}
