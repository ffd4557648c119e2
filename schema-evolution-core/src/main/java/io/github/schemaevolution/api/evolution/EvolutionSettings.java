package io.github.schemaevolution.api.evolution;

import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * Tunables of schema changes, with defaults fit for production:
 * <ul>
 *   <li>{@code views}: view naming ({@link ViewNaming#DEFAULT});</li>
 *   <li>{@code historyTable}: {@code schema_evolution_history}, kept in the table's own schema;</li>
 *   <li>{@code instanceId}: who applied a migration, recorded in the history (default: the JVM's pid@host);</li>
 *   <li>{@code ddlLockTimeout}: how long one DDL statement may wait for a table lock before it gives up and
 *       the whole migration is retried (500 ms), so that a long-running reader never makes every other
 *       query queue behind a waiting ALTER;</li>
 *   <li>{@code maxAttempts}: tries of a migration that failed transiently (10), with exponential backoff from
 *       {@code backoff} (100 ms) up to 5 s;</li>
 *   <li>{@code migrationLockWait}: how long an instance waits for another one's migration (15 minutes);</li>
 *   <li>{@code lockLease}: on engines whose migration lock is a lease (ClickHouse), how long it holds without
 *       renewal (30 s); its holder renews it every third of that while it works, so a killed holder delays
 *       the next applier by about one lease;</li>
 *   <li>{@code policy}: which changes are accepted ({@link ChangePolicy#ANY}); a table's releases add theirs.</li>
 * </ul>
 */
public record EvolutionSettings(ViewNaming views, String historyTable, String instanceId, Duration ddlLockTimeout,
                                int maxAttempts, Duration backoff, Duration migrationLockWait, Duration lockLease,
                                ChangePolicy policy) {

    public static final EvolutionSettings DEFAULT = new EvolutionSettings(ViewNaming.DEFAULT, "schema_evolution_history",
            ManagementFactory.getRuntimeMXBean().getName(), Duration.ofMillis(500), 10, Duration.ofMillis(100),
            Duration.ofMinutes(15), Duration.ofSeconds(30), ChangePolicy.ANY);

    /** Settings with every change allowed ({@link ChangePolicy#ANY}). */
    public EvolutionSettings(ViewNaming views, String historyTable, String instanceId, Duration ddlLockTimeout, int maxAttempts,
                             Duration backoff, Duration migrationLockWait, Duration lockLease) {
        this(views, historyTable, instanceId, ddlLockTimeout, maxAttempts, backoff, migrationLockWait, lockLease, ChangePolicy.ANY);
    }

    public EvolutionSettings {
        java.util.Map<String, Object> given = new java.util.LinkedHashMap<>();
        given.put("views", views);
        given.put("historyTable", historyTable);
        given.put("instanceId", instanceId);
        given.put("ddlLockTimeout", ddlLockTimeout);
        given.put("backoff", backoff);
        given.put("migrationLockWait", migrationLockWait);
        given.put("lockLease", lockLease);
        given.put("policy", policy);
        given.forEach((name, value) -> {
            if (value == null) {
                throw new io.github.schemaevolution.api.SchemaEvolutionException(io.github.schemaevolution.api.ErrorCode.MODEL_INVALID,
                        "settings: " + name + " is required");
            }
        });
        if (maxAttempts < 1 || ddlLockTimeout.isNegative() || backoff.isNegative() || migrationLockWait.isNegative()
                || lockLease.toMillis() < 3) {
            throw new io.github.schemaevolution.api.SchemaEvolutionException(io.github.schemaevolution.api.ErrorCode.MODEL_INVALID,
                    "settings: attempts must be at least 1, durations not negative, the lock lease at least 3 ms (got "
                            + maxAttempts + " attempts, lease " + lockLease + ")");
        }
    }

    public EvolutionSettings withViews(ViewNaming newViews) {
        return new EvolutionSettings(newViews, historyTable, instanceId, ddlLockTimeout, maxAttempts, backoff, migrationLockWait, lockLease, policy);
    }

    public EvolutionSettings withInstanceId(String newInstanceId) {
        return new EvolutionSettings(views, historyTable, newInstanceId, ddlLockTimeout, maxAttempts, backoff, migrationLockWait, lockLease, policy);
    }

    public EvolutionSettings withDdlLockTimeout(Duration timeout) {
        return new EvolutionSettings(views, historyTable, instanceId, timeout, maxAttempts, backoff, migrationLockWait, lockLease, policy);
    }

    public EvolutionSettings withRetries(int attempts, Duration firstBackoff) {
        return new EvolutionSettings(views, historyTable, instanceId, ddlLockTimeout, attempts, firstBackoff, migrationLockWait, lockLease, policy);
    }

    public EvolutionSettings withMigrationLockWait(Duration wait) {
        return new EvolutionSettings(views, historyTable, instanceId, ddlLockTimeout, maxAttempts, backoff, wait, lockLease, policy);
    }

    public EvolutionSettings withLockLease(Duration lease) {
        return new EvolutionSettings(views, historyTable, instanceId, ddlLockTimeout, maxAttempts, backoff, migrationLockWait, lease, policy);
    }

    /**
     * The policy every change of every table must meet, beside the policies of the tables' releases:
     * {@link ChangePolicy#ADDITIVE} for a stage where nothing may be dropped, renamed or rewritten.
     */
    public EvolutionSettings withPolicy(ChangePolicy newPolicy) {
        return new EvolutionSettings(views, historyTable, instanceId, ddlLockTimeout, maxAttempts, backoff, migrationLockWait, lockLease,
                newPolicy);
    }

    public EvolutionSettings withHistoryTable(String table) {
        return new EvolutionSettings(views, table, instanceId, ddlLockTimeout, maxAttempts, backoff, migrationLockWait, lockLease, policy);
    }
}
