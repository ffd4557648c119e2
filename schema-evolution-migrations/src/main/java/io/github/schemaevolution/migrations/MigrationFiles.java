package io.github.schemaevolution.migrations;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.github.schemaevolution.api.ErrorCode;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.evolution.Change;
import io.github.schemaevolution.api.evolution.ChangePolicy;
import io.github.schemaevolution.api.evolution.Migration;
import io.github.schemaevolution.api.model.ColumnDefault;
import io.github.schemaevolution.api.model.ColumnType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Migrations kept as files next to a service's code, one migration per file, in YAML or JSON
 * ({@code .yaml}, {@code .yml}, {@code .json}), read into the very {@link Migration} values the Java
 * API builds, with the same checksums, so the command line, a Java service and a service in
 * another language apply the same history. A file:
 * <pre>
 * id: 2026-11-01-timings          # optional: the file name without its extension
 * table: fastpath
 * schema: analytics               # optional: the connection's current schema or database
 * changes:
 *   - add: dns_time_ms
 *     type: Nullable(Float64)
 *     default: 0                    # or defaultExpression: now64(3), or defaultNow: true
 *     computed: materialized        # or alias; optional
 *     orNative: true                # a native ADD COLUMN when the pool has no spare; optional
 *   - drop: scores
 *   - rename: probe_cc
 *     to: country
 *   - widen: page_len
 *     type: Int64
 *   - retype: flag
 *     type: Nullable(String)
 *     using: toString({old})
 *     lossy: false                  # optional
 *   - refill: Float64
 *     count: 3
 *     notNull: false                # optional
 *   - retire: 2
 *   - finalViews: true
 *   - absorb: hotfix
 *     type: Nullable(Float64)
 *   - publish: DR1
 *     policy: additive              # or any
 * </pre>
 * Anything else (an unknown field, a missing one, a change with two kinds) is refused with
 * MODEL_INVALID naming the file, the change and the field; the values go through the checks of the
 * Java API (identifiers, types, expressions) and fail with their codes.
 */
public final class MigrationFiles {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> EXTENSIONS = Set.of(".yaml", ".yml", ".json");
    private static final Set<String> FILE_FIELDS = Set.of("id", "table", "schema", "changes");
    private static final Map<String, Set<String>> CHANGE_FIELDS = Map.of(
            "add", Set.of("type", "default", "defaultExpression", "defaultNow", "computed", "orNative"),
            "drop", Set.of(),
            "rename", Set.of("to"),
            "widen", Set.of("type"),
            "retype", Set.of("type", "using", "lossy"),
            "refill", Set.of("count", "notNull"),
            "retire", Set.of(),
            "finalViews", Set.of(),
            "absorb", Set.of("type"),
            "publish", Set.of("policy"));

    private MigrationFiles() {
    }

    /**
     * The migrations of every migration file in {@code directory} (not its subdirectories), in the order
     * of their file names: name them so that they sort in the order they are to be applied, for example
     * by date ({@code 2026-11-01-timings.yaml}).
     */
    public static List<Migration> read(Path directory) {
        if (!Files.isDirectory(directory)) {
            throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, "no migration directory " + directory.toAbsolutePath());
        }
        try (Stream<Path> files = Files.list(directory)) {
            List<Path> sorted = files.filter(MigrationFiles::isMigrationFile).sorted().toList();
            List<Migration> migrations = new ArrayList<>();
            for (Path file : sorted) {
                migrations.add(readFile(file));
            }
            return migrations;
        } catch (IOException e) {
            throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, null, null, "cannot read " + directory + ": " + e.getMessage(), e);
        }
    }

    /** The migration of one file. */
    public static Migration readFile(Path file) {
        String name = file.getFileName().toString();
        try {
            return parse(Files.readString(file), name.substring(0, name.lastIndexOf('.')), name);
        } catch (IOException e) {
            throw new SchemaEvolutionException(ErrorCode.MODEL_INVALID, null, null, "cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The migration of one file's text.
     *
     * @param defaultId the id when the text has none (the file name without its extension)
     * @param source    the file's name, for messages
     */
    public static Migration parse(String text, String defaultId, String source) {
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (JsonProcessingException e) {
            throw invalid(source, "is not YAML or JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw invalid(source, "must be a mapping with table and changes");
        }
        unknownFields(root, FILE_FIELDS, source, "the file");
        String table = text(root, "table", source, "the file");
        Migration.Builder migration = Migration.builder(root.has("id") ? text(root, "id", source, "the file") : defaultId, table)
                .schema(root.has("schema") ? text(root, "schema", source, "the file") : null);
        JsonNode changes = root.get("changes");
        if (changes == null || !changes.isArray() || changes.isEmpty()) {
            throw invalid(source, "needs a non-empty list of changes");
        }
        for (int i = 0; i < changes.size(); i++) {
            migration.change(change(changes.get(i), source, "change " + (i + 1)));
        }
        return migration.build();
    }

    private static Change change(JsonNode node, String source, String where) {
        if (node == null || !node.isObject()) {
            throw invalid(source, where + " must be a mapping such as {drop: scores}");
        }
        List<String> kinds = new ArrayList<>();
        node.fieldNames().forEachRemaining(field -> {
            if (CHANGE_FIELDS.containsKey(field)) {
                kinds.add(field);
            }
        });
        if (kinds.size() != 1) {
            throw invalid(source, where + " needs exactly one of " + CHANGE_FIELDS.keySet().stream().sorted().toList()
                    + ", found " + kinds);
        }
        String kind = kinds.get(0);
        Set<String> allowed = new java.util.HashSet<>(CHANGE_FIELDS.get(kind));
        allowed.add(kind);
        unknownFields(node, allowed, source, where + " (" + kind + ")");
        String what = where + " (" + kind + ")";
        switch (kind) {
            case "add":
                return new Change.AddColumn(text(node, kind, source, what), type(node, source, what), defaultValue(node, source, what),
                        bool(node, "orNative", source, what));
            case "drop":
                return new Change.DropColumn(text(node, kind, source, what));
            case "rename":
                return new Change.RenameColumn(text(node, kind, source, what), text(node, "to", source, what));
            case "widen":
                return new Change.WidenType(text(node, kind, source, what), type(node, source, what));
            case "retype":
                return new Change.RetypeColumn(text(node, kind, source, what), type(node, source, what),
                        text(node, "using", source, what), bool(node, "lossy", source, what));
            case "refill":
                return new Change.RefillPool(ColumnType.parse(text(node, kind, source, what)), integer(node, "count", source, what),
                        bool(node, "notNull", source, what));
            case "retire":
                return new Change.RetireVersions(integer(node, kind, source, what));
            case "finalViews":
                return new Change.FinalViews(bool(node, kind, source, what));
            case "publish":
                return new Change.Publish(text(node, kind, source, what), ChangePolicy.of(text(node, "policy", source, what)));
            default:
                return new Change.AbsorbColumn(text(node, kind, source, what), type(node, source, what));
        }
    }

    private static ColumnDefault defaultValue(JsonNode node, String source, String where) {
        List<ColumnDefault> given = new ArrayList<>();
        if (node.has("default")) {
            given.add(ColumnDefault.literal(text(node, "default", source, where)));
        }
        if (node.has("defaultExpression")) {
            given.add(ColumnDefault.expression(text(node, "defaultExpression", source, where)));
        }
        if (bool(node, "defaultNow", source, where)) {
            given.add(ColumnDefault.now());
        }
        if (given.size() > 1) {
            throw invalid(source, where + " takes one of default, defaultExpression and defaultNow");
        }
        ColumnDefault value = given.isEmpty() ? null : given.get(0);
        if (!node.has("computed")) {
            return value;
        }
        String computed = text(node, "computed", source, where).toLowerCase(Locale.ROOT);
        if (value == null || !(computed.equals("materialized") || computed.equals("alias"))) {
            throw invalid(source, where + ": computed is materialized or alias, with a default, defaultExpression or defaultNow");
        }
        return computed.equals("alias") ? value.alias() : value.materialized();
    }

    private static ColumnType type(JsonNode node, String source, String where) {
        return ColumnType.parse(text(node, "type", source, where));
    }

    private static String text(JsonNode node, String field, String source, String where) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull() || value.isContainerNode()) {
            throw invalid(source, where + " needs " + field + " (a single value)");
        }
        return value.asText();
    }

    private static int integer(JsonNode node, String field, String source, String where) {
        JsonNode value = node.get(field);
        if (value == null || !value.canConvertToInt() || !value.isIntegralNumber()) {
            throw invalid(source, where + " needs " + field + " as a whole number");
        }
        return value.intValue();
    }

    private static boolean bool(JsonNode node, String field, String source, String where) {
        JsonNode value = node.get(field);
        if (value == null) {
            return false;
        }
        if (!value.isBoolean()) {
            throw invalid(source, where + ": " + field + " is true or false");
        }
        return value.booleanValue();
    }

    private static void unknownFields(JsonNode node, Set<String> allowed, String source, String where) {
        for (Iterator<String> fields = node.fieldNames(); fields.hasNext(); ) {
            String field = fields.next();
            if (!allowed.contains(field)) {
                throw invalid(source, where + " has an unknown field '" + field + "' (known: " + allowed.stream().sorted().toList() + ")");
            }
        }
    }

    private static boolean isMigrationFile(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return Files.isRegularFile(file) && EXTENSIONS.stream().anyMatch(name::endsWith);
    }

    private static SchemaEvolutionException invalid(String source, String what) {
        return new SchemaEvolutionException(ErrorCode.MODEL_INVALID, "migration file " + source + ": " + what);
    }
}
