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
 * prints, for every benchmark class with {@link Baseline} methods, each method's score as a ratio
 * of each baseline's for the same parameters, and each score against the same method's with one
 * parameter at its first value (how it scales). Lower is faster for time-based modes.
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
            for (Map.Entry<String, Double> score : scores.entrySet()) {
                StringBuilder ratio = new StringBuilder();
                for (String baseline : baselinesOf(className)) {
                    Double base = scores.get(baseline);
                    if (base != null && base != 0 && !baseline.equals(score.getKey())) {
                        ratio.append(ratio.length() == 0 ? "  = " : ", ").append(String.format("%.2f x %s", score.getValue() / base, baseline));
                    }
                }
                System.out.printf("%-90s %12.3f%s%n", group.substring(group.lastIndexOf('.', className.length()) + 1)
                        + " " + score.getKey(), score.getValue(), ratio);
            }
        });
        printScaling(results);
        printPercentiles(results);
    }

    /** For sampled times, the median, 95th percentile and maximum: what a goal on a tail is read from. */
    private static void printPercentiles(Collection<RunResult> results) {
        boolean header = false;
        for (RunResult result : results) {
            if (result.getParams().getMode() != org.openjdk.jmh.annotations.Mode.SampleTime) {
                continue;
            }
            if (!header) {
                System.out.println();
                System.out.println("Percentiles of sampled times (" + result.getPrimaryResult().getScoreUnit() + "):");
                header = true;
            }
            org.openjdk.jmh.util.Statistics statistics = result.getPrimaryResult().getStatistics();
            String benchmark = result.getParams().getBenchmark();
            System.out.printf("%-90s p50 %10.3f  p95 %10.3f  max %10.3f  (n=%d)%n", benchmark.substring(benchmark.lastIndexOf('.',
                    benchmark.lastIndexOf('.') - 1) + 1) + paramsOf(result), statistics.getPercentile(50),
                    statistics.getPercentile(95), statistics.getMax(), statistics.getN());
        }
    }

    /**
     * Each score against the same method's with one numeric parameter at the first value it was run with
     * and the others the same: how a method scales with the width of a table or its number of versions.
     */
    private static void printScaling(Collection<RunResult> results) {
        Map<String, String> firstValues = new LinkedHashMap<>();
        for (RunResult result : results) {
            for (String key : result.getParams().getParamsKeys()) {
                firstValues.putIfAbsent(key, result.getParams().getParam(key));
            }
        }
        Map<String, Double> scores = new LinkedHashMap<>();
        results.forEach(result -> scores.put(result.getParams().getBenchmark() + paramsOf(result),
                result.getPrimaryResult().getScore()));
        boolean header = false;
        for (RunResult result : results) {
            String benchmark = result.getParams().getBenchmark();
            for (String key : result.getParams().getParamsKeys()) {
                String value = result.getParams().getParam(key);
                // sizes scale; an engine or a mode is another measurement, not a larger one
                if (value.equals(firstValues.get(key)) || !value.matches("\\d+") || !firstValues.get(key).matches("\\d+")) {
                    continue;
                }
                Double base = scores.get(benchmark + paramsOf(result, key, firstValues.get(key)));
                if (base == null || base == 0) {
                    continue;
                }
                if (!header) {
                    System.out.println();
                    System.out.println("Scaling: each score against the same method's with one parameter at its first value:");
                    header = true;
                }
                System.out.printf("%-90s %12.3f  = %.2f x %s=%s%n", benchmark.substring(benchmark.lastIndexOf('.',
                        benchmark.lastIndexOf('.') - 1) + 1) + paramsOf(result), result.getPrimaryResult().getScore(),
                        result.getPrimaryResult().getScore() / base, key, firstValues.get(key));
            }
        }
    }

    private static String paramsOf(RunResult result) {
        return paramsOf(result, null, null);
    }

    /** The parameters of {@code result}, with {@code key} (if not null) at {@code value}. */
    private static String paramsOf(RunResult result, String key, String value) {
        StringBuilder params = new StringBuilder();
        for (String name : result.getParams().getParamsKeys()) {
            params.append(' ').append(name).append('=').append(name.equals(key) ? value : result.getParams().getParam(name));
        }
        return params.toString();
    }

    /** The class's {@link Baseline} methods, by name. */
    private static java.util.List<String> baselinesOf(String className) {
        try {
            return java.util.Arrays.stream(Class.forName(className).getMethods())
                    .filter(method -> method.isAnnotationPresent(Baseline.class)).map(Method::getName).sorted().toList();
        } catch (ClassNotFoundException | LinkageError e) {
            return java.util.List.of();
        }
    }
}
