package io.sedm.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.sedm.runtime.DType;
import io.sedm.runtime.Device;
import io.sedm.runtime.Network;
import io.sedm.runtime.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** ∇_{x_vp} ℓ of trunk + head against central finite differences, in float64. */
class DiscriminatorGradientTest {

    static String float64(NetworkConfig c) {
        return c.withDType("float64").toJson();
    }

    @Test
    void inputGradientOfTheLogRatioMatchesFiniteDifferences() {
        // tiny trunk 8×8 → 4×4 features, tiny head over them; attention on, scale-shift norm, down-resblocks
        AdmEncoderConfig trunkCfg = new AdmEncoderConfig(
                "encoder", 8, 1, 8, new int[] {1, 2}, 1, new int[] {8, 4}, 8, true, true, true, 0.0, 999.0, 0, 21);
        AdmEncoderConfig headCfg = new AdmEncoderConfig(
                "discriminator", 4, 16, 8, new int[] {1}, 1, new int[] {4}, 8, true, true, true, 0.0, 999.0, 1, 22);
        try (Network trunk = Network.create(float64(trunkCfg), Device.CPU);
                Network head = Network.create(float64(headCfg), Device.CPU)) {
            // zero-initialised output convolutions make most of the function trivial; perturb every weight
            SplittableRandom r = new SplittableRandom(4);
            for (Network n : new Network[] {trunk, head}) {
                for (Network.TensorInfo info : n.tensors()) {
                    long numel = 1;
                    for (long s : info.shape()) numel *= s;
                    double[] v = new double[(int) numel];
                    for (int i = 0; i < v.length; i++)
                        v[i] = info.name().endsWith("positional_embedding")
                                ? r.nextGaussian()
                                : 0.5 * (r.nextDouble() * 2 - 1);
                    try (Tensor t = Tensor.of(v, info.shape(), Device.CPU)) {
                        n.set(info.name(), t);
                    }
                }
            }
            NetworkDiscriminator disc = new NetworkDiscriminator(trunk, head);
            int batch = 2;
            double[] x = new double[batch * 64];
            for (int i = 0; i < x.length; i++) x[i] = r.nextGaussian();
            double[] tau = {0.0003, 0.0007}; // small τ·999 keeps the sinusoidal embedding smooth at these weights
            long[] shape = {batch, 1, 8, 8};
            double[] grad;
            try (Tensor xt = Tensor.of(x, shape, Device.CPU);
                    Tensor g = Tensor.zeros(shape, DType.FLOAT64, Device.CPU)) {
                disc.logitAndGradient(xt, tau, g);
                grad = g.toDoubleArray();
            }
            double h = 1e-5, maxErr = 0, maxGrad = 0;
            for (int k : new int[] {0, 7, 19, 36, 63, 64, 90, 127}) {
                double[] xp = x.clone(), xm = x.clone();
                xp[k] += h;
                xm[k] -= h;
                double lp, lm;
                try (Tensor a = Tensor.of(xp, shape, Device.CPU);
                        Tensor b = Tensor.of(xm, shape, Device.CPU)) {
                    lp = disc.logit(a, tau)[k / 64];
                    lm = disc.logit(b, tau)[k / 64];
                }
                double fd = (lp - lm) / (2 * h);
                maxErr = Math.max(maxErr, Math.abs(fd - grad[k]));
                maxGrad = Math.max(maxGrad, Math.abs(grad[k]));
            }
            System.out.printf("discriminator gradient check: max |grad| %.3g, max |fd - grad| %.3g%n", maxGrad, maxErr);
            assertThat(maxGrad).isGreaterThan(1e-3); // the check is not vacuous
            // float64 central differences: truncation O(h²) ≈ 1e-10, rounding ≈ 1e-16/h ≈ 1e-11
            assertThat(maxErr).isLessThan(1e-7 * Math.max(1, maxGrad));
        }
    }
}
