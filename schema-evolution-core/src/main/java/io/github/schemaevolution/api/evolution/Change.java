package io.github.schemaevolution.api.evolution;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.model.ColumnDefault;
import io.github.schemaevolution.api.model.ColumnType;
import io.github.schemaevolution.internal.Texts;
import io.github.schemaevolution.spi.IdentifierRules;
import io.github.schemaevolution.spi.IdentifierRules.Kind;

/**
 * One schema change. Changes are values: two equal changes describe the same operation, and
 * {@link #describe()} is their canonical text, from which a {@link Migration}'s checksum is made.
 *
 * <p>Column names follow the model's identifier rules ({@link IdentifierRules#NEUTRAL}), checked
 * when the change is made, so that {@link #describe()} always reads back as the same change; a
 * missing type is TYPE_INVALID.
 */
public sealed interface Change
        permits Change.AddColumn, Change.DropColumn, Change.RenameColumn, Change.WidenType, Change.RefillPool,
        Change.RetireVersions, Change.FinalViews, Change.AbsorbColumn, Change.RetypeColumn, Change.Publish {

    /** Reads back {@link #describe()}: how an interrupted migration is resumed from its history entry. */
    static Change parse(String line) {
        try {
            return parseLine(line);
        } catch (SchemaEvolutionException e) {
            throw e;
        } catch (RuntimeException e) {
            throw notAChange(line);
        }
    }

    private static Change parseLine(String line) {
        String[] words = line.split(" ", 2);
        String rest = words.length > 1 ? words[1] : "";
        switch (words[0]) {
            case "add": {
                boolean nativeAdd = rest.endsWith(" allow-native");
                String body = nativeAdd ? rest.substring(0, rest.length() - " allow-native".length()) : rest;
                String[] parts = body.split(" ", 2);
                ColumnDefault value = null;
                String type = parts[1];
                String first = type.split(" ", 2)[0];
                if (DefaultToken.is(first)) {
                    value = DefaultToken.decode(first);
                    type = type.substring(first.length() + 1);
                }
                return new AddColumn(parts[0], ColumnType.parse(type), value, nativeAdd);
            }
            case "drop":
                return new DropColumn(rest);
            case "rename": {
                String[] parts = rest.split(" ");
                return new RenameColumn(parts[0], parts[1]);
            }
            case "widen": {
                String[] parts = rest.split(" ", 2);
                return new WidenType(parts[0], ColumnType.parse(parts[1]));
            }
            case "refill": {
                boolean notNull = rest.endsWith(" not-null");
                String body = notNull ? rest.substring(0, rest.length() - " not-null".length()) : rest;
                int space = body.lastIndexOf(' ');
                return new RefillPool(ColumnType.parse(body.substring(0, space)), Integer.parseInt(body.substring(space + 1)), notNull);
            }
            case "retire":
                return new RetireVersions(Integer.parseInt(rest));
            case "retype": {
                boolean lossy = rest.endsWith(" lossy");
                String body = lossy ? rest.substring(0, rest.length() - " lossy".length()) : rest;
                String[] parts = body.split(" ", 3);
                return new RetypeColumn(parts[0], ColumnType.parse(parts[2]), DefaultToken.unescape(parts[1]), lossy);
            }
            case "absorb": {
                String[] parts = rest.split(" ", 2);
                return new AbsorbColumn(parts[0], ColumnType.parse(parts[1]));
            }
            case "publish": {
                String[] parts = rest.split(" ");
                if (parts.length != 2) {
                    throw notAChange(line);
                }
                return new Publish(parts[0], ChangePolicy.of(parts[1]));
            }
            case "views":
                if (!rest.equals("final") && !rest.equals("plain")) {
                    throw notAChange(line);
                }
                return new FinalViews(rest.equals("final"));
            default:
                throw notAChange(line);
        }
    }

    private static SchemaEvolutionException notAChange(String line) {
        return new SchemaEvolutionException(ErrorCode.MODEL_INVALID, "not a change: '" + Texts.abbreviate(line, 120) + "'");
    }

    private static String checkColumn(String name, String what) {
        Texts.check(name, what, null, name);
        return IdentifierRules.NEUTRAL.check(Kind.COLUMN, null, name);
    }

    private static ColumnType requireType(ColumnType type, String what) {
        if (type == null) {
            throw new SchemaEvolutionException(ErrorCode.TYPE_INVALID, what + " needs a type");
        }
        return type;
    }

    /** Canonical one-line text, stable across releases of the library (it is part of the checksum). */
    String describe();

    /** Whether the change touches data (clearing a dropped column, rewriting a retyped one) on some engine. */
    boolean touchesData();

    /**
     * Brings a free spare of the type's family into use under {@code name}, with the type asked for:
     * a non-Nullable type takes a non-Nullable spare where nullability is part of the stored type
     * (ClickHouse), and is enforced for new rows on PostgreSQL. {@code defaultValue} (may be
     * {@code null}) is the engine default or MATERIALIZED expression; what older rows read is said in the
     * plan's notes. When no spare is free, a native {@code ADD COLUMN} is used only if
     * {@code allowNativeAdd}; otherwise planning fails with POOL_EXHAUSTED before any DDL.
     */
    record AddColumn(String name, ColumnType type, ColumnDefault defaultValue, boolean allowNativeAdd) implements Change {
        public AddColumn {
            checkColumn(name, "added column");
            requireType(type, "adding column " + name);
            if (defaultValue != null && !defaultValue.fits(type)) {
                throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, null, name, "the default "
                        + DefaultToken.encode(defaultValue) + " does not fit " + type.sql(), null);
            }
        }

        public AddColumn(String name, ColumnType type, boolean allowNativeAdd) {
            this(name, type, null, allowNativeAdd);
        }

        public String describe() {
            return "add " + name + " " + (defaultValue == null ? "" : DefaultToken.encode(defaultValue) + " ") + type.sql()
                    + (allowNativeAdd ? " allow-native" : "");
        }

        public boolean touchesData() {
            return false;
        }
    }

    /**
     * Removes the column from the new version. Metadata only: its physical column is retained, data
     * and all, for the older versions that map it (their readers and pinned writers) until they are
     * retired ({@link RetireVersions}), which clears it and returns it to the pool.
     */
    record DropColumn(String name) implements Change {
        public DropColumn {
            checkColumn(name, "dropped column");
        }

        public String describe() {
            return "drop " + name;
        }

        public boolean touchesData() {
            return false;
        }
    }

    /**
     * Publishes the version this migration makes as the release {@code release}: the version is
     * recorded with the release's name and {@code policy}, which every later change of the table must
     * meet ({@link ChangePolicy#ADDITIVE} for a frozen data release, whose queries must keep their
     * results). No DDL beyond the new version's view; a name already published on the table is refused.
     */
    record Publish(String release, ChangePolicy policy) implements Change {
        public Publish {
            Release.checkName(release);
            if (policy == null) {
                throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, "publishing " + release + " needs a change policy");
            }
        }

        public String describe() {
            return "publish " + release + " " + policy.label();
        }

        public boolean touchesData() {
            return false;
        }
    }

    /**
     * Retires every version up to {@code upTo}: drops their views, and clears and returns to the pool
     * the dropped columns that no live version maps any more. Retire a version once no reader and no
     * writer uses it.
     */
    record RetireVersions(int upTo) implements Change {
        public RetireVersions {
            if (upTo < 1) {
                throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, "versions are retired up to a version of 1 or more, got " + upTo);
            }
        }

        public String describe() {
            return "retire " + upTo;
        }

        public boolean touchesData() {
            return true;
        }
    }

    /**
     * Changes a column's type in phases, without rewriting it in place and without stopping writers of
     * older versions:
     * <ol>
     *   <li><b>expand and switch</b> (this change): a free spare of type {@code to} comes into use, and the
     *       new version maps {@code name} to it; the rows that exist, and rows that writers of older versions
     *       keep inserting, read {@code expression} over the old column ({@code {old}} in the expression) until
     *       the backfill has reached them. Older versions keep reading the old column, with its old type;</li>
     *   <li><b>backfill</b>: {@link io.github.schemaevolution.api.SchemaEvolution#backfill} writes the expression
     *       into the new column through the chunked runner (resumable, throttled, with progress);</li>
     *   <li><b>contract</b>: once no writer of an older version is left and the backfill has run after them,
     *       retiring the older versions frees the old column ({@link RetireVersions}).</li>
     * </ol>
     * A change that can lose or alter values (anything but a lossless widening, a conversion to String, or
     * making the column Nullable) is refused unless {@code lossy} says the caller accepts it.
     */
    record RetypeColumn(String name, ColumnType to, String expression, boolean lossy) implements Change {
        public RetypeColumn {
            checkColumn(name, "retyped column");
            requireType(to, "retyping column " + name);
            new ColumnDefault.Expression(expression);
            if (!expression.contains(Backfill.OLD)) {
                throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, null, name, "the expression of a retype reads"
                        + " the old column as " + Backfill.OLD + ", for example toString({old}) or {old}::text; got '"
                        + Texts.abbreviate(expression, 120) + "'", null);
            }
        }

        public String describe() {
            return "retype " + name + " " + DefaultToken.escape(expression) + " " + to.sql() + (lossy ? " lossy" : "");
        }

        public boolean touchesData() {
            return true;
        }
    }

    /**
     * Records a change made to the table outside the library, after review: a column someone added
     * (it joins the new version under its name; one named with the spare prefix joins the pool as a free
     * spare), or a column someone retyped to {@code type} (older versions' views keep their type by a
     * cast). Runs no DDL on the table: the column must be in the live table with exactly this type, or
     * the migration fails on the drift it does not cover. A column dropped outside the library cannot
     * be absorbed, since older versions still read it.
     */
    record AbsorbColumn(String name, ColumnType type) implements Change {
        public AbsorbColumn {
            checkColumn(name, "absorbed column");
            requireType(type, "absorbing column " + name);
        }

        public String describe() {
            return "absorb " + name + " " + type.sql();
        }

        public boolean touchesData() {
            return false;
        }
    }

    /**
     * Makes every view of the table read it with {@code FINAL} ({@code on}), or as it is: on a collapsing
     * ClickHouse engine (ReplacingMergeTree, CollapsingMergeTree, ...) a view with {@code FINAL} shows one
     * row per key whether or not the parts have merged. A {@code FINAL} a reader writes after a view's name
     * is ignored by ClickHouse, so readers that need collapsed rows use such views (or
     * {@code SETTINGS final = 1}). Views of every live version, and of later ones, follow.
     */
    record FinalViews(boolean on) implements Change {
        public String describe() {
            return "views " + (on ? "final" : "plain");
        }

        public boolean touchesData() {
            return false;
        }
    }

    /** Renames a column as readers see it; engines with catalog-only renames rename it physically too. */
    record RenameColumn(String from, String to) implements Change {
        public RenameColumn {
            checkColumn(from, "renamed column");
            checkColumn(to, "new column name");
        }

        public String describe() {
            return "rename " + from + " " + to;
        }

        public boolean touchesData() {
            return false;
        }
    }

    /** Widens a column's type without loss (Float32 to Float64, Int32 to Int64, ...). */
    record WidenType(String name, ColumnType to) implements Change {
        public WidenType {
            checkColumn(name, "widened column");
            requireType(to, "widening column " + name);
        }

        public String describe() {
            return "widen " + name + " " + to.sql();
        }

        public boolean touchesData() {
            return true;
        }
    }

    /**
     * Adds {@code count} new spares of {@code family} to the pool: nullable ones, or non-Nullable ones
     * when {@code notNull} (see {@link io.github.schemaevolution.api.model.ReservePolicy}).
     */
    record RefillPool(ColumnType family, int count, boolean notNull) implements Change {
        public RefillPool {
            family = requireType(family, "a pool refill").withoutNullable();
            if (count < 1) {
                throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID,
                        "refill count must be positive, got " + count + " for " + family.sql());
            }
        }

        public RefillPool(ColumnType family, int count) {
            this(family, count, false);
        }

        /** The type the new spares are stored as. */
        public ColumnType storedType() {
            return notNull ? family : family.orNullable();
        }

        public String describe() {
            return "refill " + family.sql() + " " + count + (notNull ? " not-null" : "");
        }

        public boolean touchesData() {
            return false;
        }
    }
}
