package io.github.schemaevolution.api.hosts;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;

import javax.sql.DataSource;
import java.util.Objects;

/** One host of a {@link Hosts} set: a name for reports and logs, and the data source that reaches it. */
public record Host(String name, DataSource dataSource) {
    public Host {
        if (name == null || name.isBlank()) {
            throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, "a host needs a name, for the reports that name it");
        }
        Objects.requireNonNull(dataSource, "dataSource");
    }

    @Override
    public String toString() {
        return name;
    }
}
