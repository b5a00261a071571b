package io.sedm.data.toy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.sedm.schedule.EdmSchedule;
import org.junit.jupiter.api.Test;

/** The §14.2 reference factors (float64, listed to 15 significant digits) reproduced to 1e-12 relative. */
class GaussianScalarRecursionTest {
    private static final double TOL = 1e-12;

    private static void near(double got, double expected) {
        assertThat(got / expected - 1).as("%s vs %s", got, expected).isCloseTo(0, within(TOL));
    }

    @Test
    void edmHeunAndEulerFactors() {
        near(GaussianScalarRecursion.edm(0.5).factor(18, true), 0.00659530796251309);
        near(GaussianScalarRecursion.edm(0.5).factor(13, false), 0.00493287076005913);
    }

    @Test
    void epsilonScalingFactors() {
        near(new GaussianScalarRecursion(0.5, 0.5, 1.0004, 0, 0, 0.01, 1).factor(18, true), 0.00660743942335601);
        near(new GaussianScalarRecursion(0.5, 0.5, 1.0048, 0, 0, 0.01, 1).factor(13, false), 0.00510721624622034);
    }

    @Test
    void sedmGppHeadlineAndExactRecovery() {
        near(new GaussianScalarRecursion(0.5, 0.55, 1.0004, 1.67, 0, 0.01, 1).factor(18, true), 0.00686297449008465);
        // w1 = w2 = 1, window [0, 1], λ = 1: the oracle turns the wrong model into the right one
        near(new GaussianScalarRecursion(0.5, 0.55, 1, 1, 1, 0, 1).factor(18, true), 0.00659530796251309);
    }

    @Test
    void heunApproachesTheContinuousLimit() {
        GaussianScalarRecursion r = GaussianScalarRecursion.edm(0.5);
        double exact = r.continuousFactor(80);
        assertThat(exact).isCloseTo(0.00624987793326366, within(1e-16));
        // §4: the ratio discrete/continuous is 1.055 at N = 18, 1.0015 at N = 100, 1.00008 at N = 400
        assertThat(r.factor(18, true) / exact).isCloseTo(1.0553, within(5e-4));
        assertThat(r.factor(100, true) / exact).isCloseTo(1.0015, within(5e-5));
        assertThat(r.factor(400, true) / exact).isCloseTo(1.00008, within(5e-6));
        // ES continuous limit (c²/(c² + σ_max²))^{1/(2λ)}
        GaussianScalarRecursion es = new GaussianScalarRecursion(0.5, 0.5, 1.005, 0, 0, 0.01, 1);
        assertThat(es.factor(EdmSchedule.sigmas(2000), true) / es.continuousFactor(80))
                .isCloseTo(1, within(1e-5));
    }
}
