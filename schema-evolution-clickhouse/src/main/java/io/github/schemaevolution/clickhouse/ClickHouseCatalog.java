package io.github.schemaevolution.clickhouse;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.model.ClickHouseOptions;
import io.github.schemaevolution.api.model.ClickHouseOptions.PartitionKey;
import io.github.schemaevolution.api.model.Column;
import io.github.schemaevolution.api.model.ColumnDefault;
import io.github.schemaevolution.api.model.ColumnType;
import io.github.schemaevolution.api.model.ReservePolicy;
import io.github.schemaevolution.api.model.Table;
import io.github.schemaevolution.spi.CatalogSnapshot;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The rows {@link ClickHouseIntrospector} read of one table from {@code system.tables},
 * {@code system.columns} and {@code system.data_skipping_indices}, read into the model on demand.
 * Keys come back as ClickHouse prints them (a comma-separated list of plain column names for the
 * tables this library creates); an expression it cannot map to the model is an
 * {@link ErrorCode#INTROSPECTION_FAILED} naming the table and the expression, from the view that
 * needs it: {@link #physicalColumns()} reads columns only.
 */
final class ClickHouseCatalog implements CatalogSnapshot {
    static final int TABLE = 0;
    static final int COLUMN = 1;
    static final int INDEX = 2;
    static final int MATERIALIZED_VIEW = 3;
    static final int RELATION = 4;

    private static final Pattern IDENT = Pattern.compile("`?([A-Za-z_][A-Za-z0-9_]*)`?");
    private static final Pattern FUNCTION_OF_COLUMN = Pattern.compile("([A-Za-z][A-Za-z0-9_]*)\\(`?([A-Za-z_][A-Za-z0-9_]*)`?\\)");
    private static final String REPLICATED = "Replicated";
    /** {@code ('path', 'replica'[, own arguments...)}: the first two arguments of a Replicated engine, when given. */
    private static final Pattern REPLICATION_ARGS = Pattern.compile("^\\(\\s*'([^']*)'\\s*,\\s*'([^']*)'\\s*(?:,\\s*(.*))?");
    private static final Pattern ENGINE_ARGS = Pattern.compile("^[A-Za-z]+(?:\\(([^)]*)\\))?");
    private static final Pattern SETTINGS = Pattern.compile("\\bSETTINGS (.*)$");
    private static final Pattern NOW = Pattern.compile("now(64)?\\(\\d*\\)");
    private static final Pattern NUMBER = Pattern.compile("-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?");

    /** One row as read: its kind, the name it is sorted by, and its values (for a table: engine, engine_full, sorting_key, primary_key, partition_key, comment, database). */
    record Row(int kind, String sortName, String a, String b, String c, String d, String e, String f, String g) {
    }

    /** Reads the rows of the materialized views that may read the table, when they are asked for. */
    @FunctionalInterface
    interface MaterializedViews {
        List<Row> read() throws java.sql.SQLException;
    }

    private final ClickHouseDialect dialect;
    private final String schema;
    private final String table;
    private final String sparePrefix;
    private final List<Row> rows;
    private final MaterializedViews materializedViews;
    private List<Row> viewRows;

    ClickHouseCatalog(ClickHouseDialect dialect, String schema, String table, String sparePrefix, List<Row> rows,
            MaterializedViews materializedViews) {
        this.dialect = dialect;
        this.schema = schema;
        this.table = table;
        this.sparePrefix = sparePrefix;
        this.rows = List.copyOf(rows);
        this.materializedViews = materializedViews;
    }

    /** The materialized views' rows, read on the first call (on the connection of the snapshot). */
    private synchronized List<Row> viewRows() {
        if (viewRows == null) {
            try {
                viewRows = List.copyOf(materializedViews.read());
            } catch (java.sql.SQLException e) {
                throw new SchemaEvolutionException(ErrorCode.DATABASE_ERROR, table, null, "cannot read the materialized"
                        + " views that may read the table: " + e.getMessage(), e);
            }
        }
        return viewRows;
    }

    private Optional<Row> tableRow() {
        return rows.stream().filter(row -> row.kind() == TABLE).findFirst();
    }

    private List<Row> rows(int kind) {
        return rows.stream().filter(row -> row.kind() == kind).toList();
    }

    @Override
    public Optional<Table> table() {
        Optional<Row> found = tableRow();
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Row row = found.get();
        Table.Builder builder = Table.builder(table).schema(schema).comment(row.f()).clickHouse(options(row));
        ReservePolicy.Builder reserve = ReservePolicy.builder().prefix(sparePrefix);
        Map<ColumnType, Integer> spares = new LinkedHashMap<>();
        for (Column column : columns()) {
            if (column.name().startsWith(sparePrefix)) {
                spares.merge(column.type().withoutNullable(), 1, Integer::sum);
            } else {
                builder.column(column);
            }
        }
        spares.forEach(reserve::spares);
        return Optional.of(dialect.canonical(builder.reserve(reserve.build()).build()));
    }

    @Override
    public List<Column> physicalColumns() {
        return rows(COLUMN).stream().map(row -> Column.of(row.a(), dialect.modelType(row.b()))).toList();
    }

    /** Key, version, sign and index columns of the table, and the columns its materialized views read. */
    @Override
    public Map<String, String> protectedColumns() {
        Map<String, String> reasons = new LinkedHashMap<>();
        Optional<Row> found = tableRow();
        if (found.isEmpty()) {
            return reasons;
        }
        ClickHouseOptions options = options(found.get());
        options.orderBy().forEach(c -> reasons.putIfAbsent(c, "it is part of the sorting key (ORDER BY)"));
        options.primaryKey().forEach(c -> reasons.putIfAbsent(c, "it is part of the primary key"));
        options.partitionKey().ifPresent(k -> reasons.putIfAbsent(k.column(), "it is the partition key"));
        options.engine().columns().forEach(c -> reasons.putIfAbsent(c, "the table engine names it"));
        options.indexes().forEach(i -> reasons.putIfAbsent(i.column(), "the data-skipping index " + i.name() + " reads it"));
        // a materialized view reading this table: its SELECT names the table; the columns it names are read
        for (Row view : viewRows()) {
            String query = view.b();
            if (!word(table).matcher(query).find()) {
                continue;
            }
            for (Row column : rows(COLUMN)) {
                if (word(column.a()).matcher(query).find()) {
                    reasons.putIfAbsent(column.a(), "the materialized view " + view.a() + " reads it");
                }
            }
        }
        return reasons;
    }

    @Override
    public Map<String, String> relations() {
        Map<String, String> found = new LinkedHashMap<>();
        rows(RELATION).forEach(row -> found.put(row.a(), row.b()));
        return found;
    }

    private static Pattern word(String name) {
        return Pattern.compile("(?<![A-Za-z0-9_])" + Pattern.quote(name) + "(?![A-Za-z0-9_])");
    }

    private List<Column> columns() {
        List<Column> columns = new ArrayList<>();
        for (Row row : rows(COLUMN)) {
            ColumnType type = dialect.modelType(row.b());
            String comment = row.e();
            columns.add(new Column(row.a(), type, defaultValue(row.c(), row.d(), type),
                    ReservePolicy.SPARE_COMMENT.equals(comment) ? null : comment));
        }
        return columns;
    }

    private ClickHouseOptions options(Row row) {
        String display = row.g() + "." + table;
        String engineFull = row.b();
        ClickHouseOptions.Builder options = ClickHouseOptions.builder().engine(engine(display, row.a(), engineFull))
                .replicated(replication(row.a(), engineFull));
        List<String> orderBy = columnList(display, row.c());
        List<String> primary = columnList(display, row.d());
        options.orderBy(orderBy.toArray(String[]::new));
        if (!primary.equals(orderBy)) {
            options.primaryKey(primary.toArray(String[]::new));
        }
        String partitionKey = row.e();
        if (partitionKey != null && !partitionKey.isEmpty()) {
            options.partitionBy(partitionKey(display, partitionKey));
        }
        for (Row index : rows(INDEX)) {
            Matcher column = IDENT.matcher(index.b());
            if (!column.matches()) {
                throw unmappable(display, "index expression", index.b());
            }
            options.index(index.a(), column.group(1), index.c(), Integer.parseInt(index.d()));
        }
        Matcher settings = SETTINGS.matcher(engineFull);
        if (settings.find()) {
            for (String setting : settings.group(1).split(",\\s*")) {
                String[] pair = setting.split("\\s*=\\s*", 2);
                options.setting(pair[0].trim(), pair[1].trim().replaceAll("^'|'$", ""));
            }
        }
        return options.build();
    }

    private static ColumnDefault defaultValue(String kind, String expression, ColumnType type) {
        if (kind == null || kind.isEmpty()) {
            return null;
        }
        ColumnDefault.Value value;
        if (NOW.matcher(expression).matches()) {
            value = new ColumnDefault.Now();
        } else if (NUMBER.matcher(expression).matches() || expression.equals("true") || expression.equals("false")) {
            value = new ColumnDefault.Literal(expression);
        } else if (expression.length() >= 2 && expression.startsWith("'") && expression.endsWith("'")) {
            value = new ColumnDefault.Literal(unquote(expression));
        } else {
            value = new ColumnDefault.Expression(expression);
        }
        if ("ALIAS".equals(kind)) {
            return new ColumnDefault(ColumnDefault.Kind.ALIAS, new ColumnDefault.Expression(expression));
        }
        ColumnDefault found = new ColumnDefault("MATERIALIZED".equals(kind) ? ColumnDefault.Kind.MATERIALIZED
                : ColumnDefault.Kind.DEFAULT, value);
        // a constant the engine took for a type the model would not give it (an expression such as 42 on
        // a Decimal(76, 76)) is read back as the expression it was
        return found.fits(type) ? found : new ColumnDefault(found.kind(), new ColumnDefault.Expression(expression));
    }

    private static String unquote(String literal) {
        StringBuilder text = new StringBuilder();
        for (int i = 1; i < literal.length() - 1; i++) {
            char c = literal.charAt(i);
            if (c == '\\' && i + 1 < literal.length() - 1) {
                char next = literal.charAt(++i);
                text.append(switch (next) {
                    case 'n' -> '\n';
                    case 'r' -> '\r';
                    case 't' -> '\t';
                    case '0' -> '\0';
                    default -> next;
                });
            } else {
                text.append(c);
            }
        }
        return text.toString();
    }

    /** The replication of an engine of the Replicated family, read from its first arguments; {@code null} for any other. */
    static ClickHouseOptions.Replication replication(String engineName, String engineFull) {
        if (!engineName.startsWith(REPLICATED)) {
            return null;
        }
        Matcher paths = REPLICATION_ARGS.matcher(engineFull.substring(engineName.length()));
        return paths.find() ? new ClickHouseOptions.Replication(paths.group(1), paths.group(2))
                : ClickHouseOptions.Replication.SERVER_DEFAULTS;
    }

    static ClickHouseOptions.Engine engine(String display, String engineName, String engineFull) {
        if (engineName.startsWith(REPLICATED)) {
            // the engine's own arguments follow the path and the replica name, when those are given
            String rest = engineFull.substring(engineName.length());
            Matcher paths = REPLICATION_ARGS.matcher(rest);
            String own = paths.find() ? (paths.group(3) == null ? "" : "(" + paths.group(3)) : rest;
            String name = engineName.substring(REPLICATED.length());
            return engine(display, name, name + (own.startsWith("(") ? own : ""));
        }
        Matcher args = ENGINE_ARGS.matcher(engineFull);
        String arguments = args.find() && args.group(1) != null ? args.group(1).trim() : "";
        // SummingMergeTree((a, b)) lists its columns as a tuple: the parentheses carry no meaning here
        List<String> columns = arguments.isEmpty() ? List.of()
                : Arrays.stream(arguments.replaceAll("[()`]", "").split(",\\s*")).toList();
        return switch (engineName) {
            case "MergeTree" -> new ClickHouseOptions.MergeTree();
            case "ReplacingMergeTree" -> new ClickHouseOptions.ReplacingMergeTree(columns.isEmpty() ? null : columns.get(0));
            case "CollapsingMergeTree" -> new ClickHouseOptions.CollapsingMergeTree(columns.get(0));
            case "SummingMergeTree" -> new ClickHouseOptions.SummingMergeTree(columns);
            default -> throw unmappable(display, "engine", engineName);
        };
    }

    private static List<String> columnList(String display, String keys) {
        if (keys == null || keys.isBlank()) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        for (String key : keys.split(",\\s*")) {
            Matcher ident = IDENT.matcher(key.trim());
            if (!ident.matches()) {
                throw unmappable(display, "key expression", key);
            }
            names.add(ident.group(1));
        }
        return names;
    }

    private static PartitionKey partitionKey(String display, String expression) {
        Matcher function = FUNCTION_OF_COLUMN.matcher(expression);
        if (function.matches()) {
            return PartitionKey.of(function.group(1), function.group(2));
        }
        Matcher ident = IDENT.matcher(expression);
        if (ident.matches()) {
            return PartitionKey.column(ident.group(1));
        }
        throw unmappable(display, "partition key", expression);
    }

    private static SchemaEvolutionException unmappable(String table, String what, String text) {
        return new SchemaEvolutionException(ErrorCode.INTROSPECTION_FAILED, table, null,
                what + " '" + text + "' cannot be expressed in the model", null);
    }

}
