using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using DistCacheAkka.CacheNode.Entries;
using DistCacheAkka.CacheNode.Events;
using DistCacheAkka.Messages;
using DistCacheAkka.Tests.Unit.Support;

namespace DistCacheAkka.Tests.Unit.Replication;

// One primary EntryActor with R = 3 whose two backups are probes, so each replica's behaviour is scripted:
// acknowledgement counting per level (Eventual = WriteLocal, Quorum = WriteMajority, Strong = WriteAll), a slow
// backup (Quorum answers, Strong waits), a silent one (Strong fails with ConsistencyNotMet naming the counts),
// batched asynchronous replication of Eventual writes, recovery on start, and Quorum reads with read repair.
public class WriteReplicationSpecs : TestKit
{
    private const string Self = ThreeReplicas.SelfNode;
    private const string B = ThreeReplicas.BNode;
    private const string C = ThreeReplicas.CNode;
    private const int Shard = 5;
    private readonly ThreeReplicas _replicas;
    private readonly TestProbe _b;
    private readonly TestProbe _c;
    private readonly TestProbe _local;
    private readonly TestProbe _events;
    private readonly NodeContext _context;

    public WriteReplicationSpecs()
    {
        _replicas = new ThreeReplicas(this, """
            distcache.operation-timeout = 2s
            distcache.replication.flush-interval = 20ms
            distcache.replication.anti-entropy-interval = 1h
            """, EventInterest.All());
        (_b, _c, _local, _events, _context) = (_replicas.B, _replicas.C, _replicas.Local, _replicas.Events, _replicas.Context);
    }

    private string KeyOfShard(int index = 0) => _replicas.KeyOfShard(Shard, index);

    /// <summary>Starts the primary and lets every node answer its recovery request with an empty copy.</summary>
    private async Task<IActorRef> StartPrimaryAsync()
    {
        var entry = Sys.ActorOf(EntryActor.Props(Shard.ToString(), _context));
        foreach (var (probe, name) in new[] { (_local, Self), (_b, B), (_c, C) })
        {
            var request = await probe.ExpectMsgAsync<RequestShardCopy>();
            probe.Reply(new ShardCopy(Shard, request.RequestId, name, 0, 0, true, []));
        }

        // Right after recovery the primary compares digests with its backups (restoring the replication factor).
        await _b.ExpectMsgAsync<ShardDigest>();
        await _c.ExpectMsgAsync<ShardDigest>();
        return entry;
    }

    [Fact]
    public async Task Should_answer_Strong_once_every_backup_acknowledged()
    {
        var entry = await StartPrimaryAsync();
        entry.Tell(new Set(KeyOfShard(), [1], CacheExpiry.Never, ConsistencyLevel.Strong));

        var toB = await _b.ExpectMsgAsync<ReplicateEntries>();
        var toC = await _c.ExpectMsgAsync<ReplicateEntries>();
        _b.Reply(new ReplicateAck(Shard, toB.BatchId, B));
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(150)); // 2 of 3: not yet
        _c.Reply(new ReplicateAck(Shard, toC.BatchId, C));

        await ExpectMsgAsync<SetSuccess>();
        Assert.Equal(toB.Entries[0].Version, toC.Entries[0].Version);
    }

    [Fact]
    public async Task Should_publish_ReplicationComplete_once_every_replica_applied_the_write()
    {
        var entry = await StartPrimaryAsync();
        var key = KeyOfShard();
        entry.Tell(new Set(key, [1], CacheExpiry.Never, ConsistencyLevel.Quorum));
        var toB = await _b.ExpectMsgAsync<ReplicateEntries>();
        var toC = await _c.ExpectMsgAsync<ReplicateEntries>();
        _b.Reply(new ReplicateAck(Shard, toB.BatchId, B));
        await ExpectMsgAsync<SetSuccess>();
        await _events.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200)); // 2 of 3: not complete yet
        _c.Reply(new ReplicateAck(Shard, toC.BatchId, C));

        var complete = await _events.ExpectMsgAsync<ReplicationComplete>();
        Assert.Equal((key, 3, toB.Entries[0].Version), (complete.Key, complete.Replicas, complete.Version));
    }

    [Fact]
    public async Task Should_answer_Quorum_with_one_slow_backup()
    {
        var entry = await StartPrimaryAsync();
        entry.Tell(new Set(KeyOfShard(), [1], CacheExpiry.Never, ConsistencyLevel.Quorum));

        var toB = await _b.ExpectMsgAsync<ReplicateEntries>();
        await _c.ExpectMsgAsync<ReplicateEntries>(); // C stays silent
        _b.Reply(new ReplicateAck(Shard, toB.BatchId, B));

        await ExpectMsgAsync<SetSuccess>();
    }

    [Fact]
    public async Task Should_fail_Strong_with_the_counts_when_a_backup_is_silent()
    {
        var entry = await StartPrimaryAsync();
        var key = KeyOfShard();
        entry.Tell(new Set(key, [1], CacheExpiry.Never, ConsistencyLevel.Strong));
        var toB = await _b.ExpectMsgAsync<ReplicateEntries>();
        _b.Reply(new ReplicateAck(Shard, toB.BatchId, B));

        var failure = await ExpectMsgAsync<SetFailure>(TimeSpan.FromSeconds(6));

        Assert.Equal(CacheErrorCode.ConsistencyNotMet, failure.Error.Code);
        Assert.Equal((2, 3), (failure.Error.AcksReceived, failure.Error.AcksRequired));
        Assert.Contains("applied by 2 of 3 replicas", failure.Error.Message);
        Assert.Contains("not rolled back", failure.Error.Message);
        entry.Tell(new Get(key)); // the write stays applied on the primary
        Assert.Equal(new byte[] { 1 }, (await ExpectMsgAsync<GetSuccess>()).Value);
    }

    [Fact]
    public async Task Should_count_each_backup_once_however_often_it_acknowledges()
    {
        var entry = await StartPrimaryAsync();
        entry.Tell(new Set(KeyOfShard(), [1], CacheExpiry.Never, ConsistencyLevel.Strong));
        var toB = await _b.ExpectMsgAsync<ReplicateEntries>();
        await _c.ExpectMsgAsync<ReplicateEntries>();

        for (var i = 0; i < 3; i++)
            _b.Reply(new ReplicateAck(Shard, toB.BatchId, B));

        var failure = await ExpectMsgAsync<SetFailure>(TimeSpan.FromSeconds(6));
        Assert.Equal(2, failure.Error.AcksReceived);
    }

    [Fact]
    public async Task Should_answer_Eventual_at_once_and_replicate_in_a_batch()
    {
        var entry = await StartPrimaryAsync();
        for (var i = 0; i < 5; i++)
            entry.Tell(new Set(KeyOfShard(i), [(byte)i], CacheExpiry.Never, ConsistencyLevel.Eventual));

        for (var i = 0; i < 5; i++)
            await ExpectMsgAsync<SetSuccess>();
        var batch = await _b.ExpectMsgAsync<ReplicateEntries>();
        Assert.Equal(5, batch.Entries.Count);
        Assert.Equal(5, (await _c.ExpectMsgAsync<ReplicateEntries>()).Entries.Count);
    }

    [Fact]
    public async Task Should_replicate_a_removal_as_a_tombstone()
    {
        var entry = await StartPrimaryAsync();
        var key = KeyOfShard();
        entry.Tell(new Remove(key, ConsistencyLevel.Quorum));

        var toB = await _b.ExpectMsgAsync<ReplicateEntries>();
        _b.Reply(new ReplicateAck(Shard, toB.BatchId, B));

        await ExpectMsgAsync<RemoveSuccess>();
        Assert.True(toB.Entries[0].IsTombstone);
        Assert.Equal(key, toB.Entries[0].Key);
    }

    [Fact]
    public async Task Should_recover_entries_from_copies_and_write_in_a_newer_epoch()
    {
        var key = KeyOfShard();
        var entry = Sys.ActorOf(EntryActor.Props(Shard.ToString(), _context));
        var old = new ReplicaEntry(key, [9], new EntryVersion(4, 17), ExpiryKind.None, 0, 0, false);
        foreach (var (probe, name) in new[] { (_local, Self), (_b, B), (_c, C) })
        {
            var request = await probe.ExpectMsgAsync<RequestShardCopy>();
            probe.Reply(new ShardCopy(Shard, request.RequestId, name, name == C ? 6 : 4, 0, true, name == B ? [old] : []));
        }

        entry.Tell(new Get(key));
        var got = await ExpectMsgAsync<GetSuccess>();
        entry.Tell(new Set(key, [10], CacheExpiry.Never, ConsistencyLevel.Eventual));
        var set = await ExpectMsgAsync<SetSuccess>();

        Assert.Equal(new byte[] { 9 }, got.Value);
        Assert.Equal(7, set.Version.Epoch); // above every epoch seen (6)
    }

    [Fact]
    public async Task Should_report_a_rebalance_move_with_its_live_keys_to_every_data_node()
    {
        var entry = Sys.ActorOf(EntryActor.Props(Shard.ToString(), _context));
        ReplicaEntry[] handedOff =
        [
            new(KeyOfShard(0), [1], new EntryVersion(2, 1), ExpiryKind.None, 0, 0, false),
            new(KeyOfShard(1), [2], new EntryVersion(2, 2), ExpiryKind.None, 0, 0, false),
            new(KeyOfShard(2), [], new EntryVersion(2, 3), ExpiryKind.None, 0, 0, true), // a tombstone is no key
        ];
        foreach (var (probe, name) in new[] { (_local, Self), (_b, B), (_c, C) })
        {
            var request = await probe.ExpectMsgAsync<RequestShardCopy>();
            probe.Reply(new ShardCopy(Shard, request.RequestId, name, 2, 0, true, name == B ? handedOff : [], B)); // B was the primary
        }

        foreach (var probe in new[] { _local, _b, _c })
        {
            var moved = await probe.FishForMessageAsync<ShardMoved>(_ => true);
            Assert.Equal((Shard, B, Self, 2L), (moved.ShardId, moved.From, moved.To, moved.Keys));
        }
    }

    [Fact]
    public async Task Should_read_at_Quorum_take_the_newest_copy_and_repair_stale_replicas()
    {
        var entry = await StartPrimaryAsync();
        var key = KeyOfShard();
        entry.Tell(new Set(key, [1], CacheExpiry.Never, ConsistencyLevel.Eventual));
        await ExpectMsgAsync<SetSuccess>();
        await _b.ExpectMsgAsync<ReplicateEntries>();
        await _c.ExpectMsgAsync<ReplicateEntries>();

        entry.Tell(new Get(key, ConsistencyLevel.Quorum));
        var read = await _b.ExpectMsgAsync<ReadReplicaKeys>();
        await _c.ExpectMsgAsync<ReadReplicaKeys>();
        _b.Reply(new ReplicaKeysRead(Shard, read.RequestId, B, [])); // B lost the key

        Assert.Equal(new byte[] { 1 }, (await ExpectMsgAsync<GetSuccess>()).Value);
        var repair = await _b.ExpectMsgAsync<ReplicateEntries>();
        Assert.Equal(key, repair.Entries[0].Key);
    }

    [Fact]
    public async Task Should_fail_a_Strong_read_when_a_reachable_replica_is_silent()
    {
        var entry = await StartPrimaryAsync();
        entry.Tell(new Get(KeyOfShard(), ConsistencyLevel.Strong));
        var read = await _b.ExpectMsgAsync<ReadReplicaKeys>();
        _b.Reply(new ReplicaKeysRead(Shard, read.RequestId, B, []));

        var failure = await ExpectMsgAsync<GetFailure>(TimeSpan.FromSeconds(6));
        Assert.Equal((2, 3), (failure.Error.AcksReceived, failure.Error.AcksRequired));
    }

    [Fact]
    public async Task Should_fail_a_Strong_read_at_once_naming_an_unreachable_backup()
    {
        // Strong needs every replica, as Strong writes do; with C unreachable, B and the primary are not enough,
        // while a Quorum read (2 of 3) still succeeds.
        var entry = await StartPrimaryAsync();
        var key = KeyOfShard();
        _replicas.View.MarkUnreachable(C);

        entry.Tell(new Get(key, ConsistencyLevel.Strong));
        if (await _b.ReceiveOneAsync(TimeSpan.FromMilliseconds(300)) is ReadReplicaKeys asked)
            _b.Reply(new ReplicaKeysRead(Shard, asked.RequestId, B, [])); // answer as B would, were it asked

        var failure = await ExpectMsgAsync<GetFailure>(TimeSpan.FromSeconds(1)); // at once, not after the timeout
        Assert.Equal(CacheErrorCode.ConsistencyNotMet, failure.Error.Code);
        Assert.Equal((2, 3), (failure.Error.AcksReceived, failure.Error.AcksRequired));
        Assert.Contains(C, failure.Error.Message);

        entry.Tell(new Get(key, ConsistencyLevel.Quorum));
        var read = await _b.ExpectMsgAsync<ReadReplicaKeys>();
        _b.Reply(new ReplicaKeysRead(Shard, read.RequestId, B, []));
        await ExpectMsgAsync<NotFound>();
    }

    [Fact]
    public async Task Should_announce_the_failover_of_a_shard_that_had_no_entries()
    {
        // The previous primary (known to the copy holders from its digests) is no longer a data node: a failover,
        // announced even though nothing was recovered, so a lightly used cluster still reports every failover.
        const string Dead = "akka.tcp://distcache@127.0.0.1:9";
        Sys.ActorOf(EntryActor.Props(Shard.ToString(), _context));
        foreach (var (probe, name) in new[] { (_local, Self), (_b, B), (_c, C) })
        {
            var request = await probe.ExpectMsgAsync<RequestShardCopy>();
            probe.Reply(new ShardCopy(Shard, request.RequestId, name, 3, 0, true, [], name == B ? Dead : ""));
        }

        var failover = await _events.FishForMessageAsync<FailoverOccurred>(_ => true, TimeSpan.FromSeconds(3));
        Assert.Equal((Shard, Dead, Self, 0L), (failover.ShardId, failover.FromNode, failover.ToNode, failover.KeysRecovered));
    }

    [Fact]
    public async Task Should_wait_for_an_unreachable_members_copy_before_serving()
    {
        // Issue 13, fix 1: B is still a member but unreachable when the shard starts here, and holds the only copy
        // of an acknowledged write. Recovery must ask B too and keep waiting for it (failing waiting requests with a
        // retriable Unavailable after distcache.recovery.timeout): serving NotFound without B's copy would let the
        // new epoch's anti-entropy overwrite it.
        var key = KeyOfShard();
        _replicas.View.MarkUnreachable(B);
        var entry = Sys.ActorOf(EntryActor.Props(Shard.ToString(), _context));
        foreach (var (probe, name) in new[] { (_local, Self), (_c, C) })
        {
            var request = await probe.ExpectMsgAsync<RequestShardCopy>();
            probe.Reply(new ShardCopy(Shard, request.RequestId, name, 1, 0, true, []));
        }

        var toB = await _b.ExpectMsgAsync<RequestShardCopy>(); // asked although unreachable
        entry.Tell(new Get(key));
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300)); // not NotFound: B has not answered

        _replicas.View.MarkReachable(B);
        var acknowledged = new ReplicaEntry(key, [7], new EntryVersion(1, 3), ExpiryKind.None, 0, 0, false);
        _b.Reply(new ShardCopy(Shard, toB.RequestId, B, 1, 0, true, [acknowledged]));

        Assert.Equal(new byte[] { 7 }, (await ExpectMsgAsync<GetSuccess>()).Value);
    }

    [Fact]
    public async Task Should_refuse_Quorum_and_Strong_at_once_when_it_reaches_only_a_minority_of_data_nodes()
    {
        // Issue 13, fix 6: with B and C unreachable this primary may be the minority of a partition. It must not
        // acknowledge (B and C could even be on its side, reachable to each other but not to the resolver's majority);
        // it refuses before applying, so a later read does not see the refused value. Eventual is still served.
        var entry = await StartPrimaryAsync();
        var key = KeyOfShard();
        _replicas.View.MarkUnreachable(B);
        _replicas.View.MarkUnreachable(C);

        entry.Tell(new Set(key, [1], CacheExpiry.Never, ConsistencyLevel.Quorum));
        var refused = await ExpectMsgAsync<SetFailure>(TimeSpan.FromSeconds(1)); // at once, not after operation-timeout
        entry.Tell(new Get(key, ConsistencyLevel.Strong));
        var refusedRead = await ExpectMsgAsync<GetFailure>(TimeSpan.FromSeconds(1));
        entry.Tell(new Get(key, ConsistencyLevel.Eventual));
        await ExpectMsgAsync<NotFound>(); // the refused write was not applied

        Assert.Equal(CacheErrorCode.Unavailable, refused.Error.Code);
        Assert.Contains("1 of 3 data nodes", refused.Error.Message);
        Assert.Equal(CacheErrorCode.Unavailable, refusedRead.Error.Code);

        _replicas.View.MarkReachable(C); // 2 of 3: a majority again
        entry.Tell(new Set(key, [2], CacheExpiry.Never, ConsistencyLevel.Quorum));
        var toC = await _c.FishForMessageAsync<ReplicateEntries>(m => m.Entries.Any(e => e.Key == key));
        _c.Reply(new ReplicateAck(Shard, toC.BatchId, C));
        await ExpectMsgAsync<SetSuccess>();
    }
}
