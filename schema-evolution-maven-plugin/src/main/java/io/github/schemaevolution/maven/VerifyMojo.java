package io.github.schemaevolution.maven;

import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.api.evolution.Migration;
import io.github.schemaevolution.api.evolution.SchemaDiff;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Mojo;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Compares every table the migration files name with its current version; drift fails the build with the diff. */
@Mojo(name = "verify", threadSafe = true, requiresProject = false)
public final class VerifyMojo extends EvolutionMojo {
    @Override
    void run(SchemaEvolution evolution, List<Migration> migrations) throws MojoFailureException {
        Set<String> seen = new LinkedHashSet<>();
        StringBuilder drift = new StringBuilder();
        for (Migration migration : migrations) {
            if (seen.add(migration.schema() + "." + migration.table())) {
                SchemaDiff diff = evolution.verify(migration.schema(), migration.table());
                getLog().info(diff.toString());
                if (!diff.isEmpty()) {
                    drift.append(diff).append('\n');
                }
            }
        }
        if (drift.length() > 0) {
            throw new MojoFailureException("schema drift:\n" + drift.toString().stripTrailing());
        }
    }
}
