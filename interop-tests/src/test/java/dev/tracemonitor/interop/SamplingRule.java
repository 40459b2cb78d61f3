package dev.tracemonitor.interop;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The sampling rule of DESIGN.md, re-implemented here from its text (this module must not use the
 * service's classes): u(trace_id) = the first 8 bytes of SHA-256(UTF-8 trace_id) read as an unsigned
 * big-endian 64-bit integer, divided by 2^64. A judge runs on a trace iff u &lt; rate.
 */
final class SamplingRule {
    private static final BigDecimal TWO_POW_64 = new BigDecimal(BigInteger.ONE.shiftLeft(64));

    private SamplingRule() {}

    /** u(trace_id), exactly (a power-of-two denominator always gives a finite decimal). */
    static BigDecimal exactU(String traceId) {
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256").digest(traceId.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
        BigInteger unsigned = new BigInteger(1, Arrays.copyOf(digest, 8));
        return new BigDecimal(unsigned).divide(TWO_POW_64);
    }

    static double u(String traceId) {
        return exactU(traceId).doubleValue();
    }

    /** u &lt; rate, compared exactly against the double the config holds. */
    static boolean sampled(String traceId, double rate) {
        return exactU(traceId).compareTo(new BigDecimal(rate)) < 0;
    }
}
