package ai.meridian.adapter.out.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import ai.meridian.domain.knowledge.IngestionJob;
import ai.meridian.domain.knowledge.JobStatus;
import ai.meridian.domain.knowledge.KnowledgeBase;
import ai.meridian.domain.knowledge.KnowledgeDocument;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The knowledge-base catalog, the same on every database: per tenant, cascading deletes, job progress. */
abstract class KnowledgeBaseStoreContract {
    private static final Instant T = Instant.parse("2026-11-22T01:02:03.123456Z");

    abstract JdbcKnowledgeBaseStore knowledge();

    private static String tenant() {
        return "t-" + UUID.randomUUID();
    }

    @Test
    void basesArePerTenantAndNamesAreUniqueWithinOne() throws Exception {
        String acme = tenant();
        String globex = tenant();
        assertThat(knowledge().createBase(new KnowledgeBase(acme, "docs", "product docs", T)).get()).isTrue();
        assertThat(knowledge().createBase(new KnowledgeBase(acme, "docs", "again", T)).get()).isFalse();
        assertThat(knowledge().createBase(new KnowledgeBase(globex, "docs", "theirs", T)).get()).isTrue();
        assertThat(knowledge().findBase(acme, "docs").get()).hasValueSatisfying(b -> {
            assertThat(b.description()).isEqualTo("product docs");
            assertThat(b.createdAt()).isEqualTo(T.truncatedTo(ChronoUnit.MICROS));
        });
        knowledge().createBase(new KnowledgeBase(acme, "api", "", T)).get();
        assertThat(knowledge().listBases(acme).get()).extracting(KnowledgeBase::name).containsExactly("api", "docs");
        assertThat(knowledge().listBases(globex).get()).extracting(KnowledgeBase::description).containsExactly("theirs");
        assertThat(knowledge().findBase(tenant(), "docs").get()).isEmpty();
    }

    @Test
    void deletingABaseTakesItsDocumentsAndJobsWithIt() throws Exception {
        String acme = tenant();
        knowledge().createBase(new KnowledgeBase(acme, "docs", "", T)).get();
        knowledge().saveDocument(new KnowledgeDocument(acme, "docs", "doc_1", "Guide", "guide.md", "text/markdown", 3, T)).get();
        knowledge().saveJob(IngestionJob.queued("job_1", acme, "docs", 1, T)).get();
        assertThat(knowledge().deleteBase(acme, "docs").get()).isTrue();
        assertThat(knowledge().deleteBase(acme, "docs").get()).isFalse();
        assertThat(knowledge().listDocuments(acme, "docs").get()).isEmpty();
        assertThat(knowledge().findJob(acme, "job_1").get()).isEmpty();
    }

    @Test
    void aDocumentsMetadataComesBackAsItWasSaved() throws Exception {
        String acme = tenant();
        knowledge().createBase(new KnowledgeBase(acme, "docs", "", T)).get();
        ai.meridian.domain.knowledge.DocumentMetadata metadata = new ai.meridian.domain.knowledge.DocumentMetadata(java.util.Map.of(
                "tags", ai.meridian.domain.knowledge.MetadataValue.Text.of("hr", "a:b 3:x", ""),
                "year", new ai.meridian.domain.knowledge.MetadataValue.Number(2024.5),
                "ingested_at", new ai.meridian.domain.knowledge.MetadataValue.Date(T),
                "标题", ai.meridian.domain.knowledge.MetadataValue.Text.of("差旅费报销")));
        knowledge().saveDocument(new KnowledgeDocument(acme, "docs", "doc_m", "M", "", "text/plain", 1, T, metadata)).get();
        assertThat(knowledge().listDocuments(acme, "docs").get()).singleElement()
                .satisfies(d -> assertThat(d.metadata()).isEqualTo(metadata));
    }

    @Test
    void documentsAreListedInOrderAndDeletedOneByOne() throws Exception {
        String acme = tenant();
        knowledge().createBase(new KnowledgeBase(acme, "docs", "", T)).get();
        knowledge().saveDocument(new KnowledgeDocument(acme, "docs", "doc_a", "A", "https://a.example", "text/html", 4, T)).get();
        knowledge().saveDocument(new KnowledgeDocument(acme, "docs", "doc_b", "B 中文", "b.pdf", "application/pdf", 7, T.plusSeconds(1))).get();
        assertThat(knowledge().listDocuments(acme, "docs").get()).extracting(KnowledgeDocument::title).containsExactly("A", "B 中文");
        assertThat(knowledge().listDocuments(acme, "docs").get()).extracting(KnowledgeDocument::chunks).containsExactly(4, 7);
        assertThat(knowledge().deleteDocument(acme, "docs", "doc_a").get()).isTrue();
        assertThat(knowledge().deleteDocument(acme, "docs", "doc_a").get()).isFalse();
        assertThat(knowledge().deleteDocument(tenant(), "docs", "doc_b").get()).as("another tenant cannot delete it").isFalse();
        assertThat(knowledge().listDocuments(acme, "docs").get()).extracting(KnowledgeDocument::documentId).containsExactly("doc_b");
    }

    @Test
    void jobProgressIsSavedAndReadBackWithItsErrors() throws Exception {
        String acme = tenant();
        knowledge().createBase(new KnowledgeBase(acme, "docs", "", T)).get();
        IngestionJob job = IngestionJob.queued("job_x", acme, "docs", 2, T);
        knowledge().saveJob(job).get();
        job = job.running(T).chunksFound(5, T).chunksIndexed(5, T).documentDone(T)
                .documentFailed("document 2 (bad.pdf): the PDF could not be read:\nline two", 0, T.plusSeconds(9));
        knowledge().saveJob(job).get();
        IngestionJob read = knowledge().findJob(acme, "job_x").get().orElseThrow();
        assertThat(read.status()).isEqualTo(JobStatus.COMPLETED_WITH_ERRORS);
        assertThat(read.documentsDone()).isEqualTo(1);
        assertThat(read.documentsFailed()).isEqualTo(1);
        assertThat(read.chunksDone()).isEqualTo(5);
        assertThat(read.errors()).containsExactly("document 2 (bad.pdf): the PDF could not be read:\nline two");
        assertThat(read.updatedAt()).isEqualTo(T.plusSeconds(9).truncatedTo(ChronoUnit.MICROS));
        assertThat(knowledge().findJob(tenant(), "job_x").get()).as("jobs are the tenant's own").isEmpty();
    }

    @Test
    void unfinishedJobsNotUpdatedSinceAGivenTimeAreFoundAcrossTenants() throws Exception {
        String acme = tenant();
        String globex = tenant();
        knowledge().createBase(new KnowledgeBase(acme, "docs", "", T)).get();
        knowledge().createBase(new KnowledgeBase(globex, "docs", "", T)).get();
        knowledge().saveJob(IngestionJob.queued("job_old", acme, "docs", 2, T).running(T).chunksFound(4, T)).get();
        knowledge().saveJob(IngestionJob.queued("job_queued", globex, "docs", 1, T)).get();
        knowledge().saveJob(IngestionJob.queued("job_new", acme, "docs", 1, T).running(T.plusSeconds(600))).get();
        knowledge().saveJob(IngestionJob.queued("job_done", acme, "docs", 1, T).running(T).chunksFound(1, T).chunksIndexed(1, T)
                .documentDone(T)).get();
        assertThat(knowledge().staleJobs(T.plusSeconds(60)).get())
                .filteredOn(j -> j.tenant().equals(acme) || j.tenant().equals(globex))
                .extracting(IngestionJob::id).containsExactlyInAnyOrder("job_old", "job_queued");
        assertThat(knowledge().staleJobs(T.plusSeconds(60)).get()).filteredOn(j -> j.tenant().equals(acme) && j.id().equals("job_old"))
                .singleElement().satisfies(j -> assertThat(j.chunksTotal()).isEqualTo(4));
    }
}
