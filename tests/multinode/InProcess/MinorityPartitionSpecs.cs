using System.Diagnostics;
using DistCacheAkka.Checker;
using DistCacheAkka.ClientProxy;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Hashing;
using DistCacheAkka.Tests.Multinode.Support;
using Xunit.Abstractions;

namespace DistCacheAkka.Tests.Multinode.InProcess;

// Issue 13, item 6: five data nodes with R = 3 split 3|2 (throttler blackhole), a client on each side. A primary on
// the minority side whose replica set has a backup on its side could collect 2 of 3 acknowledgements and acknowledge
// a Quorum write that dies with the minority when the split brain resolver downs it. The node's guard: once a
// primary sees a majority of data nodes unreachable it refuses Quorum/Strong with a retriable Unavailable. This spec
// asserts that no Quorum write invoked after the minority detected the partition is acknowledged, and measures the
// window that remains (writes acknowledged between the cut and detection, and how many of those were lost).
public class MinorityPartitionSpecs(ITestOutputHelper output)
{
    private const int Shards = 128;

    [Fact]
    public async Task Should_not_acknowledge_Quorum_writes_on_the_minority_side_once_it_detected_the_partition()
    {
        var hocon = $"{Partitions.ThrottlerHocon}\ndistcache.shards = {Shards}\ndistcache.replication-factor = 3\ndistcache.operation-timeout = 2s";
        await using var cluster = await InProcessCluster.StartAsync(5, hocon, TimeSpan.FromSeconds(60));
        Task<IDistCacheClient> ConnectAsync() => cluster.ConnectClientAsync(o => o with
        {
            ExtraHocon = o.ExtraHocon + "\n" + Partitions.ThrottlerHocon,
            RequestTimeout = TimeSpan.FromSeconds(3),
            RetryUnavailable = false, // every refusal is counted, not retried
        });
        var majorityClient = await ConnectAsync();
        var minorityClient = await ConnectAsync();
        var resolver = new ShardResolver(Shards);
        var keys = DataPathClusterSpecs.KeysCoveringEveryShard(resolver, "split:", Shards);
        await majorityClient.SetMultipleAsync(keys.ToDictionary(k => k, _ => "0"), consistency: ConsistencyLevel.Quorum);
        await minorityClient.SetMultipleAsync(keys.ToDictionary(k => k, _ => "0"), consistency: ConsistencyLevel.Quorum); // learns every shard's home

        var minorityNodes = cluster.Nodes.Skip(3).Select(InProcessCluster.SystemOf).ToList();
        var majorityNodes = cluster.Nodes.Take(3).Select(InProcessCluster.SystemOf).ToList();
        var minorityAddresses = minorityNodes.Select(s => Akka.Cluster.Cluster.Get(s).SelfAddress.ToString()).ToHashSet();
        var owners = await cluster.OwnersAsync();
        // The dangerous shards: primary on the minority and a backup there too (2 of 3 replicas can acknowledge).
        var ring = ReplicaSets.Of(cluster.Nodes.Select(n => Akka.Cluster.Cluster.Get(InProcessCluster.SystemOf(n)).SelfAddress.ToString()),
            [], cluster.Settings.VirtualNodes, 3);
        var minorityKeys = keys.Where(k =>
        {
            var primary = owners[resolver.ShardOf(k)];
            return minorityAddresses.Contains(primary) && ring.BackupsFor(resolver.ShardOf(k), primary).Any(minorityAddresses.Contains);
        }).ToList();
        Assert.True(minorityKeys.Count > 5, $"only {minorityKeys.Count} shards have 2 replicas on the minority side");
        var majoritySide = majorityNodes.Append(((IClientProxyAccess)majorityClient).System).ToList();

        var clock = Stopwatch.StartNew();
        foreach (var isolated in minorityNodes.Append(((IClientProxyAccess)minorityClient).System))
            await Partitions.IsolateAsync(isolated, majoritySide);
        var cut = clock.Elapsed;
        var cutStamp = History.Now();

        // Detection: the moment every minority node sees every majority data node unreachable.
        var majorityAddresses = majorityNodes.Select(s => Akka.Cluster.Cluster.Get(s).SelfAddress).ToHashSet();
        TimeSpan? detected = null;
        var history = new History();
        var written = 0;
        var failures = new Dictionary<string, int>();
        var late = new List<string>();
        var afterDetection = 0;
        // Writers stop 2 s after detection (every later write is refused alike) or when the minority is gone.
        bool Running() => clock.Elapsed < (detected ?? cut + TimeSpan.FromSeconds(38)) + TimeSpan.FromSeconds(2)
                          && minorityNodes.Any(s => !s.WhenTerminated.IsCompleted);
        var detector = Task.Run(async () =>
        {
            while (detected is null && Running())
            {
                if (minorityNodes.All(s => s.WhenTerminated.IsCompleted
                        || majorityAddresses.All(a => Akka.Cluster.Cluster.Get(s).State.Unreachable.Any(m => m.Address == a))))
                    detected = clock.Elapsed;
                await Task.Delay(5); // polling interval of the detection clock, not a synchronisation
            }
        });
        var writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            while (Running())
            {
                var n = Interlocked.Increment(ref written);
                var key = minorityKeys[n % minorityKeys.Count];
                var value = $"w{n}";
                var invoke = History.Now();
                var at = clock.Elapsed;
                if (detected is { } seen && at > seen)
                    Interlocked.Increment(ref afterDetection);
                try
                {
                    await minorityClient.SetAsync(key, value, consistency: ConsistencyLevel.Quorum);
                    history.Add(new Operation(w, key, OperationKind.Write, value, invoke, History.Now(), OperationOutcome.Ok, "Quorum"));
                    if (detected is { } d && at > d)
                        lock (late)
                            late.Add($"{key} invoked {(at - d).TotalMilliseconds:0} ms after detection");
                }
                catch (Exception e) when (e is DistCacheTimeoutException or DistCacheException { IsRetriable: true })
                {
                    // Unavailable was refused before anything was applied; a timeout or ConsistencyNotMet may have applied.
                    var kind = e.Message.Length > 60 ? e.Message[..60] : e.Message;
                    lock (failures)
                        failures[kind] = failures.GetValueOrDefault(kind) + 1;
                    if (e is not DistCacheException { Code: CacheErrorCode.Unavailable })
                        history.Add(new Operation(w, key, OperationKind.Write, value, invoke, long.MaxValue, OperationOutcome.Indeterminate, "Quorum"));
                }
            }
        })).ToList();
        await Task.WhenAll(writers.Append(detector));
        Assert.Empty(late);
        Assert.True(afterDetection > 10, $"only {afterDetection} writes were tried after detection");

        Assert.NotNull(detected);
        await Task.WhenAll(minorityNodes.Select(s => s.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(60))));

        // The majority recovers the minority's shards; read every key back there.
        var final = new Dictionary<string, string?>();
        await Eventually.HoldsAsync(async () =>
        {
            try
            {
                foreach (var (key, value) in await majorityClient.GetMultipleAsync<string>(minorityKeys, ConsistencyLevel.Quorum))
                    final[key] = value;
                return final.Count == minorityKeys.Count;
            }
            catch (Exception e) when (e is DistCacheBatchException or DistCacheTimeoutException or DistCacheException { IsRetriable: true })
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), "Quorum reads of every key on the majority side");
        foreach (var (key, value) in final)
            history.Add(new Operation(2, key, OperationKind.Read, value, History.Now(), History.Now(), OperationOutcome.Ok, "Quorum", IsFinalRead: true));
        var durability = DurabilityChecker.Check(history.Snapshot());

        output.WriteLine($"partition cut at {cut.TotalSeconds:0.00} s, detected by the minority at {detected!.Value.TotalSeconds:0.00} s " +
                         $"({(detected.Value - cut).TotalMilliseconds:0} ms later); {written} Quorum writes tried on the {minorityKeys.Count} shards with 2 of 3 " +
                         $"replicas on the minority side ({afterDetection} after detection); {durability.Acknowledged} acknowledged, all invoked before " +
                         $"detection; keys whose last acknowledged write was lost once the minority was downed: {durability.Lost.Count}");
        var acknowledgedAt = history.Snapshot().Where(o => o is { Kind: OperationKind.Write, Outcome: OperationOutcome.Ok }).ToList();
        output.WriteLine("last acknowledged write on the minority side invoked at " + (acknowledgedAt.Count == 0
            ? "-"
            : $"{(acknowledgedAt.Max(o => o.Invoke) - cutStamp) / (double)Stopwatch.Frequency:0.00} s after the cut"));
        foreach (var (kind, count) in failures.OrderByDescending(f => f.Value).Take(4))
            output.WriteLine($"  {count} x {kind}");
    }
}
