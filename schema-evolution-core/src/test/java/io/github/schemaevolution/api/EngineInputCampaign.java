package io.github.schemaevolution.api;

import io.github.schemaevolution.api.evolution.ApplyResult;
import io.github.schemaevolution.api.evolution.Migration;
import io.github.schemaevolution.api.model.ClickHouseOptions;
import io.github.schemaevolution.api.model.Column;
import io.github.schemaevolution.api.model.ColumnType;
import io.github.schemaevolution.api.model.ModelInputs;
import io.github.schemaevolution.api.model.PostgresOptions;
import io.github.schemaevolution.api.model.ReservePolicy;
import io.github.schemaevolution.api.model.Table;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Generated input through the public API on a real engine, for each dialect's {@code *InputIT}:
 * tables to create and migrations to apply, some hostile (any text, see {@link ModelInputs}), most
 * nearly valid (names at the engine's length limit, names the library would derive that are taken,
 * reserved words, a spare prefix in another case, types the engine cannot hold, migration ids with
 * any character). Every case either succeeds, and then reads back (the table verifies clean, the
 * same migration again is ALREADY_APPLIED), or is refused with a coded error and leaves the catalog
 * as it was.
 */
public final class EngineInputCampaign {
    private static final String SAFE = "abcdefghijklmnopqrstuvwxyz_0123456789";
    private static final List<String> TYPES = List.of("Int8", "Int16", "Int32", "Int64", "UInt8", "UInt32", "UInt64",
            "Float32", "Float64", "String", "Bool", "Date", "DateTime", "UUID", "Decimal(18, 4)", "FixedString(16)",
            "FixedString(300)", "DateTime64(3)", "DateTime64(9)", "Enum8('a' = 1, 'b' = 2)", "Array(Int32)",
            "Array(Array(Int32))", "Nullable(String)", "LowCardinality(String)", "LowCardinality(UInt8)",
            "LowCardinality(Date)", "Nullable(Float64)");
    private static final List<String> AWKWARD = List.of("select", "order", "user", "xmin", "prewhere", "Id", "ID",
            "_spare_float64_1", "_SPARE_x", "schema_evolution_history", "a\0b", "\uD800x", "x'y", "");

    /**
     * How an engine lists what a refusal must leave unchanged: the tables and views whose names start
     * with {@code table} (the table, its views, a lock or staging table), their columns and
     * definitions, and the history of {@code table}.
     */
    @FunctionalInterface
    public interface Catalog {
        String snapshot(Connection connection, String table) throws SQLException;
    }

    /** What the campaign saw. */
    public record Report(int cases, int refusedByModel, int reachedEngine, int succeeded, Map<ErrorCode, Integer> refusals,
                         Map<ErrorCode, String> examples) {
        @Override
        public String toString() {
            return cases + " cases: " + refusedByModel + " refused while building, " + reachedEngine + " reached the engine, "
                    + succeeded + " succeeded; refusals " + refusals + "; an engine refusal of each code: " + examples;
        }
    }

    private final DataSource dataSource;
    private final Catalog catalog;
    private final Random random;
    private final SchemaEvolution evolution;
    private final int maxNameBytes;
    private final List<String> tables = new ArrayList<>();
    private final Map<ErrorCode, Integer> refusals = new EnumMap<>(ErrorCode.class);
    private final Map<ErrorCode, String> examples = new EnumMap<>(ErrorCode.class);
    private final ModelInputs hostile;
    private int serial;

    public EngineInputCampaign(DataSource dataSource, Catalog catalog, long seed) {
        this.dataSource = dataSource;
        this.catalog = catalog;
        this.random = new Random(seed);
        this.hostile = new ModelInputs(seed);
        this.evolution = SchemaEvolution.connect(dataSource);
        this.maxNameBytes = evolution.dialect().identifiers().maxBytes();
    }

    /**
     * Runs {@code cases} cases, of which about {@code engineShare} in a hundred are nearly valid and
     * reach the engine; {@code userTables} are tables the test made outside the library, whose names
     * the generated tables sometimes derive views onto.
     */
    public Report run(int cases, int engineShare, List<String> userTables) throws SQLException {
        int refusedByModel = 0;
        int reached = 0;
        int succeeded = 0;
        for (int i = 0; i < cases; i++) {
            boolean nearlyValid = random.nextInt(100) < engineShare;
            Runnable call;
            String described;
            String scope;
            // a raw default expression or engine setting is trusted input: only the engine can refuse it
            boolean rawSql = false;
            try {
                if (!nearlyValid) {
                    ModelInputs.TableInput input = hostile.table();
                    described = "hostile table " + input;
                    rawSql = input.settingName() != null || input.columns().stream().anyMatch(column -> column.defaultKind() == 2);
                    Table table = input.build();
                    scope = table.name();
                    call = () -> evolution.create(table);
                } else if (tables.isEmpty() || random.nextInt(3) == 0) {
                    Table table = table(userTables);
                    described = "table " + table;
                    scope = table.name();
                    call = () -> {
                        evolution.create(table);
                        tables.add(table.name());
                    };
                } else {
                    Migration migration = migration(tables.get(random.nextInt(tables.size())));
                    described = "migration " + migration.id() + ": " + migration.describe();
                    scope = migration.table();
                    call = () -> {
                        ApplyResult result = evolution.apply(migration);
                        assertThat(evolution.verify(null, migration.table()).isEmpty()).as(described).isTrue();
                        assertThat(evolution.apply(migration).outcome()).as("the same migration again: " + described)
                                .isEqualTo(ApplyResult.Outcome.ALREADY_APPLIED);
                        assertThat(result.version().version()).isPositive();
                    };
                }
            } catch (SchemaEvolutionException refused) {
                refusedByModel++;
                count(refused);
                continue;
            } catch (RuntimeException other) {
                fail("case " + i + ": building the input threw " + other, other);
                return null;
            }
            reached++;
            String before = snapshot(scope);
            try {
                call.run();
                succeeded++;
            } catch (SchemaEvolutionException refused) {
                count(refused);
                examples.putIfAbsent(refused.code(), printable(refused.getMessage()));
                String what = printable(described);
                if (!rawSql) {
                    assertThat(refused.code()).as("case " + i + ", " + what + ": " + printable(refused.getMessage()))
                            .isNotEqualTo(ErrorCode.DATABASE_ERROR);
                }
                assertThat(snapshot(scope)).as("the catalog after case " + i + " (" + what + ") was refused: "
                                + printable(refused.getMessage()))
                        .isEqualTo(before);
            } catch (RuntimeException | AssertionError other) {
                fail("case " + i + ", " + printable(described) + ": " + printable(String.valueOf(other)), other);
            }
        }
        return new Report(cases, refusedByModel, reached, succeeded, Map.copyOf(refusals), Map.copyOf(examples));
    }

    /** The text with control characters and lone surrogates spelled out, and at most 2,000 characters of it. */
    private static String printable(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length() && out.length() < 2_000; i++) {
            char c = text.charAt(i);
            out.append(c < 0x20 || Character.isSurrogate(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return out.toString();
    }

    private void count(SchemaEvolutionException refused) {
        assertThat(refused.code()).isNotNull();
        refusals.merge(refused.code(), 1, Integer::sum);
    }

    private String snapshot(String table) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            return catalog.snapshot(connection, table);
        }
    }

    private Table table(List<String> userTables) {
        String name = tableName(userTables);
        Table.Builder builder = Table.builder(name).column("id", ColumnType.INT64);
        List<String> names = new ArrayList<>(List.of("id"));
        for (int i = random.nextInt(4); i > 0; i--) {
            String column = columnName();
            names.add(column);
            builder.column(Column.of(column, type()));
        }
        ReservePolicy.Builder pool = ReservePolicy.builder().prefix(pick(List.of(ReservePolicy.DEFAULT_PREFIX,
                ReservePolicy.DEFAULT_PREFIX, "_SPARE_", "_Spare_", "sp_", "_spare")));
        for (int i = random.nextInt(3); i > 0; i--) {
            pool.spares(type(), 1 + random.nextInt(3));
        }
        return builder.reserve(pool.build())
                .clickHouse(ClickHouseOptions.builder().orderBy("id").build())
                .postgres(PostgresOptions.primaryKey("id")).build();
    }

    private Migration migration(String table) {
        Migration.Builder builder = Migration.builder(migrationId(), table);
        for (int i = 1 + random.nextInt(2); i > 0; i--) {
            switch (random.nextInt(4)) {
                case 0 -> builder.add(columnName(), type());
                case 1 -> builder.drop(pick(List.of("id", columnName(), "c_" + random.nextInt(4))));
                case 2 -> builder.rename(pick(List.of("id", columnName())), columnName());
                default -> builder.widen(columnName(), type());
            }
        }
        return builder.build();
    }

    private String tableName(List<String> userTables) {
        int kind = random.nextInt(10);
        if (kind == 0 && !userTables.isEmpty()) {
            // a user table named like a view this table would get
            String user = pick(userTables);
            return user.substring(0, user.lastIndexOf('_'));
        }
        if (kind == 1) {
            // at the engine's limit: the table fits, a name derived from it may not
            return "t" + chars(maxNameBytes - 8 + random.nextInt(10));
        }
        if (kind == 2) {
            return pick(AWKWARD);
        }
        return "t" + (serial++) + "_" + chars(random.nextInt(12));
    }

    private String columnName() {
        return random.nextInt(6) == 0 ? pick(AWKWARD) : "c_" + chars(random.nextInt(8));
    }

    private String migrationId() {
        int kind = random.nextInt(8);
        String base = "m" + (serial++);
        return switch (kind) {
            case 0 -> base + "\uD83D\uDE00";
            case 1 -> base + "\uD800";
            case 2 -> base + "\0";
            case 3 -> base + " it's \"quoted\"; -- " + chars(20);
            case 4 -> base + "x".repeat(250);
            default -> base;
        };
    }

    private ColumnType type() {
        return ColumnType.parse(pick(TYPES));
    }

    private String chars(int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(SAFE.charAt(random.nextInt(SAFE.length())));
        }
        return text.toString();
    }

    private <T> T pick(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }
}
