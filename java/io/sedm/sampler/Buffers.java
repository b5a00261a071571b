package io.sedm.sampler;

import io.sedm.runtime.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The tensors one sampler run owns: every buffer is registered here when it is made and closed
 * with the run, except the result, which {@link #take} hands to the caller. One per
 * {@code sample} call, never shared (docs/STYLE.md: loop state lives in a per-run object).
 */
final class Buffers implements AutoCloseable {
    private final List<Tensor> owned = new ArrayList<>();

    /** Registers {@code t} to be closed with the run and returns it. */
    Tensor own(Tensor t) {
        owned.add(t);
        return t;
    }

    /** A new uninitialised buffer shaped like {@code t}, owned by the run. */
    Tensor like(Tensor t) {
        return own(t.emptyLike());
    }

    /** Removes {@code t} from the run (it is no longer closed with it) and returns it: the result. */
    Tensor take(Tensor t) {
        for (int k = 0; k < owned.size(); k++) {
            if (owned.get(k) == t) {
                owned.remove(k);
                return t;
            }
        }
        throw new IllegalStateException("the tensor to take is not owned by this run");
    }

    @Override
    public void close() {
        for (int k = owned.size() - 1; k >= 0; k--) {
            owned.get(k).close();
        }
        owned.clear();
    }
}
