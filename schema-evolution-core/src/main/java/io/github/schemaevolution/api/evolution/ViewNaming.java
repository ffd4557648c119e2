package io.github.schemaevolution.api.evolution;

import java.util.Objects;
import java.util.Optional;

/**
 * How versioned views are named: {@code pattern} with {@code {table}} and {@code {version}}
 * placeholders (default {@code {table}_v{version}}), and optionally a view that always shows the
 * latest version (default {@code {table}_latest}; {@code null} for none). The names are checked by
 * the dialect's identifier rules like any other.
 */
public record ViewNaming(String pattern, String latestPattern) {

    public static final ViewNaming DEFAULT = new ViewNaming("{table}_v{version}", "{table}_latest");

    public ViewNaming {
        Objects.requireNonNull(pattern, "pattern");
        if (!pattern.contains("{version}")) {
            throw new IllegalArgumentException("view name pattern needs {version}: " + pattern);
        }
    }

    public String viewName(String table, int version) {
        return pattern.replace("{table}", table).replace("{version}", Integer.toString(version));
    }

    public Optional<String> latestName(String table) {
        return Optional.ofNullable(latestPattern).map(p -> p.replace("{table}", table));
    }
}
