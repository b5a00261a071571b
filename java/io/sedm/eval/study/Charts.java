package io.sedm.eval.study;

import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.LookupPaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The study's pictures, drawn with JFreeChart (headless) and written as PNG atomically (temp file,
 * then rename): a heatmap of one metric over (λ, w1) with the value printed in each cell, and line
 * plots of curves over sampler steps.
 */
public final class Charts {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Charts() {}

    /**
     * A heatmap: column j is {@code columns[j]}, row i is {@code rows[i]}, {@code values[i][j]} is the
     * cell (NaN = not measured, drawn grey). Colours run from the best value (lowest when
     * {@code lowerIsBetter}) in dark blue to the worst in yellow.
     */
    public static void heatmap(
            Path png,
            String title,
            String columnAxis,
            String[] columns,
            String rowAxis,
            String[] rows,
            double[][] values,
            String metric,
            boolean lowerIsBetter) {
        if (values.length != rows.length) {
            throw new IllegalArgumentException(values.length + " rows of values for " + rows.length + " row labels");
        }
        int n = rows.length * columns.length;
        double[][] xyz = new double[3][n];
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < rows.length; i++) {
            if (values[i].length != columns.length) {
                throw new IllegalArgumentException(
                        "row " + i + " has " + values[i].length + " values for " + columns.length + " columns");
            }
            for (int j = 0; j < columns.length; j++) {
                int k = i * columns.length + j;
                xyz[0][k] = j;
                xyz[1][k] = i;
                xyz[2][k] = values[i][j];
                if (Double.isFinite(values[i][j])) {
                    lo = Math.min(lo, values[i][j]);
                    hi = Math.max(hi, values[i][j]);
                }
            }
        }
        if (!(lo <= hi)) {
            lo = 0;
            hi = 1;
        }
        if (hi == lo) {
            hi = lo + Math.max(1e-12, Math.abs(lo) * 1e-6);
        }
        DefaultXYZDataset data = new DefaultXYZDataset();
        data.addSeries(metric, xyz);
        LookupPaintScale scale = new LookupPaintScale(lo, hi, Color.LIGHT_GRAY);
        int levels = 64;
        for (int k = 0; k < levels; k++) {
            double t = k / (levels - 1.0);
            double v = lo + (hi - lo) * k / levels;
            scale.add(v, viridis(lowerIsBetter ? t : 1 - t));
        }
        XYBlockRenderer renderer = new XYBlockRenderer();
        renderer.setPaintScale(scale);
        SymbolAxis x = new SymbolAxis(columnAxis, columns);
        SymbolAxis y = new SymbolAxis(rowAxis, rows);
        x.setGridBandsVisible(false);
        y.setGridBandsVisible(false);
        XYPlot plot = new XYPlot(data, x, y, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinesVisible(false);
        plot.setRangeGridlinesVisible(false);
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
        for (int k = 0; k < n; k++) {
            if (!Double.isFinite(xyz[2][k])) continue;
            double t = (xyz[2][k] - lo) / (hi - lo);
            XYTextAnnotation a = new XYTextAnnotation(format(xyz[2][k]), xyz[0][k], xyz[1][k]);
            a.setFont(font);
            a.setPaint((lowerIsBetter ? t : 1 - t) < 0.6 ? Color.WHITE : Color.BLACK);
            plot.addAnnotation(a);
        }
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, false);
        NumberAxis legendAxis = new NumberAxis(metric);
        legendAxis.setRange(lo, hi);
        PaintScaleLegend legend = new PaintScaleLegend(scale, legendAxis);
        legend.setPosition(RectangleEdge.RIGHT);
        legend.setMargin(4, 4, 40, 4);
        chart.addSubtitle(legend);
        chart.setBackgroundPaint(Color.WHITE);
        write(png, chart, heatmapWidth(columns.length), heatmapHeight(rows.length));
    }

    /** Pixel width of a heatmap of {@code columns} cells per row. */
    public static int heatmapWidth(int columns) {
        return Math.max(560, 180 + 110 * columns);
    }

    /** Pixel height of a heatmap of {@code rows} rows. */
    public static int heatmapHeight(int rows) {
        return Math.max(380, 160 + 60 * rows);
    }

    /**
     * Line plots over a shared x: one series per entry of {@code curves} (label → y per x; NaN
     * points are left out).
     */
    public static void lines(
            Path png, String title, String xLabel, double[] x, String yLabel, Map<String, double[]> curves) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (Map.Entry<String, double[]> c : curves.entrySet()) {
            if (c.getValue().length != x.length) {
                throw new IllegalArgumentException(
                        c.getKey() + " has " + c.getValue().length + " points for " + x.length + " x values");
            }
            XYSeries s = new XYSeries(c.getKey(), false, true);
            for (int i = 0; i < x.length; i++) {
                if (Double.isFinite(c.getValue()[i])) s.add(x[i], c.getValue()[i]);
            }
            data.addSeries(s);
        }
        NumberAxis xAxis = new NumberAxis(xLabel);
        NumberAxis yAxis = new NumberAxis(yLabel);
        yAxis.setAutoRangeIncludesZero(false);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        XYPlot plot = new XYPlot(data, xAxis, yAxis, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        write(png, chart, 800, 500);
    }

    /** An ordered map for {@link #lines}. */
    public static Map<String, double[]> curves() {
        return new LinkedHashMap<>();
    }

    private static void write(Path png, JFreeChart chart, int width, int height) {
        Path tmp = png.resolveSibling(png.getFileName() + ".tmp");
        try {
            ChartUtils.saveChartAsPNG(tmp.toFile(), chart, width, height);
            Files.move(tmp, png, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the original error is the one to report
            }
            throw new UncheckedIOException("cannot write " + png + ": " + e.getMessage(), e);
        }
    }

    private static String format(double v) {
        double a = Math.abs(v);
        return a != 0 && (a < 1e-2 || a >= 1e4)
                ? String.format(Locale.ROOT, "%.2e", v)
                : String.format(Locale.ROOT, "%.4g", v);
    }

    /** Viridis (matplotlib's perceptually uniform map), piecewise linear through 5 anchors; t in [0, 1]. */
    static Color viridis(double t) {
        double[][] anchors = {
            {0.267, 0.005, 0.329},
            {0.230, 0.322, 0.546},
            {0.128, 0.567, 0.551},
            {0.369, 0.789, 0.383},
            {0.993, 0.906, 0.144}
        };
        double u = Math.max(0, Math.min(1, t)) * (anchors.length - 1);
        int k = Math.min((int) u, anchors.length - 2);
        double f = u - k;
        float[] c = new float[3];
        for (int j = 0; j < 3; j++) c[j] = (float) (anchors[k][j] + f * (anchors[k + 1][j] - anchors[k][j]));
        return new Color(c[0], c[1], c[2]);
    }
}
