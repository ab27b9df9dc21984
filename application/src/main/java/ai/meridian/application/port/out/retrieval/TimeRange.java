package ai.meridian.application.port.out.retrieval;

/** How recent web results must be. */
public enum TimeRange {
    ONE_DAY, ONE_WEEK, ONE_MONTH, ONE_YEAR, NO_LIMIT
}
