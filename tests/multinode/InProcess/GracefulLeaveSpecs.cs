using System.Diagnostics;
using DistCacheAkka.Tests.Multinode.Support;
using Xunit.Abstractions;

namespace DistCacheAkka.Tests.Multinode.InProcess;

// A graceful leave under a steady write load: one of three nodes runs coordinated shutdown (its shards are handed
// off with their entries) while eight writers keep writing at Quorum. Requests in flight during the handoff may only
// be delayed or fail retriably (a timeout, or Unavailable from a shard still recovering), which the writers retry;
// every acknowledged write must read back.
public class GracefulLeaveSpecs(ITestOutputHelper output)
{
    [Fact]
    public async Task Should_lose_no_acknowledged_write_when_a_node_leaves_under_load()
    {
        await using var cluster = await InProcessCluster.StartAsync(3, "distcache.operation-timeout = 2s");
        await ReplicationClusterSpecs.AwaitSettledAsync(cluster);
        var client = await cluster.ConnectClientAsync(o => o with { RequestTimeout = TimeSpan.FromSeconds(3) });
        var clock = Stopwatch.StartNew();
        var load = QuorumWriteLoad.Start(client, "leave", writers: 8, keys: 300, writesPerWriter: 2_000, TimeSpan.FromSeconds(60));

        await Eventually.HoldsAsync(() => load.Writes > 500, TimeSpan.FromSeconds(30), "the writers under way");
        await cluster.StopNodeAsync(cluster.Nodes[2]);
        output.WriteLine($"node left after {clock.Elapsed.TotalSeconds:0.0} s");
        var atLeave = load.Writes;
        await Eventually.HoldsAsync(() => load.Writes >= atLeave + 1_000 || load.Finished, TimeSpan.FromSeconds(30), "writes to continue after the leave");
        await load.StopAsync();

        var lost = await load.LostAsync(client);
        var keys = load.Acknowledged().Count;
        output.WriteLine($"{load.Writes} writes of {keys} keys acknowledged, retried: {load.RetrySummary()}");
        Assert.True(lost.Count == 0, $"{lost.Count} of {keys} acknowledged keys lost or stale, e.g. {string.Join(", ", lost.Take(5))}");
    }
}
