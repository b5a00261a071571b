package io.sedm.sampler;

import io.sedm.runtime.Tensor;

/**
 * What a sampler reports for step {@code i}: the schedule level {@code sigma} (σ_i), the level
 * the denoiser actually saw per sample ({@code sigmaHat}, σ̂_i = σ_i(1 + γ_i) with churn; equal to
 * σ_i otherwise), the denoiser input {@code x} (x̂_i) and its output {@code denoised} (D(x̂_i; σ̂_i)).
 * The implied noise prediction is {@code ε̂ = (x − denoised)/σ̂}.
 *
 * @param i        step index, 0 … N−1
 * @param steps    N, the number of steps of the run
 * @param sigma    σ_i of the schedule
 * @param sigmaHat σ̂_i per sample
 * @param x        x̂_i, valid only during the callback
 * @param denoised D(x̂_i; σ̂_i), valid only during the callback
 */
public record SamplerStep(int i, int steps, double sigma, double[] sigmaHat, Tensor x, Tensor denoised) {}
