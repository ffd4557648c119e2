package io.github.schemaevolution.api.copies;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Which copy of a logical table serves its readers, as recorded at one epoch: the two copies (each a
 * registered table with its own versions and history), the one that serves, and for each version of
 * the logical table the version of the serving copy whose view it reads.
 *
 * @param served logical version to the serving copy's version, oldest first
 */
public record CopyState(String schema, String logical, String copyA, String copyB, String serving, long epoch,
                        SortedMap<Integer, Integer> served) {
    public CopyState {
        Objects.requireNonNull(logical, "logical");
        Objects.requireNonNull(copyA, "copyA");
        Objects.requireNonNull(copyB, "copyB");
        Objects.requireNonNull(serving, "serving");
        if (!serving.equals(copyA) && !serving.equals(copyB)) {
            throw new IllegalArgumentException("the serving copy " + serving + " is neither " + copyA + " nor " + copyB);
        }
        if (served.isEmpty()) {
            throw new IllegalArgumentException("a logical table serves at least one version");
        }
        served = Collections.unmodifiableSortedMap(new TreeMap<>(served));
    }

    /** The copy readers do not see: the one to catch up, migrate and verify before the next swap. */
    public String offline() {
        return serving.equals(copyA) ? copyB : copyA;
    }

    /** The newest version of the logical table. */
    public int latestVersion() {
        return served.lastKey();
    }

    /** The serving copy's version behind the logical table's {@code version}. */
    public int servingVersion(int version) {
        Integer copyVersion = served.get(version);
        if (copyVersion == null) {
            throw new IllegalArgumentException(logical + " has no version " + version + "; it serves " + served.keySet());
        }
        return copyVersion;
    }

    /** {@code 1:1,2:3}: the mapping as it is stored. */
    String servedText() {
        StringBuilder text = new StringBuilder();
        for (Map.Entry<Integer, Integer> entry : served.entrySet()) {
            text.append(text.length() == 0 ? "" : ",").append(entry.getKey()).append(':').append(entry.getValue());
        }
        return text.toString();
    }

    static SortedMap<Integer, Integer> parseServed(String text) {
        SortedMap<Integer, Integer> served = new TreeMap<>();
        for (String pair : text.split(",")) {
            int colon = pair.indexOf(':');
            served.put(Integer.parseInt(pair.substring(0, colon).trim()), Integer.parseInt(pair.substring(colon + 1).trim()));
        }
        return served;
    }

    @Override
    public String toString() {
        return logical + " served by " + serving + " (offline " + offline() + ", epoch " + epoch + ", versions "
                + servedText() + ")";
    }
}
