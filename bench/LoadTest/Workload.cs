using System.Diagnostics;
using DistCacheAkka.Messages;

namespace DistCacheAkka.LoadTest;

/// <summary>One measured workload: a read/write mix at a number of concurrent clients and a consistency level.</summary>
internal sealed record WorkloadSpec(string Name, int ReadPercent, int Concurrency, ConsistencyLevel Level);

/// <summary>What a workload measured on one target. Latencies in milliseconds.</summary>
internal sealed record WorkloadResult(
    WorkloadSpec Spec, string Target, long Operations, long Errors, double OpsPerSecond,
    double P50, double P90, double P99, double P999, double Max, string? FirstError,
    double ClientCpuMicrosPerOp, double ServerCpuMicrosPerOp);

/// <summary>
/// Runs a workload: <see cref="WorkloadSpec.Concurrency"/> closed-loop clients, each picking a uniformly random
/// preloaded key and a read or a write by the mix; first unmeasured for the warm-up, then measured until the
/// duration or the operation count runs out. Every request's latency is kept (no sampling).
/// </summary>
internal sealed class WorkloadRunner(IReadOnlyList<string> keys, byte[] value, TimeSpan warmup, TimeSpan duration, long operations)
{
    public async Task<WorkloadResult> RunAsync(ILoadTarget target, WorkloadSpec spec, CpuMeter cpu)
    {
        if (warmup > TimeSpan.Zero)
            await RunPhaseAsync(target, spec, warmup, 0, record: false);
        var before = cpu.Read();
        var (latencies, errors, firstError, elapsed) = await RunPhaseAsync(target, spec, duration, operations, record: true);
        var after = cpu.Read();
        var ops = Math.Max(1, latencies.Length + errors);

        Array.Sort(latencies);
        double Pct(double p) => latencies.Length == 0 ? double.NaN
            : latencies[Math.Clamp((int)Math.Ceiling(p / 100 * latencies.Length) - 1, 0, latencies.Length - 1)] * 1000.0 / Stopwatch.Frequency;
        return new WorkloadResult(spec, target.Name, latencies.Length, errors, latencies.Length / elapsed.TotalSeconds,
            Pct(50), Pct(90), Pct(99), Pct(99.9), Pct(100), firstError,
            (after.Client - before.Client).TotalMicroseconds / ops, (after.Servers - before.Servers).TotalMicroseconds / ops);
    }

    private async Task<(long[] Latencies, long Errors, string? FirstError, TimeSpan Elapsed)> RunPhaseAsync(
        ILoadTarget target, WorkloadSpec spec, TimeSpan limit, long maxOperations, bool record)
    {
        var started = Stopwatch.GetTimestamp();
        var deadline = started + (long)(limit.TotalSeconds * Stopwatch.Frequency);
        long issued = 0, errors = 0;
        string? firstError = null;
        var perClient = await Task.WhenAll(Enumerable.Range(0, spec.Concurrency).Select(client => Task.Run(async () =>
        {
            var random = new Random(client * 7919 + spec.ReadPercent);
            var mine = new List<long>(record ? 1 << 16 : 0);
            // Bounded twice: by the deadline, and (when set) by the operation budget shared by all clients.
            while (Stopwatch.GetTimestamp() < deadline && (maxOperations == 0 || Interlocked.Increment(ref issued) <= maxOperations))
            {
                var key = keys[random.Next(keys.Count)];
                var read = random.Next(100) < spec.ReadPercent;
                var start = Stopwatch.GetTimestamp();
                try
                {
                    if (read)
                        await target.GetAsync(key, spec.Level).ConfigureAwait(false);
                    else
                        await target.SetAsync(key, value, spec.Level).ConfigureAwait(false);
                    if (record)
                        mine.Add(Stopwatch.GetTimestamp() - start);
                }
                catch (Exception e)
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstError, $"{e.GetType().Name}: {e.Message}", null);
                }
            }

            return mine;
        })));
        var elapsed = Stopwatch.GetElapsedTime(started);
        return (perClient.SelectMany(l => l).ToArray(), errors, firstError, elapsed);
    }
}
