/**
 * The model, the entry point, versions and migrations, the chunked runner and the dialect SPI.
 *
 * <p>{@code io.github.schemaevolution.internal} is not exported: what is in it may change in
 * any release. Dialects are found through {@link java.util.ServiceLoader}, on the module path
 * as on the class path.
 */
module io.github.schemaevolution.core {
    requires transitive java.sql;
    requires java.management;
    requires org.slf4j;

    exports io.github.schemaevolution.api;
    exports io.github.schemaevolution.api.chunk;
    exports io.github.schemaevolution.api.copies;
    exports io.github.schemaevolution.api.evolution;
    exports io.github.schemaevolution.api.gate;
    exports io.github.schemaevolution.api.hosts;
    exports io.github.schemaevolution.api.model;
    exports io.github.schemaevolution.spi;

    uses io.github.schemaevolution.spi.Dialect;
}
