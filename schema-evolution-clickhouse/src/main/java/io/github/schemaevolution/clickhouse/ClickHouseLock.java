package io.github.schemaevolution.clickhouse;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.spi.HistoryStore;
import io.github.schemaevolution.spi.IdentifierRules;
import io.github.schemaevolution.spi.IdentifierRules.Kind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The migration lock of one ClickHouse table: a small Memory table {@code schema_evolution_lock_<table>}
 * whose creation is atomic on a server (of concurrent {@code CREATE TABLE}s one succeeds), and whose
 * comment, {@code <owner>|<lease end, epoch ms>|<token>}, names the holder, the end of its lease and
 * this acquisition.
 *
 * <ul>
 *   <li><b>Lease and heartbeat</b>: while held, the lease is renewed every third of its length
 *       ({@code ALTER TABLE ... MODIFY COMMENT}) on a connection of its own, so a short lease does for a
 *       long migration, and a killed holder delays the next applier by about one lease.</li>
 *   <li><b>Breaking</b>: a waiter that finds the lease over breaks the lock; of several waiters exactly
 *       one does, the one that creates the marker table {@code <lock>_broken_<token>}, and it drops the
 *       lock only if it is still the same acquisition (same token).</li>
 *   <li><b>Release</b> only by the owner: the lock is dropped if its token is still this acquisition's.</li>
 * </ul>
 *
 * <p>An operator sees the locks with {@code SELECT name, comment FROM system.tables WHERE name LIKE
 * 'schema_evolution_lock_%'} and breaks one whose holder is gone with {@code DROP TABLE <name> SYNC}.
 * Guarantee: mutual exclusion on one server (or a Replicated database, whose DDL is serialised through
 * Keeper) as long as a holder renews its lease; one that cannot renew for a whole lease loses the lock.
 */
final class ClickHouseLock {
    private static final Logger LOG = LoggerFactory.getLogger(ClickHouseLock.class);
    private static final Duration MAX_POLL = Duration.ofSeconds(1);
    /** How long a break marker keeps others from breaking: a breaker dies rarely, and then its marker expires. */
    private static final Duration MARKER_LEASE = Duration.ofMinutes(1);
    /** What a lock's name grows by in its break marker. */
    static final String BROKEN_INFIX = "_broken_";

    private final IdentifierRules identifiers;
    /**
     * The cluster the lock tables are created on, or {@code null}: ON CLUSTER statements run in the order of
     * the distributed DDL queue on every node, so of two creations of one lock the second fails everywhere.
     */
    private final ClickHouseCluster cluster;
    private final String on;

    ClickHouseLock(IdentifierRules identifiers, ClickHouseCluster cluster) {
        this.identifiers = identifiers;
        this.cluster = cluster;
        this.on = ClickHouseCluster.clause(cluster);
    }

    /**
     * Takes the lock of {@code table}, waiting at most {@code wait}; renewed through connections of
     * {@code renewals} while held, or, without them, held for one {@code lease} at most.
     */
    HistoryStore.Lock take(Connection connection, String schema, String table, String owner, Duration wait, Duration lease,
            DataSource renewals) throws SQLException {
        String lockName = identifiers.check(Kind.TABLE, table, ClickHouseDialect.LOCK_PREFIX + table);
        String qualified = identifiers.qualified(schema, lockName);
        Instant deadline = Instant.now().plus(wait);
        Duration poll = Duration.ofMillis(20);
        if (cluster != null) {
            cluster.requireSettings(connection);
        }
        while (true) {
            String token = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
            try (java.sql.Statement statement = connection.createStatement()) {
                String comment = comment(owner, lease, token);
                statement.execute("CREATE TABLE " + qualified + on + " (owner String) ENGINE = Memory COMMENT "
                        + ClickHouseSql.string(comment));
                LOG.debug("migration lock {} taken by {} ({})", lockName, owner, token);
                return new Held(connection, schema, lockName, qualified, owner, token, lease, renewals, Lease.parse(comment).endsAt());
            } catch (SQLException e) {
                if (!alreadyExists(e)) {
                    throw e;
                }
            }
            refuseForeign(connection, schema, table, lockName);
            breakIfExpired(connection, schema, lockName, qualified);
            if (Instant.now().isAfter(deadline)) {
                String holder = comment(connection, schema, lockName);
                throw new SchemaEvolutionException(ErrorCode.LOCK_TIMEOUT, table, null, "another instance holds the"
                        + " migration lock " + lockName + " (" + (holder == null ? "released just now" : describe(holder))
                        + ") and did not release it within " + wait + "; if its holder is gone, DROP TABLE " + qualified
                        + " SYNC breaks it", null);
            }
            sleep(poll);
            poll = poll.multipliedBy(2).compareTo(MAX_POLL) > 0 ? MAX_POLL : poll.multipliedBy(2);
        }
    }

    /**
     * A table of the lock's name whose comment is no lease is not a lock: someone else's table, which
     * the library neither waits for nor ever drops. (A lock's comment is set with its creation, so a
     * lock always has one.)
     */
    private static void refuseForeign(Connection connection, String schema, String table, String lockName) throws SQLException {
        String comment = comment(connection, schema, lockName);
        if (comment != null && Lease.parse(comment) == null) {
            throw new SchemaEvolutionException(ErrorCode.NAME_TAKEN, table, null, "the migration lock " + lockName
                    + " the library would create is taken by a table it did not create; nothing was changed."
                    + " Rename or drop that table", null);
        }
    }

    private static String comment(String owner, Duration lease, String token) {
        return owner + "|" + Instant.now().plus(lease).toEpochMilli() + "|" + token;
    }

    /** {@code holder|lease end|token} as words, for messages. */
    private static String describe(String comment) {
        Lease lease = Lease.parse(comment);
        return lease == null ? comment : "held by " + lease.owner() + ", lease ending " + Instant.ofEpochMilli(lease.endsAt());
    }

    /** A lock's comment, read apart: owner names may hold a {@code |}, the last two fields never do. */
    private record Lease(String owner, long endsAt, String token) {
        static Lease parse(String comment) {
            if (comment == null) {
                return null;
            }
            int last = comment.lastIndexOf('|');
            int before = last < 0 ? -1 : comment.lastIndexOf('|', last - 1);
            if (before < 0) {
                return null;
            }
            try {
                return new Lease(comment.substring(0, before), Long.parseLong(comment.substring(before + 1, last)),
                        comment.substring(last + 1));
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }

    /**
     * Breaks the lock if its lease is over: the waiter that creates the acquisition's break marker does,
     * and only if the lock is still that acquisition when it looks again. A marker left by a breaker
     * that died is cleared once it is a lease old.
     */
    private void breakIfExpired(Connection connection, String schema, String lockName, String qualified) throws SQLException {
        Lease lease = Lease.parse(comment(connection, schema, lockName));
        if (lease == null || lease.endsAt() >= System.currentTimeMillis()) {
            return;
        }
        String marker = identifiers.qualified(schema, identifiers.check(Kind.TABLE, null, lockName + BROKEN_INFIX + lease.token()));
        try (java.sql.Statement statement = connection.createStatement()) {
            try {
                statement.execute("CREATE TABLE " + marker + on + " (token String) ENGINE = Memory COMMENT "
                        + ClickHouseSql.string(comment("breaker", MARKER_LEASE, lease.token())));
            } catch (SQLException e) {
                if (!alreadyExists(e)) {
                    throw e;
                }
                // another waiter is breaking this acquisition; its marker is cleared should that waiter have died
                Lease breaker = Lease.parse(comment(connection, schema, lockName + BROKEN_INFIX + lease.token()));
                if (breaker != null && breaker.endsAt() < System.currentTimeMillis()) {
                    statement.execute("DROP TABLE IF EXISTS " + marker + on + " SYNC");
                }
                return;
            }
            try {
                Lease now = Lease.parse(comment(connection, schema, lockName));
                if (now != null && now.token().equals(lease.token())) {
                    LOG.warn("breaking migration lock {} of {}: its lease ended at {}", lockName, lease.owner(),
                            Instant.ofEpochMilli(lease.endsAt()));
                    statement.execute("DROP TABLE IF EXISTS " + qualified + on + " SYNC");
                }
            } finally {
                statement.execute("DROP TABLE IF EXISTS " + marker + on + " SYNC");
            }
        }
    }

    /** The comment of the table {@code name}, or {@code null} when there is no such table. */
    static String comment(Connection connection, String schema, String name) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT comment FROM system.tables"
                + " WHERE database = " + (schema == null ? "currentDatabase()" : "?") + " AND name = ?")) {
            int index = 1;
            if (schema != null) {
                select.setString(index++, schema);
            }
            select.setString(index, name);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? row.getString(1) : null;
            }
        }
    }

    static boolean alreadyExists(SQLException e) {
        return ClickHouseSql.hasCode(e, "TABLE_ALREADY_EXISTS", 57);
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaEvolutionException(ErrorCode.LOCK_TIMEOUT, "interrupted while waiting for the migration lock", e);
        }
    }

    /** A held lock: renews its lease until closed, and is dropped on close if it is still this acquisition. */
    private final class Held implements HistoryStore.Lock {
        private final Connection connection;
        private final String schema;
        private final String lockName;
        private final String qualified;
        private final String owner;
        private final String token;
        private final ScheduledExecutorService heartbeat;
        private final Duration lease;
        /** The end of the lease this holder last wrote, epoch ms; 0 once it found the lock broken. */
        private volatile long leaseEnd;

        Held(Connection connection, String schema, String lockName, String qualified, String owner, String token,
                Duration lease, DataSource renewals, long leaseEnd) {
            this.lease = lease;
            this.leaseEnd = leaseEnd;
            this.connection = connection;
            this.schema = schema;
            this.lockName = lockName;
            this.qualified = qualified;
            this.owner = owner;
            this.token = token;
            if (renewals == null) {
                this.heartbeat = null;
            } else {
                this.heartbeat = Executors.newSingleThreadScheduledExecutor(runnable -> {
                    Thread thread = new Thread(runnable, "lease-" + lockName);
                    thread.setDaemon(true);
                    return thread;
                });
                long every = Math.max(1, lease.toMillis() / 3);
                heartbeat.scheduleWithFixedDelay(() -> renew(renewals, lease), every, every, TimeUnit.MILLISECONDS);
            }
        }

        private void renew(DataSource renewals, Duration lease) {
            try (Connection renewal = renewals.getConnection();
                 java.sql.Statement statement = renewal.createStatement()) {
                Lease now = Lease.parse(comment(renewal, schema, lockName));
                if (now == null || !now.token().equals(token)) {
                    leaseEnd = 0;
                    LOG.error("migration lock {} of {} was broken while held (its lease ran out unrenewed); the migration"
                            + " goes on without it", lockName, owner);
                    heartbeat.shutdown();
                    return;
                }
                String comment = comment(owner, lease, token);
                statement.execute("ALTER TABLE " + qualified + on + " MODIFY COMMENT " + ClickHouseSql.string(comment));
                leaseEnd = Lease.parse(comment).endsAt();
            } catch (SQLException | RuntimeException e) {
                // the next beat tries again; a lease outlives two missed beats
                LOG.warn("migration lock {}: cannot renew its lease: {}", lockName, e.getMessage());
            }
        }

        @Override
        public void close() throws SQLException {
            if (heartbeat != null) {
                // no renewal may run once the lock is dropped: it could write over the next holder's lease
                heartbeat.shutdown();
                try {
                    heartbeat.awaitTermination(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            // with more than half its last lease to run, nobody can have broken the lock (breaking waits for
            // the lease's end, and clocks agree to better than half a lease): drop it without looking
            boolean fresh = System.currentTimeMillis() < leaseEnd - lease.toMillis() / 2;
            Lease now = fresh ? null : Lease.parse(comment(connection, schema, lockName));
            if (fresh || now != null && now.token().equals(token)) {
                try (java.sql.Statement statement = connection.createStatement()) {
                    statement.execute("DROP TABLE IF EXISTS " + qualified + on + " SYNC");
                }
                LOG.debug("migration lock {} released by {}", lockName, owner);
            } else {
                LOG.warn("migration lock {}: not released by {}, whose lease had ended and was broken", lockName, owner);
            }
        }
    }
}
