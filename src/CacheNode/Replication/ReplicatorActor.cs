using Akka.Actor;
using Akka.Event;
using DistCacheAkka.CacheNode.Entries;
using DistCacheAkka.CacheNode.Storage;
using DistCacheAkka.Messages;

namespace DistCacheAkka.CacheNode.Replication;

/// <summary>
/// Keeps this node's backup copies of other nodes' shards (one <see cref="ShardStore"/> per shard) at
/// /user/distcache-replicator. Applies replicated entries only when newer (so duplicates, reordering and stale
/// messages are harmless), acknowledges each batch, answers replica reads for Quorum/Strong reads, compares digests
/// for anti-entropy, hands its copies to a recovering primary, and sweeps expired backup entries.
/// Memory: backup copies count in the node's budget, but a backup never evicts on its own (its primary may still hold
/// the key, and a failover must find what the primary acknowledged). While the node is over budget it tells each
/// primary that replicates to it (<see cref="MemoryPressure"/>, at most once a second per shard), and the primaries
/// hold their shards' size (evict what they write) or, when it is more than 2% over, shrink them
/// (<see cref="Memory.MemoryBudget.PressureOf"/>) — or, under noeviction, refuse writes — until it is back under,
/// which it tells each primary it warned with its next replication (a report under the limit).
/// </summary>
internal sealed class ReplicatorActor : ReceiveActor, IWithTimers
{
    private const int CopyChunkBytes = 256 * 1024;
    private readonly NodeContext _node;
    private readonly string _self;
    private readonly Dictionary<int, ShardStore> _backups = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();

    // The primary this node last heard from, per shard: when a new primary asks for the shard while that one is no
    // longer a data node, the shard failed over.
    private readonly Dictionary<int, string> _lastPrimary = new();

    // When this node last told each shard's primary that it is over budget (UTC ticks).
    private readonly Dictionary<int, long> _pressureReported = new();

    // While a ReplicaBatch is handled: its replies so far, and the index of the message being handled.
    private List<ReplicaReply>? _batchReplies;
    private int _batchIndex;

    public ReplicatorActor(NodeContext node)
    {
        _node = node;
        _self = node.View.Self;
        Receive<ReplicaBatch>(Handle);
        Receive<IReplicationMessage>(message =>
        {
            if (!TryDispatch(message))
                Unhandled(message);
        });
        Receive<AdoptShard>(adopt =>
        {
            _lastPrimary[adopt.ShardId] = _self; // this node was the primary: the next one learns it moved from here
            var store = StoreFor(adopt.ShardId);
            foreach (var entry in adopt.Entries)
                store.Apply(entry);
        });
        Receive<DropBackup>(drop =>
        {
            if (_backups.Remove(drop.ShardId, out var store))
            {
                _node.Metrics.UnregisterBackup(drop.ShardId, store.Counters);
                store.Release();
            }
        });
        Receive<GetBackupDigest>(get => Sender.Tell(_backups.TryGetValue(get.ShardId, out var store) ? store.BucketDigests(get.Buckets) : null!));
        Receive<SweepTick>(_ =>
        {
            foreach (var store in _backups.Values)
            {
                store.SweepExpired(_node.Settings.ExpirySweepSampleSize);
                store.DrainExpired();
            }
        });
        var interval = node.Settings.ExpirySweepInterval;
        Timers.StartPeriodicTimer(SweepTick.Instance, SweepTick.Instance, interval, interval);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(NodeContext node) => Akka.Actor.Props.Create(() => new ReplicatorActor(node));

    protected override void PostStop()
    {
        foreach (var (shard, store) in _backups)
        {
            _node.Metrics.UnregisterBackup(shard, store.Counters);
            store.Release();
        }
    }

    private ShardStore StoreFor(int shard)
    {
        if (!_backups.TryGetValue(shard, out var store))
        {
            store = new ShardStore(shard, epoch: 0, _node.Settings.TombstoneGrace, _node.Time, budget: _node.Budget);
            _backups[shard] = store;
            _node.Metrics.RegisterBackup(shard, store.Counters);
        }

        return store;
    }

    /// <summary>
    /// <see cref="Dispatch"/>, with a message that throws logged and answered by nothing (its sender's timeout reports
    /// it, as for a lost message) instead of restarting this actor: a restart would drop every backup copy this node
    /// holds (one more failure would then lose what only the primaries hold), and within a batch it would lose the
    /// answers to the messages after it. What the message applied before it threw stays: backups apply only newer
    /// versions, so a partial application is a state a resend or anti-entropy completes.
    /// </summary>
    private bool TryDispatch(IReplicationMessage message)
    {
        try
        {
            return Dispatch(message);
        }
        catch (Exception e)
        {
            _log.Error(e, "Replicator: {0} for shard {1} failed and was dropped; its sender's timeout reports it", message.GetType().Name, message.ShardId);
            return true;
        }
    }

    /// <summary>Handles one replication message as if it had arrived alone; false if it is not one this actor takes.</summary>
    private bool Dispatch(IReplicationMessage message)
    {
        switch (message)
        {
            case ReplicateEntries m: Handle(m); break;
            case ReplaceBuckets m: Handle(m); break;
            case ReadReplicaKeys m: Handle(m); break;
            case ShardDigest m: Handle(m); break;
            case RequestShardCopy m: Handle(m); break;
            case ShardMoved m: _node.Moves?.Report(m.ShardId, m.Keys); break;
            default: return false;
        }

        return true;
    }

    /// <summary>
    /// Another node's batch (<see cref="BatchingReplicaTransport"/>): every message handled in order as if it had
    /// arrived alone, and their replies gathered into <see cref="ReplicaBatchReply"/>s, cut by size (shard copies are
    /// large) with the last one marked, sent even when there is nothing to answer so the sender forgets the batch.
    /// </summary>
    private void Handle(ReplicaBatch batch)
    {
        var replies = new List<ReplicaReply>(batch.Messages.Count);
        _batchReplies = replies;
        try
        {
            for (var i = 0; i < batch.Messages.Count; i++)
            {
                _batchIndex = i;
                if (!TryDispatch(batch.Messages[i]))
                    Unhandled(batch.Messages[i]);
            }
        }
        finally
        {
            _batchReplies = null;
        }

        var parts = SizeChunks.Split(replies, static r => ReplicaSizes.Of(r.Message), BatchingReplicaTransport.BatchBytes).ToList();
        for (var i = 0; i < parts.Count - 1; i++)
            Sender.Tell(new ReplicaBatchReply(batch.Seq, false, parts[i]));
        Sender.Tell(new ReplicaBatchReply(batch.Seq, true, parts.Count == 0 ? [] : parts[^1]));
    }

    /// <summary>Answers the message being handled: to its sender, or into the reply of the batch that carried it.</summary>
    private void Reply(IReplicationMessage reply)
    {
        if (_batchReplies is { } replies)
            replies.Add(new ReplicaReply(_batchIndex, reply));
        else
            Sender.Tell(reply);
    }

    private void Handle(ReplicateEntries batch)
    {
        _lastPrimary[batch.ShardId] = batch.Primary;
        var store = StoreFor(batch.ShardId);
        foreach (var entry in batch.Entries)
            store.Apply(entry);
        Reply(new ReplicateAck(batch.ShardId, batch.BatchId, _self));
        ReportPressure(batch.ShardId);
    }

    private void ReportPressure(int shard)
    {
        var budget = _node.Budget;
        if (!budget.IsOver)
        {
            // Back under: the primary stops holding or shrinking this shard now, not when its last report runs out
            // (3 s later; at a high write rate it would drain the shard far below its share meanwhile).
            if (_pressureReported.Remove(shard))
                Reply(new MemoryPressure(shard, _self, budget.UsedBytes, budget.LimitBytes));
            return;
        }

        var now = _node.Time.GetUtcNow().UtcTicks;
        if (_pressureReported.TryGetValue(shard, out var last) && now - last < TimeSpan.TicksPerSecond)
            return;
        _pressureReported[shard] = now;
        Reply(new MemoryPressure(shard, _self, budget.UsedBytes, budget.LimitBytes));
    }

    private void Handle(ReplaceBuckets replace)
    {
        _lastPrimary[replace.ShardId] = replace.Primary;
        if (replace.Entries.Count == 0 && replace.Buckets.Count >= replace.BucketCount && replace.Buckets.Distinct().Count() == replace.BucketCount)
        {
            // Every bucket replaced with nothing: the primary released this copy (this node is no longer a backup).
            if (_backups.Remove(replace.ShardId, out var released))
            {
                _node.Metrics.UnregisterBackup(replace.ShardId, released.Counters);
                released.Release();
            }

            Reply(new ReplicateAck(replace.ShardId, replace.BatchId, _self));
            return;
        }

        var store = StoreFor(replace.ShardId);
        store.DropBuckets(replace.BucketCount, replace.Buckets);
        foreach (var entry in replace.Entries)
            store.Apply(entry);
        Reply(new ReplicateAck(replace.ShardId, replace.BatchId, _self));
    }

    private void Handle(ReadReplicaKeys read)
    {
        var found = new List<ReplicaEntry>(read.Keys.Count);
        if (_backups.TryGetValue(read.ShardId, out var store))
            foreach (var key in read.Keys)
                if (store.Export(key) is { } entry)
                    found.Add(entry);
        Reply(new ReplicaKeysRead(read.ShardId, read.RequestId, _self, found));
    }

    private void Handle(ShardDigest digest)
    {
        _lastPrimary[digest.ShardId] = digest.Primary;
        var mine = _backups.TryGetValue(digest.ShardId, out var store)
            ? store.BucketDigests(digest.Buckets.Count)
            : new ulong[digest.Buckets.Count];
        var differ = new List<int>();
        for (var i = 0; i < mine.Length; i++)
            if (mine[i] != digest.Buckets[i])
                differ.Add(i);
        Reply(new DigestMismatch(digest.ShardId, digest.RequestId, _self, differ));
    }

    /// <summary>Sends this node's backup copy in chunks; a node without one answers a single empty last chunk.</summary>
    private void Handle(RequestShardCopy request)
    {
        var entries = _backups.TryGetValue(request.ShardId, out var store) ? store.ExportAll().ToList() : [];
        var maxEpoch = store?.MaxVersion().Epoch ?? 0;
        var previous = _lastPrimary.GetValueOrDefault(request.ShardId, "");
        var chunks = SizeChunks.Split(entries, SizeChunks.Of, CopyChunkBytes).ToList();
        for (var index = 0; index < chunks.Count - 1; index++)
            Reply(new ShardCopy(request.ShardId, request.RequestId, _self, maxEpoch, index, false, chunks[index], previous));
        var lastIndex = Math.Max(0, chunks.Count - 1);
        ReplicaEntry[] last = chunks.Count == 0 ? [] : chunks[^1];
        Reply(new ShardCopy(request.ShardId, request.RequestId, _self, maxEpoch, lastIndex, true, last, previous));
        _lastPrimary[request.ShardId] = request.Requester;
    }

    private sealed class SweepTick
    {
        public static readonly SweepTick Instance = new();
    }
}

/// <summary>Local, from a primary handing its shard off: keep these entries as a copy for the next primary's recovery.</summary>
internal sealed record AdoptShard(int ShardId, ReplicaEntry[] Entries);

/// <summary>Local, from a primary that finished recovery: it holds the shard now, so this node's backup copy is redundant.</summary>
internal sealed record DropBackup(int ShardId);

/// <summary>Local query (tests, anti-entropy checks): this node's bucket digests of its backup copy of a shard, or null.</summary>
internal sealed record GetBackupDigest(int ShardId, int Buckets);
