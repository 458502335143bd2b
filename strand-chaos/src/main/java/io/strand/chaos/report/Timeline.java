package io.strand.chaos.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * The timeline plot: acknowledged sends per second as bars over the run, each fault window shaded
 * and labelled with its kind. Java2D, headless; written as PNG with ImageIO.
 */
public final class Timeline {

    private static final int WIDTH = 1200;
    private static final int HEIGHT = 420;
    private static final int LEFT = 60;
    private static final int RIGHT = 20;
    private static final int TOP = 50;
    private static final int BOTTOM = 40;
    private static final Color[] SHADES = {
        new Color(230, 80, 80, 70), new Color(80, 120, 230, 70), new Color(80, 180, 80, 70),
        new Color(200, 140, 40, 70), new Color(150, 80, 200, 70), new Color(40, 170, 170, 70)};

    private Timeline() {
    }

    /** Writes the plot of {@code ackTimesMs} (any order) and {@code faults} between {@code startMs} and {@code endMs}. */
    public static void write(Path png, String title, long[] ackTimesMs, List<FaultWindow> faults, long startMs,
                             long endMs) throws IOException {
        System.setProperty("java.awt.headless", "true");
        int seconds = (int) Math.max(1, (endMs - startMs + 999) / 1000);
        int[] perSecond = new int[seconds];
        for (long ackMs : ackTimesMs) {
            int second = (int) ((ackMs - startMs) / 1000);
            if (second >= 0 && second < seconds) {
                perSecond[second]++;
            }
        }
        int max = 1;
        for (int count : perSecond) {
            max = Math.max(max, count);
        }
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            int plotWidth = WIDTH - LEFT - RIGHT;
            int plotHeight = HEIGHT - TOP - BOTTOM;
            double xPerMs = plotWidth / (double) (endMs - startMs);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            List<String> kinds = faults.stream().map(FaultWindow::kind).distinct().toList();
            int labelRow = 0;
            for (FaultWindow fault : faults) {
                int x0 = LEFT + (int) ((fault.startMs() - startMs) * xPerMs);
                int x1 = LEFT + (int) Math.ceil((fault.endMs() - startMs) * xPerMs);
                g.setColor(SHADES[kinds.indexOf(fault.kind()) % SHADES.length]);
                g.fillRect(x0, TOP, Math.max(1, x1 - x0), plotHeight);
                g.setColor(Color.DARK_GRAY);
                g.drawString(fault.kind(), x0 + 2, TOP - 4 - 12 * (labelRow++ % 3));
            }
            g.setColor(new Color(30, 30, 30));
            double barWidth = plotWidth / (double) seconds;
            for (int second = 0; second < seconds; second++) {
                int h = (int) Math.round(perSecond[second] * (double) plotHeight / max);
                int x = LEFT + (int) (second * barWidth);
                g.fillRect(x, TOP + plotHeight - h, Math.max(1, (int) barWidth - 1), h);
            }
            g.setStroke(new BasicStroke(1));
            g.drawLine(LEFT, TOP + plotHeight, LEFT + plotWidth, TOP + plotHeight);
            g.drawLine(LEFT, TOP, LEFT, TOP + plotHeight);
            g.drawString(Integer.toString(max), 5, TOP + 10);
            g.drawString("0", 5, TOP + plotHeight);
            int step = Math.max(1, seconds / 12);
            for (int second = 0; second <= seconds; second += step) {
                int x = LEFT + (int) (second * barWidth);
                g.drawLine(x, TOP + plotHeight, x, TOP + plotHeight + 4);
                g.drawString(second + "s", x - 6, TOP + plotHeight + 18);
            }
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
            g.drawString(title + "  (acknowledged sends per second; shaded: fault windows)", LEFT, HEIGHT - 6);
        } finally {
            g.dispose();
        }
        ImageIO.write(image, "png", png.toFile());
    }
}
