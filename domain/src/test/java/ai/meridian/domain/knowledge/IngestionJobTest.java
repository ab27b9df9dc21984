package ai.meridian.domain.knowledge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class IngestionJobTest {
    private static final Instant T = Instant.parse("2026-11-22T00:00:00Z");

    @Test
    void progressAccumulatesAndTheJobSettlesWhenEveryDocumentIsAccountedFor() {
        IngestionJob job = IngestionJob.queued("j", "default", "docs", 2, T).running(T);
        job = job.chunksFound(5, T).chunksIndexed(5, T).documentDone(T);
        assertThat(job.status()).isEqualTo(JobStatus.RUNNING);
        job = job.chunksFound(3, T).chunksIndexed(1, T).documentFailed("embedding failed", 2, T);
        assertThat(job.status()).isEqualTo(JobStatus.COMPLETED_WITH_ERRORS);
        assertThat(job.chunksTotal()).isEqualTo(6);
        assertThat(job.chunksDone()).isEqualTo(6);
        assertThat(job.errors()).containsExactly("embedding failed");
    }

    @Test
    void allFailedIsFailedAndNoneFailedIsCompleted() {
        assertThat(IngestionJob.queued("j", "t", "k", 1, T).documentFailed("x", 0, T).status()).isEqualTo(JobStatus.FAILED);
        assertThat(IngestionJob.queued("j", "t", "k", 1, T).documentDone(T).status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(JobStatus.COMPLETED.finished()).isTrue();
        assertThat(JobStatus.RUNNING.finished()).isFalse();
    }

    @Test
    void inconsistentProgressIsRefused() {
        assertThatThrownBy(() -> IngestionJob.queued("j", "t", "k", 1, T).documentDone(T).documentDone(T))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IngestionJob.queued("j", "t", "k", 1, T).chunksIndexed(1, T)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void knowledgeBaseNamesAreChecked() {
        assertThat(new KnowledgeBase("t", "product-docs", null, T).description()).isEmpty();
        assertThatThrownBy(() -> new KnowledgeBase("t", "Product Docs", "", T)).hasMessageContaining("lower-case");
        assertThatThrownBy(() -> new KnowledgeBase("t", "*", "", T)).hasMessageContaining("all knowledge bases");
    }
}
