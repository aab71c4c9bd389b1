using System.Globalization;

namespace DistCacheAkka.LoadTest;

/// <summary>The three targets of issue #8, judged on ratios from the same run.</summary>
internal static class Verdict
{
    public static void Print(IReadOnlyList<WorkloadResult> results, WorkloadSpec getOne, WorkloadSpec mix64, WorkloadSpec quorumSet64, TextWriter output)
    {
        WorkloadResult? Find(WorkloadSpec spec, string target) => results.FirstOrDefault(r => r.Spec == spec && r.Target == target);
        output.WriteLine();
        if (Find(getOne, "DistCacheAkka") is { } get && Find(getOne, "raw Akka echo") is { } echo)
            Line(output, "single-client Get p50 <= 1.5x raw Akka round trip", get.P50 / echo.P50, "x", get.P50 / echo.P50 <= 1.5,
                $"{get.P50:0.000} ms vs {echo.P50:0.000} ms");
        if (Find(mix64, "DistCacheAkka") is { } mix && Find(mix64, "Redis") is { } redis)
            Line(output, "64-client 90/10 throughput >= 1.0x Redis", mix.OpsPerSecond / redis.OpsPerSecond, "x", mix.OpsPerSecond >= redis.OpsPerSecond,
                $"{mix.OpsPerSecond:N0} vs {redis.OpsPerSecond:N0} ops/s");
        if (Find(mix64, "DistCacheAkka") is { } on && Find(mix64, "DistCacheAkka, no coalescing") is { } off)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"coalescing: 64-client 90/10 throughput {on.OpsPerSecond / off.OpsPerSecond:0.00}x of uncoalesced ({on.OpsPerSecond:N0} vs {off.OpsPerSecond:N0} ops/s); " +
                $"CPU per op client {on.ClientCpuMicrosPerOp:0} vs {off.ClientCpuMicrosPerOp:0} µs, servers {on.ServerCpuMicrosPerOp:0} vs {off.ServerCpuMicrosPerOp:0} µs"));
        if (Find(mix64, "DistCacheAkka, near cache") is { } near && Find(mix64, "DistCacheAkka") is { } plain && Find(mix64, "Redis") is { } redisBase)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"near cache: 64-client 90/10 throughput {near.OpsPerSecond / plain.OpsPerSecond:0.00}x of without ({near.OpsPerSecond:N0} vs {plain.OpsPerSecond:N0} ops/s), " +
                $"{near.OpsPerSecond / redisBase.OpsPerSecond:0.00}x Redis; p50 {near.P50:0.000} vs {plain.P50:0.000} ms"));
        if (Find(getOne, "DistCacheAkka, near cache") is { } nearGet && Find(getOne, "DistCacheAkka") is { } plainGet)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"near cache: single-client Get p50 {nearGet.P50 * 1000:0.0} µs vs {plainGet.P50 * 1000:0.0} µs without ({1e9 / nearGet.OpsPerSecond:N0} ns per Get at {nearGet.OpsPerSecond:N0} ops/s)"));
        if (Find(quorumSet64, "DistCacheAkka") is { } set)
            Line(output, "Quorum Set p99 < 3 ms at 64 clients", set.P99, " ms", set.P99 < 3, $"p50 {set.P50:0.000} ms");
    }

    private static void Line(TextWriter output, string target, double value, string unit, bool met, string detail) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"target: {target}: {value:0.00}{unit} ({detail}) {(met ? "MET" : "MISSED")}"));
}
