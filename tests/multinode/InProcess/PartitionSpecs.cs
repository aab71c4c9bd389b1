using DistCacheAkka.ClientProxy;
using DistCacheAkka.Messages;
using DistCacheAkka.Tests.Multinode.Support;
using Microsoft.Extensions.DependencyInjection;

namespace DistCacheAkka.Tests.Multinode.InProcess;

// A network partition (throttler adapter) cuts one of three data nodes off: the split brain resolver (keep-majority
// over data nodes) downs the minority node, which terminates itself; the majority keeps serving every shard, and no
// write acknowledged at Quorum before the partition is lost.
public class PartitionSpecs
{
    [Fact]
    public async Task Should_down_the_minority_and_keep_every_acknowledged_Quorum_write()
    {
        await using var cluster = await InProcessCluster.StartAsync(3, Partitions.ThrottlerHocon + "\ndistcache.operation-timeout = 2s");
        var client = await cluster.ConnectClientAsync(o => o with
        {
            ExtraHocon = o.ExtraHocon + "\n" + Partitions.ThrottlerHocon,
            RequestTimeout = TimeSpan.FromSeconds(3),
        });
        var values = Enumerable.Range(0, 3_000).ToDictionary(i => $"partition:{i}", i => i);
        foreach (var chunk in values.Chunk(500))
            await client.SetMultipleAsync(chunk.ToDictionary(kv => kv.Key, kv => kv.Value), consistency: ConsistencyLevel.Quorum);

        var minority = cluster.Nodes[2];
        var minoritySystem = InProcessCluster.SystemOf(minority);
        var minorityAddress = Akka.Cluster.Cluster.Get(minoritySystem).SelfAddress;
        // A clean partition: the client is on the majority side too (otherwise gossip flows through it and the
        // minority is only indirectly connected, a different case for the resolver).
        await Partitions.IsolateAsync(minoritySystem,
            [InProcessCluster.SystemOf(cluster.Nodes[0]), InProcessCluster.SystemOf(cluster.Nodes[1]), ((IClientProxyAccess)client).System]);

        var majority = Akka.Cluster.Cluster.Get(InProcessCluster.SystemOf(cluster.Nodes[0]));
        await Eventually.HoldsAsync(() => majority.State.Members.All(m => m.Address != minorityAddress),
            TimeSpan.FromSeconds(60), "the majority to down and remove the minority node");
        await minoritySystem.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(60)); // it downed itself and shut down
        await cluster.StopNodeAsync(minority);

        var probe = DataPathClusterSpecs.KeysCoveringEveryShard(new Messages.Hashing.ShardResolver(cluster.Settings.Shards), "after:", cluster.Settings.Shards);
        await Eventually.HoldsAsync(async () =>
        {
            try
            {
                await client.SetMultipleAsync(probe.ToDictionary(k => k, _ => 1), consistency: ConsistencyLevel.Quorum);
                return true;
            }
            catch (Exception e) when (e is DistCacheBatchException or DistCacheTimeoutException or DistCacheException { IsRetriable: true })
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), "the majority to serve Quorum writes to every shard");

        var lost = new List<string>();
        foreach (var chunk in values.Keys.Chunk(1_000))
        {
            var read = await client.GetMultipleAsync<int>(chunk, ConsistencyLevel.Quorum);
            lost.AddRange(chunk.Where(k => !read.TryGetValue(k, out var v) || v != values[k]));
        }

        Assert.True(lost.Count == 0, $"{lost.Count} acknowledged keys lost, e.g. {string.Join(", ", lost.Take(5))}");
    }
}
