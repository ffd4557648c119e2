package io.github.schemaevolution.testkit.contract;

import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.gate.GatedDataSource;
import io.github.schemaevolution.api.gate.MaintenanceGate;

import javax.sql.DataSource;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

/**
 * Another application instance of {@link GateContract}, run by a dialect module's main class in a
 * child JVM. Arguments after the data source's: {@code maintainer <gate> <lease ms> <now sql>}
 * reads the database's time, closes the gate, prints {@code closed <epoch> <that time, ms>} (the
 * lease, written after it and only ever renewed later, ends at least {@code <lease ms>} after it) and
 * waits for ever, to be killed with SIGKILL; {@code user <gate> <query>} wraps the data source with the gate, prints
 * {@code started closed=<what it read>}, runs the query through the gate and prints
 * {@code answered <first column>} or {@code refused <code>}.
 */
public final class GateProcess {
    private GateProcess() {
    }

    public static void run(DataSource dataSource, String[] args) throws Exception {
        MaintenanceGate gate = MaintenanceGate.of(dataSource, args[1]).withPoll(Duration.ofMillis(50));
        if (args[0].equals("maintainer")) {
            String beforeClose = first(dataSource, args[3]);
            MaintenanceGate.Closure closure = gate.close(Duration.ofMillis(Long.parseLong(args[2])), Duration.ofSeconds(5));
            System.out.println("closed " + closure.epoch() + " " + beforeClose);
            System.out.flush();
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            System.exit(0);
        }
        try (GatedDataSource gated = gate.gated(dataSource, Duration.ofSeconds(60), 8)) {
            System.out.println("started closed=" + gated.view().closed());
            System.out.flush();
            System.out.println("answered " + first(gated, args[2]));
        } catch (SQLException e) {
            System.out.println("refused " + (e.getCause() instanceof SchemaEvolutionException cause ? cause.code() : e.getMessage()));
        }
        System.exit(0);
    }

    static String first(DataSource dataSource, String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection(); ResultSet row = connection.createStatement().executeQuery(sql)) {
            row.next();
            return row.getString(1);
        }
    }
}
