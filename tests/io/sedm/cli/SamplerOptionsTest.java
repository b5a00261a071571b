package io.sedm.cli;

import java.util.stream.Stream;

/** The documented samplers, as a parameter source for the CLI tests. */
final class SamplerOptionsTest {
    private SamplerOptionsTest() {}

    static Stream<String> samplers() {
        return SamplerOptions.SAMPLERS.stream().filter(s -> !s.endsWith("gpp"));
    }
}
