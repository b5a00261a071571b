package io.sedm.imports;

/** An import or export that cannot be done as asked; the message names the file and the problem. Nothing was written. */
public final class ImportException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public ImportException(String message) {
        super(message);
    }

    public ImportException(String message, Throwable cause) {
        super(message, cause);
    }
}
