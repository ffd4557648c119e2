package io.github.schemaevolution.testkit.postgres;

import io.github.schemaevolution.testkit.clickhouse.ClickHouseTest;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * A test class annotated with both {@link PostgresTest} and {@link ClickHouseTest}: its tests take
 * {@link PostgresEndpoint} and {@code ClickHouseEndpoint} parameters, since a bare {@code DataSource}
 * would not say which engine it is.
 */
public final class BothEngines {
    /** What a bare {@code DataSource} parameter in such a class is told. */
    public static final String MESSAGE = "this class is both @PostgresTest and @ClickHouseTest, so a DataSource parameter"
            + " names no engine: take a PostgresEndpoint or a ClickHouseEndpoint parameter, and its dataSource()";

    private BothEngines() {
    }

    public static boolean in(ExtensionContext context) {
        return context.getTestClass().map(type -> AnnotationSupport.isAnnotated(type, PostgresTest.class)
                && AnnotationSupport.isAnnotated(type, ClickHouseTest.class)).orElse(false);
    }
}
