package io.github.schemaevolution.api;

import java.util.Objects;
import java.util.Optional;

/**
 * The one unchecked exception of the library. It names what was refused ({@link #code()}), and
 * where known the table and column concerned, so that a refusal can be acted on without parsing
 * the message.
 */
public class SchemaEvolutionException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;
    private final String table;
    private final String column;

    public SchemaEvolutionException(ErrorCode code, String message) {
        this(code, null, null, message, null);
    }

    public SchemaEvolutionException(ErrorCode code, String message, Throwable cause) {
        this(code, null, null, message, cause);
    }

    /**
     * @param table  the table concerned, or {@code null}
     * @param column the column (or other member of the table) concerned, or {@code null}
     */
    public SchemaEvolutionException(ErrorCode code, String table, String column, String message, Throwable cause) {
        super(format(Objects.requireNonNull(code, "code"), table, column, message), cause);
        this.code = code;
        this.table = table;
        this.column = column;
    }

    public ErrorCode code() {
        return code;
    }

    public Optional<String> table() {
        return Optional.ofNullable(table);
    }

    public Optional<String> column() {
        return Optional.ofNullable(column);
    }

    private static String format(ErrorCode code, String table, String column, String message) {
        StringBuilder text = new StringBuilder("[").append(code).append("] ");
        if (table != null) {
            text.append("table '").append(table).append("'");
            if (column != null) {
                text.append(", column '").append(column).append("'");
            }
            text.append(": ");
        } else if (column != null) {
            text.append("column '").append(column).append("': ");
        }
        return text.append(message).toString();
    }
}
