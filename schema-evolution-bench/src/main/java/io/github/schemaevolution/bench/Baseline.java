package io.github.schemaevolution.bench;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a benchmark method of a class that measures the engine's own way of doing the work; a class
 * may have several (a copy of the table, one statement, the column alone). {@link BenchMain} reports
 * every method of the class as a ratio against each of them, for the same parameters, measured in
 * the same run.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Baseline {
}
