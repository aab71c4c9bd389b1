using System.Globalization;

namespace DistCacheAkka.LoadTest;

/// <summary>Prints results as one markdown table, with each row's ratios to Redis (throughput) and to the raw Akka
/// round trip at the same concurrency (median latency), both from the same run.</summary>
internal static class Report
{
    public static void PrintTable(IReadOnlyList<WorkloadResult> results, TextWriter output)
    {
        output.WriteLine("| workload | target | level | ops/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | errors | CPU µs/op client | CPU µs/op servers | ops/s vs Redis | p50 vs raw Akka |");
        output.WriteLine("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            var redis = results.FirstOrDefault(x => x.Spec == r.Spec && x.Target == "Redis");
            var echo = RawAkka(results, r.Spec.Concurrency);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Spec.Name} | {r.Target} | {(r.Target.StartsWith("DistCacheAkka", StringComparison.Ordinal) ? r.Spec.Level.ToString() : "—")} | {r.OpsPerSecond:N0} | " +
                $"{r.P50:0.000} | {r.P90:0.000} | {r.P99:0.000} | {r.P999:0.000} | {r.Max:0.00} | {r.Errors} | " +
                $"{r.ClientCpuMicrosPerOp:0} | {r.ServerCpuMicrosPerOp:0} | " +
                $"{Ratio(r.OpsPerSecond, redis?.OpsPerSecond)} | {Ratio(r.P50, echo?.P50)} |"));
        }

        foreach (var r in results.Where(r => r.FirstError is not null))
            output.WriteLine($"first error of {r.Spec.Name} on {r.Target}: {r.FirstError}");
    }

    /// <summary>The raw Akka round trip measured at <paramref name="concurrency"/> clients, if any.</summary>
    public static WorkloadResult? RawAkka(IReadOnlyList<WorkloadResult> results, int concurrency) =>
        results.FirstOrDefault(x => x.Target == "raw Akka echo" && x.Spec.Concurrency == concurrency);

    private static string Ratio(double value, double? baseline) =>
        baseline is { } b && b > 0 ? (value / b).ToString("0.00", CultureInfo.InvariantCulture) + "x" : "—";
}
