package io.github.schemaevolution.testkit.clickhouse;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs a test class or method against a real ClickHouse: test and lifecycle methods may declare a
 * {@link ClickHouseEndpoint} or {@link javax.sql.DataSource} parameter. See
 * {@link ClickHouseExtension} for where the server comes from and how tests are isolated.
 *
 * <pre>{@code
 * @ClickHouseTest
 * class MeasurementsIT {
 *     @Test
 *     void createsTable(DataSource dataSource) { ... }
 * }
 * }</pre>
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@Tag("clickhouse")
@ExtendWith(ClickHouseExtension.class)
public @interface ClickHouseTest {
}
