using DistCacheAkka.CacheNode.Events;
using DistCacheAkka.Messages;
using DistCacheAkka.Tests.Multinode.Support;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace DistCacheAkka.Tests.Multinode.InProcess;

// RebalancingProgress counts keys: 6,000 keys on two nodes, then a third node joins and takes over about a third of
// the shards. Each new primary reports the keys it recovered from the handoff; the coordinator's progress reaches
// 100% once every moved shard's data arrived, and its KeysMoved is about the moved shards' share of the keys.
public class RebalanceKeysSpecs(ITestOutputHelper output)
{
    [Fact]
    public async Task Should_report_the_keys_a_join_moved_in_RebalancingProgress()
    {
        await using var cluster = await InProcessCluster.StartAsync(2);
        var client = await cluster.ConnectClientAsync();
        using var events = new EventRecorder(client, CacheEventKind.RebalancingProgress);
        await Eventually.HoldsAsync(() => cluster.Nodes.All(n => n.Services.GetRequiredService<EventInterest>().Wants(CacheEventKind.RebalancingProgress)),
            TimeSpan.FromSeconds(20), "every node to see the subscription");
        var values = Enumerable.Range(0, 6_000).ToDictionary(i => $"moved:{i}", i => i);
        foreach (var chunk in values.Chunk(1_000))
            await client.SetMultipleAsync(chunk.ToDictionary(kv => kv.Key, kv => kv.Value), consistency: ConsistencyLevel.Quorum);

        await cluster.AddNodeAsync();
        await Eventually.HoldsAsync(() => events.Of<RebalancingProgress>().Any(p => p.ShardsTotal > 0 && p.ShardsMoved == p.ShardsTotal),
            TimeSpan.FromSeconds(90), "RebalancingProgress to reach 100%");

        var done = events.Of<RebalancingProgress>().Last(p => p.ShardsMoved == p.ShardsTotal);
        var expected = values.Count * (double)done.ShardsTotal / cluster.Settings.Shards;
        output.WriteLine($"moved {done.ShardsTotal} shards and {done.KeysMoved} keys (their share of {values.Count} keys: {expected:0})");
        Assert.InRange(done.KeysMoved, (long)(expected * 0.75), (long)(expected * 1.25));
        Assert.All(events.Of<RebalancingProgress>(), p => Assert.InRange(p.ShardsMoved, 0, p.ShardsTotal));
        var read = new Dictionary<string, int>();
        foreach (var chunk in values.Keys.Chunk(2_000))
            foreach (var (key, value) in await client.GetMultipleAsync<int>(chunk, ConsistencyLevel.Quorum))
                read[key] = value;
        Assert.Equal(values.Count, read.Count(kv => values[kv.Key] == kv.Value));
    }
}
