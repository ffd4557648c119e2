package io.github.schemaevolution.testkit.postgres;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs a test class or method against a real PostgreSQL server: test and lifecycle methods may
 * declare a {@link javax.sql.DataSource} or {@link PostgresEndpoint} parameter. See
 * {@link PostgresExtension} for where the server comes from and how tests are isolated.
 *
 * <pre>{@code
 * @PostgresTest
 * class OrdersIT {
 *     @Test
 *     void createsTable(DataSource dataSource) { ... }
 * }
 * }</pre>
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@Tag("postgres")
@ExtendWith(PostgresExtension.class)
public @interface PostgresTest {
}
