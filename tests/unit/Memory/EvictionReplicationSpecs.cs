using Akka.Actor;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using DistCacheAkka.CacheNode.Entries;
using DistCacheAkka.CacheNode.Events;
using DistCacheAkka.CacheNode.Memory;
using DistCacheAkka.CacheNode.Replication;
using DistCacheAkka.Messages;
using DistCacheAkka.Tests.Unit.Support;

namespace DistCacheAkka.Tests.Unit.Memory;

// A primary EntryActor (R = 3, backups are probes) under a small memory budget: the evictions a write causes travel to
// the backups in the same ReplicateEntries as the write, as versioned tombstones (so a backup mirrors its primary and a
// failover cannot bring an evicted key back), each eviction is published as KeyInvalidated(Evicted), noeviction refuses
// with a non-retriable OutOfMemory error naming limit and usage, and a backup's MemoryPressure report makes the primary
// evict although its own node has room. The ReplicatorActor (backup side) never evicts and reports pressure.
public class EvictionReplicationSpecs : TestKit
{
    private const string Self = ThreeReplicas.SelfNode;
    private const string B = ThreeReplicas.BNode;
    private const string C = ThreeReplicas.CNode;
    private const int Shard = 5;
    private const int ValueBytes = 1000;
    private readonly ThreeReplicas _replicas;

    public EvictionReplicationSpecs() => _replicas = new ThreeReplicas(this, """
        distcache.operation-timeout = 2s
        distcache.replication.anti-entropy-interval = 1h
        """, EventInterest.All());

    private string Key(int index) => _replicas.KeyOfShard(Shard, index);

    private NodeContext WithBudget(EvictionPolicy policy, int values) => _replicas.Context with
    {
        Memory = new MemoryBudget(values * (EntrySize.Of(Key(0), ValueBytes) + EntrySize.Of(Key(0), 0)), policy, 32, TimeSpan.FromSeconds(5)),
    };

    private Task<IActorRef> StartPrimaryAsync(NodeContext context) => _replicas.StartPrimaryAsync(this, Shard, context);

    private ReplicaEntry[] ThreeValues() => Enumerable.Range(0, 3)
        .Select(i => new ReplicaEntry(Key(i), new byte[ValueBytes], new EntryVersion(1, i + 1), ExpiryKind.None, 0, 0, false))
        .ToArray();

    private async Task<ReplicateEntries> WriteAsync(IActorRef entry, int index, bool ack = true)
    {
        entry.Tell(new Set(Key(index), new byte[ValueBytes], CacheExpiry.Never, ConsistencyLevel.Quorum));
        var toB = await _replicas.B.ExpectMsgAsync<ReplicateEntries>();
        var toC = await _replicas.C.ExpectMsgAsync<ReplicateEntries>();
        if (ack)
        {
            _replicas.B.Reply(new ReplicateAck(Shard, toB.BatchId, B));
            _replicas.C.Reply(new ReplicateAck(Shard, toC.BatchId, C));
            await ExpectMsgAsync<SetSuccess>();
        }

        return toB;
    }

    [Fact]
    public async Task Should_replicate_an_eviction_with_the_write_that_caused_it_and_publish_it()
    {
        var entry = await StartPrimaryAsync(WithBudget(EvictionPolicy.Lru, values: 3));
        for (var i = 0; i < 3; i++)
            Assert.Single((await WriteAsync(entry, i)).Entries);

        var batch = await WriteAsync(entry, 3);

        Assert.Equal(2, batch.Entries.Count);
        var eviction = batch.Entries[0];
        Assert.True(eviction.IsTombstone);
        Assert.Equal(Key(0), eviction.Key); // the least recently used
        Assert.Equal(Key(3), batch.Entries[1].Key);
        Assert.True(eviction.Version < batch.Entries[1].Version);
        var invalidated = await _replicas.Events.FishForMessageAsync<KeyInvalidated>(e => e is KeyInvalidated { Reason: InvalidationReason.Evicted });
        Assert.Equal(Key(0), invalidated.Key);
        Assert.Equal(eviction.Version, invalidated.Version);

        entry.Tell(new Get(Key(0), ConsistencyLevel.Eventual));
        await ExpectMsgAsync<NotFound>();
    }

    [Fact]
    public async Task Should_refuse_a_write_under_noeviction_with_a_non_retriable_error_naming_limit_and_usage()
    {
        var context = WithBudget(EvictionPolicy.NoEviction, values: 2);
        var entry = await StartPrimaryAsync(context);
        await WriteAsync(entry, 0);
        await WriteAsync(entry, 1);

        entry.Tell(new Set(Key(2), new byte[ValueBytes], CacheExpiry.Never, ConsistencyLevel.Quorum));

        var failure = await ExpectMsgAsync<SetFailure>();
        Assert.Equal(CacheErrorCode.OutOfMemory, failure.Error.Code);
        Assert.Contains($"{context.Budget.UsedBytes:N0} bytes of its {context.Budget.LimitBytes:N0}-byte memory limit", failure.Error.Message);
        Assert.Contains("noeviction", failure.Error.Message);
        Assert.False(new ClientProxy.DistCacheException(failure.Error.Code, failure.Error.Message).IsRetriable);
        await _replicas.B.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100)); // nothing was applied or replicated

        entry.Tell(new Get(Key(0), ConsistencyLevel.Eventual));
        await ExpectMsgAsync<GetSuccess>();
        entry.Tell(new SetMany(Shard, [new KeyValue(Key(3), new byte[ValueBytes])], CacheExpiry.Never, ConsistencyLevel.Eventual));
        Assert.Equal(CacheErrorCode.OutOfMemory, (await ExpectMsgAsync<SetManyFailure>()).Error.Code);
    }

    [Fact]
    public async Task Should_evict_although_its_node_has_room_when_a_backup_reports_pressure()
    {
        var entry = await StartPrimaryAsync(WithBudget(EvictionPolicy.Lru, values: 100));
        for (var i = 0; i < 5; i++)
            await WriteAsync(entry, i);

        entry.Tell(new MemoryPressure(Shard, B, 900, 800), _replicas.B.Ref); // far over: shrink
        var batch = await WriteAsync(entry, 5);

        Assert.True(batch.Entries.Count(e => e.IsTombstone) >= 2, $"{batch.Entries.Count} entries");
    }

    [Fact]
    public async Task Should_not_report_pressure_while_under_budget()
    {
        var slot = EntrySize.Of(Key(0), ValueBytes);
        var context = _replicas.Context with { Memory = new MemoryBudget(3 * slot, EvictionPolicy.Lru, 5, TimeSpan.FromSeconds(5)) };
        var replicator = Sys.ActorOf(ReplicatorActor.Props(context));
        var entries = ThreeValues();

        replicator.Tell(new ReplicateEntries(Shard, 1, Self, entries));

        await ExpectMsgAsync<ReplicateAck>();
        Assert.False(context.Budget.IsOver); // exactly full
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Should_keep_backup_data_over_budget_and_tell_the_primary()
    {
        var context = WithBudget(EvictionPolicy.Lru, values: 1);
        var replicator = Sys.ActorOf(ReplicatorActor.Props(context));
        var entries = ThreeValues();

        replicator.Tell(new ReplicateEntries(Shard, 1, Self, entries));

        await ExpectMsgAsync<ReplicateAck>();
        var pressure = await ExpectMsgAsync<MemoryPressure>();
        Assert.Equal(Shard, pressure.ShardId);
        Assert.True(pressure.UsedBytes > pressure.LimitBytes);
        Assert.Equal(context.Budget.UsedBytes, pressure.UsedBytes);
        replicator.Tell(new ReadReplicaKeys(Shard, 2, entries.Select(e => e.Key).ToList()));
        Assert.Equal(3, (await ExpectMsgAsync<ReplicaKeysRead>()).Entries.Count); // nothing dropped by the backup
    }

    [Fact]
    public async Task Should_tell_the_primary_once_when_its_node_is_back_under_budget()
    {
        var context = WithBudget(EvictionPolicy.Lru, values: 1);
        var replicator = Sys.ActorOf(ReplicatorActor.Props(context));
        var entries = ThreeValues();
        replicator.Tell(new ReplicateEntries(Shard, 1, Self, entries));
        await ExpectMsgAsync<ReplicateAck>();
        Assert.True((await ExpectMsgAsync<MemoryPressure>()).UsedBytes > context.Budget.LimitBytes);

        // The primary evicted: the removals bring the node back under its limit.
        var removals = entries.Select(e => e with { Value = [], Version = new EntryVersion(1, 10 + e.Version.Sequence), IsTombstone = true }).ToArray();
        replicator.Tell(new ReplicateEntries(Shard, 2, Self, removals));
        await ExpectMsgAsync<ReplicateAck>();
        var cleared = await ExpectMsgAsync<MemoryPressure>();
        Assert.True(cleared.UsedBytes <= cleared.LimitBytes, $"{cleared.UsedBytes} of {cleared.LimitBytes}");
        Assert.Equal(BackupPressure.None, MemoryBudget.PressureOf(cleared.UsedBytes, cleared.LimitBytes));

        replicator.Tell(new ReplicateEntries(Shard, 3, Self, removals));
        await ExpectMsgAsync<ReplicateAck>();
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200)); // said once
    }
}
