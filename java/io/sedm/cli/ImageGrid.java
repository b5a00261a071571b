package io.sedm.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** A PNG grid of [N, C, H, W] images in [−1, 1] (C = 1 or 3), EDM's pixel mapping (docs/ALGORITHMS.md §0). */
final class ImageGrid {
    private ImageGrid() {}

    /** k = clamp(floor(127.5·x + 128), 0, 255). */
    static int pixel(double x) {
        return (int) Math.max(0, Math.min(255, Math.floor(127.5 * x + 128)));
    }

    static void write(Path file, double[] data, int n, int c, int h, int w) throws IOException {
        ImageIO.write(image(data, n, c, h, w), "png", file.toFile());
    }

    /** The grid as an image: ⌈√n⌉ columns, row-major. */
    static BufferedImage image(double[] data, int n, int c, int h, int w) {
        if (c != 1 && c != 3) {
            throw new IllegalArgumentException("a PNG grid needs 1 or 3 channels, got " + c);
        }
        int cols = (int) Math.ceil(Math.sqrt(n));
        int rows = (n + cols - 1) / cols;
        BufferedImage img = new BufferedImage(cols * w, rows * h, BufferedImage.TYPE_INT_RGB);
        int plane = h * w;
        for (int i = 0; i < n; i++) {
            int ox = (i % cols) * w;
            int oy = (i / cols) * h;
            int base = i * c * plane;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int r = pixel(data[base + y * w + x]);
                    int g = c == 3 ? pixel(data[base + plane + y * w + x]) : r;
                    int b = c == 3 ? pixel(data[base + 2 * plane + y * w + x]) : r;
                    img.setRGB(ox + x, oy + y, (r << 16) | (g << 8) | b);
                }
            }
        }
        return img;
    }
}
