package io.github.schemaevolution.testkit.clickhouse;

import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/** A test that cannot get a ClickHouse fails, with the reason and every way to provide one; it is never skipped. */
class ClickHouseExtensionTest {

    @Test
    void aTestWithoutClickHouseFailsAndSaysHowToProvideOne() {
        String previousMode = System.getProperty(ClickHouseServer.MODE_PROPERTY);
        String previousLibrary = System.getProperty(ChdbLibrary.LIBRARY_PROPERTY);
        // the embedded engine, whatever the environment says, from a library that is not there
        System.setProperty(ClickHouseServer.MODE_PROPERTY, "embedded");
        System.setProperty(ChdbLibrary.LIBRARY_PROPERTY, "/nonexistent/libchdb.so");
        Events tests;
        try {
            tests = EngineTestKit.engine("junit-jupiter").selectors(selectClass(NeedsClickHouse.class)).execute().testEvents();
        } finally {
            ChdbLibraryTest.restore(ClickHouseServer.MODE_PROPERTY, previousMode);
            ChdbLibraryTest.restore(ChdbLibrary.LIBRARY_PROPERTY, previousLibrary);
        }

        assertThat(tests.skipped().count()).isZero();
        assertThat(tests.aborted().count()).isZero();
        assertThat(tests.failed().count()).isEqualTo(2);
        tests.failed().stream().forEach(failed -> {
            Throwable failure = failed.getPayload(org.junit.platform.engine.TestExecutionResult.class).orElseThrow()
                    .getThrowable().orElseThrow();
            assertThat(failure).hasMessageContaining("/nonexistent/libchdb.so")
                    .hasMessageContaining(ChdbLibrary.HOW_TO_PROVIDE);
        });
    }

    /** Run only through the engine test kit above (a nested class, which Surefire and Failsafe leave out). */
    @ClickHouseTest
    static class NeedsClickHouse {
        @Test
        void usesAnEndpoint(ClickHouseEndpoint endpoint) {
            assertThat(endpoint).isNotNull();
        }

        @Test
        void usesADataSource(javax.sql.DataSource dataSource) {
            assertThat(dataSource).isNotNull();
        }
    }
}
