package io.sedm.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** torchrun's variables, the split of a batch and of sampling batches (pure Java). */
class RendezvousAndShardTest {
    @Test
    void torchrunsVariablesAreRead() {
        var r = Rendezvous.fromEnvironment(Map.of(
                        "RANK",
                        "3",
                        "WORLD_SIZE",
                        "4",
                        "LOCAL_RANK",
                        "1",
                        "MASTER_ADDR",
                        "node0",
                        "MASTER_PORT",
                        "29400"))
                .orElseThrow();
        assertThat(r).isEqualTo(new Rendezvous(3, 4, 1, "node0", 29400));
        assertThat(r.isLoopback()).isFalse();
        assertThat(Rendezvous.fromEnvironment(r.environment())).contains(r);
        assertThat(Rendezvous.fromEnvironment(Map.of())).isEmpty();
        assertThat(Rendezvous.local(1, 2, 5000).isLoopback()).isTrue();
    }

    @Test
    void aPartialOrMalformedEnvironmentNamesTheVariable() {
        assertThatThrownBy(() -> Rendezvous.fromEnvironment(Map.of("WORLD_SIZE", "2", "MASTER_ADDR", "h")))
                .hasMessageContaining("RANK is not set");
        assertThatThrownBy(() -> Rendezvous.fromEnvironment(
                        Map.of("WORLD_SIZE", "2", "RANK", "0", "MASTER_ADDR", "h", "MASTER_PORT", "x")))
                .hasMessageContaining("MASTER_PORT must be an integer, got 'x'");
        assertThatThrownBy(() -> Rendezvous.fromEnvironment(
                        Map.of("WORLD_SIZE", "2", "RANK", "2", "MASTER_ADDR", "h", "MASTER_PORT", "1")))
                .hasMessageContaining("RANK must be in [0, WORLD_SIZE = 2), got 2");
        assertThatThrownBy(() -> Rendezvous.fromEnvironment(Map.of("WORLD_SIZE", "2", "RANK", "0")))
                .hasMessageContaining("MASTER_ADDR is not set");
        assertThatThrownBy(() -> new Rendezvous(0, 1, 0, "h", 70000)).hasMessageContaining("MASTER_PORT");
    }

    @Test
    void theRanksSlicesConcatenateToTheBatchInOrder() {
        int[] batch = IntStream.range(0, 12).toArray();
        List<Integer> joined = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            for (int v : Shard.of(12, r, 3).of(batch)) joined.add(v);
        }
        assertThat(joined).containsExactly(Arrays.stream(batch).boxed().toArray(Integer[]::new));
        assertThatThrownBy(() -> Shard.of(10, 0, 3)).hasMessageContaining("batch of 10 does not split into 3");
    }

    /** Round robin over whole batches: every batch exactly once, rank 0 the most. */
    @ParameterizedTest
    @CsvSource({"0,2", "1,2", "7,2", "8,3", "5,8"})
    void everySamplingBatchGoesToExactlyOneRank(int batches, int world) {
        int[] seen = new int[batches];
        int most = 0;
        for (int r = 0; r < world; r++) {
            int[] mine = Shard.batchesOf(batches, r, world);
            if (r == 0) most = mine.length;
            assertThat(mine.length).isLessThanOrEqualTo(most);
            for (int k : mine) seen[k]++;
        }
        for (int k = 0; k < batches; k++) assertThat(seen[k]).as("batch %d", k).isEqualTo(1);
    }
}
