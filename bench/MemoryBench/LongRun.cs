namespace DistCacheAkka.MemoryBench;

/// <summary>
/// The issue-12 scenario for minutes instead of the CI spec's seconds: 3 data nodes (memory.sh runs them under
/// DOTNET_GCHeapHardLimit = 384 MiB, no memory settings, so each budget is half of that), R = 2, one client writing
/// fresh 1 KB values with SetMultiple at Quorum from several writers while re-reading 1,000 hot keys, until a deadline
/// or a multiple of what the budgets hold. Every --report-every seconds: keys/s, failed batches, hot-key misses, each
/// node's accounted memory and RSS, and whether stats answered at all.
/// </summary>
internal static class LongRun
{
    private const long BytesPerKeyEstimate = 1_250; // ~1 KB value + key + slot overhead (EntrySize), per copy

    public static async Task<int> RunAsync(BenchOptions o)
    {
        var duration = TimeSpan.FromSeconds(o.Double("duration", 300));
        var every = TimeSpan.FromSeconds(o.Double("report-every", 10));
        var batch = o.Int("batch", 250);
        var value = new byte[o.Int("value-size", 1000)];
        new Random(42).NextBytes(value);
        var pids = o.Pids("pids");
        var cgroups = (o.String("cgroups") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries); // one per pid, or none

        await using var cluster = await Cluster.ConnectAsync("DistCacheAkka", o.Required("seed"), pids);
        var start = await cluster.StatsAsync() ?? throw new TimeoutException("no stats before the run");
        var fits = start.TotalMemoryLimitBytes / (2 * BytesPerKeyEstimate);
        var maxKeys = (long)(o.Double("fits-multiple", 10) * fits);
        Console.WriteLine($"budgets {string.Join(" / ", start.Nodes.Select(n => Figures.MiB(n.MemoryLimitBytes)))} MiB; " +
                          $"holds ~{fits:N0} keys at R = 2; writing up to {maxKeys:N0} keys or for {duration.TotalSeconds:0} s");

        var load = new WriteLoad(cluster.Client, "fill:", value, o.Int("writers", 4), batch);
        await load.WriteHotSetAsync();
        using var deadline = new CancellationTokenSource(duration);
        var running = load.RunAsync(deadline.Token, maxKeys, readHotSet: true);
        var samples = new List<(double KeysPerSecond, bool StatsAnswered)>();
        var statsFailures = 0;
        var last = TimeSpan.Zero;
        Console.WriteLine("time  | keys/s | acked keys | failed batches | hot rounds, worst misses, failed | per node: used/limit MiB, RSS MiB");
        while (!running.IsCompleted)
        {
            await Task.WhenAny(running, Task.Delay(every));
            var now = load.Elapsed;
            var batches = load.Batches;
            var window = batches.Where(b => b.FinishedAt >= last && b.FinishedAt < now).ToList();
            var rate = window.Where(b => b.Error is null).Sum(b => b.Keys) / (now - last).TotalSeconds;
            var hot = load.HotRounds.Where(h => h.At >= last && h.At < now).ToList();
            var stats = await cluster.StatsAsync(timeoutSeconds: 8);
            if (stats is null)
                statsFailures++;
            samples.Add((rate, stats is not null));
            var nodes = stats is null ? "stats did not answer in 8 s"
                : string.Join("; ", stats.Nodes.Select(n => $"{Figures.MiB(n.MemoryUsedBytes)}/{Figures.MiB(n.MemoryLimitBytes)}"));
            Console.WriteLine($"{now.TotalSeconds,5:0} | {Figures.N0(rate),6} | {batches.Where(b => b.Error is null).Sum(b => b.Keys),10:N0} | " +
                              $"{window.Count(b => b.Error is not null),3} of {window.Count,4} | {hot.Count,3}, {hot.Select(h => h.Misses).DefaultIfEmpty().Max(),4}, " +
                              $"{hot.Count(h => h.Misses < 0)} | {nodes}; RSS {string.Join(" / ", pids.Select(p => Figures.MiB(ProcessMemory.Rss(p))))}; " +
                              (cgroups.Length == 0 ? "" : $"cgroup usage {string.Join(" / ", cgroups.Select(c => Figures.MiB(CgroupMemory.Usage(c))))} MiB " +
                                                          $"(anon {string.Join(" / ", cgroups.Select(c => Figures.MiB(CgroupMemory.Stat(c, "rss"))))}, " +
                                                          $"shmem {string.Join(" / ", cgroups.Select(c => Figures.MiB(CgroupMemory.Stat(c, "shmem"))))}), " +
                                                          $"failcnt {string.Join(" / ", cgroups.Select(CgroupMemory.FailCount))}, memsw {string.Join(" / ", cgroups.Select(CgroupMemory.SwapFailCount))}; ") +
                              $"load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
            last = now;
        }

        await running;
        var all = load.Batches;
        var final = await cluster.StatsAsync(timeoutSeconds: 15);
        var rounds = load.HotRounds;
        var acked = all.Where(b => b.Error is null).Sum(b => b.Keys);
        var latencies = all.Select(b => b.Latency.TotalMilliseconds).ToList();
        Console.WriteLine($"RESULT | keys acknowledged {acked:N0} ({(double)acked / fits:0.0}x what fits) in {load.Elapsed.TotalSeconds:0} s | " +
                          $"mean {Figures.N0(acked / load.Elapsed.TotalSeconds)} keys/s, median of {every.TotalSeconds:0} s windows " +
                          $"{Figures.N0(Figures.Median(samples.Select(s => s.KeysPerSecond)))}, min {Figures.N0(samples.Min(s => s.KeysPerSecond))} |");
        Console.WriteLine($"RESULT | batches {all.Count:N0} of {batch}, failed {all.Count(b => b.Error is not null)} | " +
                          $"batch p50 {Figures.F1(Figures.Percentile(latencies, 0.5))} ms, p99 {Figures.F1(Figures.Percentile(latencies, 0.99))} ms, " +
                          $"max {Figures.F1(latencies.DefaultIfEmpty().Max())} ms |");
        Console.WriteLine($"RESULT | hot read rounds {rounds.Count:N0}, failed {rounds.Count(r => r.Misses < 0)}, worst misses after the first " +
                          $"{rounds.Skip(1).Select(r => r.Misses).DefaultIfEmpty().Max()} of 1,000, rounds with any miss {rounds.Count(r => r.Misses > 0)} | " +
                          $"stats unanswered in {statsFailures} of {samples.Count} samples |");
        Console.WriteLine($"RESULT | evictions {final?.Evictions.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) ?? "stats did not answer"} |");
        foreach (var n in final?.Nodes ?? [])
            Console.WriteLine($"RESULT | node {n.Node} | used {Figures.MiB(n.MemoryUsedBytes)} of {Figures.MiB(n.MemoryLimitBytes)} MiB " +
                              $"({100.0 * n.MemoryUsedBytes / n.MemoryLimitBytes:0.0}%) | {n.PrimaryEntries:N0} primaries + {n.BackupEntries:N0} backups | evictions {n.Evictions:N0} |");
        for (var i = 0; i < cgroups.Length; i++)
            Console.WriteLine($"RESULT | cgroup {cgroups[i]} | pid {pids[i]} alive {ProcessMemory.IsAlive(pids[i])} | limit {Figures.MiB(CgroupMemory.Limit(cgroups[i]))} MiB | " +
                              $"usage {Figures.MiB(CgroupMemory.Usage(cgroups[i]))} MiB, peak (max_usage_in_bytes) {Figures.MiB(CgroupMemory.MaxUsage(cgroups[i]))} MiB | " +
                              $"memory.stat rss (anon) {Figures.MiB(CgroupMemory.Stat(cgroups[i], "rss"))} MiB, shmem {Figures.MiB(CgroupMemory.Stat(cgroups[i], "shmem"))} MiB, cache {Figures.MiB(CgroupMemory.Stat(cgroups[i], "cache"))} MiB, " +
                              $"mapped_file {Figures.MiB(CgroupMemory.Stat(cgroups[i], "mapped_file"))} MiB, workingset_refault_file {CgroupMemory.Stat(cgroups[i], "workingset_refault_file"):N0} pages, " +
                              $"pgmajfault {CgroupMemory.Stat(cgroups[i], "pgmajfault"):N0} | " +
                              $"failcnt {CgroupMemory.FailCount(cgroups[i])}, memsw.failcnt {CgroupMemory.SwapFailCount(cgroups[i])} | oom_kill {CgroupMemory.OomKills(cgroups[i])} |");
        foreach (var pid in pids)
        {
            var rss = ProcessMemory.Rss(pid); // before the induced GC of gcdump
            var heap = await GcHeap.LiveBytesAsync(o.String("gcdump-dir"), pid);
            Console.WriteLine($"RESULT | pid {pid} | alive {ProcessMemory.IsAlive(pid)} | RSS {Figures.MiB(rss)} MiB, peak (VmHWM) " +
                              $"{Figures.MiB(ProcessMemory.PeakRss(pid))} MiB (now RssAnon {Figures.MiB(ProcessMemory.RssAnon(pid))}, RssFile {Figures.MiB(ProcessMemory.RssFile(pid))}) | live GC heap after a full GC {(heap < 0 ? "n/a" : Figures.MiB(heap) + " MiB")} |");
        }
        foreach (var e in all.Where(b => b.Error is not null).Select(b => b.Error).Distinct().Take(5))
            Console.WriteLine($"  error: {e}");
        return 0;
    }
}
