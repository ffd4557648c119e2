package io.github.schemaevolution.cli;

import io.github.schemaevolution.api.chunk.Progress;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

class ProgressBarTest {

    @Test
    void aBarShowsTheShareDoneTheRateAndTheTimeLeft() {
        Progress halfway = new Progress("run", 4, 1, 10, true, OptionalLong.of(10), 45_000, Duration.ofSeconds(4));
        assertThat(ProgressBar.render(halfway))
                .isEqualTo("[==============>               ]  50%  5/10 chunks  45,000 rows  11,250 rows/s  0:00:05 left");
        Progress done = new Progress("run", 10, 0, 10, true, OptionalLong.of(10), 90_000, Duration.ofSeconds(9));
        assertThat(ProgressBar.render(done)).startsWith("[==============================] 100%  10/10 chunks").endsWith("0:00:00 left");
    }

    @Test
    void withoutATotalItCountsChunks() {
        Progress counting = new Progress("run", 3, 0, 3, false, OptionalLong.empty(), 300, Duration.ofSeconds(1));
        assertThat(ProgressBar.render(counting)).isEqualTo("3 chunks  300 rows  300 rows/s");
    }

    @Test
    void itRedrawsOneLineAndEndsIt() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        bar.accept(new Progress("run", 1, 0, 2, true, OptionalLong.of(2), 10, Duration.ofSeconds(1)));
        bar.accept(new Progress("run", 2, 0, 2, true, OptionalLong.of(2), 20, Duration.ofSeconds(2)));
        bar.finish();
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(out).startsWith("\r[").contains("\r[==============================] 100%").endsWith(System.lineSeparator());
        assertThat(out.chars().filter(c -> c == '\n').count()).as("one line, redrawn").isEqualTo(1);
    }
}
