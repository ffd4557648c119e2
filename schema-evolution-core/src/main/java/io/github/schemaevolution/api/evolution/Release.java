package io.github.schemaevolution.api.evolution;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A published release of a table: its name (such as {@code DR1}), the version it froze, and the
 * policy every later change of the table must meet ({@link ChangePolicy#ADDITIVE} for a frozen data
 * release). Recorded in the table's history by {@link Change.Publish}, and carried by every later
 * version; the release's version can never be retired under {@link ChangePolicy#ADDITIVE}, so its
 * view stays for the release's readers.
 */
public record Release(String name, int version, ChangePolicy policy) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    public Release {
        checkName(name);
        Objects.requireNonNull(policy, "policy");
        if (version < 1) {
            throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, "release " + name + " needs a version of 1 or more");
        }
    }

    /** Checks a release name: a letter or digit, then letters, digits, {@code _ . -}, at most 64 in all. */
    static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, "a release name is a letter or digit followed by"
                    + " at most 63 letters, digits, '_', '.' or '-', got '" + name + "'");
        }
        return name;
    }
}
