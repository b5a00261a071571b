package io.sedm.ffi;

import io.sedm.ffi.bindings.Sedm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads {@code libsedm} once per class loader and checks that its ABI version is the one the
 * generated bindings were made for.
 *
 * <p>Search order: the system property {@code sedm.library.path} (a file), the property
 * {@code sedm.library.dir} (a folder), {@code build/native} under the working directory and
 * under the folders above the jar, then the copy packaged in the jar under
 * {@code io/sedm/native/<os>-<arch>/} (unpacked to a temporary folder that is deleted at exit; so a
 * project that depends on the sedm jar needs no path settings), then {@code java.library.path}
 * ({@code System.loadLibrary}). libsedm's own dependencies (libtorch) are found by the system's
 * dynamic linker as usual.
 */
public final class NativeLibrary {
    private static final Logger LOG = LoggerFactory.getLogger(NativeLibrary.class);
    private static final String FILE_NAME = System.mapLibraryName("sedm");
    private static volatile boolean loaded;

    private NativeLibrary() {}

    /** Loads the library if needed; throws {@link NativeLoadException} naming every place tried. */
    public static void ensureLoaded() {
        if (loaded) {
            return;
        }
        synchronized (NativeLibrary.class) {
            if (loaded) {
                return;
            }
            load();
            checkAbi(Sedm.sedm_abi_version(), Sedm.SEDM_ABI_VERSION());
            LOG.debug("loaded {}", Sedm.sedm_build_info().getString(0));
            applyDefaultThreads();
            loaded = true;
        }
    }

    /**
     * libtorch starts with one intra-op thread on these machines (OpenMP reports 1 of 2 cores), so
     * the default is set here: {@code -Dsedm.threads=N}, else {@code SEDM_THREADS}, else
     * {@code OMP_NUM_THREADS} is left to libtorch when set, else every available processor.
     */
    private static void applyDefaultThreads() {
        String configured = System.getProperty("sedm.threads", System.getenv("SEDM_THREADS"));
        int n;
        if (configured != null && !configured.isBlank()) {
            try {
                n = Integer.parseInt(configured.trim());
            } catch (NumberFormatException e) {
                throw new NativeLoadException(
                        "sedm.threads / SEDM_THREADS must be an integer >= 1, got '" + configured + "'", e);
            }
            if (n < 1) {
                throw new NativeLoadException("sedm.threads / SEDM_THREADS must be >= 1, got " + n);
            }
        } else if (System.getenv("OMP_NUM_THREADS") != null) {
            return;
        } else {
            n = Runtime.getRuntime().availableProcessors();
        }
        Status.check(Sedm.sedm_set_num_threads(n));
    }

    /**
     * Fails unless the library's ABI version equals the bindings'. Public so the check itself is
     * testable without a mismatching library.
     */
    public static void checkAbi(int libraryVersion, int bindingsVersion) {
        if (libraryVersion != bindingsVersion) {
            throw new NativeLoadException("libsedm ABI version " + libraryVersion
                    + " does not match the Java bindings' version " + bindingsVersion
                    + ": rebuild the native library (cmake --build build/native) or the jar from the same checkout");
        }
    }

    private static void load() {
        List<String> tried = new ArrayList<>();
        for (Path candidate : candidates()) {
            tried.add(candidate.toString());
            if (Files.isRegularFile(candidate)) {
                System.load(candidate.toAbsolutePath().toString());
                return;
            }
        }
        String resource = bundledResource();
        tried.add("classpath:" + resource);
        Path unpacked = unpack(resource);
        if (unpacked != null) {
            System.load(unpacked.toString());
            return;
        }
        try {
            System.loadLibrary("sedm");
        } catch (UnsatisfiedLinkError e) {
            tried.add("java.library.path=" + System.getProperty("java.library.path"));
            throw new NativeLoadException(
                    "cannot find " + FILE_NAME + "; tried " + String.join(", ", tried)
                            + ". Build it with scripts/build.sh (or any ./sedm command) or set -Dsedm.library.path=/path/to/"
                            + FILE_NAME,
                    e);
        }
    }

    /** {@code io/sedm/native/linux-x86_64/libsedm.so} and the like: where the build packs the library. */
    static String bundledResource() {
        String os = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(java.util.Locale.ROOT);
        String osName = os.contains("linux") ? "linux" : os.contains("mac") ? "macos" : os.replace(' ', '_');
        String archName = arch.equals("amd64") || arch.equals("x86_64")
                ? "x86_64"
                : arch.equals("arm64") || arch.equals("aarch64") ? "aarch64" : arch;
        return "io/sedm/native/" + osName + "-" + archName + "/" + FILE_NAME;
    }

    /** Copies the packaged library to a new temporary folder; null when the jar holds none for this platform. */
    private static Path unpack(String resource) {
        try (var in = NativeLibrary.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                return null;
            }
            Path dir = Files.createTempDirectory("sedm-native-");
            Path file = dir.resolve(FILE_NAME);
            Files.copy(in, file);
            file.toFile().deleteOnExit();
            dir.toFile().deleteOnExit();
            LOG.debug("unpacked {} to {}", resource, file);
            return file;
        } catch (java.io.IOException e) {
            throw new NativeLoadException("cannot unpack the packaged " + resource + ": " + e.getMessage(), e);
        }
    }

    private static List<Path> candidates() {
        List<Path> paths = new ArrayList<>();
        String file = System.getProperty("sedm.library.path");
        if (file != null && !file.isBlank()) {
            Path p = Path.of(file);
            paths.add(Files.isDirectory(p) ? p.resolve(FILE_NAME) : p);
        }
        String dir = System.getProperty("sedm.library.dir");
        if (dir != null && !dir.isBlank()) {
            paths.add(Path.of(dir).resolve(FILE_NAME));
        }
        paths.add(Path.of("build", "native", FILE_NAME));
        try {
            Path jar = Path.of(NativeLibrary.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            for (Path p = jar.getParent(); p != null; p = p.getParent()) {
                paths.add(p.resolve("build").resolve("native").resolve(FILE_NAME));
                paths.add(p.resolve(FILE_NAME));
            }
        } catch (Exception e) {
            LOG.trace("no code source location", e);
        }
        return paths;
    }
}
