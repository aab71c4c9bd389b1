using Akka.Actor;
using Akka.Event;
using DistCacheAkka.CacheNode.Replication;
using DistCacheAkka.CacheNode.Storage;
using DistCacheAkka.Messages;

namespace DistCacheAkka.CacheNode.Entries;

/// <summary>
/// The sharded entity of one shard: owns the primary copy of the shard's entries (a <see cref="ShardStore"/>).
/// Phases: <b>Recovering</b> (asks every data node for its copy of the shard, merges by version, starts a new epoch;
/// commands are stashed), <b>Ready</b> (validates and serves Get / Set / Remove / GetMany / SetMany, replicating
/// writes to the shard's backups per consistency level), <b>HandingOff</b> (on the region's stop message: waits for
/// pending replication and for its backups to hold everything it has, refusing new commands with a retriable
/// Unavailable, then leaves its entries to this node's ReplicatorActor as one more copy for the next primary).
/// Idle passivation is off for its region: stopping it would drop nothing now, but would cost a recovery.
/// Bookkeeping with rules of its own lives in plain classes tested without an actor: <see cref="RecoveryProgress"/>
/// (who still owes a copy, epochs, holders, previous primaries), <see cref="PendingWrites"/> (acknowledgement
/// counting) and <see cref="PendingReads"/> (replica answers).
/// </summary>
internal sealed partial class EntryActor : ReceiveActor, IWithTimers, IWithUnboundedStash
{
    private readonly NodeContext _node;
    private readonly ShardStore _store;
    private readonly int _shard;
    private readonly string _self;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public EntryActor(int shardId, NodeContext node)
    {
        _node = node;
        _shard = shardId;
        _self = node.View.Self;
        _store = new ShardStore(shardId, epoch: 0, node.Settings.TombstoneGrace, node.Time, budget: node.Budget, primary: true);
        Recovering();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public IStash Stash { get; set; } = null!;

    public static Props Props(string entityId, NodeContext node) =>
        node.Resolver.TryParse(entityId, out var shard)
            ? Akka.Actor.Props.Create(() => new EntryActor(shard, node))
            : throw new ArgumentException($"Entity id '{entityId}' is not a shard id of this cluster (0..{node.Resolver.Shards - 1}).", nameof(entityId));

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(ReplicaViewChanged));
        Context.System.EventStream.Publish(new ShardLifecycle(_shard, Self, Running: true));
        StartRecovery();
    }

    protected override void PostStop()
    {
        Context.System.EventStream.Unsubscribe(Self);
        Context.System.EventStream.Publish(new ShardLifecycle(_shard, Self, Running: false));
        _node.Metrics.Unregister(_shard, _store.Counters);
        EndStream();
        _store.Release();
        Interlocked.Add(ref _node.Metrics.ReplicationQueue, -_outbox.Count);
    }

    private void Ready()
    {
        Receive<Get>(get => Handle(get, new ReplyTo(Sender)));
        Receive<NearGet>(get => Handle(get, new ReplyTo(Sender)));
        Receive<Set>(set => Handle(set, new ReplyTo(Sender)));
        Receive<Remove>(remove => Handle(remove, new ReplyTo(Sender)));
        Receive<GetMany>(get => Handle(get, new ReplyTo(Sender)));
        Receive<SetMany>(set => Handle(set, new ReplyTo(Sender)));
        Receive<Routed>(Dispatch);
        ReceiveReplication();
        ReceiveMemory();
        Receive<SweepTick>(_ => Sweep());
        Receive<GetShardDigest>(get => Sender.Tell(_store.BucketDigests(get.Buckets)));
        Receive<StopEntry>(_ => StartHandoff());
    }

    /// <summary>A command the node's gateway handed over directly (see <see cref="Routed"/>).</summary>
    private void Dispatch(Routed routed)
    {
        var replyTo = new ReplyTo(Sender, routed.Id);
        switch (routed.Command)
        {
            case Get get: Handle(get, replyTo); break;
            case NearGet get: Handle(get, replyTo); break;
            case Set set: Handle(set, replyTo); break;
            case Remove remove: Handle(remove, replyTo); break;
            case GetMany get: Handle(get, replyTo); break;
            case SetMany set: Handle(set, replyTo); break;
            default:
                replyTo.Tell(new Status.Failure(new ArgumentException($"{routed.Command.GetType().Name} is not a cache command.")));
                break;
        }
    }

    private void Handle(Get get, ReplyTo replyTo)
    {
        if ((CheckKey(get.Key) ?? Invalid(RequestValidation.CheckConsistency(get.Consistency)) ?? CheckMajority(get.Consistency, "read")) is { } error)
        {
            replyTo.Tell(new GetFailure(get.Key ?? "", error));
            return;
        }

        var key = get.Key;
        ReadThen([key], get.Consistency, replyTo,
            () => _store.TryGet(key, out var value, out var version) ? new GetSuccess(key, value, version) : new NotFound(key),
            e => new GetFailure(key, e));
    }

    private void Handle(Set set, ReplyTo replyTo)
    {
        if ((CheckKey(set.Key) ?? CheckWrite(set.Key, set.Value, set.Expiry, set.Consistency) ?? CheckMajority(set.Consistency, "write")) is { } error)
        {
            replyTo.Tell(new SetFailure(set.Key ?? "", error));
            return;
        }

        var admission = _store.Admit(_store.CostOfWrite(set.Key, set.Value.Length), 1, BackupPressureNow, keep: set.Key);
        if (!admission.Admitted)
        {
            replyTo.Tell(new SetFailure(set.Key, OutOfMemory($"key '{RequestValidation.Shorten(set.Key)}'", admission)));
            return;
        }

        var version = _store.Set(set.Key, set.Value, set.Expiry, out var overwritten);
        Replicate(WithEvictions(admission, _store.Export(set.Key)!), set.Consistency, replyTo, new SetSuccess(set.Key, version),
            e => new SetFailure(set.Key, e));
        PublishEvicted(admission);
        if (overwritten)
            Invalidated(set.Key, InvalidationReason.Overwritten, version);
        PublishExpired();
    }

    private void Handle(Remove remove, ReplyTo replyTo)
    {
        if ((CheckKey(remove.Key) ?? Invalid(RequestValidation.CheckConsistency(remove.Consistency)) ?? CheckMajority(remove.Consistency, "removal")) is { } error)
        {
            replyTo.Tell(new RemoveFailure(remove.Key ?? "", error));
            return;
        }

        var existed = _store.Remove(remove.Key, out var version);
        Replicate([_store.Export(remove.Key)!], remove.Consistency, replyTo, new RemoveSuccess(remove.Key, existed, version),
            e => new RemoveFailure(remove.Key, e));
        if (existed)
            Invalidated(remove.Key, InvalidationReason.Removed, version);
        PublishExpired();
    }

    private void Handle(GetMany get, ReplyTo replyTo)
    {
        var problem = Invalid(RequestValidation.CheckConsistency(get.Consistency));
        foreach (var key in get.Keys)
            problem ??= CheckKey(key);
        problem ??= CheckMajority(get.Consistency, "read");
        if (problem is not null)
        {
            replyTo.Tell(new GetManyFailure(get.ShardId, get.Keys, problem));
            return;
        }

        ReadThen(get.Keys, get.Consistency, replyTo, () =>
        {
            var found = new List<CacheItem>(get.Keys.Count);
            var missing = new List<string>();
            foreach (var key in get.Keys)
            {
                if (_store.TryGet(key, out var value, out var version))
                    found.Add(new CacheItem(key, value, version));
                else
                    missing.Add(key);
            }

            return new GetManySuccess(get.ShardId, found, missing);
        }, e => new GetManyFailure(get.ShardId, get.Keys, e));
    }

    private void Handle(SetMany set, ReplyTo replyTo)
    {
        // Validate the whole subset first: a batch is applied entirely or not at all on this shard.
        foreach (var item in set.Items)
        {
            if ((CheckKey(item.Key) ?? CheckWrite(item.Key, item.Value, set.Expiry, set.Consistency)) is { } error)
            {
                replyTo.Tell(new SetManyFailure(set.ShardId, set.Items.Select(i => i.Key).ToArray(), error));
                return;
            }
        }

        if (CheckMajority(set.Consistency, "write") is { } minority)
        {
            replyTo.Tell(new SetManyFailure(set.ShardId, set.Items.Select(i => i.Key).ToArray(), minority));
            return;
        }

        long incoming = 0;
        foreach (var item in set.Items)
            incoming += _store.CostOfWrite(item.Key, item.Value.Length);
        var admission = _store.Admit(incoming, set.Items.Count, BackupPressureNow);
        if (!admission.Admitted)
        {
            replyTo.Tell(new SetManyFailure(set.ShardId, set.Items.Select(i => i.Key).ToArray(), OutOfMemory($"{set.Items.Count} keys", admission)));
            return;
        }

        var last = EntryVersion.Zero;
        var evicted = admission.Evicted.Count;
        var entries = new ReplicaEntry[evicted + set.Items.Count];
        for (var i = 0; i < evicted; i++)
            entries[i] = admission.Evicted[i];
        for (var i = 0; i < set.Items.Count; i++)
        {
            var item = set.Items[i];
            last = _store.Set(item.Key, item.Value, set.Expiry, out var overwritten);
            entries[evicted + i] = _store.Export(item.Key)!;
            if (overwritten)
                Invalidated(item.Key, InvalidationReason.Overwritten, last);
        }

        PublishEvicted(admission);

        Replicate(entries, set.Consistency, replyTo, new SetManySuccess(set.ShardId, set.Items.Count, last),
            e => new SetManyFailure(set.ShardId, set.Items.Select(i => i.Key).ToArray(), e));
        PublishExpired();
    }

    private void Sweep()
    {
        _store.SweepExpired(_node.Settings.ExpirySweepSampleSize);
        PublishExpired();
    }

    private CacheError? CheckKey(string? key)
    {
        if (RequestValidation.CheckKey(key, _node.Settings) is { } problem)
            return CacheError.Invalid(problem);
        var shard = _node.Resolver.ShardOf(key!);
        return shard == _shard
            ? null
            : new CacheError(CacheErrorCode.WrongShard,
                $"Key '{RequestValidation.Shorten(key)}' belongs to shard {shard}, but shard {_shard} received it: " +
                $"client and cluster disagree on distcache.shards ({_node.Resolver.Shards} here) or distcache.hash-algorithm ({_node.Resolver.Algorithm} here).");
    }

    private CacheError? CheckWrite(string key, byte[]? value, CacheExpiry expiry, ConsistencyLevel level) =>
        Invalid(RequestValidation.CheckValue(key, value, _node.Settings)
                ?? RequestValidation.CheckExpiry(expiry)
                ?? RequestValidation.CheckConsistency(level));

    /// <summary>
    /// Split-brain protection (issue 13, fix 6): a primary that reaches only a minority of the data nodes may be on
    /// the side of a partition that the split brain resolver (keep-majority) is about to down, and the majority side
    /// will recover the shard without anything acknowledged here. So it refuses Quorum and Strong operations, before
    /// applying anything, with a retriable Unavailable; Eventual ones are still served (they promise no survival).
    /// What remains is the time before failure detection marks the other side unreachable (README, "Partitions").
    /// </summary>
    private long _reachabilityVersion = -1;
    private int _dataNodes;
    private int _reachableDataNodes;

    private CacheError? CheckMajority(ConsistencyLevel level, string operation)
    {
        if (level == ConsistencyLevel.Eventual)
            return null;
        if (_reachabilityVersion != _node.View.Version) // counted once per view change, not per request
        {
            _reachabilityVersion = _node.View.Version;
            _dataNodes = _node.View.Members.Count;
            _reachableDataNodes = _node.View.Members.Count(_node.View.IsReachable);
        }

        if (_dataNodes == 0 || _reachableDataNodes * 2 > _dataNodes)
            return null;
        return new CacheError(CacheErrorCode.Unavailable,
            $"{level} {operation} on shard {_shard} refused: this node reaches only {_reachableDataNodes} of {_dataNodes} data nodes, not a majority, " +
            "so it may be on the minority side of a partition, which the split brain resolver downs (an acknowledgement here could be lost). " +
            "Nothing was applied; retry it.");
    }

    private static CacheError? Invalid(string? problem) => problem is null ? null : CacheError.Invalid(problem);

    private void PublishExpired()
    {
        foreach (var (key, version) in _store.DrainExpired())
            Invalidated(key, InvalidationReason.Expired, version);
    }

    private void Invalidated(string key, InvalidationReason reason, EntryVersion version)
    {
        if (_node.Interest.Wants(CacheEventKind.KeyInvalidated))
            _node.Events.Tell(new KeyInvalidated(key, reason, version, _node.Time.GetUtcNow()));
    }

    private sealed class SweepTick
    {
        public static readonly SweepTick Instance = new();
    }
}

/// <summary>Local query (tests, anti-entropy checks): the primary's bucket digests of its shard.</summary>
internal sealed record GetShardDigest(int Buckets);
