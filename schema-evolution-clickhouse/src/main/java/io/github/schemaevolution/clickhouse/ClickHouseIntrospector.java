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
import io.github.schemaevolution.spi.Introspector;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a table back from {@code system.tables}, {@code system.columns} and
 * {@code system.data_skipping_indices}. Keys come back as ClickHouse prints them (a comma-separated
 * list of plain column names for the tables this library creates); an expression it cannot map to
 * the model is an {@link ErrorCode#INTROSPECTION_FAILED} naming the table and the expression.
 */
final class ClickHouseIntrospector implements Introspector {
    private static final Pattern IDENT = Pattern.compile("`?([A-Za-z_][A-Za-z0-9_]*)`?");
    private static final Pattern FUNCTION_OF_COLUMN = Pattern.compile("([A-Za-z][A-Za-z0-9_]*)\\(`?([A-Za-z_][A-Za-z0-9_]*)`?\\)");
    private static final Pattern ENGINE_ARGS = Pattern.compile("^[A-Za-z]+(?:\\(([^)]*)\\))?");
    private static final Pattern SETTINGS = Pattern.compile("\\bSETTINGS (.*)$");
    private static final Pattern NOW = Pattern.compile("now(64)?\\(\\d*\\)");
    private static final Pattern NUMBER = Pattern.compile("-?[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?");

    /** The schema parameter, or the connection's current database when it is NULL: one round trip fewer. */
    private static final String DATABASE = "coalesce(?, currentDatabase())";

    private final ClickHouseDialect dialect;

    ClickHouseIntrospector(ClickHouseDialect dialect) {
        this.dialect = dialect;
    }

    @Override
    public Optional<Table> read(Connection connection, String schema, String table, String sparePrefix) throws SQLException {
        try (PreparedStatement tables = connection.prepareStatement(
                "SELECT engine, engine_full, sorting_key, primary_key, partition_key, comment, database"
                        + " FROM system.tables WHERE database = " + DATABASE + " AND name = ?")) {
            tables.setString(1, schema);
            tables.setString(2, table);
            try (ResultSet row = tables.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                String database = row.getString("database");
                String display = database + "." + table;
                ClickHouseOptions options = options(connection, database, table, display, row.getString("engine"),
                        row.getString("engine_full"), row.getString("sorting_key"), row.getString("primary_key"),
                        row.getString("partition_key"));
                Table.Builder builder = Table.builder(table).schema(schema).comment(row.getString("comment"))
                        .clickHouse(options);
                ReservePolicy.Builder reserve = ReservePolicy.builder().prefix(sparePrefix);
                Map<ColumnType, Integer> spares = new LinkedHashMap<>();
                for (Column column : columns(connection, database, table)) {
                    if (column.name().startsWith(sparePrefix)) {
                        spares.merge(column.type().withoutNullable(), 1, Integer::sum);
                    } else {
                        builder.column(column);
                    }
                }
                spares.forEach(reserve::spares);
                return Optional.of(dialect.canonical(builder.reserve(reserve.build()).build()));
            }
        }
    }

    @Override
    public List<Column> physicalColumns(Connection connection, String schema, String table) throws SQLException {
        List<Column> columns = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT name, type FROM system.columns WHERE database = " + DATABASE + " AND table = ? ORDER BY position")) {
            statement.setString(1, schema);
            statement.setString(2, table);
            try (ResultSet row = statement.executeQuery()) {
                while (row.next()) {
                    columns.add(Column.of(row.getString(1), dialect.modelType(row.getString(2))));
                }
            }
        }
        return columns;
    }

    /** Key, version, sign and index columns of the table, and the columns its materialized views read. */
    @Override
    public Map<String, String> protectedColumns(Connection connection, String schema, String table) throws SQLException {
        Map<String, String> reasons = new LinkedHashMap<>();
        Optional<Table> live = read(connection, schema, table, ReservePolicy.DEFAULT_PREFIX);
        if (live.isEmpty()) {
            return reasons;
        }
        ClickHouseOptions options = live.get().clickHouse();
        options.orderBy().forEach(c -> reasons.putIfAbsent(c, "it is part of the sorting key (ORDER BY)"));
        options.primaryKey().forEach(c -> reasons.putIfAbsent(c, "it is part of the primary key"));
        options.partitionKey().ifPresent(k -> reasons.putIfAbsent(k.column(), "it is the partition key"));
        options.engine().columns().forEach(c -> reasons.putIfAbsent(c, "the table engine names it"));
        options.indexes().forEach(i -> reasons.putIfAbsent(i.column(), "the data-skipping index " + i.name() + " reads it"));
        // a materialized view reading this table: its SELECT names the table; the columns it names are read
        try (PreparedStatement statement = connection.prepareStatement("SELECT name, as_select FROM system.tables"
                + " WHERE engine = 'MaterializedView' AND position(as_select, ?) > 0")) {
            statement.setString(1, table);
            try (ResultSet row = statement.executeQuery()) {
                while (row.next()) {
                    String query = row.getString(2);
                    if (!word(table).matcher(query).find()) {
                        continue;
                    }
                    for (Column column : live.get().physicalColumns()) {
                        if (word(column.name()).matcher(query).find()) {
                            reasons.putIfAbsent(column.name(), "the materialized view " + row.getString(1) + " reads it");
                        }
                    }
                }
            }
        }
        return reasons;
    }

    private static Pattern word(String name) {
        return Pattern.compile("(?<![A-Za-z0-9_])" + Pattern.quote(name) + "(?![A-Za-z0-9_])");
    }

    private List<Column> columns(Connection connection, String database, String table) throws SQLException {
        List<Column> columns = new ArrayList<>();
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT name, type, default_kind, default_expression, comment FROM system.columns"
                        + " WHERE database = ? AND table = ? ORDER BY position")) {
            statement.setString(1, database);
            statement.setString(2, table);
            try (ResultSet row = statement.executeQuery()) {
                while (row.next()) {
                    ColumnType type = dialect.modelType(row.getString("type"));
                    String comment = row.getString("comment");
                    ColumnDefault defaultValue = defaultValue(row.getString("default_kind"), row.getString("default_expression"),
                            type);
                    String name = row.getString("name");
                    columns.add(new Column(name, type, defaultValue,
                            ReservePolicy.SPARE_COMMENT.equals(comment) ? null : comment));
                }
            }
        }
        return columns;
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

    private ClickHouseOptions options(Connection connection, String database, String table, String display,
                                      String engineName, String engineFull, String sortingKey, String primaryKey,
                                      String partitionKey) throws SQLException {
        ClickHouseOptions.Builder options = ClickHouseOptions.builder()
                .engine(engine(display, engineName, engineFull));
        List<String> orderBy = columnList(display, sortingKey);
        List<String> primary = columnList(display, primaryKey);
        options.orderBy(orderBy.toArray(String[]::new));
        if (!primary.equals(orderBy)) {
            options.primaryKey(primary.toArray(String[]::new));
        }
        if (partitionKey != null && !partitionKey.isEmpty()) {
            options.partitionBy(partitionKey(display, partitionKey));
        }
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT name, expr, type_full, granularity FROM system.data_skipping_indices"
                        + " WHERE database = ? AND table = ? ORDER BY name")) {
            statement.setString(1, database);
            statement.setString(2, table);
            try (ResultSet row = statement.executeQuery()) {
                while (row.next()) {
                    Matcher column = IDENT.matcher(row.getString("expr"));
                    if (!column.matches()) {
                        throw unmappable(display, "index expression", row.getString("expr"));
                    }
                    options.index(row.getString("name"), column.group(1), row.getString("type_full"), row.getInt("granularity"));
                }
            }
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

    private static ClickHouseOptions.Engine engine(String display, String engineName, String engineFull) {
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

    @Override
    public boolean schemaExists(Connection connection, String schema) throws SQLException {
        if (schema == null) {
            return true;
        }
        try (PreparedStatement select = connection.prepareStatement("SELECT 1 FROM system.databases WHERE name = ?")) {
            select.setString(1, schema);
            try (ResultSet row = select.executeQuery()) {
                return row.next();
            }
        }
    }

    @Override
    public Map<String, String> relations(Connection connection, String schema, java.util.Collection<String> names)
            throws SQLException {
        Map<String, String> found = new java.util.HashMap<>();
        if (names.isEmpty()) {
            return found;
        }
        try (PreparedStatement select = connection.prepareStatement("SELECT name, if(engine = 'View', 'view',"
                + " if(engine = 'MaterializedView', 'materialized view', concat('table (', engine, ')')))"
                + " FROM system.tables WHERE database = " + DATABASE + " AND has(splitByChar(',', ?), name)")) {
            select.setString(1, schema);
            // names are checked identifiers: no comma in any of them
            select.setString(2, String.join(",", names));
            try (ResultSet row = select.executeQuery()) {
                while (row.next()) {
                    found.put(row.getString(1), row.getString(2));
                }
            }
        }
        return found;
    }
}
