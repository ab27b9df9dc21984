package ai.meridian.application.port.out;

import ai.meridian.application.port.in.ReadUsageUseCase.UsagePage;
import ai.meridian.application.port.in.ReadUsageUseCase.UsageQuery;
import ai.meridian.domain.usage.UsageRecord;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** The usage ledger in the database: lines add up per (day, tenant, key, model, backend), also across replicas. */
public interface UsageLedgerStore {

    /** Adds the records to their lines (creating lines as needed), in one transaction. */
    CompletableFuture<Void> add(List<UsageRecord> records);

    CompletableFuture<UsagePage> query(UsageQuery query);

    /** Tokens (input + output) per key spent on {@code day} and from {@code monthStart} on, for the budgets. */
    CompletableFuture<Map<String, SpentTokens>> spentSince(LocalDate day, LocalDate monthStart);

    record SpentTokens(long day, long month) {
    }
}
