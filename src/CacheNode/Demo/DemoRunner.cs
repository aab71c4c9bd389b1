using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using DistCacheAkka.ClientProxy;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Hashing;
using DistCacheAkka.Messages.Settings;
using static DistCacheAkka.CacheNode.Demo.DemoOutput;

namespace DistCacheAkka.CacheNode.Demo;

/// <summary>
/// `CacheNode demo`: starts a real 3-node cluster (seed + 2 workers) as child processes on free loopback ports,
/// connects a ClientProxy client and walks through the cache's features with checks. Exits 0 only if every check
/// passed; kills every child on success, failure and Ctrl+C.
/// </summary>
internal static class DemoRunner
{
    private const string DemoHocon = """
        akka.loglevel = WARNING
        akka.cluster.split-brain-resolver.stable-after = 3s
        # The demo's cluster has 3 data nodes: warm up once all three are Up, so the first allocation is balanced.
        distcache.node.warm-up-min-data-nodes = 3
        akka.cluster.failure-detector.acceptable-heartbeat-pause = 2s
        akka.cluster.sharding.retry-interval = 500ms
        distcache.node.event-interest-refresh = 200ms
        """ + "\n" + DemoMemory.LimitHocon;

    private const int KeyCount = 100_000;

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var keepRunning = args.Contains("--keep-running");
        if (args.Any(a => a != "--keep-running"))
        {
            Console.Error.WriteLine($"error: unknown demo option {args.First(a => a != "--keep-running")}; the only option is --keep-running.");
            return 2;
        }

        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(keepRunning ? int.MaxValue / 1000 : 240));
        using var nodes = new ChildNodes(DemoHocon);
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        EventHandler onExit = (_, _) => nodes.Dispose();
        Console.CancelKeyPress += onCancel;
        AppDomain.CurrentDomain.ProcessExit += onExit;
        var checks = new List<(string Check, bool Passed, string Detail)>();
        var total = Stopwatch.StartNew();
        try
        {
            await RunScenarioAsync(nodes, checks, keepRunning, cancel.Token);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            checks.Add(("demo ran to the end", false, $"{e.GetType().Name}: {e.Message}"));
        }
        finally
        {
            nodes.Dispose();
            Console.CancelKeyPress -= onCancel;
            AppDomain.CurrentDomain.ProcessExit -= onExit;
        }

        Header(9, "Summary");
        Table(["check", "result", "detail"], checks.Select(c => (IReadOnlyList<string>)[c.Check, c.Passed ? "PASS" : "FAIL", c.Detail]));
        var allPassed = checks.Count > 0 && checks.All(c => c.Passed);
        Console.WriteLine();
        if (allPassed)
            nodes.DeleteLogs();
        else
            Console.WriteLine($"Node logs kept in {nodes.LogDirectory}");
        Console.WriteLine($"{checks.Count(c => c.Passed)} of {checks.Count} checks passed in {total.Elapsed.TotalSeconds:0.0} s; every child process was stopped.");
        return allPassed ? 0 : 1;
    }

    private static async Task RunScenarioAsync(ChildNodes nodes, List<(string, bool, string)> checks, bool keepRunning, CancellationToken ct)
    {
        var settings = DistCacheSettings.Default;

        Header(1, "Cluster initialisation");
        var seed = nodes.Start("seed", "seed", seedPort: null);
        nodes.Start("worker-1", "worker", seed.Port);
        nodes.Start("worker-2", "worker", seed.Port);
        Console.WriteLine($"Started 3 CacheNode processes on 127.0.0.1 ports {string.Join(", ", nodes.Children.Select(c => c.Port))}; logs in {nodes.LogDirectory}");

        var started = Stopwatch.StartNew();
        await ChildNodes.WaitListeningAsync(seed.Port, TimeSpan.FromSeconds(60), ct);
        await using var client = await DistCacheClient.ConnectAsync(new DistCacheClientOptions
        {
            SeedNodes = [$"127.0.0.1:{seed.Port}"],
            ConnectTimeout = TimeSpan.FromSeconds(60),
            RequestTimeout = TimeSpan.FromSeconds(3), // also the granularity of the failover probe
            ExtraHocon = "akka.loglevel = OFF\nakka.stdout-loglevel = OFF", // the client is not a member: no cluster settings
        }, ct);
        var access = (IClientProxyAccess)client;
        using var events = new DemoEvents(client, ct);
        await WaitAsync(async () => (await access.GetTopologyAsync()).DataNodes.Count == 3, TimeSpan.FromSeconds(60), "3 data nodes Up", ct);
        Console.WriteLine($"Cluster formed in {started.Elapsed.TotalSeconds:0.0} s.");
        var topology = await access.GetTopologyAsync();
        Table(["data node", "status"], topology.DataNodes.Select(n =>
            (IReadOnlyList<string>)[n, topology.Unreachable.Contains(n) ? "unreachable" : "reachable"]));
        var clientIsMember = ((ExtendedActorSystem)access.System).Provider is Akka.Cluster.IClusterActorRefProvider;
        Console.WriteLine("The client is not a cluster member: it learnt these nodes from the one it was given, and routes each shard to its node.");
        checks.Add(("3 data nodes Up; the client is not a member", topology.DataNodes.Count == 3 && !clientIsMember,
            $"{topology.DataNodes.Count} data nodes, client provider {((ExtendedActorSystem)access.System).Provider.GetType().Name}"));
        var allocated = await WaitForAllShardsAsync(access, settings, ct);
        Console.WriteLine($"All {allocated} shards allocated and recovered {started.Elapsed.TotalSeconds:0.0} s after start (nodes warm every shard up once membership is stable).");

        Header(2, "Consistent hashing: 100,000 keys");
        var keys = Enumerable.Range(0, KeyCount).Select(i => $"user:{i}").ToList();
        var write = Stopwatch.StartNew();
        foreach (var chunk in keys.Chunk(2_000))
            await client.SetMultipleAsync(chunk.ToDictionary(k => k, k => $"value of {k}"), consistency: ConsistencyLevel.Eventual, ct: ct);
        write.Stop();
        Console.WriteLine($"Wrote {KeyCount:N0} keys with SetMultiple in {write.Elapsed.TotalSeconds:0.00} s ({KeyCount / write.Elapsed.TotalSeconds:N0} keys/s).");

        var stats = await client.GetStatsAsync(ct);
        var meanKeys = stats.TotalEntries / (double)stats.Nodes.Count;
        var meanShards = stats.ShardsOwned / (double)stats.Nodes.Count;
        Table(["node", "keys", "dev", "shards", "dev", "keys per node"], stats.Nodes.Select(n => (IReadOnlyList<string>)
        [
            n.Node, n.PrimaryEntries.ToString("N0"), $"{100 * (n.PrimaryEntries - meanKeys) / meanKeys:+0.0;-0.0}%",
            n.ShardsOwned.ToString(), $"{100 * (n.ShardsOwned - meanShards) / meanShards:+0.0;-0.0}%",
            Bar(n.PrimaryEntries, stats.Nodes.Max(x => x.PrimaryEntries)),
        ]));
        var maxKeyDeviation = stats.Nodes.Max(n => Math.Abs(n.PrimaryEntries - meanKeys) / meanKeys);
        checks.Add(("all 100,000 keys stored once", stats.TotalEntries == KeyCount, $"{stats.TotalEntries:N0} entries"));
        checks.Add(("shards balanced within one of S/N", stats.Nodes.All(n => Math.Abs(n.ShardsOwned - meanShards) <= 1),
            string.Join("/", stats.Nodes.Select(n => n.ShardsOwned))));
        checks.Add(("keys per node within 5% of the mean", maxKeyDeviation <= 0.05, $"max deviation {100 * maxKeyDeviation:0.0}%"));

        var sample = "user:42";
        var resolver = new ShardResolver(settings.Shards, settings.HashAlgorithm);
        var shard = resolver.ShardOf(sample);
        topology = await access.GetTopologyAsync();
        var ring = new HashRing<string>(topology.DataNodes, settings.VirtualNodes);
        var primary = topology.Owners.GetValueOrDefault(shard, "(not placed)");
        Console.WriteLine();
        Console.WriteLine($"Key '{sample}': XxHash64 {KeyHasher.Hash(sample):x16} -> shard {shard} of {settings.Shards} -> primary {primary}");
        var backups = ring.PreferenceOrder(HashRing<string>.ShardPosition(shard)).Where(n => n != primary).Take(settings.ReplicationFactor - 1);
        Console.WriteLine($"  replicas (R = {settings.ReplicationFactor}): primary {primary}; backup {string.Join(", ", backups)} (next in the shard's ring order)");

        Header(3, "Consistency levels: latency of single operations");
        var rows = new List<IReadOnlyList<string>>();
        foreach (var level in new[] { ConsistencyLevel.Strong, ConsistencyLevel.Quorum, ConsistencyLevel.Eventual })
        {
            var setTimes = new List<double>();
            var getTimes = new List<double>();
            for (var i = 0; i < 300; i++)
            {
                var key = $"latency:{level}:{i}";
                var sw = Stopwatch.StartNew();
                await client.SetAsync(key, i, consistency: level, ct: ct);
                setTimes.Add(sw.Elapsed.TotalMilliseconds);
                sw.Restart();
                var read = await client.GetAsync<int>(key, level, ct);
                getTimes.Add(sw.Elapsed.TotalMilliseconds);
                if (read != i)
                    throw new InvalidOperationException($"Read {read} for {key} at {level}, expected {i}.");
            }

            setTimes.Sort();
            getTimes.Sort();
            rows.Add([level.ToString(), $"{Percentile(setTimes, 50):0.00}", $"{Percentile(setTimes, 99):0.00}",
                $"{Percentile(getTimes, 50):0.00}", $"{Percentile(getTimes, 99):0.00}"]);
        }

        Table(["level", "set p50 ms", "set p99 ms", "get p50 ms", "get p99 ms"], rows);
        Console.WriteLine($"  (300 sequential operations per level from one client; R = {settings.ReplicationFactor}: Strong and Quorum wait for the backup, Eventual replies once the primary applied it)");
        checks.Add(("900 writes and reads at three levels read back", true, "every value matched"));

        Header(4, "Batch operations: 1,000 keys");
        var batch = keys.Take(1_000).ToDictionary(k => k, k => $"batch {k}");
        var sw2 = Stopwatch.StartNew();
        await client.SetMultipleAsync(batch, consistency: ConsistencyLevel.Quorum, ct: ct);
        var setBatch = sw2.Elapsed;
        sw2.Restart();
        var readBack = await client.GetMultipleAsync<string>(batch.Keys, ConsistencyLevel.Quorum, ct);
        var getBatch = sw2.Elapsed;
        Console.WriteLine($"SetMultiple 1,000 keys: {setBatch.TotalMilliseconds:0.0} ms; GetMultiple 1,000 keys: {getBatch.TotalMilliseconds:0.0} ms");
        var batchOk = readBack.Count == batch.Count && batch.All(kv => readBack[kv.Key] == kv.Value);
        checks.Add(("GetMultiple returns what SetMultiple wrote", batchOk, $"{readBack.Count} of {batch.Count} keys"));

        var allRead = 0;
        foreach (var chunk in keys.Skip(1_000).Chunk(5_000))
        {
            var values = await client.GetMultipleAsync<string>(chunk, ct: ct);
            allRead += chunk.Count(k => values.TryGetValue(k, out var v) && v == $"value of {k}");
        }

        checks.Add(("every acknowledged key reads back", allRead == KeyCount - 1_000, $"{allRead:N0} of {KeyCount - 1_000:N0}"));

        Header(5, "Statistics");
        stats = await client.GetStatsAsync(ct);
        Table(["node", "entries", "backups", "MiB", "memory", "hits", "misses", "sets", "removes", "evictions", "shards", "key share"], stats.Nodes.Select(n => (IReadOnlyList<string>)
        [
            n.Node, n.PrimaryEntries.ToString("N0"), n.BackupEntries.ToString("N0"), $"{n.Bytes / 1048576.0:0.0}",
            $"{n.MemoryUsedBytes / 1048576.0:0.0}/{n.MemoryLimitBytes / 1048576.0:0} MiB", n.Hits.ToString("N0"), n.Misses.ToString("N0"),
            n.Sets.ToString("N0"), n.Removes.ToString("N0"), n.Evictions.ToString("N0"), n.ShardsOwned.ToString(), $"{n.KeySharePercent:0.0}%",
        ]));
        Console.WriteLine($"  total: {stats.TotalEntries:N0} entries, {stats.TotalBytes / 1048576.0:0.0} MiB, hit ratio {stats.HitRatio:P1}, {stats.ShardsOwned} shards");
        checks.Add(("stats answered by every node", stats.Nodes.Count == 3 && stats.UnansweredNodes.Count == 0, $"{stats.Nodes.Count} nodes"));
        var backed = 0L;
        var backupDeadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((backed = (await client.GetStatsAsync(ct)).TotalBackupEntries) < stats.TotalEntries && DateTime.UtcNow < backupDeadline)
            await Task.Delay(200, ct); // Eventual writes reach their backups within a replication batch
        checks.Add(("every entry has a backup copy (R = 2)", backed >= stats.TotalEntries, $"{backed:N0} backup entries"));

        Header(6, "Node failure: kill -9 of worker-2");
        await FailoverAsync(nodes, client, access, keys, checks, events, ct);

        Header(7, "Rebalancing: a new node joins");
        await RebalanceAsync(nodes, seed.Port, client, access, keys, checks, events, ct);

        Header(8, "Memory budget: a full cache evicts");
        await DemoMemory.RunAsync(client, checks, ct);

        if (keepRunning)
        {
            Header(10, "Keep running");
            foreach (var child in nodes.Children.Where(c => !c.Process.HasExited))
                Console.WriteLine($"  {child.Name,-9} akka.tcp://distcache@127.0.0.1:{child.Port}   management 127.0.0.1:{child.ManagementPort}");
            var first = nodes.Children.First(c => !c.Process.HasExited);
            Console.WriteLine("  Try the CLI against any node, e.g.:");
            Console.WriteLine($"    dotnet run --project src/Cli -- 127.0.0.1:{first.ManagementPort} cluster show");
            Console.WriteLine($"    dotnet run --project src/Cli -- 127.0.0.1:{first.ManagementPort} cache distribution");
            Console.WriteLine($"    dotnet run --project src/Cli -- 127.0.0.1:{first.ManagementPort}          (interactive)");
            Console.WriteLine("  Press Ctrl+C to stop the cluster.");
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    /// <summary>Waits until the nodes report every shard running (the client's topology places every shard).</summary>
    private static async Task<int> WaitForAllShardsAsync(IClientProxyAccess access, DistCacheSettings settings, CancellationToken ct)
    {
        var allocated = 0;
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (allocated < settings.Shards)
        {
            if (DateTime.UtcNow > until)
                throw new TimeoutException($"Only {allocated} of {settings.Shards} shards were allocated after 60 s.");
            allocated = (await access.GetTopologyAsync()).Owners.Count;
            if (allocated < settings.Shards)
                await Task.Delay(200, ct);
        }

        return allocated;
    }

    private static async Task FailoverAsync(ChildNodes nodes, IDistCacheClient client, IClientProxyAccess access, List<string> keys,
        List<(string, bool, string)> checks, DemoEvents events, CancellationToken ct)
    {
        var victim = nodes.Children.Single(c => c.Name == "worker-2");
        var clock = Stopwatch.StartNew();
        nodes.Kill("worker-2");
        Console.WriteLine($"  {clock.Elapsed.TotalSeconds,5:0.0} s  SIGKILL sent to worker-2 (port {victim.Port})");
        await WaitAsync(async () => (await access.GetTopologyAsync()).Unreachable.Any(n => n.EndsWith($":{victim.Port}", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(30), "the failure to be detected", ct);
        Console.WriteLine($"  {clock.Elapsed.TotalSeconds,5:0.0} s  worker-2 detected unreachable; reads of its shards wait for failover");
        await WaitAsync(async () => (await access.GetTopologyAsync()).DataNodes.All(n => !n.EndsWith($":{victim.Port}", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(60), "the dead node to be removed", ct);
        Console.WriteLine($"  {clock.Elapsed.TotalSeconds,5:0.0} s  split brain resolver downed it; removed from the cluster");

        var probe = DemoKeysCoveringEveryShard();
        var resumed = false;
        while (!resumed && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            try
            {
                await client.SetMultipleAsync(probe, consistency: ConsistencyLevel.Quorum, ct: ct);
                resumed = true;
            }
            catch (Exception e) when (e is DistCacheBatchException or DistCacheTimeoutException)
            {
                // shards still being re-allocated: try again
            }
        }

        var window = clock.Elapsed;
        Console.WriteLine($"  {window.TotalSeconds,5:0.0} s  Quorum writes to all 1,024 shards succeed again");
        await WaitAsync(() => Task.FromResult(events.Failovers.Count > 0), TimeSpan.FromSeconds(10), "FailoverOccurred events", ct);
        var failovers = events.Failovers;
        Console.WriteLine($"  FailoverOccurred events: {failovers.Count} shards, {failovers.Sum(f => f.KeysRecovered):N0} keys recovered from backups, e.g.");
        foreach (var f in failovers.Take(3))
            Console.WriteLine($"    shard {f.ShardId,4}: {f.FromNode} -> {f.ToNode}, {f.KeysRecovered} keys");

        var readable = await CountReadableAsync(client, keys, ct);
        checks.Add(("writes resume after kill -9", resumed, $"{window.TotalSeconds:0.0} s after the kill"));
        checks.Add(("FailoverOccurred events arrived", failovers.Count > 0, $"{failovers.Count} shards"));
        checks.Add(("no acknowledged key lost to kill -9", readable == keys.Count, $"{readable:N0} of {keys.Count:N0} readable"));
    }

    private static async Task RebalanceAsync(ChildNodes nodes, int seedPort, IDistCacheClient client, IClientProxyAccess access,
        List<string> keys, List<(string, bool, string)> checks, DemoEvents events, CancellationToken ct)
    {
        var settings = DistCacheSettings.Default;
        var joiner = nodes.Start("worker-3", "worker", seedPort);
        var clock = Stopwatch.StartNew();
        await WaitAsync(async () => (await access.GetTopologyAsync()).DataNodes.Any(n => n.EndsWith($":{joiner.Port}", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(60), "worker-3 Up", ct);
        Console.WriteLine($"  worker-3 (port {joiner.Port}) is Up after {clock.Elapsed.TotalSeconds:0.0} s; shards move to it in rounds:");
        RebalancingProgress? last = null;
        while (clock.Elapsed < TimeSpan.FromSeconds(90))
        {
            var progress = events.LatestProgress;
            if (progress is not null && progress != last && progress.ShardsTotal > 0)
            {
                last = progress;
                Console.WriteLine($"  [{Bar(progress.ShardsMoved, progress.ShardsTotal, 30),-30}] {progress.Percent,5:0.0}%  {progress.ShardsMoved}/{progress.ShardsTotal} shards");
                if (progress.ShardsMoved == progress.ShardsTotal)
                    break;
            }

            await Task.Delay(250, ct);
        }

        var stats = await client.GetStatsAsync(ct);
        var idealShards = settings.Shards / 3.0;
        var moved = last?.ShardsTotal ?? 0;
        Console.WriteLine($"  moved {moved} shards (ideal S/N = {idealShards:0}) and {last?.KeysMoved ?? 0:N0} keys " +
                          $"(ideal 1/N of {stats.TotalEntries:N0} = {stats.TotalEntries / 3.0:N0}) in {clock.Elapsed.TotalSeconds:0.0} s");
        var readable = await CountReadableAsync(client, keys, ct);
        checks.Add(("rebalance reached 100%", last is not null && last.ShardsMoved == last.ShardsTotal, last is null ? "no progress seen" : $"{last.ShardsMoved}/{last.ShardsTotal}"));
        checks.Add(("join moved about 1/N of the shards", moved > 0 && moved <= (int)Math.Ceiling(idealShards) + 1, $"{moved} vs ideal {idealShards:0}"));
        checks.Add(("no key lost to rebalancing", readable == keys.Count, $"{readable:N0} of {keys.Count:N0} readable"));
    }

    /// <summary>Keys whose values the demo wrote and still expects: the first 1,000 were rewritten by the batch section.</summary>
    private static string Expected(string key) =>
        int.Parse(key.AsSpan(5)) < 1_000 ? $"batch {key}" : $"value of {key}";

    private static async Task<int> CountReadableAsync(IDistCacheClient client, List<string> keys, CancellationToken ct)
    {
        var readable = 0;
        foreach (var chunk in keys.Chunk(5_000))
        {
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    var values = await client.GetMultipleAsync<string>(chunk, ct: ct);
                    readable += chunk.Count(k => values.TryGetValue(k, out var v) && v == Expected(k));
                    break;
                }
                catch (Exception e) when (attempt < 5 && e is DistCacheBatchException or DistCacheTimeoutException or DistCacheException { IsRetriable: true })
                {
                    // a shard in transit: read the chunk again
                }
            }
        }

        return readable;
    }

    private static Dictionary<string, int> DemoKeysCoveringEveryShard() => EveryShard(new ShardResolver(DistCacheSettings.Default.Shards));

    private static Dictionary<string, int> EveryShard(ShardResolver resolver)
    {
        var byShard = new Dictionary<int, string>();
        for (var i = 0; byShard.Count < resolver.Shards; i++)
            byShard.TryAdd(resolver.ShardOf($"probe:{i}"), $"probe:{i}");
        return byShard.Values.ToDictionary(k => k, _ => 1);
    }

    private static async Task WaitAsync(Func<Task<bool>> condition, TimeSpan deadline, string what, CancellationToken ct)
    {
        var until = DateTime.UtcNow + deadline;
        while (!await condition())
        {
            if (DateTime.UtcNow > until)
                throw new TimeoutException($"Timed out after {deadline.TotalSeconds:0} s waiting for {what}.");
            await Task.Delay(100, ct);
        }
    }
}
