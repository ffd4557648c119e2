package io.github.schemaevolution.bench;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;

import java.lang.reflect.Method;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Runs the benchmarks (JMH command-line options are accepted, e.g. a class-name regex) and then
 * prints, for every benchmark class with a {@link Baseline} method, each method's score as a
 * ratio of the baseline's for the same parameters. Lower is faster for time-based modes.
 */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] args) throws RunnerException, CommandLineOptionException {
        // exec:exec hands -Dbench="Fill -p engine=clickhouse" over as one argument: JMH wants its words
        String[] options = args.length == 1 ? args[0].trim().split("\\s+") : args;
        Collection<RunResult> results = new Runner(new CommandLineOptions(options)).run();
        System.out.println();
        System.out.println("Ratios against each class's @Baseline, same parameters, same run:");
        Map<String, Map<String, Double>> byGroup = new TreeMap<>();
        for (RunResult result : results) {
            String benchmark = result.getParams().getBenchmark();
            String group = benchmark.substring(0, benchmark.lastIndexOf('.')) + paramsOf(result);
            byGroup.computeIfAbsent(group, g -> new LinkedHashMap<>())
                    .put(benchmark.substring(benchmark.lastIndexOf('.') + 1), result.getPrimaryResult().getScore());
        }
        byGroup.forEach((group, scores) -> {
            String className = group.substring(0, group.indexOf(' ') < 0 ? group.length() : group.indexOf(' '));
            String baseline = baselineOf(className);
            Double base = baseline == null ? null : scores.get(baseline);
            for (Map.Entry<String, Double> score : scores.entrySet()) {
                String ratio = base == null || base == 0 ? "" : String.format("  = %.2f x %s", score.getValue() / base, baseline);
                System.out.printf("%-90s %12.3f%s%n", group.substring(group.lastIndexOf('.', className.length()) + 1)
                        + " " + score.getKey(), score.getValue(), ratio);
            }
        });
    }

    private static String paramsOf(RunResult result) {
        StringBuilder params = new StringBuilder();
        for (String key : result.getParams().getParamsKeys()) {
            params.append(' ').append(key).append('=').append(result.getParams().getParam(key));
        }
        return params.toString();
    }

    private static String baselineOf(String className) {
        try {
            for (Method method : Class.forName(className).getMethods()) {
                if (method.isAnnotationPresent(Baseline.class)) {
                    return method.getName();
                }
            }
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
        return null;
    }
}
