package ai.meridian.domain.knowledge;

import java.util.Locale;

/** Where an ingestion job stands. {@code COMPLETED_WITH_ERRORS}: some documents failed, the rest are in. */
public enum JobStatus {
    QUEUED, RUNNING, COMPLETED, COMPLETED_WITH_ERRORS, FAILED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean finished() {
        return this == COMPLETED || this == COMPLETED_WITH_ERRORS || this == FAILED;
    }
}
