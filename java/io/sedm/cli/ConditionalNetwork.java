package io.sedm.cli;

import io.sedm.precond.Preconditioning;
import io.sedm.runtime.Network;
import io.sedm.runtime.Tensor;
import io.sedm.sampler.ConditionalDenoiser;
import io.sedm.sampler.SigmaRange;
import io.sedm.train.NetworkDenoiser;

/** A class-conditional network checkpoint as a {@link ConditionalDenoiser}: the labels of each call go to the network. */
final class ConditionalNetwork implements ConditionalDenoiser, SigmaRange.Inherited {
    private final NetworkDenoiser denoiser;
    private final int labelDim;
    private Tensor labels;

    ConditionalNetwork(Network net, Preconditioning precond, boolean float32, int labelDim) {
        this.denoiser = new NetworkDenoiser(net, precond, () -> labels, float32);
        this.labelDim = labelDim;
    }

    @Override
    public void denoise(Tensor x, double[] sigma, Tensor labels, Tensor out) {
        this.labels = labels;
        try {
            denoiser.denoise(x, sigma, out);
        } finally {
            this.labels = null;
        }
    }

    @Override
    public int labelDim() {
        return labelDim;
    }

    @Override
    public SigmaRange inner() {
        return denoiser;
    }
}
