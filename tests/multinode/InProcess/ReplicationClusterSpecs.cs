using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using DistCacheAkka.CacheNode.Entries;
using DistCacheAkka.CacheNode.Hosting;
using DistCacheAkka.CacheNode.Replication;
using DistCacheAkka.CacheNode.Stats;
using DistCacheAkka.ClientProxy;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Hashing;
using DistCacheAkka.Tests.Multinode.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DistCacheAkka.Tests.Multinode.InProcess;

// Replication on real 3-node clusters over loopback: a backup cut off with the throttler adapter (before the split
// brain resolver could act) makes Strong writes fail with ConsistencyNotMet while Quorum and Eventual writes
// succeed, and the cut-off replica converges by anti-entropy once the link heals; after 10,000 mixed writes at every
// level, every backup's copy of every shard equals its primary's (per-shard bucket digests), and the replication
// travelled in batches per destination node.
public class ReplicationClusterSpecs
{
    private const string FastReplication = """
        distcache.operation-timeout = 1500ms
        distcache.replication.anti-entropy-interval = 1s
        """;

    [Fact]
    public async Task Should_fail_Strong_but_serve_Quorum_and_Eventual_with_a_backup_cut_off_then_converge()
    {
        await using var cluster = await InProcessCluster.StartAsync(3, $"""
            {Partitions.ThrottlerHocon}
            distcache.replication-factor = 3
            akka.cluster.split-brain-resolver.stable-after = 60s
            {FastReplication}
            """);
        var client = await cluster.ConnectClientAsync(o => o with { ExtraHocon = o.ExtraHocon + "\n" + Partitions.ThrottlerHocon });
        var (primary, isolated) = (cluster.Nodes[0], cluster.Nodes[2]);
        var key = await KeyHostedOnAsync(cluster, primary, "cut:");
        var shard = new ShardResolver(cluster.Settings.Shards).ShardOf(key);
        await client.SetAsync(key, "before", consistency: ConsistencyLevel.Strong);

        await Partitions.IsolateAsync(InProcessCluster.SystemOf(isolated), [InProcessCluster.SystemOf(cluster.Nodes[0]), InProcessCluster.SystemOf(cluster.Nodes[1])]);
        var strong = await Assert.ThrowsAsync<ConsistencyNotMetException>(() => client.SetAsync(key, "strong", consistency: ConsistencyLevel.Strong));
        await client.SetAsync(key, "quorum", consistency: ConsistencyLevel.Quorum);
        await client.SetAsync(key, "eventual", consistency: ConsistencyLevel.Eventual);
        Assert.Equal("eventual", await client.GetAsync<string>(key, ConsistencyLevel.Quorum));
        Assert.False(await DigestsEqualAsync(primary, isolated, shard, cluster.Settings.DigestBuckets, requireCopy: true));

        await Partitions.IsolateAsync(InProcessCluster.SystemOf(isolated), [InProcessCluster.SystemOf(cluster.Nodes[0]), InProcessCluster.SystemOf(cluster.Nodes[1])], heal: true);

        Assert.Equal((2, 3), (strong.AcksReceived, strong.AcksRequired));
        Assert.Contains("applied by 2 of 3 replicas", strong.Message);
        await Eventually.HoldsAsync(() => DigestsEqualAsync(primary, isolated, shard, cluster.Settings.DigestBuckets, requireCopy: true),
            TimeSpan.FromSeconds(30), "the cut-off replica's copy to equal the primary's");
        await client.SetAsync(key, "strong again", consistency: ConsistencyLevel.Strong);
    }

    [Fact]
    public async Task Should_leave_every_backup_equal_to_its_primary_after_10000_mixed_writes()
    {
        await using var cluster = await InProcessCluster.StartAsync(3, FastReplication);
        var client = await cluster.ConnectClientAsync();
        var levels = new[] { ConsistencyLevel.Eventual, ConsistencyLevel.Quorum, ConsistencyLevel.Strong };

        await DataPathClusterSpecs.ForEachAsync(Enumerable.Range(0, 10_000), 64, async i =>
        {
            var key = $"mixed:{i % 4_000}";
            var level = levels[i % 3];
            if (i % 7 == 0)
                await client.RemoveAsync(key, level);
            else
                await client.SetAsync(key, i, TimeSpan.FromMinutes(i % 2 == 0 ? 30 : 60), level);
        });

        // Replication left in batches per destination node (distcache.replication.batch-per-node is on by default):
        // each of the ~6,700 Quorum and Strong writes sent its backup one message, and with 64 callers some shared one.
        var metrics = cluster.Nodes.Select(n => n.Services.GetRequiredService<NodeMetrics>()).ToList();
        var (batched, batches) = (metrics.Sum(m => Interlocked.Read(ref m.ReplicaMessagesBatched)), metrics.Sum(m => Interlocked.Read(ref m.ReplicaBatchesSent)));
        Assert.True(batched >= 6_000 && batches < batched, $"{batched:N0} replication messages in {batches:N0} batches");

        var owners = await AwaitSettledAsync(cluster);
        var ring = new HashRing<string>(owners.Values.Distinct(), cluster.Settings.VirtualNodes);
        // Writes have stopped, so convergence is monotonic: each round re-checks only the shards not yet equal
        // (1,024 digest pairs per round is slow on a loaded 2-core machine).
        var pending = owners.Keys.ToList();
        await Eventually.HoldsAsync(async () =>
        {
            var unequal = new List<int>();
            foreach (var shard in pending)
            {
                var owner = owners[shard];
                var backup = ring.PreferenceOrder(HashRing<string>.ShardPosition(shard)).First(n => n != owner);
                if (!await DigestsEqualAsync(NodeAt(cluster, owner), NodeAt(cluster, backup), shard, cluster.Settings.DigestBuckets))
                    unequal.Add(shard);
            }

            pending = unequal;
            return pending.Count == 0;
        }, TimeSpan.FromSeconds(90), "every backup copy equal to its primary");
    }

    /// <summary>A backup that never received anything for a shard has no copy, which equals an empty one.</summary>
    internal static async Task<bool> DigestsEqualAsync(IHost primary, IHost backup, int shard, int buckets, bool requireCopy = false)
    {
        var region = primary.Services.GetRequiredService<ActorRegistry>().Get<DistCacheRegion>();
        var mine = await region.Ask<ulong[]>(new ShardingEnvelope(shard.ToString(), new GetShardDigest(buckets)), TimeSpan.FromSeconds(10));
        var theirs = await InProcessCluster.SystemOf(backup).ActorSelection($"/user/{ActorSelectionTransport.ReplicatorName}")
            .Ask<ulong[]?>(new GetBackupDigest(shard, buckets), TimeSpan.FromSeconds(10));
        return theirs is null ? !requireCopy && mine.All(d => d == 0) : mine.SequenceEqual(theirs);
    }

    internal static Task<Dictionary<int, string>> OwnersAsync(InProcessCluster cluster) => cluster.OwnersAsync();

    internal static IHost NodeAt(InProcessCluster cluster, string address) =>
        cluster.Nodes.Single(n => Akka.Cluster.Cluster.Get(InProcessCluster.SystemOf(n)).SelfAddress.ToString() == address);

    /// <summary>A key whose shard is hosted on <paramref name="node"/> (after the warm-up allocated every shard).</summary>
    internal static async Task<string> KeyHostedOnAsync(InProcessCluster cluster, IHost node, string prefix)
    {
        var address = Akka.Cluster.Cluster.Get(InProcessCluster.SystemOf(node)).SelfAddress.ToString();
        var resolver = new ShardResolver(cluster.Settings.Shards);
        var owners = await AwaitSettledAsync(cluster);
        return Enumerable.Range(0, 100_000).Select(i => prefix + i).First(k => owners[resolver.ShardOf(k)] == address);
    }

    internal static Task<Dictionary<int, string>> AwaitSettledAsync(InProcessCluster cluster) => cluster.AwaitSettledAsync();
}
