package io.github.schemaevolution.api.evolution;

import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.model.Column;
import io.github.schemaevolution.api.model.ColumnDefault;
import io.github.schemaevolution.api.model.ColumnType;
import io.github.schemaevolution.api.model.ReservePolicy;
import io.github.schemaevolution.api.model.Table;
import io.github.schemaevolution.spi.Capability;
import io.github.schemaevolution.spi.Dialect;
import io.github.schemaevolution.spi.IdentifierRules.Kind;
import io.github.schemaevolution.spi.SpareUse;
import io.github.schemaevolution.spi.DdlStatement;
import io.github.schemaevolution.spi.ViewColumn;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a migration into statements and the next {@link SchemaVersion}, without touching the
 * database (the {@link Migrator} feeds it the history, the live table and the engine's protected
 * columns; tools may call it directly to plan offline). Every refusal (unknown column, exhausted pool, protected column, lossy type change)
 * is raised here, before any statement exists.
 *
 * <p>The engines differ in one respect: a PostgreSQL {@code RENAME COLUMN} is catalog-only
 * ({@link Capability#METADATA_ONLY_RENAME}), so spares are renamed into use there and a new column's
 * physical name is its name; a ClickHouse rename is a mutation over every part, so spares keep their
 * names. A rename of a column in use lives in the views only on both, so that writers pinned to an
 * older version keep their physical names.
 */
public final class Planner {
    private final Dialect dialect;
    private final ViewNaming naming;
    private final ChangePolicy policy;

    public Planner(Dialect dialect, ViewNaming naming) {
        this(dialect, naming, ChangePolicy.ANY);
    }

    /** A planner that refuses what {@code policy} refuses, beside what each table's releases refuse. */
    public Planner(Dialect dialect, ViewNaming naming, ChangePolicy policy) {
        this.dialect = dialect;
        this.naming = naming;
        this.policy = policy;
    }

    /**
     * Refuses a change that the deployment's policy or a release of the table forbids, before anything
     * is planned: CHANGE_FORBIDDEN naming the release (or the settings) and the rule.
     */
    private void checkPolicies(Migration migration, SchemaVersion current) {
        for (Change change : migration.changes()) {
            policy.refusal(change).ifPresent(rule -> {
                throw forbidden(current, change, "the change policy " + policy.label() + " of these settings", rule);
            });
            for (Release release : current.releases()) {
                release.policy().refusal(change).ifPresent(rule -> {
                    throw forbidden(current, change, describe(release), rule);
                });
                if (change instanceof Change.RetireVersions retire && release.policy() == ChangePolicy.ADDITIVE
                        && retire.upTo() >= release.version()) {
                    throw forbidden(current, change, describe(release), "keep-release-version: its readers read version "
                            + release.version() + "; retire only older versions");
                }
            }
        }
    }

    private static String describe(Release release) {
        return "release " + release.name() + " (version " + release.version() + ", policy " + release.policy().label() + ")";
    }

    private static SchemaEvolutionException forbidden(SchemaVersion current, Change change, String by, String rule) {
        return new SchemaEvolutionException(ErrorCode.CHANGE_FORBIDDEN, current.display(), null, by + " forbids '"
                + change.describe() + "': rule " + rule, null);
    }

    /**
     * @param history   every recorded version of the table, oldest first, ending with {@code current}
     * @param live      the live table (layout options, for the engine rules)
     * @param protectedColumns physical columns the engine forbids to drop, rename or retype, with the reason
     */
    public Plan plan(Migration migration, SchemaVersion current, List<SchemaVersion> history, Table live,
              Map<String, String> protectedColumns) {
        checkPolicies(migration, current);
        Work work = new Work(current, live, protectedColumns, history);
        for (Change change : migration.changes()) {
            if (change instanceof Change.AddColumn add) {
                work.add(add);
            } else if (change instanceof Change.DropColumn drop) {
                work.drop(drop);
            } else if (change instanceof Change.RenameColumn rename) {
                work.rename(rename);
            } else if (change instanceof Change.WidenType widen) {
                work.widen(widen);
            } else if (change instanceof Change.RefillPool refill) {
                work.refill(refill);
            } else if (change instanceof Change.RetireVersions retire) {
                work.retire(retire);
            } else if (change instanceof Change.FinalViews finalViews) {
                work.finalViews(finalViews);
            } else if (change instanceof Change.AbsorbColumn absorb) {
                work.absorb(absorb);
            } else if (change instanceof Change.RetypeColumn retype) {
                work.retype(retype);
            } else if (change instanceof Change.Publish publish) {
                work.publish(publish);
            }
        }
        SchemaVersion next = current.next(work.columns, work.slots, work.finalViews, work.releases);
        // the versions whose views live on: a retirement in this migration ends some
        List<SchemaVersion> liveVersions = history.stream().filter(v -> v.version() > work.retiredUpTo).toList();
        List<DdlStatement> statements = new ArrayList<>();
        boolean retyped = work.retyped && dialect.has(Capability.ALTER_TYPE_BLOCKED_BY_VIEWS);
        if (retyped) {
            statements.addAll(dropViews(liveVersions));
        }
        boolean everyView = retyped || next.finalViews() != current.finalViews();
        statements.addAll(work.statements);
        Map<String, Slot> was = current.slotsById();
        Map<String, Slot> now = next.slotsById();
        List<SchemaVersion> changedViews = liveVersions.stream()
                .filter(version -> everyView || viewChanges(version, current, next, was, now)).toList();
        statements.addAll(views(changedViews, current, next, everyView));
        List<String> replaced = new ArrayList<>(work.droppedViews);
        changedViews.forEach(version -> replaced.add(naming.viewName(version.table(), version.version())));
        if (current.version() > 0) {
            naming.latestName(next.table()).ifPresent(replaced::add);
        }
        return new Plan(migration, current, next, statements, work.afterCommit, replaced, work.notes,
                !work.statements.isEmpty() || !work.afterCommit.isEmpty());
    }

    /** How readers of {@code version} see the table once it is at {@code now}. */
    public static List<ViewColumn> projection(SchemaVersion version, SchemaVersion now) {
        List<ViewColumn> columns = new ArrayList<>();
        // looked up once per column: a wide table has as many slots as columns
        Map<String, Slot> slots = now.slotsById();
        for (MappedColumn column : version.columns()) {
            Slot slot = slots.get(column.slot());
            ColumnDefault nullsAs = slot.nullsReadAsDefault() ? slot.defaultValue() : null;
            String nullsFrom = null;
            if (slot.backfill() != null && slot.defaultValue() == null) {
                // a retype where no column default can read the old column: the view reads it for rows not backfilled
                nullsAs = ColumnDefault.expression(slot.backfill().expression());
                nullsFrom = slots.get(slot.backfill().fromSlot()).physicalName();
            }
            if (slot.generation() != column.generation()) {
                columns.add(ViewColumn.nullAs(column.name(), column.type()));
            } else {
                columns.add(new ViewColumn(slot.physicalName(), column.name(),
                        slot.type().equals(column.type()) ? null : column.type(), nullsAs, nullsFrom));
            }
        }
        return columns;
    }

    private DdlStatement view(SchemaVersion version, SchemaVersion now, String name) {
        return dialect.createOrReplaceView(now.schema(), name, now.table(), projection(version, now), now.finalViews());
    }

    private List<DdlStatement> dropViews(List<SchemaVersion> history) {
        List<DdlStatement> drops = new ArrayList<>();
        if (history.isEmpty()) {
            return drops;
        }
        SchemaVersion last = history.get(history.size() - 1);
        naming.latestName(last.table()).ifPresent(latest -> drops.add(dialect.dropView(last.schema(), latest)));
        for (SchemaVersion version : history) {
            drops.add(dialect.dropView(version.schema(), naming.viewName(version.table(), version.version())));
        }
        return drops;
    }

    /**
     * Whether readers of {@code version} see the table otherwise at {@code next} than at {@code before}:
     * only if a slot it reads changed, which is looked at first (a wide table with many versions has as
     * many projections as versions, and an add changes one slot).
     */
    private static boolean viewChanges(SchemaVersion version, SchemaVersion before, SchemaVersion next,
            Map<String, Slot> was, Map<String, Slot> now) {
        boolean touched = false;
        for (MappedColumn column : version.columns()) {
            Slot slot = now.get(column.slot());
            if (slot == null || !slot.equals(was.get(column.slot())) || slot.backfill() != null
                    && !java.util.Objects.equals(now.get(slot.backfill().fromSlot()), was.get(slot.backfill().fromSlot()))) {
                touched = true;
                break;
            }
        }
        return touched && !projection(version, before).equals(projection(version, next));
    }

    /** The views of {@code changed} (live versions whose readers see a change) and of {@code next}. */
    private List<DdlStatement> views(List<SchemaVersion> changed, SchemaVersion before, SchemaVersion next, boolean all) {
        List<DdlStatement> statements = new ArrayList<>();
        for (SchemaVersion version : changed) {
            statements.add(view(version, next, naming.viewName(version.table(), version.version())));
        }
        statements.add(view(next, next, naming.viewName(next.table(), next.version())));
        naming.latestName(next.table()).ifPresent(latest -> {
            // PostgreSQL's CREATE OR REPLACE VIEW can append columns but not drop, rename or retype them: only
            // then is the view dropped first, which makes its readers wait for the migration's commit
            if (!dialect.has(Capability.VIEWS_REPLACE_ANY_SHAPE) && !all && !appends(before, next)) {
                statements.add(dialect.dropView(next.schema(), latest));
            }
            statements.add(view(next, next, latest));
        });
        return statements;
    }

    /** Whether {@code next}'s columns are {@code before}'s, same names and types in the same order, and then more. */
    private static boolean appends(SchemaVersion before, SchemaVersion next) {
        List<MappedColumn> old = before.columns();
        List<MappedColumn> now = next.columns();
        if (now.size() < old.size()) {
            return false;
        }
        for (int i = 0; i < old.size(); i++) {
            if (!old.get(i).name().equals(now.get(i).name()) || !old.get(i).type().equals(now.get(i).type())) {
                return false;
            }
        }
        return true;
    }

    /** The mutable scratch state of one planning run. */
    private final class Work {
        private final SchemaVersion current;
        private final Table live;
        private final Map<String, String> protectedColumns;
        private final List<MappedColumn> columns;
        private final List<Slot> slots;
        private final List<DdlStatement> statements = new ArrayList<>();
        private final List<DdlStatement> afterCommit = new ArrayList<>();
        private final List<String> droppedViews = new ArrayList<>();
        private final List<String> notes = new ArrayList<>();
        private final List<SchemaVersion> history;
        private boolean retyped;
        private int retiredUpTo;
        private boolean finalViews;
        private final List<Release> releases;

        Work(SchemaVersion current, Table live, Map<String, String> protectedColumns, List<SchemaVersion> history) {
            this.current = current;
            this.live = live;
            this.protectedColumns = protectedColumns;
            this.history = history;
            this.columns = new ArrayList<>(current.columns());
            this.slots = new ArrayList<>(current.slots());
            this.finalViews = current.finalViews();
            this.releases = new ArrayList<>(current.releases());
        }

        /** The version this migration makes, published: no DDL but its view. */
        void publish(Change.Publish publish) {
            if (releases.stream().anyMatch(release -> release.name().equals(publish.release()))) {
                throw new SchemaEvolutionException(ErrorCode.CHANGE_FORBIDDEN, current.display(), null, "release "
                        + publish.release() + " is published already", null);
            }
            current.retypes().stream().filter(retype -> retype.phase() == SchemaVersion.Retype.Phase.BACKFILL).findFirst()
                    .ifPresent(retype -> {
                        throw new SchemaEvolutionException(ErrorCode.CHANGE_FORBIDDEN, current.display(), retype.column(),
                                "the retype of " + retype.column() + " waits for its backfill: finish it before publishing "
                                + publish.release() + ", which is not written again", null);
                    });
            releases.add(new Release(publish.release(), current.version() + 1, publish.policy()));
            notes.add("publishes version " + (current.version() + 1) + " as release " + publish.release() + ", policy "
                    + publish.policy().label() + (publish.policy() == ChangePolicy.ADDITIVE ? ": from now on only changes"
                    + " that keep query results are accepted" : ""));
        }

        /** Checked on the live table: only an engine that collapses rows has something for FINAL to do. */
        void finalViews(Change.FinalViews change) {
            if (change.on() == finalViews) {
                throw new SchemaEvolutionException(ErrorCode.CHANGE_FORBIDDEN, current.display(), null, "the views read the"
                        + " table " + (finalViews ? "with FINAL" : "without FINAL") + " already", null);
            }
            if (change.on() && !dialect.has(Capability.FINAL_VIEWS)) {
                throw new SchemaEvolutionException(ErrorCode.FEATURE_UNSUPPORTED, current.display(), null, dialect.name()
                        + " has no FINAL: its tables show every row as written", null);
            }
            if (change.on() && live.clickHouse().engine() instanceof io.github.schemaevolution.api.model.ClickHouseOptions.MergeTree) {
                throw new SchemaEvolutionException(ErrorCode.CHANGE_FORBIDDEN, current.display(), null, "the table is a plain"
                        + " MergeTree, which collapses nothing: FINAL views are for ReplacingMergeTree, CollapsingMergeTree"
                        + " and the other engines that merge rows of one key", null);
            }
            finalViews = change.on();
        }

        void add(Change.AddColumn add) {
            checkNewName(add.name());
            ColumnType wanted = dialect.canonicalType(add.type());
            ColumnDefault value = add.defaultValue();
            if (unknownLiveType(add.name()).filter(wanted::equals).isPresent()) {
                // made by hand already, with this very type: the add records it, as ADD COLUMN IF NOT EXISTS would
                slots.add(new Slot(add.name(), add.name(), wanted, 0, Slot.Use.COLUMN, value, false));
                columns.add(new MappedColumn(add.name(), wanted, add.name(), 0));
                notes.add(add.name() + ": the table has this column already, made outside the library: recorded as it is,"
                        + " no DDL" + (value == null ? "" : " (its default is not changed)"));
                return;
            }
            if (!wanted.isNullable() && value == null && !dialect.has(Capability.NULLABLE_IS_STORED)
                    && !wanted.orNullable().equals(wanted)) {
                throw new SchemaEvolutionException(ErrorCode.CHANGE_FORBIDDEN, current.display(), add.name(), "a column"
                        + " added as " + wanted.sql() + " (not Nullable) needs a default on " + dialect.name() + ": the"
                        + " rows that exist and the writers of older versions, which do not know the column, have no value"
                        + " for it; give it a default, or add it as " + wanted.orNullable().sql(), null);
            }
            boolean alias = value != null && value.kind() == ColumnDefault.Kind.ALIAS;
            Slot spare = alias ? null : slots.stream().filter(s -> s.free() && serves(s, wanted)).findFirst().orElse(null);
            if (spare == null) {
                // an ALIAS column stores nothing: its native add is metadata only, and it needs no spare
                if (!add.allowNativeAdd() && !alias) {
                    throw exhausted(add.name(), wanted);
                }
                if (slots.stream().anyMatch(s -> s.physicalName().equalsIgnoreCase(add.name()) || s.id().equalsIgnoreCase(add.name()))) {
                    // ADD COLUMN IF NOT EXISTS would quietly do nothing, and the new column would read the old one
                    throw new SchemaEvolutionException(ErrorCode.COLUMN_EXISTS, current.display(), add.name(), "a physical"
                            + " column of that name exists (a column renamed in the views, or a dropped one kept for older"
                            + " versions): a native ADD COLUMN needs a name of its own", null);
                }
                statements.add(dialect.addColumn(live, new Column(add.name(), wanted, value, null)));
                slots.add(new Slot(add.name(), add.name(), wanted, 0, Slot.Use.COLUMN, value, false));
                columns.add(new MappedColumn(add.name(), wanted, add.name(), 0));
                notes.add(add.name() + (alias ? ": added natively, computed on every read and never stored" : ": added"
                        + " natively; rows that exist read " + (value == null
                        ? (wanted.isNullable() ? "NULL" : "the type's empty value") : "its default " + DefaultToken.encode(value))));
                return;
            }
            String physical = spare.physicalName();
            // where a rename is catalog-only the spare takes the column's name, unless a physical column has
            // it already (a column renamed away in the views, or a dropped one kept for older versions)
            boolean nameFree = slots.stream().noneMatch(s -> s.physicalName().equalsIgnoreCase(add.name()));
            if (dialect.has(Capability.METADATA_ONLY_RENAME) && nameFree) {
                statements.add(dialect.renameColumn(live, physical, add.name()));
                physical = add.name();
            }
            // physical names stay put where renames are not catalog-only: a writer still on a retired version
            // may have written the spare since it was freed, so a recycled spare is emptied again there
            boolean recycled = !dialect.has(Capability.METADATA_ONLY_RENAME) && spare.generation() > 0;
            SpareUse use = dialect.useSpare(live, physical, spare.type(), wanted, value, recycled);
            statements.addAll(use.statements());
            replace(spare, spare.inUse(physical, use.storedType(), value, use.nullsReadAsDefault()));
            columns.add(new MappedColumn(add.name(), wanted, spare.id(), spare.generation()));
            notes.add(add.name() + ": spare " + spare.id() + " in use as " + wanted.sql()
                    + (value == null ? "" : " " + DefaultToken.encode(value)) + "; rows that exist read " + use.oldRows());
        }

        /** The live type of a physical column no slot knows of: one made outside the library. */
        private java.util.Optional<ColumnType> unknownLiveType(String name) {
            if (slots.stream().anyMatch(s -> s.physicalName().equals(name))) {
                return java.util.Optional.empty();
            }
            return live.physicalColumns().stream().filter(c -> c.name().equals(name)).findFirst()
                    .map(c -> dialect.canonicalType(c.type()));
        }

        void absorb(Change.AbsorbColumn absorb) {
            ColumnType type = dialect.canonicalType(absorb.type());
            Slot known = slots.stream().filter(s -> s.physicalName().equals(absorb.name())).findFirst().orElse(null);
            ColumnType liveType = live.physicalColumns().stream().filter(c -> c.name().equals(absorb.name())).findFirst()
                    .map(c -> dialect.canonicalType(c.type())).orElse(null);
            if (!type.equals(liveType)) {
                throw new SchemaEvolutionException(ErrorCode.SCHEMA_DRIFT, current.display(), absorb.name(), "cannot absorb "
                        + absorb.name() + " " + type.sql() + ": the table " + (liveType == null ? "has no such column"
                        : "has it as " + liveType.sql()) + "; absorb what the table holds (see verify)", null);
            }
            if (known != null) {
                if (known.type().equals(type)) {
                    throw new SchemaEvolutionException(ErrorCode.CHANGE_FORBIDDEN, current.display(), absorb.name(),
                            "the column is recorded as " + type.sql() + " already: nothing to absorb", null);
                }
                replace(known, known.retyped(type));
                for (int i = 0; i < columns.size(); i++) {
                    MappedColumn column = columns.get(i);
                    if (column.slot().equals(known.id())) {
                        columns.set(i, new MappedColumn(column.name(), type, column.slot(), column.generation()));
                    }
                }
                notes.add(absorb.name() + ": retyped outside the library to " + type.sql() + "; older versions read it as"
                        + " their type, by a cast");
                return;
            }
            if (absorb.name().startsWith(current.sparePrefix())) {
                // what it holds was never written under a column's name: it is cleared like a returned spare
                Slot spare = new Slot(absorb.name(), absorb.name(), type, 0, Slot.Use.RETAINED);
                slots.add(spare);
                free(spare);
                notes.add(absorb.name() + ": a spare made outside the library, cleared, joins the pool");
                return;
            }
            checkNewName(absorb.name());
            slots.add(new Slot(absorb.name(), absorb.name(), type, 0, Slot.Use.COLUMN));
            columns.add(new MappedColumn(absorb.name(), type, absorb.name(), 0));
            notes.add(absorb.name() + ": made outside the library, recorded as a column of this version, no DDL");
        }

        /** Whether a free spare can hold a column of {@code wanted}: same type, and same nullability where it is stored. */
        private boolean serves(Slot spare, ColumnType wanted) {
            if (dialect.has(Capability.NULLABLE_IS_STORED)) {
                return spare.type().equals(wanted);
            }
            return spare.type().withoutNullable().equals(wanted.withoutNullable());
        }

        private SchemaEvolutionException exhausted(String column, ColumnType wanted) {
            long retained = slots.stream().filter(s -> s.use() == Slot.Use.RETAINED && serves(s, wanted)).count();
            long otherNullability = slots.stream().filter(s -> s.free() && !serves(s, wanted)
                    && s.type().withoutNullable().equals(wanted.withoutNullable())).count();
            String hint = otherNullability == 0 ? "" : "; " + otherNullability + " free " + (wanted.isNullable()
                    ? "non-Nullable" : "Nullable") + " spares of the type cannot hold it on " + dialect.name()
                    + (wanted.isNullable() ? "" : " (reserve non-Nullable spares: ReservePolicy notNullSpares, or a"
                    + " not-null refill; or add it as " + wanted.orNullable().sql() + ")");
            return new SchemaEvolutionException(ErrorCode.POOL_EXHAUSTED, current.display(), column,
                    "no free spare of type " + wanted.sql() + " (" + PoolStatus.of(snapshot()) + (retained == 0 ? ""
                            : "; " + retained + " more held by dropped columns until the versions that map them"
                            + " are retired") + hint + "); refill the pool, retire old versions or allow a native ADD COLUMN",
                    null);
        }

        /** Metadata only: the column leaves the new version, and its slot is retained for the versions that map it. */
        void drop(Change.DropColumn drop) {
            MappedColumn column = column(drop.name());
            Slot slot = slotOf(column);
            refuseProtected(slot, "dropped");
            replace(slot, slot.retained());
            columns.remove(column);
        }

        /**
         * Ends the versions up to {@code retire.upTo()}: drops their views, and frees the retained slots
         * that no live version maps any more.
         */
        void retire(Change.RetireVersions retire) {
            if (retire.upTo() >= current.version()) {
                throw new SchemaEvolutionException(ErrorCode.CHANGE_FORBIDDEN, current.display(), null, "version "
                        + current.version() + " is the current one: only older versions can be retired", null);
            }
            if (history.stream().noneMatch(version -> version.version() <= retire.upTo())) {
                throw new SchemaEvolutionException(ErrorCode.CHANGE_FORBIDDEN, current.display(), null,
                        "the versions up to " + retire.upTo() + " are retired already", null);
            }
            retiredUpTo = Math.max(retiredUpTo, retire.upTo());
            List<SchemaVersion> remaining = new ArrayList<>();
            for (SchemaVersion version : history) {
                if (version.version() <= retire.upTo()) {
                    droppedViews.add(naming.viewName(version.table(), version.version()));
                    statements.add(dialect.dropView(version.schema(), naming.viewName(version.table(), version.version())));
                } else {
                    remaining.add(version);
                }
            }
            for (Slot slot : List.copyOf(slots)) {
                boolean mapped = remaining.stream().flatMap(v -> v.columns().stream())
                        .anyMatch(c -> c.slot().equals(slot.id()) && c.generation() == slot.generation())
                        || columns.stream().anyMatch(c -> c.slot().equals(slot.id()));
                if (slot.use() == Slot.Use.RETAINED && !mapped) {
                    endBackfillsFrom(slot);
                    free(slot);
                }
            }
        }

        /**
         * The contract phase of the retypes whose old column {@code source} is: their backfill must have
         * completed, since from now on the new column alone holds the values; the views and column
         * defaults that read the old column for rows not backfilled go.
         */
        private void endBackfillsFrom(Slot source) {
            for (Slot target : List.copyOf(slots)) {
                Backfill backfill = target.backfill();
                if (backfill == null || !backfill.fromSlot().equals(source.id())) {
                    continue;
                }
                String column = columns.stream().filter(c -> c.slot().equals(target.id())).map(MappedColumn::name)
                        .findFirst().orElse(target.physicalName());
                if (!backfill.done()) {
                    throw new SchemaEvolutionException(ErrorCode.CHANGE_FORBIDDEN, current.display(), column, "the versions"
                            + " being retired read " + column + " from its old column, and the backfill of its retype has"
                            + " not completed: stop their writers, run SchemaEvolution.backfill for " + column
                            + ", then retire them", null);
                }
                Slot ended = target.withBackfill(null);
                if (target.defaultValue() != null) {
                    statements.addAll(dialect.removeDefault(live, target.physicalName(), target.defaultValue().kind()));
                    ended = ended.withDefault(null);
                }
                replace(target, ended);
                notes.add(column + ": its retype is complete; the old column " + source.physicalName() + " returns to the pool");
            }
        }

        /**
         * Phase one of a retype ({@link Change.RetypeColumn}): a spare of the new type comes into use, the new
         * version maps the column to it, and rows not backfilled yet read the expression over the old column.
         */
        void retype(Change.RetypeColumn retype) {
            MappedColumn column = column(retype.name());
            Slot old = slotOf(column);
            refuseProtected(old, "retyped");
            ColumnType wanted = dialect.canonicalType(retype.to());
            if (wanted.equals(column.type())) {
                throw new SchemaEvolutionException(ErrorCode.CHANGE_FORBIDDEN, current.display(), retype.name(),
                        "the column is " + wanted.sql() + " already", null);
            }
            if (!retype.lossy() && !keepsValues(column.type(), wanted)) {
                throw new SchemaEvolutionException(ErrorCode.CHANGE_FORBIDDEN, current.display(), retype.name(), "changing "
                        + column.type().sql() + " to " + wanted.sql() + " can lose or alter values: retype it with retypeLossy"
                        + " if that is meant, or choose a type that holds every value (a wider one, String, or Nullable)", null);
            }
            if (old.backfill() != null) {
                throw new SchemaEvolutionException(ErrorCode.CHANGE_FORBIDDEN, current.display(), retype.name(), "its"
                        + " previous retype is not complete: backfill it and retire the versions that read the old column first", null);
            }
            boolean storedNullability = dialect.has(Capability.NULLABLE_IS_STORED);
            // where nullability is a constraint the new column stays nullable: writers of older versions leave it out
            ColumnType stored = storedNullability ? wanted : wanted.orNullable();
            Slot spare = slots.stream().filter(s -> s.free() && serves(s, stored)).findFirst().orElse(null);
            if (spare == null) {
                throw exhausted(retype.name(), wanted);
            }
            String oldColumn = dialect.identifiers().quote(Kind.COLUMN, current.table(), old.physicalName());
            Backfill backfill = new Backfill(old.id(), retype.expression(), false);
            Slot inUse;
            if (storedNullability) {
                // the engine computes the expression for rows that do not store the column, inserts of older writers too
                ColumnDefault fromOld = ColumnDefault.expression(backfill.over(oldColumn));
                boolean recycled = !dialect.has(Capability.METADATA_ONLY_RENAME) && spare.generation() > 0;
                SpareUse use = dialect.useSpare(live, spare.physicalName(), spare.type(), wanted, fromOld, recycled);
                statements.addAll(use.statements());
                inUse = spare.inUse(spare.physicalName(), use.storedType(), fromOld, false);
            } else {
                inUse = spare.inUse(spare.physicalName(), spare.type(), null, false);
            }
            replace(spare, inUse.withBackfill(backfill));
            columns.set(columns.indexOf(column), new MappedColumn(column.name(), wanted, spare.id(), spare.generation()));
            Slot kept = old;
            if (!storedNullability && !old.type().isNullable() && !old.type().orNullable().equals(old.type())) {
                // writers of the new version leave the old column out; older readers see NULL in their rows
                statements.addAll(dialect.dropNotNull(live, old.physicalName()));
                kept = old.retyped(old.type().orNullable());
                replace(old, kept);
            }
            if (columns.stream().noneMatch(c -> c.slot().equals(old.id()))) {
                replace(kept, kept.retained());
            }
            notes.add(retype.name() + ": now " + wanted.sql() + " in spare " + spare.id() + "; until the backfill reaches"
                    + " them, rows read " + backfill.over(oldColumn) + "; older versions read the old column as "
                    + column.type().sql() + " until they retire");
        }

        /** Whether every value of {@code from} converts to {@code to} and back: a lossless widening, String, or Nullable. */
        private boolean keepsValues(ColumnType from, ColumnType to) {
            if (to.withoutNullable() == ColumnType.STRING || (to.isNullable() && !from.isNullable() && to.withoutNullable().equals(from))) {
                return !(from.isNullable() && !to.isNullable());
            }
            return TypeWidening.widen(from, to).map(dialect::canonicalType).filter(to::equals).isPresent();
        }

        /**
         * Clears a retained slot and returns it to the pool under a spare name. Where the migration is a
         * transaction, the rows are cleared after it commits: inside it, the clearing would hold the locks
         * of the catalog changes for as long as it takes to touch every row.
         */
        private void free(Slot slot) {
            if (slot.defaultValue() != null && slot.defaultValue().kind() == ColumnDefault.Kind.ALIAS) {
                // it holds no data and no spare: the library made it, and drops it
                statements.add(dialect.dropColumn(live, slot.physicalName()));
                slots.remove(slot);
                return;
            }
            String physical = slot.physicalName();
            if (dialect.has(Capability.METADATA_ONLY_RENAME)) {
                String spareName = spareNameFor(slot);
                if (!spareName.equals(physical)) {
                    // a writer still on a retired version then fails loudly instead of writing a free spare
                    statements.add(dialect.renameColumn(live, physical, spareName));
                    physical = spareName;
                }
            }
            if (slot.defaultValue() != null) {
                // before the clearing, or the cleared rows would read the default
                statements.addAll(dialect.removeDefault(live, physical, slot.defaultValue().kind()));
            }
            boolean deferred = false;
            for (DdlStatement statement : dialect.clearColumn(live, physical, slot.type())) {
                if (dialect.has(Capability.TRANSACTIONAL_DDL) && statement.cost() != DdlStatement.Cost.INSTANT) {
                    afterCommit.add(statement);
                    deferred = true;
                } else {
                    statements.add(statement);
                }
            }
            ColumnType cleared = dialect.clearedType(slot.type());
            replace(slot, deferred ? slot.clearing(physical, cleared) : slot.returned(physical, cleared));
        }

        /**
         * Views only, on every engine: the physical column keeps its name, so that a writer pinned to an
         * older version keeps inserting while readers of the new version see the new name.
         */
        void rename(Change.RenameColumn rename) {
            MappedColumn column = column(rename.from());
            checkNewName(rename.to());
            // the physical column, a key column too, keeps its name: nothing the engine protects is touched
            columns.set(columns.indexOf(column), new MappedColumn(rename.to(), column.type(), column.slot(), column.generation()));
        }

        void widen(Change.WidenType widen) {
            MappedColumn column = column(widen.name());
            Slot slot = slotOf(column);
            refuseProtected(slot, "retyped");
            if (dialect.canonicalType(widen.to()).equals(slot.type())) {
                throw new SchemaEvolutionException(ErrorCode.CHANGE_FORBIDDEN, current.display(), widen.name(),
                        "the column is " + slot.type().sql() + " already", null);
            }
            if (dialect.canonicalType(widen.to()).withoutNullable().equals(slot.type().withoutNullable())) {
                throw new SchemaEvolutionException(ErrorCode.CHANGE_FORBIDDEN, current.display(), widen.name(), "a widening"
                        + " keeps the column's nullability; to make it " + widen.to().sql() + ", retype it in phases:"
                        + " retype(\"" + widen.name() + "\", " + widen.to().sql() + ", \"{old}\")", null);
            }
            ColumnType target = TypeWidening.widen(slot.type(), dialect.canonicalType(widen.to()))
                    .map(dialect::canonicalType)
                    .orElseThrow(() -> new SchemaEvolutionException(ErrorCode.CHANGE_FORBIDDEN, current.display(),
                            widen.name(), "changing " + slot.type().sql() + " to " + widen.to().sql()
                            + " is not a lossless widening: retype it in phases with an expression instead (retype, or"
                            + " retypeLossy when values may change)", null));
            if (target.equals(slot.type())) {
                throw new SchemaEvolutionException(ErrorCode.CHANGE_FORBIDDEN, current.display(), widen.name(),
                        "on " + dialect.name() + " " + widen.to().sql() + " is stored as " + target.sql()
                                + ", the column's type already", null);
            }
            statements.add(dialect.changeColumnType(live, slot.physicalName(), target));
            replace(slot, slot.retyped(target));
            columns.set(columns.indexOf(column), new MappedColumn(column.name(), target, column.slot(), column.generation()));
            retyped = true;
        }

        void refill(Change.RefillPool refill) {
            ColumnType type = dialect.canonicalType(refill.storedType());
            for (int i = 0; i < refill.count(); i++) {
                String name = nextSpareName(type);
                statements.add(dialect.addColumn(live, new Column(name, type, null, ReservePolicy.SPARE_COMMENT)));
                slots.add(new Slot(name, name, type, 0, Slot.Use.FREE));
            }
        }

        private MappedColumn column(String name) {
            return columns.stream().filter(c -> c.name().equals(name)).findFirst()
                    .orElseThrow(() -> new SchemaEvolutionException(ErrorCode.COLUMN_NOT_FOUND, current.display(), name,
                            "no such column at version " + current.version(), null));
        }

        private Slot slotOf(MappedColumn column) {
            return slots.stream().filter(s -> s.id().equals(column.slot())).findFirst().orElseThrow();
        }

        private void replace(Slot before, Slot after) {
            slots.set(slots.indexOf(before), after);
        }

        private void checkNewName(String name) {
            dialect.identifiers().check(Kind.COLUMN, current.table(), name);
            if (name.toLowerCase(java.util.Locale.ROOT).startsWith(current.sparePrefix().toLowerCase(java.util.Locale.ROOT))) {
                throw new SchemaEvolutionException(ErrorCode.IDENTIFIER_RESERVED, current.display(), name,
                        "names starting with '" + current.sparePrefix() + "' are reserved for spare columns", null);
            }
            if (columns.stream().anyMatch(c -> c.name().equalsIgnoreCase(name))) {
                throw new SchemaEvolutionException(ErrorCode.COLUMN_EXISTS, current.display(), name,
                        "a column of that name exists at version " + current.version(), null);
            }
        }

        private void refuseProtected(Slot slot, String what) {
            String reason = protectedColumns.get(slot.physicalName());
            if (reason != null) {
                throw new SchemaEvolutionException(ErrorCode.CHANGE_FORBIDDEN, current.display(), slot.physicalName(),
                        "cannot be " + what + " on " + dialect.name() + ": " + reason + "; instead add a column for the new"
                        + " values and fill it (an add, then a chunked update), or copy the rows into a table with another"
                        + " key; a rename goes through the views and is allowed", null);
            }
        }

        /** A spare keeps its own name; a dropped original column gets the next free spare name of its family. */
        private String spareNameFor(Slot slot) {
            boolean spareName = slot.id().startsWith(current.sparePrefix());
            boolean idTaken = slots.stream().anyMatch(s -> s != slot && s.physicalName().equals(slot.id()));
            // named for the family it serves once cleared (on PostgreSQL a cleared column is nullable)
            return spareName && !idTaken ? slot.id() : nextSpareName(dialect.clearedType(slot.type()));
        }

        private String nextSpareName(ColumnType family) {
            ReservePolicy naming = ReservePolicy.builder().prefix(current.sparePrefix()).build();
            String stem = naming.spareName(family, 0);
            stem = stem.substring(0, stem.length() - 1);
            Pattern numbered = Pattern.compile(Pattern.quote(stem) + "(\\d+)");
            int max = 0;
            for (Slot slot : slots) {
                for (String name : List.of(slot.id(), slot.physicalName())) {
                    Matcher matcher = numbered.matcher(name);
                    if (matcher.matches()) {
                        max = Math.max(max, Integer.parseInt(matcher.group(1)));
                    }
                }
            }
            return stem + (max + 1);
        }

        private SchemaVersion snapshot() {
            return new SchemaVersion(current.schema(), current.table(), current.version(), current.sparePrefix(), columns, slots);
        }
    }
}
