package io.github.schemaevolution.clickhouse;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.spi.IdentifierRules.Kind;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A ClickHouse cluster (a name of {@code remote_servers}) whose nodes run the library's DDL together:
 * {@link ClickHouseDialect#onCluster} renders every table, view, history, lock and checkpoint statement
 * {@code ON CLUSTER}, so that one statement changes every node through the distributed DDL queue.
 *
 * <p>A statement must end only once every node has run it, and a node that has not within
 * {@code ddlTimeout} must fail the statement rather than leave it "still running" in the background:
 * the session needs {@code distributed_ddl_output_mode = 'throw'} and
 * {@code distributed_ddl_task_timeout}. The JDBC driver sends them with every query when its
 * connection properties hold {@link #connectionProperties()}; the dialect checks them before the first
 * statement of a migration and refuses without them.
 *
 * <p>In a {@code Replicated} database the database itself replicates DDL and refuses {@code ON CLUSTER}:
 * {@link #dialectFor(DataSource)} gives the plain dialect there.
 *
 * @param name       the cluster's name, as {@code system.clusters} lists it
 * @param ddlTimeout how long a statement waits for every node before it fails
 */
public record ClickHouseCluster(String name, Duration ddlTimeout) {
    static final String OUTPUT_MODE = "distributed_ddl_output_mode";
    static final String TASK_TIMEOUT = "distributed_ddl_task_timeout";
    private static final String SETTING_PREFIX = "clickhouse_setting_";

    public ClickHouseCluster {
        Objects.requireNonNull(ddlTimeout, "ddlTimeout");
        ClickHouseDialect.identifierRules().check(Kind.SCHEMA, null, name);
        if (ddlTimeout.toSeconds() < 1) {
            throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, "the distributed DDL timeout must be at least a"
                    + " second, got " + ddlTimeout);
        }
    }

    /** The cluster {@code name}, each statement waiting at most three minutes for every node (the server's default). */
    public static ClickHouseCluster named(String name) {
        return new ClickHouseCluster(name, Duration.ofSeconds(180));
    }

    /**
     * The JDBC connection properties (or URL parameters) that make the driver send the settings a cluster
     * migration needs with every query: {@code clickhouse_setting_distributed_ddl_output_mode=throw} and
     * {@code clickhouse_setting_distributed_ddl_task_timeout=<seconds>}.
     */
    public Map<String, String> connectionProperties() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put(SETTING_PREFIX + OUTPUT_MODE, "throw");
        properties.put(SETTING_PREFIX + TASK_TIMEOUT, String.valueOf(ddlTimeout.toSeconds()));
        return properties;
    }

    /** {@code ON CLUSTER <name>}, after the object a statement names. */
    String clause() {
        return " ON CLUSTER " + ClickHouseDialect.identifierRules().quote(Kind.SCHEMA, null, name);
    }

    /** {@code ON CLUSTER <name>} of {@code cluster}; nothing without one. */
    static String clause(ClickHouseCluster cluster) {
        return cluster == null ? "" : cluster.clause();
    }

    /**
     * The engine of one of the library's own tables (history, checkpoints): on a cluster, of the Replicated
     * family with the server's default path and replica name, so that every node reads the same rows.
     */
    static String libraryEngine(ClickHouseCluster cluster, String engine) {
        return cluster == null ? engine
                : ClickHouseDialect.replicated(engine, io.github.schemaevolution.api.model.ClickHouseOptions.Replication.SERVER_DEFAULTS);
    }

    /**
     * Refuses a session whose settings would let a statement end before every node ran it, or wait for
     * ever: an output mode other than {@code throw} (the server's default), or a timeout of 0 (do not wait)
     * or below (wait for ever). A server or profile may set either otherwise; the connection properties
     * set them for the session.
     *
     * @throws SchemaEvolutionException FEATURE_UNSUPPORTED saying which property to set
     */
    void requireSettings(Connection connection) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT toString(getSetting('" + OUTPUT_MODE
                + "')), toString(getSetting('" + TASK_TIMEOUT + "'))"); ResultSet row = select.executeQuery()) {
            row.next();
            String mode = row.getString(1);
            String timeout = row.getString(2);
            if (!"throw".equals(mode) || !positive(timeout)) {
                throw new SchemaEvolutionException(ErrorCode.FEATURE_UNSUPPORTED, null, null, "DDL on cluster " + name
                        + " needs " + OUTPUT_MODE + " = 'throw' and a finite " + TASK_TIMEOUT + ", so that a statement"
                        + " fails when a node has not run it in time instead of going on in the background; the session"
                        + " has " + OUTPUT_MODE + " = '" + mode + "' and " + TASK_TIMEOUT + " = " + timeout + ". Give the"
                        + " JDBC connection the properties " + connectionProperties() + " (ClickHouseCluster"
                        + ".connectionProperties()); nothing was changed", null);
            }
        }
    }

    private static boolean positive(String seconds) {
        try {
            return seconds != null && Double.parseDouble(seconds) > 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /**
     * The columns of {@code table} (of the connection's database) on every replica of the cluster, read in one
     * query through {@code clusterAllReplicas} and compared as data: each replica is named by its host name,
     * and a replica that differs from the first is a schema of the report.
     */
    public io.github.schemaevolution.api.chunk.SchemaReport replicaReport(DataSource dataSource, String table) {
        ClickHouseDialect.identifierRules().check(Kind.TABLE, null, table);
        io.github.schemaevolution.api.chunk.SchemaSameness sameness =
                new io.github.schemaevolution.api.chunk.SchemaSameness(table + " on the replicas of cluster " + name);
        try (Connection connection = dataSource.getConnection(); PreparedStatement select = connection.prepareStatement(
                replicaColumnsQuery())) {
            select.setString(1, table);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    sameness.add(rows.getString(1), rows.getString(2));
                }
            }
        } catch (SQLException e) {
            throw new SchemaEvolutionException(ErrorCode.DATABASE_ERROR, table, null, "cannot read the columns of the"
                    + " replicas of cluster " + name + ": " + e.getMessage(), e);
        }
        return sameness.report();
    }

    /**
     * One row per replica: its host name and the table's columns as a {@link
     * io.github.schemaevolution.api.chunk.SchemaSameness#signature signature}; the table name is parameter 1.
     */
    String replicaColumnsQuery() {
        return "SELECT host, arrayStringConcat(arrayMap(c -> concat(c.2, '\\t', c.3), arraySort(c -> c.1, groupArray((position,"
                + " name, type)))), '\\n') FROM (SELECT hostName() AS host, position, name, type FROM clusterAllReplicas("
                + ClickHouseSql.string(name)
                + ", system.columns) WHERE database = currentDatabase() AND table = ?) GROUP BY host ORDER BY host";
    }

    /**
     * The dialect for the database the data source's connections use: plain in a {@code Replicated}
     * database (it replicates its own DDL, and refuses {@code ON CLUSTER}), on this cluster otherwise.
     */
    public ClickHouseDialect dialectFor(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT engine FROM system.databases WHERE name = currentDatabase()");
             ResultSet row = select.executeQuery()) {
            return dialectFor(row.next() ? row.getString(1) : "");
        } catch (SQLException e) {
            throw new SchemaEvolutionException(ErrorCode.DATABASE_ERROR, "cannot read the engine of the current database"
                    + " for cluster " + name + ": " + e.getMessage(), e);
        }
    }

    /** The dialect for a database of engine {@code databaseEngine}; see {@link #dialectFor(DataSource)}. */
    public ClickHouseDialect dialectFor(String databaseEngine) {
        return "Replicated".equals(databaseEngine) ? new ClickHouseDialect() : ClickHouseDialect.onCluster(this);
    }
}
