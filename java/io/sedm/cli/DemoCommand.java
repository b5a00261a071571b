package io.sedm.cli;

import io.sedm.runtime.DType;
import io.sedm.runtime.Device;
import io.sedm.runtime.Generator;
import io.sedm.runtime.NativeRuntime;
import io.sedm.runtime.Ops;
import io.sedm.runtime.Tensor;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** The main job on an embedded default (interim: an end-to-end run of the native bridge). */
@Command(name = "demo", mixinStandardHelpOptions = true, description = "Run the main job on an embedded default.")
final class DemoCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.out.println(NativeRuntime.buildInfo());
        try (Generator g = Generator.ofSeedRange(0, 64);
                Tensor x = g.normal(new long[] {64, 1, 32, 32}, DType.FLOAT64, Device.CPU);
                Tensor z = g.normal(new long[] {64, 1, 32, 32}, DType.FLOAT64, Device.CPU)) {
            double[] coefs = new double[128];
            java.util.Arrays.fill(coefs, 0, 64, Math.sqrt(0.5));
            java.util.Arrays.fill(coefs, 64, 128, Math.sqrt(0.5));
            Ops.combine(x, coefs, x, z);
            double[] norms = Ops.l2NormPerSample(x);
            System.out.printf("64 samples of N(0, I) mixed with the fused kernel: mean L2 norm %.3f (expect ~32)%n",
                    java.util.Arrays.stream(norms).average().orElseThrow());
        }
        return 0;
    }
}
