package io.github.schemaevolution.postgres;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.model.Column;
import io.github.schemaevolution.api.model.ColumnDefault;
import io.github.schemaevolution.api.model.ColumnType;
import io.github.schemaevolution.api.model.PostgresOptions;
import io.github.schemaevolution.api.model.ReservePolicy;
import io.github.schemaevolution.api.model.Table;
import io.github.schemaevolution.spi.CatalogSnapshot;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The rows {@link PostgresIntrospector} read of one table, read into the model on demand. What the
 * model cannot hold (a stored generated column, an expression partition key, a type this dialect
 * does not create) is an {@link ErrorCode#INTROSPECTION_FAILED} naming table and column, from the
 * view that needs it: {@link #physicalColumns()} reads columns only.
 */
final class PostgresCatalog implements CatalogSnapshot {
    /** What {@link io.github.schemaevolution.spi.Introspector#relations} calls each kind of relation. */
    static final String RELATION_KIND = "CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view'"
            + " WHEN 'r' THEN 'table' WHEN 'p' THEN 'partitioned table' WHEN 'f' THEN 'foreign table'"
            + " WHEN 'S' THEN 'sequence' WHEN 'i' THEN 'index' ELSE 'relation' END";

    private static final int TABLE = 0;
    private static final int COLUMN = 1;
    private static final int PRIMARY_KEY = 2;
    private static final int PARTITION_KEY = 3;
    private static final int CONSTRAINT = 4;
    private static final int INDEX = 5;
    private static final int MATERIALIZED_VIEW = 6;
    private static final int RELATION = 7;

    /** One catalog row as read: its kind, the name it is sorted by, and its values. */
    private record Row(int kind, String sortName, String a, String b, String c, String d, String e, String f) {
    }

    /** Reads the rows of the constraints, indexes and materialized views into a builder, when they are asked for. */
    @FunctionalInterface
    interface ProtectingRows {
        void read(Builder into) throws java.sql.SQLException;
    }

    private final PostgresDialect dialect;
    private final String schema;
    private final String table;
    private final String display;
    private final String sparePrefix;
    private final List<Row> rows;
    private final ProtectingRows protecting;
    private List<Row> protectingRows;

    private PostgresCatalog(PostgresDialect dialect, String schema, String table, String sparePrefix, List<Row> rows,
            ProtectingRows protecting) {
        this.dialect = dialect;
        this.schema = schema;
        this.table = table;
        this.display = schema == null ? table : schema + "." + table;
        this.sparePrefix = sparePrefix;
        this.rows = List.copyOf(rows);
        this.protecting = protecting;
    }

    static final class Builder {
        private final PostgresDialect dialect;
        private final String schema;
        private final String table;
        private final String sparePrefix;
        private final ProtectingRows protecting;
        private final List<Row> rows = new ArrayList<>();

        Builder(PostgresDialect dialect, String schema, String table, String sparePrefix, ProtectingRows protecting) {
            this.dialect = dialect;
            this.schema = schema;
            this.table = table;
            this.sparePrefix = sparePrefix;
            this.protecting = protecting;
        }

        void row(int kind, String sortName, String a, String b, String c, String d, String e, String f) {
            rows.add(new Row(kind, sortName, a, b, c, d, e, f));
        }

        PostgresCatalog build() {
            return new PostgresCatalog(dialect, schema, table, sparePrefix, rows, protecting);
        }
    }

    /** The rows of constraints, indexes and materialized views, read on the first call (on the connection of the snapshot). */
    private synchronized List<Row> protectingRows() {
        if (protectingRows == null) {
            Builder into = new Builder(dialect, schema, table, sparePrefix, protecting);
            try {
                protecting.read(into);
            } catch (java.sql.SQLException e) {
                throw new SchemaEvolutionException(ErrorCode.DATABASE_ERROR, display, null, "cannot read the constraints,"
                        + " indexes and materialized views of the table: " + e.getMessage(), e);
            }
            protectingRows = List.copyOf(into.rows);
        }
        return protectingRows;
    }

    private boolean exists() {
        return rows.stream().anyMatch(row -> row.kind() == TABLE);
    }

    private List<Row> rows(int kind) {
        return rows.stream().filter(row -> row.kind() == kind).toList();
    }

    @Override
    public Optional<Table> table() {
        Optional<Row> found = rows.stream().filter(row -> row.kind() == TABLE).findFirst();
        if (found.isEmpty()) {
            return Optional.empty();
        }
        try {
            Table.Builder builder = Table.builder(table).schema(schema).comment(found.get().a());
            ReservePolicy prefix = ReservePolicy.builder().prefix(sparePrefix).build();
            Map<ColumnType, Integer> spares = new LinkedHashMap<>();
            for (Column column : columns()) {
                if (prefix.isSpareName(column.name())) {
                    spares.merge(column.type().withoutNullable(), 1, Integer::sum);
                } else {
                    builder.column(column);
                }
            }
            ReservePolicy.Builder reserve = ReservePolicy.builder().prefix(sparePrefix);
            spares.forEach(reserve::spares);
            builder.reserve(reserve.build()).postgres(options());
            return Optional.of(dialect.canonical(builder.build()));
        } catch (SchemaEvolutionException e) {
            if (e.code() == ErrorCode.INTROSPECTION_FAILED) {
                throw e;
            }
            throw new SchemaEvolutionException(ErrorCode.INTROSPECTION_FAILED, display, e.column().orElse(null),
                    "the live table does not fit the model: " + e.getMessage(), e);
        }
    }

    /** Every physical column in catalog order, spares included, with canonical types; no defaults, no comments. */
    @Override
    public List<Column> physicalColumns() {
        return columns().stream().map(column -> Column.of(column.name(), column.type())).toList();
    }

    @Override
    public Map<String, String> protectedColumns() {
        Map<String, String> reasons = new LinkedHashMap<>();
        if (!exists()) {
            return reasons;
        }
        PostgresOptions options = options();
        options.primaryKey().forEach(c -> reasons.putIfAbsent(c, "it is part of the primary key"));
        options.partitioningOptional().ifPresent(p -> p.columns().forEach(c -> reasons.putIfAbsent(c, "it is in the partition key")));
        for (Row row : protectingRows()) {
            String what = switch (row.kind()) {
                case CONSTRAINT -> "the constraint " + row.sortName() + " uses it";
                case INDEX -> "the index " + row.sortName() + " reads it";
                case MATERIALIZED_VIEW -> "the materialized view " + row.sortName() + " reads it";
                default -> throw new IllegalStateException("not a protecting row: " + row.kind());
            };
            reasons.putIfAbsent(row.a(), what);
        }
        return reasons;
    }

    @Override
    public Map<String, String> relations() {
        Map<String, String> found = new LinkedHashMap<>();
        rows(RELATION).forEach(row -> found.put(row.a(), row.b()));
        return found;
    }

    private List<Column> columns() {
        List<Column> columns = new ArrayList<>();
        for (Row row : rows(COLUMN)) {
            String name = row.a();
            String generated = row.f();
            boolean virtual = "v".equals(generated);
            if (generated != null && !generated.isEmpty() && !virtual) {
                throw new SchemaEvolutionException(ErrorCode.INTROSPECTION_FAILED, display, name,
                        "stored generated columns have no model counterpart (virtual ones are ALIAS columns)", null);
            }
            ColumnType type = columnType(row.b(), name);
            if (!Boolean.parseBoolean(row.c())) {
                type = type.orNullable();
            }
            String defaultExpression = row.d();
            ColumnDefault defaultValue = defaultExpression == null ? null : virtual
                    ? ColumnDefault.expression(defaultExpression).alias() : PostgresSql.parseDefault(defaultExpression);
            if (defaultValue != null && !virtual && !defaultValue.fits(type)) {
                // a constant the engine took for a type the model would not give it: the expression it was
                defaultValue = ColumnDefault.expression(defaultExpression);
            }
            String comment = row.e();
            columns.add(new Column(name, type, defaultValue, ReservePolicy.SPARE_COMMENT.equals(comment) ? null : comment));
        }
        return columns;
    }

    private ColumnType columnType(String engineType, String column) {
        try {
            return dialect.modelType(engineType);
        } catch (SchemaEvolutionException e) {
            throw new SchemaEvolutionException(ErrorCode.INTROSPECTION_FAILED, display, column, e.getMessage(), e);
        }
    }

    private PostgresOptions options() {
        List<String> primaryKey = rows(PRIMARY_KEY).stream().map(Row::a).toList();
        PostgresOptions.Strategy strategy = null;
        List<String> partitionColumns = new ArrayList<>();
        for (Row row : rows(PARTITION_KEY)) {
            if (row.a() == null) {
                throw new SchemaEvolutionException(ErrorCode.INTROSPECTION_FAILED, display, null,
                        "partition key '" + row.c() + "' is an expression; the model partitions by columns", null);
            }
            strategy = strategy(row.b());
            partitionColumns.add(row.a());
        }
        PostgresOptions.Partitioning partitioning = strategy == null ? null
                : new PostgresOptions.Partitioning(strategy, partitionColumns);
        return new PostgresOptions(primaryKey, partitioning);
    }

    private static PostgresOptions.Strategy strategy(String code) {
        return switch (code) {
            case "r" -> PostgresOptions.Strategy.RANGE;
            case "l" -> PostgresOptions.Strategy.LIST;
            case "h" -> PostgresOptions.Strategy.HASH;
            default -> throw new IllegalStateException("unknown partition strategy " + code);
        };
    }
}
