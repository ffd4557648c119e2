package io.github.schemaevolution.maven;

import io.github.schemaevolution.api.SchemaEvolution;
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
        List<Migration> pending = evolution.pending(migrations);
        for (Migration migration : pending) {
            if (planned.add(migration.schema() + "." + migration.table())) {
                Plan plan = evolution.plan(migration);
                plan.toString().lines().forEach(getLog()::info);
            } else {
                getLog().info("then " + migration.id());
            }
        }
        getLog().info(pending.isEmpty() ? "nothing pending" : pending.size() + " pending");
    }
}
