package io.sedm.toy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.sedm.runtime.Adam;
import io.sedm.runtime.Device;
import io.sedm.runtime.NativeInvalidArgumentException;
import io.sedm.runtime.Network;
import io.sedm.runtime.Tensor;
import io.sedm.train.MlpConfig;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * sedm_score_matching_loss against closed forms and finite differences. For the affine score
 * s(x) = c(Ax + b) the three objectives are polynomials in x and v (docs/ALGORITHMS.md §17):
 * ESM l = ½c²‖Ax+b‖² + c·tr A, SSM-VR l = ½c²‖Ax+b‖² + c·vᵀAv, DSM l = ½‖c(Ax+b) − t‖². All in
 * float64, so the native values agree with the Java ones to rounding (1e-12 relative).
 */
class ScoreMatchingTest {
    private static final double[][] A = {{-1.3, 0.4, 0.2}, {0.7, -0.9, -0.5}, {0.1, 0.3, -2.1}};
    private static final double[] B = {0.25, -0.6, 1.1};
    private static final int D = 3;

    private static Network linear() {
        Network net = Network.create(
                "{\"kind\":\"linear\",\"in_features\":" + D + ",\"dtype\":\"float64\",\"init_seed\":0}", Device.CPU);
        double[] w = new double[D * D];
        for (int i = 0; i < D; i++) {
            System.arraycopy(A[i], 0, w, i * D, D);
        }
        try (Tensor wt = Tensor.of(w, new long[] {D, D}, Device.CPU);
                Tensor bt = Tensor.of(B, new long[] {D}, Device.CPU)) {
            net.set("fc.weight", wt);
            net.set("fc.bias", bt);
        }
        return net;
    }

    private static double[] affine(double[] x, int row) {
        double[] s = new double[D];
        for (int i = 0; i < D; i++) {
            s[i] = B[i];
            for (int j = 0; j < D; j++) {
                s[i] += A[i][j] * x[row * D + j];
            }
        }
        return s;
    }

    private static double quad(double[] v, int row) {
        double q = 0;
        for (int i = 0; i < D; i++) {
            for (int j = 0; j < D; j++) {
                q += v[row * D + i] * A[i][j] * v[row * D + j];
            }
        }
        return q;
    }

    private static double[] gaussian(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextGaussian();
        }
        return x;
    }

    @Test
    void affineScoreLossesMatchTheirClosedForms() {
        int n = 64;
        double[] x = gaussian(n * D, 1);
        double[] v = gaussian(n * D, 2);
        double[] t = gaussian(n * D, 3);
        double[] c = new double[n];
        double[] w = new double[n];
        for (int b = 0; b < n; b++) {
            c[b] = 0.5 + b / 32.0;
            w[b] = 1.0 + (b % 5);
        }
        double trace = A[0][0] + A[1][1] + A[2][2];
        try (Network net = linear();
                Tensor xt = Tensor.of(x, new long[] {n, D}, Device.CPU);
                Tensor vt = Tensor.of(v, new long[] {n, D}, Device.CPU);
                Tensor tt = Tensor.of(t, new long[] {n, D}, Device.CPU)) {
            double[] zeros = new double[n];
            ScoreMatching.Loss esm = ScoreMatching.loss(net, xt, zeros, c, ScoreObjective.ESM, null, w, false);
            ScoreMatching.Loss ssm = ScoreMatching.loss(net, xt, zeros, c, ScoreObjective.SSM, vt, w, false);
            ScoreMatching.Loss dsm = ScoreMatching.loss(net, xt, zeros, c, ScoreObjective.DSM, tt, w, false);
            double esmMean = 0, ssmMean = 0, dsmMean = 0;
            for (int b = 0; b < n; b++) {
                double[] s = affine(x, b);
                double half = 0, dsmTerm = 0;
                for (int i = 0; i < D; i++) {
                    half += 0.5 * c[b] * c[b] * s[i] * s[i];
                    double r = c[b] * s[i] - t[b * D + i];
                    dsmTerm += 0.5 * r * r;
                }
                double esmB = half + c[b] * trace;
                double ssmB = half + c[b] * quad(v, b);
                assertThat(esm.perSample()[b]).isCloseTo(esmB, within(1e-12 * (1 + Math.abs(esmB))));
                assertThat(ssm.perSample()[b]).isCloseTo(ssmB, within(1e-12 * (1 + Math.abs(ssmB))));
                assertThat(dsm.perSample()[b]).isCloseTo(dsmTerm, within(1e-12 * (1 + dsmTerm)));
                esmMean += w[b] * esmB / n;
                ssmMean += w[b] * ssmB / n;
                dsmMean += w[b] * dsmTerm / n;
            }
            assertThat(esm.value()).isCloseTo(esmMean, within(1e-12 * (1 + Math.abs(esmMean))));
            assertThat(ssm.value()).isCloseTo(ssmMean, within(1e-12 * (1 + Math.abs(ssmMean))));
            assertThat(dsm.value()).isCloseTo(dsmMean, within(1e-12 * (1 + Math.abs(dsmMean))));
        }
    }

    /**
     * E_v[vᵀAv] = tr A for any v with E[vvᵀ] = I, so SSM-VR's expectation is the ESM loss. Exactly:
     * the 2D probes ±√D e_i have mean vvᵀ = I, so their average SSM loss at one x equals ESM's to
     * rounding; and for Gaussian probes the Monte Carlo average lies within 5 standard errors
     * (Var vᵀAv = 2‖(A + Aᵀ)/2‖_F² for v ~ N(0, I)).
     */
    @Test
    void slicedLossAveragedOverProbesIsTheExplicitLoss() {
        double[] x0 = {0.3, -1.2, 0.8};
        int n = 2 * D;
        double[] x = new double[n * D];
        double[] v = new double[n * D];
        for (int k = 0; k < n; k++) {
            System.arraycopy(x0, 0, x, k * D, D);
            v[k * D + (k % D)] = (k < D ? 1 : -1) * Math.sqrt(D);
        }
        try (Network net = linear();
                Tensor xt = Tensor.of(x, new long[] {n, D}, Device.CPU);
                Tensor vt = Tensor.of(v, new long[] {n, D}, Device.CPU)) {
            double esm = ScoreMatching.loss(net, xt, new double[n], null, ScoreObjective.ESM, null, null, false)
                    .value();
            double ssm = ScoreMatching.loss(net, xt, new double[n], null, ScoreObjective.SSM, vt, null, false)
                    .value();
            assertThat(ssm).isCloseTo(esm, within(1e-12));
        }
        int m = 20000;
        double[] xs = new double[m * D];
        for (int k = 0; k < m; k++) {
            System.arraycopy(x0, 0, xs, k * D, D);
        }
        double[] g = gaussian(m * D, 7);
        double frob = 0;
        for (int i = 0; i < D; i++) {
            for (int j = 0; j < D; j++) {
                double sym = 0.5 * (A[i][j] + A[j][i]);
                frob += sym * sym;
            }
        }
        double se = Math.sqrt(2 * frob / m);
        try (Network net = linear();
                Tensor xt = Tensor.of(xs, new long[] {m, D}, Device.CPU);
                Tensor vt = Tensor.of(g, new long[] {m, D}, Device.CPU)) {
            double esm = ScoreMatching.loss(net, xt, new double[m], null, ScoreObjective.ESM, null, null, false)
                    .value();
            double ssm = ScoreMatching.loss(net, xt, new double[m], null, ScoreObjective.SSM, vt, null, false)
                    .value();
            assertThat(ssm).isCloseTo(esm, within(5 * se));
        }
    }

    /**
     * dL/dθ accumulated by the native call (read back exactly through one Adam step with
     * lr = 1, ε = 1: Δθ = −g/(|g| + 1), so g = u/(1 − |u|) with u = −Δθ) against central finite
     * differences of L (h = 1e-5 in float64: truncation O(h²) and rounding O(1e-16/h), both far
     * below the 1e-6 tolerance) for a small nonlinear MLP, for every objective, with non-trivial
     * output scales and weights.
     */
    @Test
    void parameterGradientsMatchFiniteDifferences() {
        int n = 8;
        double[] x = gaussian(n * 2, 11);
        double[] probe = gaussian(n * 2, 12);
        double[] labels = gaussian(n, 13);
        double[] c = new double[n];
        double[] w = new double[n];
        for (int b = 0; b < n; b++) {
            c[b] = 0.7 + 0.1 * b;
            w[b] = 0.5 + 0.25 * b;
        }
        MlpConfig config = new MlpConfig(2, 4, 1, 4, 5, "float64");
        for (ScoreObjective objective : ScoreObjective.values()) {
            try (Network net = config.build(Device.CPU);
                    Tensor xt = Tensor.of(x, new long[] {n, 2}, Device.CPU);
                    Tensor pt =
                            objective == ScoreObjective.ESM ? null : Tensor.of(probe, new long[] {n, 2}, Device.CPU)) {
                java.util.List<Network.TensorInfo> params = net.tensors().stream()
                        .filter(Network.TensorInfo::isParameter)
                        .toList();
                java.util.Map<String, double[]> before = new java.util.HashMap<>();
                for (Network.TensorInfo p : params) {
                    try (Tensor t = net.get(p.name())) {
                        before.put(p.name(), t.toDoubleArray());
                    }
                }
                java.util.Map<String, double[]> fd = new java.util.HashMap<>();
                double h = 1e-5;
                for (Network.TensorInfo p : params) {
                    double[] theta = before.get(p.name()).clone();
                    double[] grad = new double[theta.length];
                    for (int k = 0; k < theta.length; k++) {
                        double keep = theta[k];
                        theta[k] = keep + h;
                        set(net, p, theta);
                        double up = ScoreMatching.loss(net, xt, labels, c, objective, pt, w, false)
                                .value();
                        theta[k] = keep - h;
                        set(net, p, theta);
                        double down = ScoreMatching.loss(net, xt, labels, c, objective, pt, w, false)
                                .value();
                        theta[k] = keep;
                        grad[k] = (up - down) / (2 * h);
                    }
                    set(net, p, theta);
                    fd.put(p.name(), grad);
                }
                net.zeroGrad();
                ScoreMatching.loss(net, xt, labels, c, objective, pt, w, true);
                try (Adam adam = Adam.create(new Adam.Options(0.9, 0.999, 1.0, 0.0, 0.0, false), net)) {
                    adam.step(1.0);
                }
                for (Network.TensorInfo p : params) {
                    double[] after;
                    try (Tensor t = net.get(p.name())) {
                        after = t.toDoubleArray();
                    }
                    double[] theta = before.get(p.name());
                    double[] expected = fd.get(p.name());
                    for (int k = 0; k < theta.length; k++) {
                        double u = theta[k] - after[k];
                        double g = u / (1 - Math.abs(u));
                        assertThat(g)
                                .as("%s d/d %s[%d]", objective, p.name(), k)
                                .isCloseTo(expected[k], within(1e-6 * (1 + Math.abs(expected[k]))));
                    }
                }
            }
        }
    }

    private static void set(Network net, Network.TensorInfo p, double[] values) {
        try (Tensor t = Tensor.of(values, p.shape(), Device.CPU)) {
            net.set(p.name(), t);
        }
    }

    @Test
    void badArgumentsAreClearErrors() {
        try (Network net = linear();
                Tensor x = Tensor.of(new double[2 * D], new long[] {2, D}, Device.CPU);
                Tensor wrong = Tensor.of(new double[2 * 2], new long[] {2, 2}, Device.CPU)) {
            double[] labels = new double[2];
            assertThatThrownBy(() -> ScoreMatching.loss(net, x, labels, null, ScoreObjective.ESM, x, null, false))
                    .isInstanceOf(NativeInvalidArgumentException.class)
                    .hasMessageContaining("the explicit objective takes no probe");
            assertThatThrownBy(() -> ScoreMatching.loss(net, x, labels, null, ScoreObjective.SSM, null, null, false))
                    .isInstanceOf(NativeInvalidArgumentException.class)
                    .hasMessageContaining("probe (the projection v) is NULL");
            assertThatThrownBy(() -> ScoreMatching.loss(net, x, labels, null, ScoreObjective.DSM, wrong, null, false))
                    .isInstanceOf(NativeInvalidArgumentException.class)
                    .hasMessageContaining("probe has shape [2, 2] but x has [2, 3]");
            assertThatThrownBy(() -> ScoreMatching.loss(
                            net, x, labels, null, ScoreObjective.ESM, null, new double[] {1, -1}, false))
                    .isInstanceOf(NativeInvalidArgumentException.class)
                    .hasMessageContaining("weights[1] must be finite and >= 0");
            assertThatThrownBy(() ->
                            ScoreMatching.loss(net, x, new double[3], null, ScoreObjective.ESM, null, null, false))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("noiseLabels must hold one value per sample (2), got 3");
        }
        try (Network wide = Network.create(
                        "{\"kind\":\"linear\",\"in_features\":65,\"dtype\":\"float64\",\"init_seed\":0}", Device.CPU);
                Tensor x = Tensor.of(new double[65], new long[] {1, 65}, Device.CPU)) {
            assertThatThrownBy(() ->
                            ScoreMatching.loss(wide, x, new double[1], null, ScoreObjective.ESM, null, null, false))
                    .isInstanceOf(NativeInvalidArgumentException.class)
                    .hasMessageContaining("limited to 64 dimensions, got 65");
        }
    }
}
