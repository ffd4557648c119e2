package io.github.schemaevolution.api.evolution;

import io.github.schemaevolution.api.model.ColumnType;
import io.github.schemaevolution.api.model.ColumnType.Scalar;

import java.util.List;
import java.util.Optional;

/**
 * Which type changes keep every value exactly: wider integers of the same signedness, unsigned
 * into a strictly wider signed type, integers into a float whose mantissa holds them, Float32 into
 * Float64, decimals that gain digits on both sides of the point. Anything else can change query
 * results and is refused.
 */
final class TypeWidening {
    private static final List<Scalar> SIGNED = List.of(Scalar.INT8, Scalar.INT16, Scalar.INT32, Scalar.INT64);
    private static final List<Scalar> UNSIGNED = List.of(Scalar.UINT8, Scalar.UINT16, Scalar.UINT32, Scalar.UINT64);

    private TypeWidening() {
    }

    /**
     * The full new type for a column of type {@code from} widened to the base type {@code to},
     * keeping its Nullable and LowCardinality wrappers; empty when the change is not lossless.
     */
    static Optional<ColumnType> widen(ColumnType from, ColumnType to) {
        ColumnType target = to.withoutNullable();
        if (target instanceof ColumnType.LowCardinality low) {
            target = low.inner().withoutNullable();
        }
        if (from instanceof ColumnType.LowCardinality low) {
            return widen(low.inner(), target).map(ColumnType::lowCardinality);
        }
        if (from instanceof ColumnType.Nullable nullable) {
            return widen(nullable.inner(), target).map(ColumnType::nullable);
        }
        return lossless(from, target) ? Optional.of(target) : Optional.empty();
    }

    private static boolean lossless(ColumnType from, ColumnType to) {
        if (from.equals(to)) {
            return false;
        }
        if (from instanceof ColumnType.Decimal a && to instanceof ColumnType.Decimal b) {
            return b.scale() >= a.scale() && b.precision() - b.scale() >= a.precision() - a.scale();
        }
        if (from == Scalar.DATETIME && to instanceof ColumnType.DateTime64) {
            return true;
        }
        if (from instanceof ColumnType.DateTime64 a && to instanceof ColumnType.DateTime64 b) {
            return b.precision() > a.precision();
        }
        if (!(from instanceof Scalar a) || !(to instanceof Scalar b)) {
            return false;
        }
        if (a == Scalar.FLOAT32) {
            return b == Scalar.FLOAT64;
        }
        int bits = bits(a);
        if (bits == 0) {
            return false;
        }
        if (b == Scalar.FLOAT32) {
            return bits <= 16;
        }
        if (b == Scalar.FLOAT64) {
            return bits <= 32;
        }
        if (SIGNED.contains(a)) {
            return SIGNED.contains(b) && bits(b) > bits;
        }
        return UNSIGNED.contains(b) ? bits(b) > bits : SIGNED.contains(b) && bits(b) > bits;
    }

    private static int bits(Scalar type) {
        int signed = SIGNED.indexOf(type);
        int unsigned = UNSIGNED.indexOf(type);
        int index = Math.max(signed, unsigned);
        return index < 0 ? 0 : 8 << index;
    }
}
