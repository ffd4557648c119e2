package io.github.schemaevolution.api.evolution;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the stored states of one table's history, oldest first, each as the change from the one
 * before ({@link SchemaVersion#encode(SchemaVersion)}). A history store feeds it the texts in order.
 *
 * <p>Every apply reads the whole history, and a wide table's states are large: the chain read last
 * for each table (of the last {@value #TABLES}) is kept, and a read takes the states of the entries
 * whose texts are the same as then, from the first on, without decoding them again. Equal texts from
 * the first entry on decode to equal states, so the memo cannot answer wrongly, whichever database the
 * table is in. The versions of a chain share the objects of the columns and slots they have in
 * common, so a kept chain costs about one version's objects and its changes.
 */
public final class StateChain {
    private static final int TABLES = 64;

    private static final Map<String, Kept> LAST = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Kept> eldest) {
            return size() > TABLES;
        }
    });

    private record Link(String text, SchemaVersion state) {
    }

    /** A chain as kept: its links, and what its lines read as, shared by its versions and by the next read's. */
    private record Kept(List<Link> links, Map<String, Object> seen) {
    }

    private final String key;
    private final List<Link> remembered;
    private final Map<String, Object> seen;
    private final List<Link> read = new ArrayList<>();
    private boolean sameSoFar = true;

    private StateChain(String key) {
        this.key = key;
        Kept kept = LAST.get(key);
        this.remembered = kept == null ? List.of() : kept.links();
        // a fresh map each read would be as correct; this one lets a new version share the kept one's objects
        this.seen = kept == null ? new java.util.HashMap<>() : new java.util.HashMap<>(kept.seen());
    }

    /** A chain for the history of {@code table} in {@code schema} ({@code null}: the connection's own). */
    public static StateChain of(String schema, String table) {
        return new StateChain((schema == null ? "" : schema) + "." + table);
    }

    /** The state stored as {@code text} by the entry after those read so far. */
    public SchemaVersion next(String text) {
        int at = read.size();
        SchemaVersion state;
        if (sameSoFar && at < remembered.size() && remembered.get(at).text().equals(text)) {
            state = remembered.get(at).state();
        } else {
            sameSoFar = false;
            state = VersionCodec.decode(text, previous(), seen);
        }
        read.add(new Link(text, state));
        return state;
    }

    /** The state read last, the one the next text may be a change from; {@code null} before the first. */
    public SchemaVersion previous() {
        return read.isEmpty() ? null : read.get(read.size() - 1).state();
    }

    /** Keeps what was read for the next read of the same table. */
    public void remember() {
        LAST.put(key, new Kept(List.copyOf(read), seen));
    }
}
