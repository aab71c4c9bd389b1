using System.Diagnostics;
using Akka.Cluster;
using DistCacheAkka.ClientProxy;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Hashing;
using DistCacheAkka.Tests.Multinode.Support;
using Xunit.Abstractions;

namespace DistCacheAkka.Tests.Multinode.InProcess;

// Reads through failure detection: one of three data nodes is cut off (throttler adapter) from the other nodes and
// the client. While it is unreachable but not yet downed, Quorum and Eventual reads of keys whose primary it is are
// answered from their backups — single Gets and a batch — with the values acknowledged at Quorum before the cut.
// stable-after is 8 s here (on the nodes; the client is not a member) to leave a clear window before the downing.
// The client learns that the node is unreachable from the other nodes' topology reports.
public class BackupReadClusterSpecs(ITestOutputHelper output)
{
    private const string Hocon = Partitions.ThrottlerHocon + """

        distcache.operation-timeout = 2s
        akka.cluster.split-brain-resolver.stable-after = 8s
        """;

    [Fact]
    public async Task Should_answer_Quorum_reads_of_an_unreachable_primarys_shards_from_backups_before_it_is_downed()
    {
        await using var cluster = await InProcessCluster.StartAsync(3, Hocon);
        var client = await cluster.ConnectClientAsync(o => o with { ExtraHocon = o.ExtraHocon + "\n" + Partitions.ThrottlerHocon, RequestTimeout = TimeSpan.FromSeconds(3) });
        var cut = cluster.Nodes[2];
        var cutSystem = InProcessCluster.SystemOf(cut);
        var cutAddress = Cluster.Get(cutSystem).SelfAddress;
        var owners = await cluster.OwnersAsync();
        var resolver = new ShardResolver(cluster.Settings.Shards);
        var values = Enumerable.Range(0, 5_000).Select(i => $"cut:{i}")
            .Where(k => owners[resolver.ShardOf(k)] == cutAddress.ToString()).Take(40)
            .Select((k, i) => (k, i)).ToDictionary(p => p.k, p => p.i);
        await client.SetMultipleAsync(values, consistency: ConsistencyLevel.Quorum);

        var clientSystem = ((IClientProxyAccess)client).System;
        // The client knows where every shard runs (the nodes report it) before the cut, as it would for long before a crash.
        await Eventually.HoldsAsync(async () =>
        {
            var owners = await cluster.OwnersAsync();
            var known = (await ((IClientProxyAccess)client).GetTopologyAsync()).Owners;
            return owners.All(o => known.GetValueOrDefault(o.Key) == o.Value);
        }, TimeSpan.FromSeconds(15), "the client's placement to match the nodes'");
        await Partitions.IsolateAsync(cutSystem, [InProcessCluster.SystemOf(cluster.Nodes[0]), InProcessCluster.SystemOf(cluster.Nodes[1]), clientSystem]);
        var clock = Stopwatch.StartNew();
        var access = (IClientProxyAccess)client;
        var majority = Cluster.Get(InProcessCluster.SystemOf(cluster.Nodes[0]));
        await Eventually.HoldsAsync(async () => (await access.GetTopologyAsync()).Unreachable.Contains(cutAddress.ToString()), TimeSpan.FromSeconds(30),
            "the client to see the cut node unreachable");
        output.WriteLine($"unreachable after {clock.Elapsed.TotalSeconds:0.0} s");

        var read = new Dictionary<string, int>();
        foreach (var (key, _) in values.Take(20))
            read[key] = (await client.GetAsync<int?>(key, ConsistencyLevel.Quorum))!.Value;
        foreach (var (key, value) in await client.GetMultipleAsync<int>(values.Keys.Skip(20), ConsistencyLevel.Quorum))
            read[key] = value;
        var eventual = await client.GetAsync<int?>(values.Keys.First(), ConsistencyLevel.Eventual);
        var readAt = clock.Elapsed;
        var stillMember = majority.State.Members.Any(m => m.Address == cutAddress && m.Status == MemberStatus.Up);
        output.WriteLine($"{read.Count} Quorum reads answered by {readAt.TotalSeconds:0.0} s; the cut node still Up: {stillMember}");

        Assert.Equal(values, read);
        Assert.Equal(values[values.Keys.First()], eventual);
        Assert.True(stillMember, "the reads should have been answered before the split brain resolver downed the node");
        await Assert.ThrowsAnyAsync<Exception>(() => client.GetAsync<int?>(values.Keys.First(), ConsistencyLevel.Strong)); // needs every replica

        await Eventually.HoldsAsync(() => majority.State.Members.All(m => m.Address != cutAddress), TimeSpan.FromSeconds(60), "the cut node removed");
        await cutSystem.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(60));
        await cluster.StopNodeAsync(cut);
    }
}
