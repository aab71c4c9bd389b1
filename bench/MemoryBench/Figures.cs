using System.Globalization;

namespace DistCacheAkka.MemoryBench;

/// <summary>Percentiles, medians and the number formats of the reports.</summary>
internal static class Figures
{
    /// <summary>The nearest-rank percentile (p in 0..1) of <paramref name="values"/>; 0 when there are none.</summary>
    public static double Percentile(IEnumerable<double> values, double p)
    {
        var sorted = values.OrderBy(v => v).ToList();
        return sorted.Count == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    /// <summary>The median; the mean of the two middle values for an even count.</summary>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        if (sorted.Count == 0)
            return 0;
        var mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    public static string N0(double v) => v.ToString("N0", CultureInfo.InvariantCulture);

    public static string F1(double v) => v.ToString("N1", CultureInfo.InvariantCulture);

    public static string F2(double v) => v.ToString("0.00", CultureInfo.InvariantCulture);

    public static string MiB(long bytes) => (bytes / 1024.0 / 1024.0).ToString("N1", CultureInfo.InvariantCulture);

    public static string Now => DateTime.UtcNow.ToString("HH:mm:ss", CultureInfo.InvariantCulture);
}
