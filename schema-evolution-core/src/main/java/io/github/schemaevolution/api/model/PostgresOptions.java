package io.github.schemaevolution.api.model;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.internal.Texts;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
            if (strategy == null) {
                throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, "PARTITION BY needs a strategy (RANGE, LIST or HASH)");
            }
            columns = Texts.names(columns, "PARTITION BY");
        }
    }

    public PostgresOptions {
        primaryKey = Texts.names(primaryKey, "the primary key");
    }

    public static PostgresOptions primaryKey(String... columns) {
        return new PostgresOptions(listOf(columns), null);
    }

    public PostgresOptions partitionBy(Strategy strategy, String... columns) {
        return new PostgresOptions(primaryKey, new Partitioning(strategy, listOf(columns)));
    }

    private static List<String> listOf(String[] columns) {
        return columns == null ? List.of() : Arrays.asList(columns);
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
