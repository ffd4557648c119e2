package io.github.schemaevolution.api;

import io.github.schemaevolution.spi.Dialect;

import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/** Finds the dialects on the class path ({@link ServiceLoader}); add a dialect module to add an engine. */
public final class Dialects {
    private Dialects() {
    }

    public static List<Dialect> available() {
        return ServiceLoader.load(Dialect.class, Dialects.class.getClassLoader()).stream()
                .map(ServiceLoader.Provider::get)
                .collect(Collectors.toUnmodifiableList());
    }

    /** The dialect named {@code name} ({@code postgresql}, {@code clickhouse}). */
    public static Dialect byName(String name) {
        return available().stream().filter(d -> d.name().equalsIgnoreCase(name)).findFirst()
                .orElseThrow(() -> notFound("named '" + name + "'"));
    }

    /** The dialect serving this JDBC URL. */
    public static Dialect forJdbcUrl(String jdbcUrl) {
        return available().stream().filter(d -> d.acceptsJdbcUrl(jdbcUrl)).findFirst()
                .orElseThrow(() -> notFound("for JDBC URL '" + jdbcUrl + "'"));
    }

    private static SchemaEvolutionException notFound(String what) {
        String names = available().stream().map(Dialect::name).collect(Collectors.joining(", "));
        return new SchemaEvolutionException(ErrorCode.DIALECT_NOT_FOUND, "no dialect " + what
                + " on the class path (found: " + (names.isEmpty() ? "none" : names)
                + "); add schema-evolution-postgres or schema-evolution-clickhouse as a dependency");
    }
}
