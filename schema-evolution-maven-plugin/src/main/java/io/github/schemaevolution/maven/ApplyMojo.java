package io.github.schemaevolution.maven;

import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.api.evolution.ApplyResult;
import io.github.schemaevolution.api.evolution.Migration;
import org.apache.maven.plugins.annotations.Mojo;

import java.util.List;

/** Applies the migration files in the order of their names; safe from many builds or instances at once. */
@Mojo(name = "apply", threadSafe = true, requiresProject = false)
public final class ApplyMojo extends EvolutionMojo {
    @Override
    void run(SchemaEvolution evolution, List<Migration> migrations) {
        for (Migration migration : migrations) {
            ApplyResult result = evolution.apply(migration);
            getLog().info(migration.id() + ": " + result.outcome() + ", " + migration.table() + " at version "
                    + result.version().version());
        }
    }
}
