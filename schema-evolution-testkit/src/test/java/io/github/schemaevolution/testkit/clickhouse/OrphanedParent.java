package io.github.schemaevolution.testkit.clickhouse;

/**
 * A JVM that starts an embedded ClickHouse, says which process and directory it got, and waits to
 * be killed: {@link EmbeddedClickHouseIT} kills it to check that the engine does not outlive it.
 */
public final class OrphanedParent {
    private OrphanedParent() {
    }

    public static void main(String[] args) throws Exception {
        EmbeddedClickHouse clickhouse = EmbeddedClickHouse.start();
        System.out.println("CHILD " + clickhouse.pid() + " " + clickhouse.dataDirectory().getParent());
        System.out.flush();
        while (System.in.read() >= 0) {
            // until killed
        }
    }
}
