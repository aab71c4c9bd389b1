namespace DistCacheAkka.MemoryBench;

/// <summary>
/// Write throughput with eviction active against none: the same load (fresh ~1 KB values, SetMultiple at Quorum,
/// several writers) on a cluster whose budget never fills and on one with a small distcache.memory.limit, full and
/// evicting throughout. Both are filled with the same number of keys first (the small one to a multiple of what it
/// holds), then measured in alternating intervals (A B, B A, ...) so that this shared machine's load drifts over both
/// alike; one median of keys/s per cluster, one ratio.
/// </summary>
internal static class EvictionThroughput
{
    private const long BytesPerKeyEstimate = 1_250; // ~1 KB value + key + slot overhead (EntrySize), per copy

    public static async Task<int> RunAsync(BenchOptions o)
    {
        var interval = TimeSpan.FromSeconds(o.Double("interval", 5));
        var rounds = o.Int("rounds", 6);
        var writers = o.Int("writers", 4);
        var batch = o.Int("batch", 250);
        var value = new byte[o.Int("value-size", 1000)];
        new Random(42).NextBytes(value);

        await using var roomy = await Cluster.ConnectAsync("never evicts", o.Required("seed"), o.Pids("pids"));
        await using var small = await Cluster.ConnectAsync("evicting", o.Required("small-seed"), o.Pids("small-pids"));
        var smallStats = await small.StatsAsync() ?? throw new TimeoutException("no stats from the small cluster");
        var roomyStats = await roomy.StatsAsync() ?? throw new TimeoutException("no stats from the roomy cluster");
        var fits = smallStats.TotalMemoryLimitBytes / (2 * BytesPerKeyEstimate); // R = 2
        var fill = (long)(o.Double("fill-multiple", 2) * fits);
        Console.WriteLine($"budgets: never evicts {Figures.MiB(roomyStats.TotalMemoryLimitBytes)} MiB in all, evicting " +
                          $"{Figures.MiB(smallStats.TotalMemoryLimitBytes)} MiB (holds ~{fits:N0} keys at R = 2); filling both with {fill:N0} keys");

        foreach (var cluster in new[] { roomy, small })
        {
            var filler = new WriteLoad(cluster.Client, "fill:", value, writers, batch);
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(240));
            await filler.RunAsync(deadline.Token, maxKeys: fill);
            var failed = filler.Batches.Count(b => b.Error is not null);
            var s = await cluster.StatsAsync();
            Console.WriteLine($"{Figures.Now} filled {cluster.Name}: {filler.Batches.Count(b => b.Error is null) * batch:N0} keys in " +
                              $"{filler.Elapsed.TotalSeconds:0} s, {failed} failed batches; used {Figures.MiB(s?.TotalMemoryUsedBytes ?? 0)} MiB, " +
                              $"evictions {s?.Evictions:N0}");
        }

        var before = new Dictionary<Cluster, long>();
        foreach (var c in new[] { roomy, small })
            before[c] = (await c.StatsAsync())?.Evictions ?? -1;
        var loads = new Dictionary<Cluster, WriteLoad>
        {
            [roomy] = new(roomy.Client, "w:", value, writers, batch),
            [small] = new(small.Client, "w:", value, writers, batch),
        };
        var rates = new Dictionary<Cluster, List<double>> { [roomy] = [], [small] = [] };
        var latencies = new Dictionary<Cluster, List<double>> { [roomy] = [], [small] = [] };
        for (var r = 0; r < rounds; r++)
        {
            foreach (var cluster in r % 2 == 0 ? new[] { roomy, small } : [small, roomy])
            {
                var load = loads[cluster];
                var from = load.Elapsed;
                using (var cts = new CancellationTokenSource(interval))
                    await load.RunAsync(cts.Token);
                var to = load.Elapsed; // includes the last batches' drain, alike for both
                var done = load.Batches.Where(b => b.FinishedAt >= from && b.FinishedAt <= to).ToList();
                var rate = done.Where(b => b.Error is null).Sum(b => b.Keys) / (to - from).TotalSeconds;
                rates[cluster].Add(rate);
                latencies[cluster].AddRange(done.Select(b => b.Latency.TotalMilliseconds));
                Console.WriteLine($"{Figures.Now} round {r + 1} {cluster.Name,-13} {Figures.N0(rate),8} keys/s  batches {done.Count}, " +
                                  $"failed {done.Count(b => b.Error is not null)}  load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
            }
        }

        foreach (var c in new[] { roomy, small })
        {
            var s = await c.StatsAsync();
            var batches = loads[c].Batches;
            Console.WriteLine($"RESULT | {c.Name} | budget {Figures.MiB(s?.Nodes.FirstOrDefault()?.MemoryLimitBytes ?? 0)} MiB per node | " +
                              $"median {Figures.N0(Figures.Median(rates[c]))} keys/s (intervals: {string.Join(", ", rates[c].Select(Figures.N0))}) | " +
                              $"batch p50 {Figures.F1(Figures.Percentile(latencies[c], 0.5))} ms, p99 {Figures.F1(Figures.Percentile(latencies[c], 0.99))} ms | " +
                              $"failed batches {batches.Count(b => b.Error is not null)} of {batches.Count} | " +
                              $"evictions during measurement {(s?.Evictions ?? -1) - before[c]:N0} | " +
                              $"used {string.Join(" / ", s?.Nodes.Select(n => Figures.MiB(n.MemoryUsedBytes)) ?? [])} MiB |");
            foreach (var e in batches.Where(b => b.Error is not null).Select(b => b.Error).Distinct().Take(3))
                Console.WriteLine($"  error: {e}");
        }

        Console.WriteLine($"RESULT | ratio evicting / never evicts | {Figures.F2(Figures.Median(rates[small]) / Figures.Median(rates[roomy]))}x |");
        return 0;
    }
}
