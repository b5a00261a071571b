package io.sedm.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LeakTest {

    @Test
    void tenThousandCreateCloseCyclesLeaveTheCounterWhereItWas() {
        long before = NativeRuntime.liveHandles();
        for (int i = 0; i < 10_000; i++) {
            try (Tensor t = Tensor.zeros(new long[] {2, 3}, DType.FLOAT32, Device.CPU);
                    Tensor v = t.reshape(6);
                    Generator g = Generator.ofSeeds(i)) {
                assertThat(v.numel()).isEqualTo(6);
                assertThat(g.count()).isEqualTo(1);
            }
        }
        assertThat(NativeRuntime.liveHandles()).isEqualTo(before);
    }

    @Test
    void theCleanerFreesAnUnclosedTensor() throws InterruptedException {
        long before = NativeRuntime.liveHandles();
        createAndDrop();
        assertThat(NativeRuntime.liveHandles()).isEqualTo(before + 1);
        for (int attempt = 0; attempt < 100 && NativeRuntime.liveHandles() > before; attempt++) {
            System.gc();
            Thread.sleep(20);
        }
        assertThat(NativeRuntime.liveHandles()).isEqualTo(before);
    }

    private static void createAndDrop() {
        Tensor.zeros(new long[] {8}, DType.FLOAT32, Device.CPU);
    }
}
