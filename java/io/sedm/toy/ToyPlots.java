package io.sedm.toy;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.geom.Ellipse2D;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.DatasetRenderingOrder;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.LookupPaintScale;
import org.jfree.chart.renderer.xy.VectorRenderer;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.VectorSeries;
import org.jfree.data.xy.VectorSeriesCollection;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The pictures of {@code sedm toy}, drawn with JFreeChart into PNG files (headless AWT): every
 * picture lays its points or arrows over a heat map of the data density.
 */
public final class ToyPlots {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    /** Width and height of every picture, pixels. */
    public static final int SIZE = 640;

    private static final int GRID = 120;
    private static final int ARROWS = 24;

    private ToyPlots() {}

    /** The density on a GRID × GRID grid over the set's window, as a heat-map dataset. */
    public record Density(double[] bounds, double[] xs, double[] ys, double[][] values) {
        public static Density of(ToySet set) {
            double[] b = set.bounds();
            double[] xs = grid(b[0], b[1], GRID);
            double[] ys = grid(b[2], b[3], GRID);
            return new Density(b, xs, ys, set.density(xs, ys));
        }
    }

    /** Score field s(x, σ) as arrows on an ARROWS × ARROWS grid over the density. */
    public static void quiver(Path png, String title, Density density, ScoreModel model, double sigma)
            throws IOException {
        double[] b = density.bounds();
        double[] xs = grid(b[0], b[1], ARROWS);
        double[] ys = grid(b[2], b[3], ARROWS);
        double[] pts = new double[2 * ARROWS * ARROWS];
        for (int i = 0; i < ARROWS; i++) {
            for (int j = 0; j < ARROWS; j++) {
                pts[2 * (i * ARROWS + j)] = xs[i];
                pts[2 * (i * ARROWS + j) + 1] = ys[j];
            }
        }
        double[] s = model.score(pts, sigma);
        double max = 0;
        for (int k = 0; k < s.length; k += 2) {
            max = Math.max(max, Math.hypot(s[k], s[k + 1]));
        }
        // the longest arrow spans 1.2 grid cells; lengths stay proportional to |s|
        double unit = max == 0 ? 0 : 1.2 * (xs[1] - xs[0]) / max;
        VectorSeries arrows = new VectorSeries("s(x, σ = " + fmt(sigma) + ")");
        for (int k = 0; k < s.length; k += 2) {
            arrows.add(pts[k], pts[k + 1], unit * s[k], unit * s[k + 1]);
        }
        VectorSeriesCollection data = new VectorSeriesCollection();
        data.addSeries(arrows);
        XYPlot plot = densityPlot(density);
        VectorRenderer r = new VectorRenderer();
        r.setSeriesPaint(0, new Color(200, 30, 30));
        plot.setDataset(1, data);
        plot.setRenderer(1, r);
        write(png, new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, false));
    }

    /** Points (rows of 2) over the density. */
    public static void samples(Path png, String title, Density density, double[] x) throws IOException {
        XYSeries pts = new XYSeries("samples", false, true);
        for (int k = 0; k + 1 < x.length; k += 2) {
            pts.add(x[k], x[k + 1]);
        }
        XYPlot plot = densityPlot(density);
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(false, true);
        r.setSeriesShape(0, new Ellipse2D.Double(-1.5, -1.5, 3, 3));
        r.setSeriesPaint(0, new Color(20, 60, 200));
        plot.setDataset(1, new XYSeriesCollection(pts));
        plot.setRenderer(1, r);
        write(png, new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, false));
    }

    /** The paths of the first {@code count} samples: one line each, the end point marked. */
    public static void trajectories(Path png, String title, Density density, List<double[]> paths, int count)
            throws IOException {
        XYSeriesCollection lines = new XYSeriesCollection();
        XYSeriesCollection ends = new XYSeriesCollection();
        XYSeries end = new XYSeries("end", false, true);
        int n = paths.isEmpty() ? 0 : Math.min(count, paths.get(0).length / 2);
        for (int b = 0; b < n; b++) {
            XYSeries line = new XYSeries("path " + b, false, true);
            for (double[] p : paths) {
                line.add(p[2 * b], p[2 * b + 1]);
            }
            lines.addSeries(line);
            double[] last = paths.get(paths.size() - 1);
            end.add(last[2 * b], last[2 * b + 1]);
        }
        ends.addSeries(end);
        XYPlot plot = densityPlot(density);
        XYLineAndShapeRenderer lr = new XYLineAndShapeRenderer(true, false);
        for (int b = 0; b < n; b++) {
            lr.setSeriesPaint(b, Color.getHSBColor((float) b / Math.max(1, n), 0.8f, 0.8f));
            lr.setSeriesStroke(b, new BasicStroke(1.0f));
        }
        XYLineAndShapeRenderer er = new XYLineAndShapeRenderer(false, true);
        er.setSeriesShape(0, new Ellipse2D.Double(-3, -3, 6, 6));
        er.setSeriesPaint(0, Color.BLACK);
        plot.setDataset(1, lines);
        plot.setRenderer(1, lr);
        plot.setDataset(2, ends);
        plot.setRenderer(2, er);
        write(png, new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, false));
    }

    /** A plot with the density as a white-to-grey heat map on dataset 0, axes fixed to the window. */
    private static XYPlot densityPlot(Density d) {
        DefaultXYZDataset heat = new DefaultXYZDataset();
        int n = d.xs().length * d.ys().length;
        double[][] xyz = new double[3][n];
        double max = 0;
        int k = 0;
        for (int i = 0; i < d.xs().length; i++) {
            for (int j = 0; j < d.ys().length; j++) {
                xyz[0][k] = d.xs()[i];
                xyz[1][k] = d.ys()[j];
                xyz[2][k] = d.values()[i][j];
                max = Math.max(max, xyz[2][k]);
                k++;
            }
        }
        heat.addSeries("density", xyz);
        XYBlockRenderer r = new XYBlockRenderer();
        r.setBlockWidth(d.xs()[1] - d.xs()[0]);
        r.setBlockHeight(d.ys()[1] - d.ys()[0]);
        double top = max > 0 ? max : 1;
        LookupPaintScale scale = new LookupPaintScale(0, top * 1.0001, Color.WHITE);
        for (int level = 0; level < 32; level++) {
            int grey = 255 - (int) Math.round(150.0 * level / 31);
            scale.add(top * level / 32.0, new Color(grey, grey, grey));
        }
        r.setPaintScale(scale);
        NumberAxis xAxis = new NumberAxis("x₁");
        NumberAxis yAxis = new NumberAxis("x₂");
        xAxis.setRange(d.bounds()[0], d.bounds()[1]);
        yAxis.setRange(d.bounds()[2], d.bounds()[3]);
        XYPlot plot = new XYPlot(heat, xAxis, yAxis, r);
        plot.setDatasetRenderingOrder(DatasetRenderingOrder.FORWARD);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinesVisible(false);
        plot.setRangeGridlinesVisible(false);
        return plot;
    }

    /** Writes the chart as a SIZE × SIZE PNG: a temp file in the same folder, then a rename. */
    private static void write(Path png, JFreeChart chart) throws IOException {
        chart.setBackgroundPaint(Color.WHITE);
        Path tmp = png.resolveSibling(png.getFileName() + ".part");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            ChartUtils.writeChartAsPNG(out, chart, SIZE, SIZE);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(
                tmp,
                png,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    static double[] grid(double lo, double hi, int n) {
        double[] g = new double[n];
        for (int i = 0; i < n; i++) {
            g[i] = lo + (hi - lo) * (i + 0.5) / n;
        }
        return g;
    }

    private static String fmt(double v) {
        return String.format(java.util.Locale.ROOT, "%.3g", v);
    }
}
