using Akka.Actor;
using Akka.TestKit.Xunit2;
using DistCacheAkka.CacheNode.Entries;
using DistCacheAkka.CacheNode.Events;
using DistCacheAkka.CacheNode.Memory;
using DistCacheAkka.CacheNode.Replication;
using DistCacheAkka.Messages;
using DistCacheAkka.Tests.Unit.Support;

namespace DistCacheAkka.Tests.Unit.Replication;

// A shard's backup set can change while the shard stays with its primary (a node joins the ring ahead of a backup).
// The node that stopped being a backup must drop its copy — it costs memory its node cannot evict, and a later recovery
// could read removed keys back from it — but only once every current backup holds the shard (a digest round with no
// difference), so the shard keeps R copies meanwhile. The backup side drops the whole store on that release.
public class FormerBackupSpecs : TestKit
{
    internal const string D = "akka.tcp://distcache@127.0.0.1:4";
    private readonly ThreeReplicas _replicas;

    public FormerBackupSpecs() => _replicas = new ThreeReplicas(this, """
        distcache.replication.anti-entropy-interval = 1s
        distcache.replication.digest-buckets = 8
        """, EventInterest.All());

    [Fact]
    public async Task Should_release_a_former_backups_copy_once_every_current_backup_converged()
    {
        var d = CreateTestProbe("d");
        var context = _replicas.WithNode(D, d.Ref);
        var shard = ShardWhoseBackupsChangeWhenDJoins(out var dropped);
        var kept = dropped == ThreeReplicas.BNode ? _replicas.C : _replicas.B;
        var former = dropped == ThreeReplicas.BNode ? _replicas.B : _replicas.C;
        await _replicas.StartPrimaryAsync(this, shard, context);

        _replicas.View.SetMembers([ThreeReplicas.SelfNode, ThreeReplicas.BNode, ThreeReplicas.CNode, D]);

        // First round after the change: D does not hold the shard yet, so the former backup keeps its copy.
        var toKept = await kept.FishForMessageAsync<ShardDigest>(_ => true, TimeSpan.FromSeconds(5));
        var toD = await d.FishForMessageAsync<ShardDigest>(_ => true, TimeSpan.FromSeconds(5));
        kept.Reply(new DigestMismatch(shard, toKept.RequestId, kept == _replicas.B ? ThreeReplicas.BNode : ThreeReplicas.CNode, []));
        d.Reply(new DigestMismatch(shard, toD.RequestId, D, [0, 1, 2, 3, 4, 5, 6, 7]));
        await d.FishForMessageAsync<ReplaceBuckets>(_ => true, TimeSpan.FromSeconds(5)); // the primary repairs D
        await former.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300)); // not released before the new backup held the shard

        // Next round: both current backups equal the primary.
        toKept = await kept.FishForMessageAsync<ShardDigest>(_ => true, TimeSpan.FromSeconds(5));
        toD = await d.FishForMessageAsync<ShardDigest>(_ => true, TimeSpan.FromSeconds(5));
        kept.Reply(new DigestMismatch(shard, toKept.RequestId, kept == _replicas.B ? ThreeReplicas.BNode : ThreeReplicas.CNode, []));
        d.Reply(new DigestMismatch(shard, toD.RequestId, D, []));

        var release = await former.FishForMessageAsync<ReplaceBuckets>(_ => true, TimeSpan.FromSeconds(5));
        Assert.Equal(shard, release.ShardId);
        Assert.Equal(Enumerable.Range(0, 8), release.Buckets);
        Assert.Empty(release.Entries);
    }

    [Fact]
    public async Task Should_drop_the_whole_backup_copy_and_its_memory_when_released()
    {
        var budget = new MemoryBudget(long.MaxValue, EvictionPolicy.Lru, 5, TimeSpan.FromSeconds(5));
        var replicator = Sys.ActorOf(ReplicatorActor.Props(_replicas.Context with { Memory = budget }));
        replicator.Tell(new ReplicateEntries(3, 1, ThreeReplicas.CNode,
            [new ReplicaEntry("k", new byte[100], new EntryVersion(1, 1), ExpiryKind.None, 0, 0, false)]));
        await ExpectMsgAsync<ReplicateAck>();
        Assert.True(budget.UsedBytes > 0);

        replicator.Tell(new ReplaceBuckets(3, 0, ThreeReplicas.CNode, 8, Enumerable.Range(0, 8).ToArray(), []));
        await ExpectMsgAsync<ReplicateAck>();

        Assert.Equal(0, budget.UsedBytes);
        Assert.Empty(_replicas.Context.Metrics.Backups); // the store is gone, not merely emptied
        replicator.Tell(new ReadReplicaKeys(3, 2, ["k"]));
        Assert.Empty((await ExpectMsgAsync<ReplicaKeysRead>()).Entries);
    }

    internal static int ShardWhoseBackupsChangeWhenDJoins(out string dropped)
    {
        var four = new ReplicaView(ThreeReplicas.SelfNode, 150, 3);
        four.SetMembers([ThreeReplicas.SelfNode, ThreeReplicas.BNode, ThreeReplicas.CNode, D]);
        for (var shard = 0; shard < 16; shard++)
        {
            var backups = four.BackupsFor(shard, ThreeReplicas.SelfNode);
            if (backups.Contains(D))
            {
                dropped = backups.Contains(ThreeReplicas.BNode) ? ThreeReplicas.CNode : ThreeReplicas.BNode;
                return shard;
            }
        }

        throw new InvalidOperationException("no shard of 16 has D among its backups");
    }
}
