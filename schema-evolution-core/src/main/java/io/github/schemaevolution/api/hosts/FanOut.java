package io.github.schemaevolution.api.hosts;

import io.github.schemaevolution.api.evolution.SchemaDiff;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a change fanned out over {@link Hosts} did on each host, in the order the hosts were given. A
 * host that failed (unreachable, a refusal, a lost connection) is named with its error; the others
 * went on. Running the same fan-out again does on each host only what is left: the migrations a host
 * recorded are ALREADY_APPLIED there.
 */
public record FanOut(String what, List<HostResult> hosts) {
    public FanOut {
        Objects.requireNonNull(what, "what");
        hosts = List.copyOf(hosts);
    }

    /** How one host ended. */
    public enum Status {
        /** Every step ran, or had run before. */
        DONE,
        /** A step failed; the steps after it were not tried on this host. */
        FAILED
    }

    /**
     * One host's result.
     *
     * @param applied        the migrations this fan-out applied on the host
     * @param alreadyApplied the migrations the host had recorded already
     * @param version        the table's version on the host after the fan-out, 0 when unknown
     * @param drift          the table's drift on the host after the fan-out (empty when none), when it was verified
     * @param error          what failed, when it did
     */
    public record HostResult(String host, Status status, List<String> applied, List<String> alreadyApplied, int version,
                             Optional<SchemaDiff> drift, Optional<String> error, Duration elapsed) {
        public HostResult {
            applied = List.copyOf(applied);
            alreadyApplied = List.copyOf(alreadyApplied);
        }

        @Override
        public String toString() {
            return host + ": " + status + (applied.isEmpty() ? "" : ", applied " + applied)
                    + (alreadyApplied.isEmpty() ? "" : ", already applied " + alreadyApplied)
                    + (version > 0 ? ", at version " + version : "")
                    + drift.filter(d -> !d.isEmpty()).map(d -> ", drift: " + d).orElse("")
                    + error.map(e -> ", failed: " + e).orElse("") + " (" + elapsed.toMillis() + " ms)";
        }
    }

    /** Whether every host is DONE, without drift. */
    public boolean complete() {
        return hosts.stream().allMatch(h -> h.status() == Status.DONE && h.drift().map(SchemaDiff::isEmpty).orElse(true));
    }

    /** The hosts that failed, by name. */
    public List<String> failed() {
        return hosts.stream().filter(h -> h.status() == Status.FAILED).map(HostResult::host).toList();
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(what + " on " + hosts.size() + " hosts: "
                + (complete() ? "complete" : failed().size() + " failed " + failed()));
        hosts.forEach(host -> text.append("\n  ").append(host));
        return text.toString();
    }
}
