package io.github.schemaevolution.spi;

/** One column of a view: the physical column it reads and the name readers see. */
public record ViewColumn(String source, String alias) {
    public static ViewColumn same(String name) {
        return new ViewColumn(name, name);
    }
}
