package io.github.schemaevolution.jooq;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.evolution.MappedColumn;
import io.github.schemaevolution.api.evolution.SchemaVersion;
import io.github.schemaevolution.api.evolution.ViewNaming;
import io.github.schemaevolution.api.evolution.WriterMapping;
import io.github.schemaevolution.api.model.ColumnType;
import io.github.schemaevolution.spi.Dialect;
import io.github.schemaevolution.spi.IdentifierRules.Kind;
import org.jooq.DSLContext;
import org.jooq.DataType;
import org.jooq.Field;
import org.jooq.InsertValuesStepN;
import org.jooq.Name;
import org.jooq.Record;
import org.jooq.SQLDialect;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

import javax.sql.DataSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Typed jOOQ handles for one version of a table. Readers select from {@link #view()} (the version's
 * view) with {@link #field(String, Class)}, the version's logical columns typed by their
 * {@link ColumnType}:
 * <pre>{@code
 * VersionTable v = VersionTable.of(evolution, null, "fastpath", 3);
 * Field<String> country = v.field("country", String.class);
 * v.dsl(dataSource).select(country).from(v.view()).where(country.eq("IT")).fetch();
 * }</pre>
 * Writers insert into the base table over the version's physical columns ({@link #insert(DSLContext)},
 * the columns of {@link SchemaVersion#writer()}), so a writer pinned to the version keeps working
 * while the table moves on. Every name goes through the dialect's identifier rules before jOOQ quotes it.
 *
 * <p>jOOQ's open-source edition has no ClickHouse dialect: on ClickHouse the handles use
 * {@link SQLDialect#DEFAULT}, whose quoted identifiers, bind values, {@code WHERE}, {@code ORDER BY},
 * {@code LIMIT}/{@code OFFSET}, aggregates and multi-row {@code INSERT ... VALUES} ClickHouse accepts
 * (checked by this module's tests); vendor functions go through {@link DSL#field(String, Class, Object...)}.
 * PostgreSQL uses {@link SQLDialect#POSTGRES}.
 */
public final class VersionTable {
    private final SchemaVersion version;
    private final Dialect dialect;
    private final Table<Record> view;
    private final Table<Record> base;
    private final Map<String, Field<?>> fields = new LinkedHashMap<>();

    private VersionTable(SchemaVersion version, Dialect dialect, String viewName) {
        this.version = version;
        this.dialect = dialect;
        this.view = DSL.table(name(version.schema(), viewName, Kind.VIEW));
        this.base = DSL.table(name(version.schema(), version.table(), Kind.TABLE));
        for (MappedColumn column : version.columns()) {
            dialect.identifiers().check(Kind.COLUMN, version.table(), column.name());
            fields.put(column.name(), DSL.field(DSL.name(column.name()), dataType(column.type())));
        }
    }

    /** The handles of {@code version}, whose view is named by {@code naming}, for {@code dialect}. */
    public static VersionTable of(SchemaVersion version, ViewNaming naming, Dialect dialect) {
        return new VersionTable(version, dialect, naming.viewName(version.table(), version.version()));
    }

    /**
     * The handles of version {@code number} of a registered table, with the views as {@code evolution}
     * names them.
     *
     * @throws SchemaEvolutionException NOT_REGISTERED, or CHANGE_FORBIDDEN for a version not recorded or retired
     */
    public static VersionTable of(SchemaEvolution evolution, String schema, String table, int number) {
        SchemaVersion version = evolution.history(schema, table).stream()
                .filter(entry -> entry.version() == number).map(entry -> entry.state()).reduce((a, b) -> b)
                .orElseThrow(() -> new SchemaEvolutionException(ErrorCode.CHANGE_FORBIDDEN, table, null,
                        "has no version " + number, null));
        return of(version, evolution.settings().views(), evolution.dialect());
    }

    /** The handles of the table's current version. */
    public static VersionTable current(SchemaEvolution evolution, String schema, String table) {
        SchemaVersion version = evolution.currentVersion(schema, table).orElseThrow(() -> new SchemaEvolutionException(
                ErrorCode.NOT_REGISTERED, table, null, "has no schema history", null));
        return of(version, evolution.settings().views(), evolution.dialect());
    }

    /** The version the handles are for. */
    public SchemaVersion version() {
        return version;
    }

    /** The version's view: what its readers select from. */
    public Table<Record> view() {
        return view;
    }

    /**
     * The logical column {@code column} of the version, as a field of {@link #view()} of Java type
     * {@code type}.
     *
     * @throws SchemaEvolutionException COLUMN_NOT_FOUND, or TYPE_INVALID when {@code type} is not the
     *         column's Java type (say {@code Long} for an {@code Int32} column, which is {@code Integer})
     */
    @SuppressWarnings("unchecked")
    public <T> Field<T> field(String column, Class<T> type) {
        Field<?> field = field(column);
        if (!field.getType().equals(type)) {
            throw new SchemaEvolutionException(ErrorCode.TYPE_INVALID, version.display(), column, "is "
                    + version.requireColumn(column).type().sql() + ", read as " + field.getType().getName() + ", not "
                    + type.getName(), null);
        }
        return (Field<T>) field;
    }

    /** The logical column {@code column}, with the Java type of its {@link ColumnType}. */
    public Field<?> field(String column) {
        Field<?> field = fields.get(column);
        if (field == null) {
            throw new SchemaEvolutionException(ErrorCode.COLUMN_NOT_FOUND, version.display(), column,
                    "no such column at version " + version.version(), null);
        }
        return field;
    }

    /** Every logical column of the version, in order. */
    public List<Field<?>> fields() {
        return List.copyOf(fields.values());
    }

    /**
     * {@code INSERT INTO <table> (<physical columns>)} of the version's writer: values are given in the
     * order of {@link WriterMapping#logical()} (MATERIALIZED and ALIAS columns are the engine's).
     */
    public InsertValuesStepN<Record> insert(DSLContext dsl) {
        WriterMapping writer = version.writer();
        List<Field<?>> physical = new ArrayList<>();
        for (int i = 0; i < writer.logical().size(); i++) {
            String name = writer.physical().get(i);
            dialect.identifiers().check(Kind.COLUMN, version.table(), name);
            physical.add(DSL.field(DSL.name(name), field(writer.logical().get(i)).getDataType()));
        }
        return dsl.insertInto(base, physical);
    }

    /** The jOOQ dialect for the engine: POSTGRES, or DEFAULT on ClickHouse (see the class comment). */
    public SQLDialect sqlDialect() {
        return dialect.name().equals("postgresql") ? SQLDialect.POSTGRES : SQLDialect.DEFAULT;
    }

    /** A jOOQ context over {@code dataSource} in {@link #sqlDialect()}. */
    public DSLContext dsl(DataSource dataSource) {
        return DSL.using(dataSource, sqlDialect());
    }

    private Name name(String schema, String name, Kind kind) {
        dialect.identifiers().check(kind, version.table(), name);
        return schema == null ? DSL.name(name) : DSL.name(dialect.identifiers().check(Kind.SCHEMA, null, schema), name);
    }

    /** The Java type of a column type: the one its JDBC drivers return. */
    static DataType<?> dataType(ColumnType type) {
        ColumnType base = type.withoutNullable();
        if (base instanceof ColumnType.LowCardinality low) {
            return dataType(low.inner());
        }
        if (base instanceof ColumnType.Decimal decimal) {
            return SQLDataType.DECIMAL(decimal.precision(), decimal.scale());
        }
        if (base instanceof ColumnType.FixedString || base instanceof ColumnType.Enum8) {
            return SQLDataType.VARCHAR;
        }
        if (base instanceof ColumnType.DateTime64) {
            return SQLDataType.LOCALDATETIME;
        }
        if (base instanceof ColumnType.Array array) {
            return dataType(array.element()).getArrayDataType();
        }
        return switch ((ColumnType.Scalar) base) {
            case INT8 -> SQLDataType.TINYINT;
            case INT16, UINT8 -> SQLDataType.SMALLINT;
            case INT32, UINT16 -> SQLDataType.INTEGER;
            case INT64, UINT32 -> SQLDataType.BIGINT;
            case UINT64 -> SQLDataType.DECIMAL_INTEGER;
            case FLOAT32 -> SQLDataType.REAL;
            case FLOAT64 -> SQLDataType.DOUBLE;
            case STRING -> SQLDataType.VARCHAR;
            case BOOL -> SQLDataType.BOOLEAN;
            case DATE -> SQLDataType.LOCALDATE;
            case DATETIME -> SQLDataType.LOCALDATETIME;
            case UUID -> SQLDataType.UUID;
        };
    }
}
