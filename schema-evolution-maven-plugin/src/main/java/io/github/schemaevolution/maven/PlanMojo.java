package io.github.schemaevolution.maven;

import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.api.evolution.HistoryEntry;
import io.github.schemaevolution.api.evolution.Migration;
import io.github.schemaevolution.api.evolution.Plan;
import org.apache.maven.plugins.annotations.Mojo;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Logs the plan of the next pending migration of each table (later ones start from its result and
 * are named only); changes nothing.
 */
@Mojo(name = "plan", threadSafe = true, requiresProject = false)
public final class PlanMojo extends EvolutionMojo {
    @Override
    void run(SchemaEvolution evolution, List<Migration> migrations) {
        Set<String> planned = new HashSet<>();
        int pending = 0;
        for (Migration migration : migrations) {
            boolean applied = evolution.history(migration.schema(), migration.table()).stream()
                    .anyMatch(e -> e.migrationId().equals(migration.id()) && e.status() == HistoryEntry.Status.APPLIED);
            if (applied) {
                continue;
            }
            pending++;
            if (planned.add(migration.schema() + "." + migration.table())) {
                Plan plan = evolution.plan(migration);
                plan.toString().lines().forEach(getLog()::info);
            } else {
                getLog().info("then " + migration.id());
            }
        }
        getLog().info(pending == 0 ? "nothing pending" : pending + " pending");
    }
}
