package io.sedm.cli;

import java.util.stream.Stream;

/** The documented samplers, as a parameter source for the CLI tests. */
final class SamplerOptionsTest {
    private SamplerOptionsTest() {}

    /** Every documented sampler. */
    static Stream<String> allSamplers() {
        return SamplerOptions.SAMPLERS.stream();
    }

    /** The samplers that run without a discriminator. */
    static Stream<String> samplers() {
        return SamplerOptions.SAMPLERS.stream().filter(s -> !s.endsWith("gpp"));
    }
}
