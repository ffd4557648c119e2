package io.github.schemaevolution.api.model;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.internal.Texts;
import io.github.schemaevolution.spi.IdentifierRules;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * How many spare columns a table keeps per type family, and how they are named.
 *
 * <p>A spare is named {@code <prefix><family>_<n>}, for example {@code _spare_float32_1}; the
 * family token is the type's notation in lower case with every run of other characters turned
 * into one {@code _} ({@code Decimal(18, 4) -> decimal_18_4}). Spares are nullable where the
 * engine allows it, so that an unused or returned spare holds NULL rather than a value that could
 * be mistaken for data, unless the policy asks for non-Nullable ones ({@link Builder#notNullSpares}):
 * those serve columns that must not hold NULL (on ClickHouse, where nullability is part of the stored
 * type and cannot change without rewriting the column), hold the type's empty value while free, and are
 * named with {@code _notnull} after the family token ({@code _spare_string_notnull_1}).
 *
 * <p>Names starting with the prefix are reserved for spares: a user column may not use one.
 */
public record ReservePolicy(String prefix, List<Family> families) {

    public static final String DEFAULT_PREFIX = "_spare_";
    private static final int MAX_PER_FAMILY = 1_000;

    /** Comment put on every spare, so that a person reading the raw table knows what it is. */
    public static final String SPARE_COMMENT = "reserved spare column (schema-evolution)";

    /** No spares at all. */
    public static final ReservePolicy NONE = new ReservePolicy(DEFAULT_PREFIX, List.of());

    /**
     * {@code count} spares stored as {@code type}: {@code Nullable(T)} for nullable spares, {@code T} for
     * non-Nullable ones (and for arrays, which no engine makes nullable).
     */
    public record Family(ColumnType type, int count) {
        public Family {
            if (type == null) {
                throw new SchemaEvolutionException(ErrorCode.TYPE_INVALID, "a spare family needs a type");
            }
            if (count < 1 || count > MAX_PER_FAMILY) {
                throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID,
                        "spare count for " + type.sql() + " must be 1.." + MAX_PER_FAMILY + ", got " + count);
            }
        }

        /** The family's part of a spare's name, e.g. {@code float32}. */
        public String token() {
            return familyToken(type);
        }

        /** Whether the spares are non-Nullable although the type could be Nullable. */
        public boolean notNull() {
            return !type.isNullable() && !type.orNullable().equals(type);
        }
    }

    public ReservePolicy {
        Texts.check(prefix, "spare prefix", null, null);
        prefix = IdentifierRules.NEUTRAL.check(IdentifierRules.Kind.SPARE_PREFIX, null, prefix);
        if (families == null || families.stream().anyMatch(Objects::isNull)) {
            throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, "the spare families must not be null");
        }
        families = List.copyOf(families);
        Map<String, ColumnType> seen = new LinkedHashMap<>();
        for (Family family : families) {
            if (seen.put(family.token(), family.type()) != null) {
                throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID,
                        "spare family " + family.type().sql() + " is listed twice");
            }
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The spare columns in creation order: families in the order given, each numbered from 1. */
    public List<Column> spareColumns() {
        List<Column> spares = new ArrayList<>();
        for (Family family : families) {
            for (int i = 1; i <= family.count(); i++) {
                spares.add(new Column(spareName(family.type(), i), family.type(), null, SPARE_COMMENT));
            }
        }
        return List.copyOf(spares);
    }

    /** The name of spare {@code index} of the family stored as {@code type} (see {@link Family#type()}). */
    public String spareName(ColumnType type, int index) {
        return prefix + familyToken(type) + "_" + index;
    }

    /** Whether a column name is in the namespace reserved for spares. */
    public boolean isSpareName(String columnName) {
        return columnName != null && columnName.toLowerCase(Locale.ROOT).startsWith(prefix.toLowerCase(Locale.ROOT));
    }

    public int totalSpares() {
        return families.stream().mapToInt(Family::count).sum();
    }

    /** The token of a stored spare type: its notation without Nullable, then {@code _notnull} when it could be Nullable but is not. */
    static String familyToken(ColumnType type) {
        String token = type.withoutNullable().sql().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
        boolean notNull = !type.isNullable() && !type.orNullable().equals(type);
        return token.replaceAll("^_+|_+$", "") + (notNull ? "_notnull" : "");
    }

    /** Collects families in order; {@link #build()} validates the prefix and uniqueness. */
    public static final class Builder {
        private String prefix = DEFAULT_PREFIX;
        private final List<Family> families = new ArrayList<>();

        public Builder prefix(String prefix) {
            this.prefix = prefix;
            return this;
        }

        /** {@code count} nullable spares of {@code type} (Nullable or not as given, they are stored nullable). */
        public Builder spares(ColumnType type, int count) {
            families.add(new Family(type == null ? null : type.orNullable(), count));
            return this;
        }

        /** {@code count} non-Nullable spares of {@code type}, for columns added as non-Nullable (see the class comment). */
        public Builder notNullSpares(ColumnType type, int count) {
            families.add(new Family(type == null ? null : type.withoutNullable(), count));
            return this;
        }

        public ReservePolicy build() {
            return new ReservePolicy(prefix, families);
        }
    }
}
