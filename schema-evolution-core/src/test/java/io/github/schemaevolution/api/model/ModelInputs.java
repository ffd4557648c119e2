package io.github.schemaevolution.api.model;

import io.github.schemaevolution.api.SchemaEvolutionException;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Generators of hostile model input (texts with NUL, lone surrogates, emoji, quotes and SQL, very
 * long names, malformed and deeply nested type notations) and of tables built from them, shared by
 * the property tests of core and of the dialects. Seeded: a failure names its seed and case.
 */
public final class ModelInputs {
    private static final String ALPHABET = "abcXYZ_019 '\"`\\;-/*()=,.\0\uD800\uDFFF\t\n\u00e9\u4e2d";

    private static final List<String> SAMPLES = List.of("", " ", "a\0b", "x'; DROP TABLE t; --", "/* c */", "\uD83D\uDE00",
            "\uD83D", "\uDE00x", "select", "order", "_spare_int8_1", "prewhere", "user", "xmin", "a-b", "1abc", "\u00c9", "a b",
            "it's", "back\\slash", "E'\\\\'", "$$", "`x`");

    private static final List<String> TYPES = List.of("Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32", "UInt64",
            "Float32", "Float64", "String", "Bool", "Date", "DateTime", "UUID", "Decimal(18, 4)", "Decimal(76, 76)",
            "Decimal(77, 1)", "FixedString(16)", "FixedString(257)", "FixedString(65536)", "FixedString(99999999999)",
            "DateTime64(3)", "DateTime64(9)", "DateTime64(3, 'UTC')", "DateTime('Europe/Paris')", "Enum8('a' = 1, 'b' = -2)",
            "Enum8('a\0' = 1)", "Enum8('\uD800' = 1)", "Enum8('x' = 300)", "Nullable(Nullable(Int8))", "Array(Nullable(String))",
            "LowCardinality(Nullable(String))", "LowCardinality(UInt8)", "LowCardinality(UUID)", "Array(Array(Int32))",
            "Nullable(Array(Int8))", "Array(", "Array(Int8", "Array(Int8))", "Decimal(-1, 0)", "Decimal(\u0663, 1)", ")", "((((");

    private static final List<String> DEFAULTS = List.of("42", "-1.5e3", "true", "abc", "it's", "back\\slash",
            "1e999999999999", "now()", "toDate('2020-01-01')", "NaN");

    private final Random random;

    public ModelInputs(long seed) {
        this.random = new Random(seed);
    }

    /** Texts of every kind, {@code null} included. */
    public String text() {
        int kind = random.nextInt(8);
        if (kind < 3) {
            return chars(ALPHABET, random.nextInt(41));
        }
        if (kind < 5) {
            return pick(SAMPLES);
        }
        if (kind == 5) {
            StringBuilder any = new StringBuilder();
            for (int i = random.nextInt(31); i > 0; i--) {
                any.append((char) random.nextInt(Character.MAX_VALUE + 1));
            }
            return any.toString();
        }
        return kind == 6 ? chars("ab_\0\uD800\uD83D\uDE00", 200 + random.nextInt(3000)) : null;
    }

    /** Names: mostly safe ones (some too long for an engine), and any text. */
    public String identifier() {
        int kind = random.nextInt(20);
        if (kind < 17) {
            return chars("abcxyz_", 1) + chars("abcxyz_0129", random.nextInt(71));
        }
        return kind == 17 ? chars("abc_", 60 + random.nextInt(241)) : text();
    }

    /** Type notations: known ones, deep nesting, wrappers of known ones, known ones with one character changed, huge numbers. */
    public String typeString() {
        int kind = random.nextInt(10);
        if (kind < 3) {
            return String.format(pick(List.of("Array(%s)", "Nullable(%s)", "LowCardinality(%s)", "%s")), pick(TYPES));
        }
        if (kind < 5) {
            int depth = 1 + random.nextInt(random.nextBoolean() ? 40 : 20_000);
            return pick(List.of("Array(", "Nullable(", "LowCardinality(", "Array(Nullable(")).repeat(depth) + "Int8"
                    + pick(List.of(")", "))", "")).repeat(depth);
        }
        if (kind < 8) {
            String type = pick(TYPES);
            int at = random.nextInt(type.length() + 1);
            return type.substring(0, at) + chars(ALPHABET, 1) + type.substring(Math.min(type.length(), at + random.nextInt(2)));
        }
        return kind == 8 ? "FixedString(" + chars("0123456789", 10 + random.nextInt(400)) + ")" : text();
    }

    /** A column as raw input: the table builds it, or refuses it. */
    public record ColumnInput(String name, String type, String comment, String defaultText, int defaultKind) {
        Column build() {
            Column column = Column.of(name, ColumnType.parse(type)).withComment(comment);
            return switch (defaultKind) {
                case 1 -> column.withDefault(ColumnDefault.literal(defaultText));
                case 2 -> column.withDefault(ColumnDefault.expression(defaultText));
                case 3 -> column.withDefault(ColumnDefault.now().materialized());
                default -> column;
            };
        }
    }

    /** A table as raw input, built by {@link #build()} through the public builders. */
    public record TableInput(String schema, String name, String comment, List<ColumnInput> columns, String prefix,
                             String spareType, int spares, String orderBy, String settingName, String settingValue) {
        public Table build() {
            Table.Builder builder = Table.builder(name).schema(schema).comment(comment);
            columns.forEach(c -> builder.column(c.build()));
            if (spares > 0) {
                builder.reserve(ReservePolicy.builder().prefix(prefix).spares(ColumnType.parse(spareType), spares).build());
            }
            ClickHouseOptions.Builder clickHouse = ClickHouseOptions.builder();
            if (orderBy != null) {
                clickHouse.orderBy(orderBy);
                builder.postgres(PostgresOptions.primaryKey(orderBy));
            }
            if (settingName != null) {
                clickHouse.setting(settingName, settingValue);
            }
            return builder.clickHouse(clickHouse.build()).build();
        }
    }

    public ColumnInput column() {
        String type = random.nextInt(5) < 4 ? pick(TYPES.subList(0, 27)) : typeString();
        String defaultText = random.nextInt(3) < 2 ? pick(DEFAULTS) : text();
        return new ColumnInput(identifier(), type, sometimes(), defaultText, random.nextInt(3) > 0 ? 0 : 1 + random.nextInt(3));
    }

    public TableInput table() {
        List<ColumnInput> columns = new ArrayList<>();
        for (int i = random.nextInt(6); i > 0; i--) {
            columns.add(column());
        }
        // often a key over the first column, so that keys are checked against real columns
        String orderBy = columns.isEmpty() || random.nextInt(3) > 0 ? (random.nextInt(4) == 0 ? identifier() : null)
                : columns.get(0).name();
        return new TableInput(random.nextInt(4) == 0 ? identifier() : null, identifier(), sometimes(), columns,
                random.nextInt(5) == 0 ? identifier() : ReservePolicy.DEFAULT_PREFIX, pick(TYPES), random.nextInt(4), orderBy,
                random.nextBoolean() ? null : pick(List.of("index_granularity", "allow_suspicious_low_cardinality_types",
                        "allow_suspicious_fixed_string_types", "bad name", "a\0b")),
                random.nextInt(4) == 0 ? text() : pick(List.of("1", "0", "true", "8192")));
    }

    /** Runs {@code action}: it completes (true) or throws a coded {@link SchemaEvolutionException} (false); nothing else. */
    public static boolean buildsOrRefuses(String input, Runnable action) {
        try {
            action.run();
            return true;
        } catch (SchemaEvolutionException e) {
            assertThat(e.code()).isNotNull();
            assertThat(e.getMessage()).startsWith("[" + e.code() + "]");
            return false;
        } catch (Throwable other) {
            fail("expected success or a SchemaEvolutionException for " + abbreviate(input) + ", got " + other, other);
            return false;
        }
    }

    private static String abbreviate(String input) {
        return input.length() <= 300 ? input : input.substring(0, 300) + "... (" + input.length() + " characters)";
    }

    /** A text one time in three, else {@code null}. */
    private String sometimes() {
        return random.nextInt(3) == 0 ? text() : null;
    }

    private String chars(String alphabet, int length) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
    }

    private <T> T pick(List<T> items) {
        return items.get(random.nextInt(items.size()));
    }
}
