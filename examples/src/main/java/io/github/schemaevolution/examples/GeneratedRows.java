package io.github.schemaevolution.examples;

import io.github.schemaevolution.api.model.Column;
import io.github.schemaevolution.api.model.ColumnDefault;
import io.github.schemaevolution.api.model.ColumnType;
import io.github.schemaevolution.api.model.Table;

import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Deterministic measurement-like rows for any table of the model: every column a writer may set
 * (MATERIALIZED columns are the engine's to fill) gets a value of its type, drawn from a seeded
 * random source so that two runs, and two engines, see the same data.
 */
final class GeneratedRows {
    private static final String[] COUNTRIES = {"IT", "DE", "BR", "IN", "US", "KE", "ID", "RU"};
    private static final String[] TESTS = {"web_connectivity", "dnscheck", "signal", "tor", "whatsapp"};
    private static final LocalDateTime EPOCH = LocalDateTime.of(2026, 1, 1, 0, 0);

    private final List<Column> writable;

    GeneratedRows(Table table) {
        List<Column> columns = new ArrayList<>();
        for (Column column : table.columns()) {
            boolean materialized = column.defaultOptional()
                    .map(d -> d.kind() == ColumnDefault.Kind.MATERIALIZED).orElse(false);
            if (!materialized) {
                columns.add(column);
            }
        }
        this.writable = List.copyOf(columns);
    }

    /** The columns {@link #row(int)} fills, in order. */
    List<Column> columns() {
        return writable;
    }

    Object[] row(int index) {
        Random random = new Random(index);
        Object[] values = new Object[writable.size()];
        for (int i = 0; i < values.length; i++) {
            Column column = writable.get(i);
            values[i] = value(column.name(), column.type(), index, random);
        }
        return values;
    }

    private static Object value(String name, ColumnType type, int index, Random random) {
        ColumnType base = type.withoutNullable();
        if (base instanceof ColumnType.LowCardinality) {
            return name.contains("cc") ? COUNTRIES[random.nextInt(COUNTRIES.length)]
                    : TESTS[random.nextInt(TESTS.length)];
        }
        if (base instanceof ColumnType.DateTime64 || base == ColumnType.DATETIME) {
            return EPOCH.plusSeconds(index * 37L + random.nextInt(30));
        }
        if (base == ColumnType.INT8) {
            return (byte) random.nextInt(100);
        }
        if (base == ColumnType.INT32) {
            return random.nextInt(1_000_000);
        }
        if (base == ColumnType.INT64) {
            return random.nextLong();
        }
        if (base == ColumnType.FLOAT32) {
            return random.nextFloat();
        }
        if (base == ColumnType.FLOAT64) {
            return random.nextDouble();
        }
        if (name.equals("measurement_uid")) {
            return String.format("20260101%010d.%s", index, Integer.toHexString(random.nextInt()));
        }
        return name + "-" + random.nextInt(10_000);
    }
}
