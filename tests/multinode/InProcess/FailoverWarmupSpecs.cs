using DistCacheAkka.Tests.Multinode.Support;
using Xunit.Abstractions;

namespace DistCacheAkka.Tests.Multinode.InProcess;

// Issue 13: after a data node is removed, every one of its shards must get a new primary at once, without waiting
// for a request. A shard without a primary restores nobody's replication factor: in the nemesis a third of a downed
// node's shards stayed unallocated (their StartEntity went to dead letters while the regions still routed them to
// the removed node), and a second failure 11 s later, or the graceful leave of their last backup, lost their data.
public class FailoverWarmupSpecs(ITestOutputHelper output)
{
    [Fact]
    public async Task Should_start_every_shard_of_a_removed_node_elsewhere_without_a_request()
    {
        await using var cluster = await InProcessCluster.StartAsync(3, Partitions.ThrottlerHocon);
        var before = await cluster.AwaitSettledAsync();
        var victim = cluster.Nodes[0]; // the oldest: it hosts the sharding coordinator, which moves too
        var victimAddress = Akka.Cluster.Cluster.Get(InProcessCluster.SystemOf(victim)).SelfAddress.ToString();
        var orphaned = before.Where(p => p.Value == victimAddress).Select(p => p.Key).ToList();

        await cluster.SilenceAndAwaitRemovalAsync(victim); // silent, like a frozen or crashed process

        var owners = new Dictionary<int, string>();
        await Eventually.HoldsAsync(async () =>
        {
            owners = await cluster.OwnersAsync();
            return orphaned.All(owners.ContainsKey);
        }, TimeSpan.FromSeconds(30), $"the {orphaned.Count} shards of the removed node to run elsewhere");
        output.WriteLine($"{orphaned.Count} shards of the removed node now run on {string.Join(", ", orphaned.Select(s => owners[s]).Distinct())}");
        Assert.Equal(cluster.Settings.Shards, owners.Count);
    }
}
