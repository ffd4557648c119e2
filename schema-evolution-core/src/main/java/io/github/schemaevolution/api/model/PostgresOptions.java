package io.github.schemaevolution.api.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How a table is laid out on PostgreSQL: its primary key and declarative partitioning. Ignored by
 * other dialects. PostgreSQL requires a partitioned table's primary key to contain the partition
 * columns; the dialect checks that before any DDL runs.
 */
public record PostgresOptions(List<String> primaryKey, Partitioning partitioning) {

    public static final PostgresOptions NONE = new PostgresOptions(List.of(), null);

    public enum Strategy { RANGE, LIST, HASH }

    /** {@code PARTITION BY strategy (columns)}. */
    public record Partitioning(Strategy strategy, List<String> columns) {
        public Partitioning {
            Objects.requireNonNull(strategy, "strategy");
            columns = List.copyOf(columns);
        }
    }

    public PostgresOptions {
        primaryKey = List.copyOf(primaryKey);
    }

    public static PostgresOptions primaryKey(String... columns) {
        return new PostgresOptions(List.of(columns), null);
    }

    public PostgresOptions partitionBy(Strategy strategy, String... columns) {
        return new PostgresOptions(primaryKey, new Partitioning(strategy, List.of(columns)));
    }

    public Optional<Partitioning> partitioningOptional() {
        return Optional.ofNullable(partitioning);
    }

    public List<String> referencedColumns() {
        List<String> names = new ArrayList<>(primaryKey);
        if (partitioning != null) {
            names.addAll(partitioning.columns());
        }
        return names;
    }
}
