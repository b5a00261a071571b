package io.sedm.sampler;

/**
 * The noise levels a model supports and how it rounds them (EDM's {@code net.sigma_min},
 * {@code net.sigma_max}, {@code round_sigma}); the defaults are those of a continuous-time model
 * with no bounds.
 */
public interface SigmaRange {

    /** Smallest noise level the model supports (EDM's {@code net.sigma_min}); 0 = unbounded. */
    default double sigmaMin() {
        return 0.0;
    }

    /** Largest noise level the model supports (EDM's {@code net.sigma_max}). */
    default double sigmaMax() {
        return Double.POSITIVE_INFINITY;
    }

    /** EDM's {@code round_sigma}: the identity except for discrete-time models (iDDPM's u-table). */
    default double roundSigma(double sigma) {
        return sigma;
    }

    /** A model built around another one (a guidance or imputation wrapper) keeps its σ range. */
    interface Inherited extends SigmaRange {
        /** The wrapped model. */
        SigmaRange inner();

        @Override
        default double sigmaMin() {
            return inner().sigmaMin();
        }

        @Override
        default double sigmaMax() {
            return inner().sigmaMax();
        }

        @Override
        default double roundSigma(double sigma) {
            return inner().roundSigma(sigma);
        }
    }
}
