package io.github.schemaevolution.bench;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the benchmark method of a class that measures the engine's own way of doing the work;
 * {@link BenchMain} reports every other method of the class as a ratio against it, for the same
 * parameters, measured in the same run.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Baseline {
}
