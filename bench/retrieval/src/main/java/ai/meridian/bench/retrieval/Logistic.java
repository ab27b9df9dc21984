package ai.meridian.bench.retrieval;

import java.util.List;

/** Weighted logistic regression by Newton's method (IRLS) with a small ridge, for the relevance model's coefficients. */
final class Logistic {
    private Logistic() {
    }

    /** One example: features (without the constant), whether it is relevant, and its weight. */
    record Example(double[] x, boolean y, double weight) {
    }

    /** Coefficients {@code [bias, w1, ..., wn]} maximising the weighted likelihood minus {@code ridge/2 · |w|²}. */
    static double[] fit(List<Example> examples, int features, double ridge) {
        int d = features + 1;
        double[] w = new double[d];
        for (int iteration = 0; iteration < 100; iteration++) {
            double[] gradient = new double[d];
            double[][] hessian = new double[d][d];
            for (Example e : examples) {
                double[] x = with1(e.x());
                double z = 0;
                for (int i = 0; i < d; i++) {
                    z += w[i] * x[i];
                }
                double p = 1 / (1 + Math.exp(-z));
                double r = e.weight() * p * (1 - p);
                for (int i = 0; i < d; i++) {
                    gradient[i] += e.weight() * ((e.y() ? 1 : 0) - p) * x[i];
                    for (int j = 0; j < d; j++) {
                        hessian[i][j] += r * x[i] * x[j];
                    }
                }
            }
            for (int i = 0; i < d; i++) {
                gradient[i] -= ridge * w[i];
                hessian[i][i] += ridge;
            }
            double[] step = solve(hessian, gradient);
            double size = 0;
            for (int i = 0; i < d; i++) {
                w[i] += step[i];
                size += Math.abs(step[i]);
            }
            if (size < 1e-9) {
                break;
            }
        }
        return w;
    }

    private static double[] with1(double[] x) {
        double[] out = new double[x.length + 1];
        out[0] = 1;
        System.arraycopy(x, 0, out, 1, x.length);
        return out;
    }

    /** Gaussian elimination with partial pivoting. */
    private static double[] solve(double[][] a, double[] b) {
        int n = b.length;
        double[][] m = new double[n][n + 1];
        for (int i = 0; i < n; i++) {
            System.arraycopy(a[i], 0, m[i], 0, n);
            m[i][n] = b[i];
        }
        for (int c = 0; c < n; c++) {
            int pivot = c;
            for (int r = c + 1; r < n; r++) {
                if (Math.abs(m[r][c]) > Math.abs(m[pivot][c])) {
                    pivot = r;
                }
            }
            double[] t = m[c];
            m[c] = m[pivot];
            m[pivot] = t;
            for (int r = c + 1; r < n; r++) {
                double f = m[r][c] / m[c][c];
                for (int k = c; k <= n; k++) {
                    m[r][k] -= f * m[c][k];
                }
            }
        }
        double[] x = new double[n];
        for (int r = n - 1; r >= 0; r--) {
            double s = m[r][n];
            for (int k = r + 1; k < n; k++) {
                s -= m[r][k] * x[k];
            }
            x[r] = s / m[r][r];
        }
        return x;
    }
}
