package io.github.schemaevolution.testkit.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Another instance of an application, as a separate JVM on the test's class path: for tests whose
 * point is several instances or a crash. {@link #killWhenItPrints} kills it with SIGKILL, the way a
 * crashed host or an OOM killer ends a process: no shutdown hook, no finally block, no flush.
 * {@link #send} writes a line to its standard input: started children that wait for one are
 * released at the same moment, to contend as instances deployed together do.
 */
public final class ChildJvm {
    private final Process process;
    private final BufferedReader output;

    private ChildJvm(Process process) {
        this.process = process;
        this.output = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Starts {@code main} with {@code args}; its standard error is discarded, its standard output read by the test. */
    public static ChildJvm start(Class<?> main, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        return new ChildJvm(new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start());
    }

    /** What a child printed before it ended, and how it ended. */
    public record Exit(int code, List<String> lines) {
    }

    /** Writes {@code line} to the child's standard input. */
    public void send(String line) throws IOException {
        process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().flush();
    }

    /** The next line the child prints, waiting for it; {@code null} once the child has ended. */
    public String nextLine() throws IOException {
        return output.readLine();
    }

    /** Reads the child's output to its end and waits for it to exit, at most {@code seconds}. */
    public Exit awaitExit(long seconds) throws IOException, InterruptedException {
        List<String> lines = new ArrayList<>();
        try (output) {
            for (String read = output.readLine(); read != null; read = output.readLine()) {
                lines.add(read);
            }
        }
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("the child did not end within " + seconds + " s; it printed " + lines);
        }
        return new Exit(process.exitValue(), lines);
    }

    /**
     * Reads the child's output until it prints {@code line}, then kills it with SIGKILL wherever it is,
     * and waits for it to end.
     *
     * @return the exit code: 137 for a process killed by SIGKILL
     * @throws IllegalStateException when the child ends without printing the line
     */
    public int killWhenItPrints(String line) throws IOException, InterruptedException {
        String read;
        do {
            read = output.readLine();
        } while (read != null && !read.equals(line));
        if (read == null) {
            throw new IllegalStateException("the child ended (exit code " + process.waitFor() + ") before it printed " + line);
        }
        return kill();
    }

    /** Kills the child with SIGKILL now, wherever it is, and waits for it to end; returns 137. */
    public int kill() throws IOException, InterruptedException {
        try (output) {
            process.destroyForcibly();
        }
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the child did not end within 60 s of SIGKILL");
        }
        return process.exitValue();
    }
}
