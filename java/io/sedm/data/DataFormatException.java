package io.sedm.data;

/** A data file is missing, truncated or not in the format it claims. The message names the file. */
public final class DataFormatException extends RuntimeException {
    public DataFormatException(String message) {
        super(message);
    }

    public DataFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
