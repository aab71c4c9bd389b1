using Akka.Actor;
using Akka.TestKit.Xunit2;
using DistCacheAkka.CacheNode.Entries;
using DistCacheAkka.CacheNode.Events;
using DistCacheAkka.CacheNode.Replication;
using DistCacheAkka.Messages;
using DistCacheAkka.Tests.Unit.Support;

namespace DistCacheAkka.Tests.Unit.Replication;

// Issue 13 (found by the nemesis): a shard's copies must not wait for the next anti-entropy round when placement
// changes. A new backup is filled as soon as the data nodes change; a handing-off primary makes its backups equal to
// it before it stops (the next primary often starts after this node is gone); and the copies a new primary finds on
// nodes that are not its backups are released only once its backups converged. Anti-entropy is an hour apart here,
// so only these paths can explain a digest or a release.
public class BackupFillSpecs : TestKit
{
    private const string D = FormerBackupSpecs.D;
    private readonly ThreeReplicas _replicas;

    public BackupFillSpecs() => _replicas = new ThreeReplicas(this, """
        distcache.replication.anti-entropy-interval = 1h
        distcache.replication.digest-buckets = 8
        distcache.operation-timeout = 3s
        """, EventInterest.All());

    [Fact]
    public async Task Should_fill_a_new_backup_as_soon_as_the_data_nodes_change()
    {
        var d = CreateTestProbe("d");
        var shard = FormerBackupSpecs.ShardWhoseBackupsChangeWhenDJoins(out _);
        var entry = await _replicas.StartPrimaryAsync(this, shard, _replicas.WithNode(D, d.Ref));
        var key = _replicas.KeyOfShard(shard, 0);
        entry.Tell(new Set(key, [1], CacheExpiry.Never, ConsistencyLevel.Eventual));
        await ExpectMsgAsync<SetSuccess>();

        _replicas.View.SetMembers([ThreeReplicas.SelfNode, ThreeReplicas.BNode, ThreeReplicas.CNode, D]);
        Sys.EventStream.Publish(ReplicaViewChanged.Instance);

        var digest = await d.FishForMessageAsync<ShardDigest>(_ => true, TimeSpan.FromSeconds(3));
        d.Reply(new DigestMismatch(shard, digest.RequestId, D, Enumerable.Range(0, 8).ToArray()));
        var fill = await d.FishForMessageAsync<ReplaceBuckets>(_ => true, TimeSpan.FromSeconds(3));
        Assert.Contains(fill.Entries, e => e.Key == key);
    }

    [Fact]
    public async Task Should_make_its_backups_equal_before_handing_off_and_refuse_commands_meanwhile()
    {
        var entry = await _replicas.StartPrimaryAsync(this, 5);
        var key = _replicas.KeyOfShard(5, 0);
        entry.Tell(new Set(key, [1], CacheExpiry.Never, ConsistencyLevel.Eventual));
        await ExpectMsgAsync<SetSuccess>();
        foreach (var (probe, name) in new[] { (_replicas.B, ThreeReplicas.BNode), (_replicas.C, ThreeReplicas.CNode) })
        {
            var batch = await probe.FishForMessageAsync<ReplicateEntries>(_ => true); // the Eventual batch
            probe.Reply(new ReplicateAck(5, batch.BatchId, name)); // B acknowledges it, and its digest below says it lost it
        }

        entry.Tell(StopEntry.Instance);
        var toB = await _replicas.B.FishForMessageAsync<ShardDigest>(_ => true, TimeSpan.FromSeconds(3));
        var toC = await _replicas.C.FishForMessageAsync<ShardDigest>(_ => true, TimeSpan.FromSeconds(3));
        entry.Tell(new Get(key));
        var refused = await ExpectMsgAsync<GetFailure>();
        Assert.Equal(CacheErrorCode.Unavailable, refused.Error.Code);

        _replicas.C.Reply(new DigestMismatch(5, toC.RequestId, ThreeReplicas.CNode, []));
        _replicas.B.Reply(new DigestMismatch(5, toB.RequestId, ThreeReplicas.BNode, Enumerable.Range(0, 8).ToArray()));
        var repair = await _replicas.B.FishForMessageAsync<ReplaceBuckets>(_ => true, TimeSpan.FromSeconds(3));
        Assert.Contains(repair.Entries, e => e.Key == key);
        Assert.NotEqual(0, repair.BatchId); // acknowledged: the handoff waits for it
        Watch(entry);
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300)); // still waiting for B's acknowledgement
        _replicas.B.Reply(new ReplicateAck(5, repair.BatchId, ThreeReplicas.BNode));

        await ExpectTerminatedAsync(entry, TimeSpan.FromSeconds(2)); // well before operation-timeout (3 s)
    }

    [Fact]
    public async Task Should_release_a_copy_holder_that_is_not_a_backup_only_after_its_backups_converged()
    {
        // D handed the shard off (it holds a copy) and is not among this primary's backups (B and C).
        var d = CreateTestProbe("d");
        _replicas.View.SetMembers([ThreeReplicas.SelfNode, ThreeReplicas.BNode, ThreeReplicas.CNode]);
        var shard = 5;
        var held = new ReplicaEntry(_replicas.KeyOfShard(shard, 0), [7], new EntryVersion(1, 1), ExpiryKind.None, 0, 0, false);
        Sys.ActorOf(EntryActor.Props(shard.ToString(), _replicas.WithNode(D, d.Ref) with { View = WithDMember() }));
        foreach (var (probe, name) in new[] { (_replicas.Local, ThreeReplicas.SelfNode), (_replicas.B, ThreeReplicas.BNode), (_replicas.C, ThreeReplicas.CNode), (d, D) })
        {
            var request = await probe.FishForMessageAsync<RequestShardCopy>(_ => true);
            probe.Reply(new ShardCopy(shard, request.RequestId, name, 1, 0, true, name == D ? [held] : []));
        }

        var toB = await _replicas.B.FishForMessageAsync<ShardDigest>(_ => true);
        var toC = await _replicas.C.FishForMessageAsync<ShardDigest>(_ => true);
        await d.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300)); // not released while B and C lack the shard
        _replicas.B.Reply(new DigestMismatch(shard, toB.RequestId, ThreeReplicas.BNode, []));
        _replicas.C.Reply(new DigestMismatch(shard, toC.RequestId, ThreeReplicas.CNode, []));

        var release = await d.FishForMessageAsync<ReplaceBuckets>(_ => true, TimeSpan.FromSeconds(3));
        Assert.Empty(release.Entries);
        Assert.Equal(8, release.Buckets.Count);
    }

    /// <summary>A view of four data nodes in which D is not among shard 5's backups (R = 3: B and C are).</summary>
    private ReplicaView WithDMember()
    {
        var view = new ReplicaView(ThreeReplicas.SelfNode, 150, 3);
        view.SetMembers([ThreeReplicas.SelfNode, ThreeReplicas.BNode, ThreeReplicas.CNode, D]);
        var backups = view.BackupsFor(5, ThreeReplicas.SelfNode);
        Assert.True(!backups.Contains(D), $"D is a backup of shard 5 in this ring ({string.Join(", ", backups)}); pick another shard");
        return view;
    }
}
