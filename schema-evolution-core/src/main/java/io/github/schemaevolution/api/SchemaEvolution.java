package io.github.schemaevolution.api;

import io.github.schemaevolution.api.model.Table;
import io.github.schemaevolution.spi.Capability;
import io.github.schemaevolution.spi.Dialect;
import io.github.schemaevolution.spi.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Entry point: a dialect bound to a {@link DataSource}. Every method that changes the database
 * first validates and renders everything it will run, so that a refusal leaves the database
 * untouched; on engines with transactional DDL the statements of one call also commit or roll
 * back together.
 *
 * <p>Thread-safe: it holds no connection, only the data source.
 */
public final class SchemaEvolution {
    private static final Logger LOG = LoggerFactory.getLogger(SchemaEvolution.class);

    private final DataSource dataSource;
    private final Dialect dialect;

    private SchemaEvolution(DataSource dataSource, Dialect dialect) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.dialect = Objects.requireNonNull(dialect, "dialect");
    }

    /** Binds the dialect that serves the data source's JDBC URL. */
    public static SchemaEvolution connect(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            return new SchemaEvolution(dataSource, Dialects.forJdbcUrl(connection.getMetaData().getURL()));
        } catch (SQLException e) {
            throw databaseError("cannot open a connection to detect the dialect", e);
        }
    }

    public static SchemaEvolution connect(DataSource dataSource, Dialect dialect) {
        return new SchemaEvolution(dataSource, dialect);
    }

    public Dialect dialect() {
        return dialect;
    }

    /** The statements {@link #createTable(Table)} would run; touches nothing. */
    public List<Statement> planCreateTable(Table table) {
        return dialect.createTable(table);
    }

    /**
     * Creates the table with its spare columns.
     *
     * @throws SchemaEvolutionException TABLE_EXISTS when it exists, or the dialect's refusal
     */
    public void createTable(Table table) {
        List<Statement> statements = planCreateTable(table);
        if (exists(table.schema(), table.name())) {
            throw new SchemaEvolutionException(ErrorCode.TABLE_EXISTS, table.displayName(), null,
                    "already exists on " + dialect.name(), null);
        }
        long start = System.nanoTime();
        execute(statements);
        LOG.info("created {} on {} with {} columns and {} spares in {} ms", table.displayName(), dialect.name(),
                table.columns().size(), table.reserve().totalSpares(), (System.nanoTime() - start) / 1_000_000);
    }

    /** Drops the table if it exists. */
    public void dropTable(String schema, String table) {
        execute(List.of(dialect.dropTable(schema, table)));
    }

    /** Reads the live table back into the model (canonical form of the dialect). */
    public Optional<Table> readTable(String schema, String table, String sparePrefix) {
        try (Connection connection = dataSource.getConnection()) {
            return dialect.introspector().read(connection, schema, table, sparePrefix);
        } catch (SQLException e) {
            throw databaseError("cannot read table " + table, e);
        }
    }

    public boolean exists(String schema, String table) {
        return readTable(schema, table, io.github.schemaevolution.api.model.ReservePolicy.DEFAULT_PREFIX).isPresent();
    }

    /** Runs statements in order; in one transaction where the engine has transactional DDL. */
    public void execute(List<Statement> statements) {
        boolean transactional = dialect.has(Capability.TRANSACTIONAL_DDL);
        try (Connection connection = dataSource.getConnection()) {
            boolean autoCommit = connection.getAutoCommit();
            if (transactional) {
                connection.setAutoCommit(false);
            }
            try (java.sql.Statement jdbc = connection.createStatement()) {
                for (Statement statement : statements) {
                    LOG.debug("{}: {}", dialect.name(), statement.sql());
                    jdbc.execute(statement.sql());
                }
                if (transactional) {
                    connection.commit();
                }
            } catch (SQLException | RuntimeException e) {
                if (transactional) {
                    connection.rollback();
                }
                throw e;
            } finally {
                if (transactional) {
                    connection.setAutoCommit(autoCommit);
                }
            }
        } catch (SQLException e) {
            throw databaseError("statement failed on " + dialect.name(), e);
        }
    }

    private static SchemaEvolutionException databaseError(String what, SQLException e) {
        return new SchemaEvolutionException(ErrorCode.DATABASE_ERROR,
                what + ": " + e.getMessage() + " (SQL state " + e.getSQLState() + ")", e);
    }
}
