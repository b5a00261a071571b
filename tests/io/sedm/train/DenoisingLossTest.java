package io.sedm.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.sedm.precond.Preconditioning;
import io.sedm.schedule.NcsnSchedule;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DenoisingLossTest {

    @Test
    void ncsnLossIsDsmOverTheGeometricLevels() {
        DenoisingLoss loss = DenoisingLoss.ncsn(50, 0.01, 232);
        double[] levels = NcsnSchedule.geometric(50, 0.01, 232);
        double[] drawn = loss.drawSigma(new SplittableRandom(1), 5000);
        for (double s : drawn) {
            assertThat(Arrays.stream(levels).anyMatch(l -> l == s)).isTrue();
        }
        // all 232 levels are hit by 5000 uniform draws (P(miss one) ≈ 232·e^{−21.6} ≈ 1e−7)
        assertThat(Arrays.stream(drawn).distinct().count()).isEqualTo(232);
        assertThat(loss.preconditioning()).isInstanceOf(Preconditioning.Ve.class);
        // ½σ²‖s + (x̃ − x)/σ²‖² with s = (D − x̃)/σ² equals ½‖D − y‖²/σ²: λ(σ) = 1/(2σ²)
        for (double s : new double[] {0.01, 1, 50}) {
            assertThat(loss.weight(s)).isCloseTo(0.5 / (s * s), within(1e-18 / (s * s)));
        }
        // the CLI accepts it
        assertThat(CommandsTest.run(new io.sedm.cli.TrainCommand(), "--dry-run", "--loss", "ncsn"))
                .contains("\"loss\" : \"ncsn\"");
    }
}
