package io.github.schemaevolution.cli;

import io.github.schemaevolution.api.chunk.Progress;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * A one-line progress bar for chunked runs, redrawn in place ({@code \r}) after every chunk:
 * {@code [=========>          ]  45%  5/11 chunks  45,000 rows  12,300 rows/s  0:00:03 left}. Before the
 * total is known it shows the chunks done without a bar.
 */
final class ProgressBar implements Consumer<Progress> {
    private static final int WIDTH = 30;

    private final PrintStream out;
    private boolean drawn;

    ProgressBar(PrintStream out) {
        this.out = out;
    }

    @Override
    public synchronized void accept(Progress progress) {
        out.print("\r" + render(progress));
        out.flush();
        drawn = true;
    }

    /** Ends the line the bar was drawn on, if any. */
    synchronized void finish() {
        if (drawn) {
            out.println();
        }
    }

    /** The bar's text for {@code progress}. */
    static String render(Progress progress) {
        long done = progress.chunksDone() + progress.chunksSkipped();
        OptionalLong total = progress.chunksTotal();
        StringBuilder line = new StringBuilder();
        if (total.isPresent() && total.getAsLong() > 0) {
            long all = total.getAsLong();
            int filled = (int) Math.min(WIDTH, done * WIDTH / all);
            line.append('[').append("=".repeat(Math.max(0, filled - 1))).append(filled > 0 ? (filled == WIDTH ? "=" : ">") : "")
                    .append(" ".repeat(WIDTH - filled)).append("] ")
                    .append(String.format(Locale.ROOT, "%3d%%", done * 100 / all))
                    .append(String.format(Locale.ROOT, "  %d/%d chunks", done, all));
        } else {
            line.append(String.format(Locale.ROOT, "%d chunks", done));
        }
        line.append(String.format(Locale.ROOT, "  %,d rows  %,.0f rows/s", progress.rows(), progress.rowsPerSecond()));
        progress.estimatedTimeLeft().ifPresent(left -> line.append("  ").append(clock(left)).append(" left"));
        return line.toString();
    }

    private static String clock(Duration duration) {
        long seconds = duration.toSeconds();
        return String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60);
    }
}
