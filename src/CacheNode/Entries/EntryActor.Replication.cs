using Akka.Actor;
using DistCacheAkka.CacheNode.Replication;
using DistCacheAkka.Messages;

namespace DistCacheAkka.CacheNode.Entries;

// Write replication: every write is applied here first, then sent to the shard's backups. Eventual writes reply at
// once and leave in batches; Quorum and Strong writes are sent at once and reply when enough replicas acknowledged,
// or fail with ConsistencyNotMet after the operation timeout (not rolled back). Anti-entropy compares bucket digests
// with each backup on a timer and resends only the buckets that differ.
// When the backup set changes while the shard stays (a node joined or left the ring), the nodes that stopped being
// backups are remembered, and once a digest round finds every current backup equal to this primary they are told to
// drop their copy: a stale copy costs memory its node cannot evict, and a later recovery could read removed keys back
// from it once their tombstones expired. Releasing only after convergence keeps R copies of everything meanwhile.
// A new backup is filled at once: the data nodes changing (ReplicaViewChanged on the local event stream) starts a
// digest round when the shard gained a backup, instead of leaving it empty until the next anti-entropy tick (10 s),
// a window in which one more failure loses what only the primary then holds.
internal sealed partial class EntryActor
{
    private readonly PendingWrites _pendingWrites = new();
    private readonly List<ReplicaEntry> _outbox = [];
    private long _nextRequestId;
    private string[] _backups = [];
    private long _backupsViewVersion = -1;
    private readonly HashSet<string> _formerBackups = new(StringComparer.Ordinal);
    private readonly HashSet<string> _digestsAwaited = new(StringComparer.Ordinal);
    private long _digestRound;
    private bool _digestRoundClean;

    private string[] Backups()
    {
        if (_backupsViewVersion != _node.View.Version)
        {
            _backupsViewVersion = _node.View.Version;
            var next = _node.View.BackupsFor(_shard, _self);
            var members = _node.View.Members;
            foreach (var previous in _backups)
                if (Array.IndexOf(next, previous) < 0 && members.Contains(previous))
                    _formerBackups.Add(previous);
            _formerBackups.RemoveWhere(node => Array.IndexOf(next, node) >= 0 || !members.Contains(node));
            _backups = next;
        }

        return _backups;
    }

    private void ReceiveReplication()
    {
        Receive<ReplicateAck>(Handle);
        Receive<WriteTimeout>(Handle);
        Receive<FlushTick>(_ => Flush());
        Receive<ReplicaKeysRead>(Handle);
        Receive<ReadTimeout>(Handle);
        Receive<AntiEntropyTick>(_ => SendDigests());
        Receive<DigestMismatch>(Handle);
        Receive<ReplicaViewChanged>(_ => FillNewBackups());
    }

    private void FillNewBackups()
    {
        var before = _backups;
        if (Backups().Any(backup => Array.IndexOf(before, backup) < 0))
            SendDigests();
    }

    private void Replicate(ReplicaEntry[] entries, ConsistencyLevel level, ReplyTo replyTo, object success, Func<CacheError, object> failure)
    {
        var backups = Backups();
        var replicas = 1 + backups.Length;
        var timeout = _node.Settings.OperationTimeout;
        var required = ReplicaQuorum.Required(ReplicaQuorum.ToWriteConsistency(level, timeout), replicas);
        if (backups.Length == 0)
        {
            replyTo.Tell(success);
            return;
        }

        if (required <= 1)
        {
            replyTo.Tell(success);
            Enqueue(entries);
            return;
        }

        var id = ++_nextRequestId;
        _pendingWrites.Add(id, new PendingWrite(entries, replyTo, success, failure, level, required, replicas));
        var message = new ReplicateEntries(_shard, id, _self, entries);
        foreach (var backup in backups)
            _node.Transport.Send(backup, message, Self);
        Timers.StartSingleTimer(id, new WriteTimeout(id), timeout);
    }

    private void Enqueue(ReplicaEntry[] entries)
    {
        if (_outbox.Count == 0)
            Timers.StartSingleTimer(FlushTick.Instance, FlushTick.Instance, _node.Settings.ReplicationFlushInterval);
        _outbox.AddRange(entries);
        Interlocked.Add(ref _node.Metrics.ReplicationQueue, entries.Length);
        if (_outbox.Count >= _node.Settings.ReplicationBatchSize)
            Flush();
    }

    /// <summary>Sends the Eventual writes waiting in the outbox as one batch; tracked only to report ReplicationComplete.</summary>
    private void Flush()
    {
        Timers.Cancel(FlushTick.Instance);
        if (_outbox.Count == 0)
            return;
        var entries = _outbox.ToArray();
        _outbox.Clear();
        Interlocked.Add(ref _node.Metrics.ReplicationQueue, -entries.Length);
        var backups = Backups();
        if (backups.Length == 0)
            return;
        var id = ++_nextRequestId;
        if (_node.Interest.Wants(CacheEventKind.ReplicationComplete))
        {
            _pendingWrites.Add(id, new PendingWrite(entries, new ReplyTo(ActorRefs.Nobody), null, null, ConsistencyLevel.Eventual, 1, 1 + backups.Length) { Replied = true });
            Timers.StartSingleTimer(id, new WriteTimeout(id), _node.Settings.OperationTimeout);
        }

        var message = new ReplicateEntries(_shard, id, _self, entries);
        foreach (var backup in backups)
            _node.Transport.Send(backup, message, Self);
    }

    private void Handle(ReplicateAck ack)
    {
        var (pending, replyNow, complete) = _pendingWrites.Acknowledge(ack.BatchId, ack.Replica);
        if (pending is null)
            return;
        if (replyNow)
            pending.ReplyTo.Tell(pending.Success);
        if (complete)
        {
            Timers.Cancel(ack.BatchId);
            if (_node.Interest.Wants(CacheEventKind.ReplicationComplete))
                foreach (var entry in pending.Entries)
                    _node.Events.Tell(new ReplicationComplete(entry.Key, entry.Version, pending.Replicas, _node.Time.GetUtcNow()));
            CompleteHandoffIfIdle();
        }
    }

    private void Handle(WriteTimeout timeout)
    {
        if (_pendingWrites.Expire(timeout.Id) is not { } pending)
            return;
        if (!pending.Replied)
        {
            var acks = pending.Copies;
            var what = pending.Entries.Length == 1 ? $"key '{RequestValidation.Shorten(pending.Entries[0].Key)}'" : $"{pending.Entries.Length} keys";
            pending.ReplyTo.Tell(pending.Failure!(new CacheError(CacheErrorCode.ConsistencyNotMet,
                $"{pending.Level} write of {what} (shard {_shard}) was applied by {acks} of {pending.Replicas} replicas within " +
                $"{_node.Settings.OperationTimeout.TotalMilliseconds:0} ms; {pending.Required} were required. It is not rolled back.",
                acks, pending.Required, _node.Settings.OperationTimeout)));
        }

        CompleteHandoffIfIdle();
    }

    private void StartAntiEntropy()
    {
        var interval = _node.Settings.AntiEntropyInterval;
        Timers.StartPeriodicTimer(AntiEntropyTick.Instance, AntiEntropyTick.Instance, TimeSpan.Zero, interval);
    }

    private void SendDigests()
    {
        var backups = Backups();
        if (backups.Length == 0)
            return;
        var digest = new ShardDigest(_shard, ++_nextRequestId, _self, _store.BucketDigests(_node.Settings.DigestBuckets));
        _digestRound = digest.RequestId;
        _digestsAwaited.Clear();
        _digestRoundClean = true;
        foreach (var backup in backups)
        {
            if (_node.View.IsReachable(backup))
            {
                _node.Transport.Send(backup, digest, Self);
                _digestsAwaited.Add(backup);
            }
            else
                _digestRoundClean = false; // an unreachable backup cannot confirm it holds the shard
        }
    }

    /// <summary>Every current backup answered this round's digest with no difference: former backups may drop their copy.</summary>
    private void NoteConverged(DigestMismatch mismatch)
    {
        if (mismatch.RequestId != _digestRound || !_digestsAwaited.Remove(mismatch.Replica))
            return;
        _digestRoundClean &= mismatch.Buckets.Count == 0;
        if (_digestsAwaited.Count > 0 || !_digestRoundClean || _formerBackups.Count == 0)
            return;
        var buckets = _node.Settings.DigestBuckets;
        var release = new ReplaceBuckets(_shard, 0, _self, buckets, Enumerable.Range(0, buckets).ToArray(), []);
        foreach (var former in _formerBackups)
            _node.Transport.Send(former, release, Self);
        _formerBackups.Clear();
    }

    /// <summary>
    /// Resends the buckets a backup disagrees on: the first chunk replaces them, later chunks add to them. The last
    /// chunk carries <paramref name="ackId"/> (0: no acknowledgement awaited); messages from this actor to one
    /// replicator arrive in order, so its acknowledgement means every chunk was applied.
    /// </summary>
    private void Handle(DigestMismatch mismatch) => Repair(mismatch, ackId: 0);

    private void Repair(DigestMismatch mismatch, long ackId)
    {
        NoteConverged(mismatch);
        if (mismatch.Buckets.Count == 0)
            return;
        var buckets = _node.Settings.DigestBuckets;
        var entries = _store.ExportBuckets(buckets, mismatch.Buckets);
        var chunks = SizeChunks.Split(entries, SizeChunks.Of, _node.Settings.MaxBatchBytes).ToList();
        if (chunks.Count == 0)
            chunks.Add([]);
        for (var i = 0; i < chunks.Count; i++)
        {
            var id = i == chunks.Count - 1 ? ackId : 0;
            IReplicationMessage message = i == 0
                ? new ReplaceBuckets(_shard, id, _self, buckets, mismatch.Buckets, chunks[i])
                : new ReplicateEntries(_shard, id, _self, chunks[i]);
            _node.Transport.Send(mismatch.Replica, message, Self);
        }
    }

    private sealed record WriteTimeout(long Id);

    private sealed class FlushTick
    {
        public static readonly FlushTick Instance = new();
    }

    private sealed class AntiEntropyTick
    {
        public static readonly AntiEntropyTick Instance = new();
    }
}
