using DistCacheAkka.Messages;
using DistCacheAkka.Tests.Multinode.Support;

namespace DistCacheAkka.Tests.Multinode.InProcess;

// Cluster statistics on a fresh 3-node cluster: after a known sequence of writes, removes and reads, the totals
// equal the number of live keys and the operation counts, every node answers, and key shares add up to 100%.
public class StatsClusterSpecs
{
    [Fact]
    public async Task Should_total_the_live_keys_and_operations_of_every_node()
    {
        await using var cluster = await InProcessCluster.StartAsync(3);
        var client = await cluster.ConnectClientAsync();

        var keys = Enumerable.Range(0, 600).Select(i => $"stats:{i}").ToList();
        await DataPathClusterSpecs.ForEachAsync(keys, 32, k => client.SetAsync(k, k));
        await DataPathClusterSpecs.ForEachAsync(keys.Take(100), 32, k => client.RemoveAsync(k));
        await DataPathClusterSpecs.ForEachAsync(keys.Skip(100).Take(50), 32, k => client.GetAsync<string>(k)); // 50 hits
        await DataPathClusterSpecs.ForEachAsync(keys.Take(20), 20, k => client.GetAsync<string>(k));           // 20 misses

        var stats = await client.GetStatsAsync();

        Assert.Equal(3, stats.Nodes.Count);
        Assert.Empty(stats.UnansweredNodes);
        Assert.Equal(500, stats.TotalEntries);
        Assert.Equal(600, stats.Sets);
        Assert.Equal(100, stats.Removes);
        Assert.Equal(50, stats.Hits);
        Assert.Equal(20, stats.Misses);
        Assert.All(stats.Nodes, n => Assert.True(n.PrimaryEntries > 0 && n.ShardsOwned > 0));
        Assert.Equal(100.0, stats.Nodes.Sum(n => n.KeySharePercent), precision: 6);
        Assert.True(stats.ReplicationFactorMet);
        Assert.Equal(500, stats.TotalBackupEntries); // R = 2: one backup copy of each live entry
    }

    [Fact]
    public async Task Should_report_a_replication_factor_larger_than_the_cluster_as_not_met()
    {
        await using var cluster = await InProcessCluster.StartAsync(2, "distcache.replication-factor = 3");
        var client = await cluster.ConnectClientAsync();
        await DataPathClusterSpecs.ForEachAsync(Enumerable.Range(0, 200), 32, i => client.SetAsync($"r3:{i}", i, consistency: ConsistencyLevel.Strong));

        var stats = await client.GetStatsAsync();

        Assert.Equal((3, 2, false), (stats.ReplicationFactor, stats.EffectiveReplicationFactor, stats.ReplicationFactorMet));
        Assert.Equal(200, stats.TotalBackupEntries); // every data node holds a copy: 200 primaries + 200 backups
    }
}
