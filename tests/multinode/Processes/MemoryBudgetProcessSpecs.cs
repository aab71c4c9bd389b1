using DistCacheAkka.ClientProxy;
using DistCacheAkka.Messages;
using DistCacheAkka.Tests.Multinode.Support;
using Xunit.Abstractions;

namespace DistCacheAkka.Tests.Multinode.Processes;

// The memory budget with real processes: three data nodes, each under DOTNET_GCHeapHardLimit = 256 MiB (what a
// container memory limit amounts to), R = 2, no memory settings at all. One client writes three times what fits
// (fresh 1 KB values, SetMultiple at Quorum, 4 writers) while re-reading 1,000 hot keys. Before the budget existed this
// stopped the whole cluster, reads included. Now every node stays up, writes keep succeeding, the hot set survives,
// evictions happen, every node's accounted memory stays near its budget, and stats answer. With noeviction, writes
// beyond the limit fail at once with the named OutOfMemory error while reads, removes and stats keep working.
public sealed class MemoryBudgetProcessSpecs(ITestOutputHelper output)
{
    // 256 MiB, not the 384 MiB of issue 12's scenario (bench/memory.sh long-run keeps that one): the same shape with
    // two thirds of the data, so the test takes about a minute less.
    private const long HeapLimit = 256L * 1024 * 1024;

    private static readonly Dictionary<string, string> Container = new() { ["DOTNET_GCHeapHardLimit"] = HeapLimit.ToString("X") };

    [Fact]
    public async Task Should_keep_serving_with_lru_when_three_times_what_fits_is_written()
    {
        using var nodes = new NodeProcessGroup(FailoverProcessSpecs.TestNodeHocon, output, Container);
        var processes = await StartClusterAsync(nodes);
        await using var client = await ConnectAsync(processes[0]);

        var before = await client.GetStatsAsync();
        Assert.All(before.Nodes, n => Assert.InRange(n.MemoryLimitBytes, HeapLimit * 45 / 100, HeapLimit * 55 / 100)); // half the heap
        var load = new FillLoad(client);
        await load.WriteHotSetAsync();
        // Each value costs ~1.2 KB with its key and overhead, twice (R = 2).
        var fits = before.TotalMemoryLimitBytes / (2 * 1250);
        // ~55 s on a quiet 2-core machine; the deadline leaves room for a loaded one (2,200 keys/s at load 40).
        await load.RunAsync(keys: 3 * fits, deadline: TimeSpan.FromSeconds(240));

        var stats = await client.GetStatsAsync();
        var batches = load.Batches;
        var failed = batches.Count(b => b.Error is not null);
        var lastFifth = batches.Skip(batches.Count * 4 / 5).ToList();
        var p50 = FillLoad.Percentile(batches.Select(b => b.Latency), 0.50);
        var p99 = FillLoad.Percentile(batches.Select(b => b.Latency), 0.99);
        var hot = load.HotMisses;
        output.WriteLine($"wrote {load.KeysWritten:N0} keys (fits ~{fits:N0}) in {batches.Count} batches, {failed} failed; " +
                         $"batch p50 {p50.TotalMilliseconds:0} ms, p99 {p99.TotalMilliseconds:0} ms; hot read rounds {hot.Count}, " +
                         $"worst misses {hot.DefaultIfEmpty().Max()}, failed rounds {hot.Count(m => m < 0)}; evictions {stats.Evictions:N0}");
        foreach (var n in stats.Nodes)
            output.WriteLine($"  {n.Node}: used {n.MemoryUsedBytes:N0} of {n.MemoryLimitBytes:N0}, entries {n.PrimaryEntries:N0} + backups {n.BackupEntries:N0}, evictions {n.Evictions:N0}");

        Assert.All(processes, p => Assert.False(p.HasExited, $"the node on port {p.Port} exited:\n{p.Output}"));
        Assert.True(load.KeysWritten >= 3 * fits, $"only {load.KeysWritten:N0} of {3 * fits:N0} keys were written within the deadline");
        Assert.True(failed <= batches.Count / 100, $"{failed} of {batches.Count} write batches failed, e.g. {batches.FirstOrDefault(b => b.Error is not null).Error}");
        Assert.True(lastFifth.All(b => b.Error is null), "writes failed once the budget was full");
        Assert.True(p99 < TimeSpan.FromSeconds(3), $"write batch p99 {p99.TotalMilliseconds:0} ms");
        Assert.True(hot.Count(m => m < 0) == 0, "a hot read round failed");
        Assert.True(hot.Skip(1).All(m => m <= 10), $"hot keys were lost: worst round missed {hot.Max()} of 1,000");
        Assert.True(stats.Evictions > 0, "nothing was evicted");
        Assert.Equal(3, stats.Nodes.Count);
        Assert.All(stats.Nodes, n => Assert.True(n.MemoryUsedBytes <= n.MemoryLimitBytes * 11 / 10,
            $"{n.Node} accounts {n.MemoryUsedBytes:N0} bytes against a {n.MemoryLimitBytes:N0}-byte budget"));
        // A node at its limit evicts and serves: it stays ready.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        foreach (var p in processes)
            Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync($"http://{p.ManagementEndpoint}/health/ready")).StatusCode);
    }

    [Fact]
    public async Task Should_refuse_writes_beyond_the_limit_with_noeviction_and_keep_serving_reads()
    {
        using var nodes = new NodeProcessGroup(FailoverProcessSpecs.TestNodeHocon + """

            distcache.memory.limit = 32MiB
            distcache.memory.eviction-policy = noeviction
            """, output, Container);
        var processes = await StartClusterAsync(nodes);
        await using var client = await ConnectAsync(processes[0]);
        var load = new FillLoad(client, writers: 2);
        await load.WriteHotSetAsync();

        await load.RunAsync(keys: 200_000, deadline: TimeSpan.FromSeconds(90), stopWhen: () => load.Batches.Count(b => b.Error is not null) >= 20);

        var refusals = load.Batches.Where(b => b.Error is not null).Select(b => b.Error).ToList();
        Assert.True(refusals.Count >= 20, $"only {refusals.Count} batches were refused after {load.KeysWritten:N0} keys");
        var oom = refusals.OfType<DistCacheBatchException>().SelectMany(b => b.Failures.Values).OfType<DistCacheException>()
            .FirstOrDefault(e => e.Code == CacheErrorCode.OutOfMemory);
        Assert.NotNull(oom);
        output.WriteLine(oom.Message);
        Assert.False(oom.IsRetriable);
        Assert.Matches(@"uses [\d,]+ bytes of its 33,554,432-byte memory limit", oom.Message);
        Assert.Contains("noeviction", oom.Message);

        var hot = await client.GetMultipleAsync<string>(load.HotKeys, ConsistencyLevel.Quorum);
        Assert.Equal(1000, hot.Count); // nothing written before the limit was dropped
        Assert.True(await client.RemoveAsync("hot:0", ConsistencyLevel.Quorum));
        var stats = await client.GetStatsAsync();
        Assert.Equal(0, stats.Evictions);
        Assert.All(stats.Nodes, n => Assert.Equal(32L * 1024 * 1024, n.MemoryLimitBytes));
        Assert.All(processes, p => Assert.False(p.HasExited, $"the node on port {p.Port} exited"));
    }

    private static async Task<NodeProcess[]> StartClusterAsync(NodeProcessGroup nodes)
    {
        var seed = nodes.Start("seed", null);
        await seed.WaitListeningAsync(TimeSpan.FromSeconds(60));
        var workers = new[] { nodes.Start("worker", seed.Port), nodes.Start("worker", seed.Port) };
        await Task.WhenAll(workers.Select(w => w.WaitListeningAsync(TimeSpan.FromSeconds(60))));
        return [seed, .. workers];
    }

    private static async Task<IDistCacheClient> ConnectAsync(NodeProcess seed)
    {
        var client = await DistCacheClient.ConnectAsync(new DistCacheClientOptions
        {
            SeedNodes = [seed.Endpoint],
            ConnectTimeout = TimeSpan.FromSeconds(60),
            ExtraHocon = "akka.loglevel = ERROR",
        });
        await Eventually.HoldsAsync(async () => (await client.GetStatsAsync()).Nodes.Count == 3, TimeSpan.FromSeconds(60), "3 data nodes answering stats");
        await ShardReadiness.WaitAllAllocatedAsync(client);
        return client;
    }
}
