package io.sedm.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EdmScheduleTest {
    /** docs/ALGORITHMS.md §1 test vector (float64, N = 18, 10 significant digits). */
    private static final double[] REFERENCE = {
        80,
        57.58598472,
        40.7855738,
        28.3745846,
        19.35245298,
        12.91008238,
        8.400935309,
        5.315194522,
        3.25682152,
        1.923339837,
        1.088170637,
        0.5853481232,
        0.2964422845,
        0.1395164687,
        0.05994731124,
        0.02293451837,
        0.007528019963,
        0.002,
        0
    };

    @Test
    void reproducesTheReferenceVector() {
        double[] s = EdmSchedule.sigmas(18);
        assertThat(s).hasSize(19);
        for (int i = 0; i < 18; i++) {
            // the listed values carry 10 significant digits: 5e-10 relative
            assertThat(s[i] / REFERENCE[i] - 1).as("σ_%d", i).isCloseTo(0, within(5e-10));
        }
        assertThat(s[18]).isZero();
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 13, 18, 40, 256})
    void endpointsMonotonicityAndTrailingZero(int n) {
        double[] s = EdmSchedule.sigmas(n);
        // the float64 powers do not round-trip exactly (σ_{N−1} = 0.002000000000000003): a few ulp
        assertThat(s[0]).isCloseTo(80, within(8 * Math.ulp(80.0)));
        assertThat(s[n - 1]).isCloseTo(0.002, within(8 * Math.ulp(0.002)));
        assertThat(s[n]).isZero();
        for (int i = 0; i < n; i++) {
            assertThat(s[i]).isGreaterThan(s[i + 1]);
        }
    }

    @Test
    void clampsToTheNetworkRangeThenRounds() {
        double[] s = EdmSchedule.sigmas(10, 0.002, 80, 7, 0.01, 50, sigma -> Math.round(sigma * 1000) / 1000.0);
        assertThat(s[0]).isEqualTo(50.0);
        assertThat(s[9]).isEqualTo(0.01);
        for (int i = 0; i < 10; i++) {
            assertThat(s[i] * 1000).isCloseTo(Math.rint(s[i] * 1000), within(1e-9));
        }
    }

    @Test
    void rejectsBadArgumentsWithTheirNames() {
        assertThatThrownBy(() -> EdmSchedule.sigmas(1)).hasMessageContaining("N must be >= 2");
        assertThatThrownBy(() -> EdmSchedule.sigmas(5, 1, 0.5, 7)).hasMessageContaining("sigmaMin < sigmaMax");
        assertThatThrownBy(() -> EdmSchedule.sigmas(5, 0.002, 80, 0)).hasMessageContaining("rho");
    }
}
