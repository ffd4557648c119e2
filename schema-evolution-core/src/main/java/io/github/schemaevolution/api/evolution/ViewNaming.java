package io.github.schemaevolution.api.evolution;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.internal.Texts;
import io.github.schemaevolution.spi.IdentifierRules;
import io.github.schemaevolution.spi.IdentifierRules.Kind;

import java.util.Optional;

/**
 * How versioned views are named: {@code pattern} with {@code {table}} and {@code {version}}
 * placeholders (default {@code {table}_v{version}}), and optionally a view that always shows the
 * latest version (default {@code {table}_latest}; {@code null} for none). The names are checked by
 * the dialect's identifier rules like any other; the patterns themselves are checked when made:
 * a pattern is refused with IDENTIFIER_EMPTY when empty, TEXT_INVALID when it holds NUL or an
 * unpaired surrogate, MODEL_INVALID without {@code {version}}, and an identifier code when it
 * cannot give a safe name ({@code [A-Za-z_][A-Za-z0-9_]*}).
 */
public record ViewNaming(String pattern, String latestPattern) {

    public static final ViewNaming DEFAULT = new ViewNaming("{table}_v{version}", "{table}_latest");

    public ViewNaming {
        check(pattern, "view name pattern");
        if (!pattern.contains("{version}")) {
            throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID,
                    "view name pattern '" + Texts.abbreviate(pattern, 120) + "' needs {version}");
        }
        if (latestPattern != null) {
            check(latestPattern, "latest view name pattern");
        }
    }

    public String viewName(String table, int version) {
        return pattern.replace("{table}", Texts.name(table, "table name", null)).replace("{version}", Integer.toString(version));
    }

    public Optional<String> latestName(String table) {
        Texts.name(table, "table name", null);
        return Optional.ofNullable(latestPattern).map(p -> p.replace("{table}", table));
    }

    /** The pattern with sample values must be a safe name; the dialect checks each real name's length. */
    private static void check(String pattern, String what) {
        Texts.name(pattern, what, null);
        String sample = pattern.replace("{table}", "t").replace("{version}", "1");
        IdentifierRules.NEUTRAL.check(Kind.VIEW, null, sample);
    }
}
