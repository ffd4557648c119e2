package io.github.schemaevolution.api.model;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.internal.Texts;
import io.github.schemaevolution.spi.IdentifierRules;
import io.github.schemaevolution.spi.IdentifierRules.Kind;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Immutable description of a table: the columns users see, the spare columns its
 * {@link ReservePolicy} keeps hidden, and the layout options of each engine.
 *
 * <p>Built with {@link #builder(String)}; {@link Builder#build()} checks everything that does
 * not depend on an engine (names, duplicates, references of keys to columns, defaults against
 * types) and throws a {@link SchemaEvolutionException} naming the table, the column and the rule.
 * Engine rules (length limits, reserved words, unsupported types) are checked by the dialect
 * before it renders any SQL.
 */
public record Table(String schema, String name, List<Column> columns, String comment, ReservePolicy reserve,
                    ClickHouseOptions clickHouse, PostgresOptions postgres) {

    public Table {
        Texts.check(name, "table name", name, null);
        Texts.check(schema, "schema name", name, null);
        if (columns == null || columns.stream().anyMatch(Objects::isNull)) {
            throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, name, null, "a column is null", null);
        }
        columns = List.copyOf(columns);
        if (reserve == null || clickHouse == null || postgres == null) {
            throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, name, null,
                    "the reserve policy and the ClickHouse and PostgreSQL options are required"
                            + " (ReservePolicy.NONE, ClickHouseOptions.DEFAULT, PostgresOptions.NONE when none)", null);
        }
        comment = comment == null || comment.isEmpty() ? null : Texts.check(comment, "table comment", name, null);
        Validation.check(schema, name, columns, reserve, clickHouse, postgres);
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    public Builder toBuilder() {
        Builder builder = new Builder(name).schema(schema).comment(comment).reserve(reserve)
                .clickHouse(clickHouse).postgres(postgres);
        columns.forEach(builder::column);
        return builder;
    }

    /** The columns users see followed by the spares, in the order the table is created with. */
    public List<Column> physicalColumns() {
        List<Column> all = new ArrayList<>(columns);
        all.addAll(reserve.spareColumns());
        return List.copyOf(all);
    }

    public Optional<Column> column(String columnName) {
        return columns.stream().filter(c -> c.name().equals(columnName)).findFirst();
    }

    public Optional<String> commentOptional() {
        return Optional.ofNullable(comment);
    }

    public Optional<String> schemaOptional() {
        return Optional.ofNullable(schema);
    }

    /** {@code schema.name} or {@code name}, for messages and logs (not for SQL: dialects quote). */
    public String displayName() {
        return schema == null ? name : schema + "." + name;
    }

    /** Collects a table's parts; {@link #build()} validates them. */
    public static final class Builder {
        private final String name;
        private String schema;
        private String comment;
        private final List<Column> columns = new ArrayList<>();
        private ReservePolicy reserve = ReservePolicy.NONE;
        private ClickHouseOptions clickHouse = ClickHouseOptions.DEFAULT;
        private PostgresOptions postgres = PostgresOptions.NONE;

        private Builder(String name) {
            this.name = name;
        }

        /** PostgreSQL schema or ClickHouse database; {@code null} for the connection's default. */
        public Builder schema(String schema) {
            this.schema = schema;
            return this;
        }

        public Builder comment(String comment) {
            this.comment = comment;
            return this;
        }

        public Builder column(String columnName, ColumnType type) {
            return column(Column.of(columnName, type));
        }

        public Builder column(Column column) {
            if (column == null) {
                throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, name, null, "a column is null", null);
            }
            columns.add(column);
            return this;
        }

        public Builder reserve(ReservePolicy reserve) {
            this.reserve = reserve;
            return this;
        }

        public Builder clickHouse(ClickHouseOptions clickHouse) {
            this.clickHouse = clickHouse;
            return this;
        }

        public Builder postgres(PostgresOptions postgres) {
            this.postgres = postgres;
            return this;
        }

        public Table build() {
            return new Table(schema, name, columns, comment, reserve, clickHouse, postgres);
        }
    }

    /** The engine-neutral rules, in the order a reader would check them by hand. */
    private static final class Validation {
        private static final IdentifierRules RULES = IdentifierRules.NEUTRAL;

        static void check(String schema, String name, List<Column> columns, ReservePolicy reserve,
                          ClickHouseOptions clickHouse, PostgresOptions postgres) {
            RULES.check(Kind.TABLE, null, name);
            if (schema != null) {
                RULES.check(Kind.SCHEMA, name, schema);
            }
            if (columns.isEmpty()) {
                throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, name, null, "a table needs at least one column", null);
            }
            Map<String, String> seen = new HashMap<>();
            for (Column column : columns) {
                RULES.check(Kind.COLUMN, name, column.name());
                if (reserve.isSpareName(column.name())) {
                    throw new SchemaEvolutionException(ErrorCode.IDENTIFIER_RESERVED, name, column.name(),
                            "names starting with '" + reserve.prefix() + "' are reserved for spare columns", null);
                }
                unique(name, seen, column.name(), "column");
                DefaultCheck.check(name, column);
            }
            for (Column spare : reserve.spareColumns()) {
                RULES.check(Kind.COLUMN, name, spare.name());
                unique(name, seen, spare.name(), "spare column");
            }
            List<String> referenced = new ArrayList<>(clickHouse.referencedColumns());
            referenced.addAll(postgres.referencedColumns());
            for (String ref : referenced) {
                if (columns.stream().noneMatch(c -> c.name().equals(ref))) {
                    throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, name, ref,
                            "a key, engine option or index refers to a column the table does not have", null);
                }
            }
            Map<String, String> indexNames = new HashMap<>();
            for (ClickHouseOptions.SkippingIndex index : clickHouse.indexes()) {
                RULES.check(Kind.INDEX, name, index.name());
                unique(name, indexNames, index.name(), "index");
            }
        }

        private static void unique(String table, Map<String, String> seen, String candidate, String what) {
            String previous = seen.putIfAbsent(candidate.toLowerCase(Locale.ROOT), candidate);
            if (previous != null) {
                throw new SchemaEvolutionException(ErrorCode.IDENTIFIER_DUPLICATE, table, candidate,
                        what + " name clashes with '" + previous + "' (names are compared without regard to case)", null);
            }
        }
    }
}
