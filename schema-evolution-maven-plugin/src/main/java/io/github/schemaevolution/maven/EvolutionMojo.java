package io.github.schemaevolution.maven;

import io.github.schemaevolution.api.DriverDataSource;
import io.github.schemaevolution.api.SchemaEvolution;
import io.github.schemaevolution.api.SchemaEvolutionException;
import io.github.schemaevolution.api.evolution.Migration;
import io.github.schemaevolution.migrations.MigrationFiles;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.Parameter;

import java.io.File;
import java.util.List;

/**
 * What the goals share: the database ({@code schemaEvolution.url}, {@code .user}, {@code .password},
 * best given by properties or the environment rather than the POM) and the folder of migration files
 * ({@code schemaEvolution.dir}, by default {@code src/main/migrations}). A coded refusal fails the
 * build (MojoFailureException); an unreachable database is an error of the build (MojoExecutionException).
 */
abstract class EvolutionMojo extends AbstractMojo {
    @Parameter(property = "schemaEvolution.url", required = true)
    String url;

    @Parameter(property = "schemaEvolution.user")
    String user;

    @Parameter(property = "schemaEvolution.password")
    String password;

    @Parameter(property = "schemaEvolution.dir", defaultValue = "${project.basedir}/src/main/migrations")
    File dir;

    @Parameter(property = "schemaEvolution.skip", defaultValue = "false")
    boolean skip;

    @Override
    public final void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) {
            getLog().info("schema-evolution: skipped");
            return;
        }
        try {
            SchemaEvolution evolution = SchemaEvolution.connect(DriverDataSource.of(url, user,
                    password == null ? System.getenv("SCHEMA_EVOLUTION_PASSWORD") : password));
            run(evolution, MigrationFiles.read(dir.toPath()));
        } catch (SchemaEvolutionException e) {
            if (e.code().retryable()) {
                throw new MojoExecutionException(e.getMessage(), e);
            }
            throw new MojoFailureException(e.getMessage(), e);
        }
    }

    abstract void run(SchemaEvolution evolution, List<Migration> migrations) throws MojoFailureException;
}
