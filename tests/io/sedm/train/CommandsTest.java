package io.sedm.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.sedm.cli.ModelInfoCommand;
import io.sedm.cli.TrainClassifierCommand;
import io.sedm.cli.TrainCommand;
import io.sedm.cli.TrainDiscriminatorCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CommandsTest {

    static String run(Object command, String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true));
        try {
            int rc = new CommandLine(command).execute(args);
            assertThat(rc).isZero();
        } finally {
            System.setOut(old);
        }
        return buf.toString();
    }

    @Test
    void modelInfoPrintsTheDdpmppCifar10Count() {
        assertThat(run(new ModelInfoCommand(), "--preset", "ddpmpp-cifar10")).contains("parameters: 55,733,891");
    }

    @Test
    void modelInfoKnowsTheOfficialEdmNetworks() {
        assertThat(run(new ModelInfoCommand(), "--preset", "edm-cifar10-32x32-cond-ve"))
                .contains("\"encoder_type\":\"residual\"")
                .contains("\"resample_filter\":[1,3,3,1]")
                .contains("parameters: 56,400,643");
        assertThat(new CommandLine(new ModelInfoCommand()).getUsageMessage()).contains("edm-imagenet-64x64-cond-adm");
    }

    @Test
    void dryRunsPrintResolvedOptions() {
        assertThat(run(new TrainCommand(), "--dry-run", "--batch", "64", "--loss", "vp"))
                .contains("\"batchSize\" : 64")
                .contains("\"loss\" : \"vp\"")
                .contains("\"kind\" : \"unet\"");
        assertThat(run(new TrainClassifierCommand(), "--dry-run")).contains("\"kind\" : \"classifier\"");
        assertThat(run(new TrainDiscriminatorCommand(), "--dry-run", "--classifier", "c.json", "--fake", "f.npz"))
                .contains("\"weightDecay\" : 1.0E-7");
        assertThat(new CommandLine(new TrainCommand()).getUsageMessage())
                .contains("--resume")
                .contains("Default: 128");
    }
}
