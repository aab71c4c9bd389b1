using Akka.Actor;
using Akka.Event;
using DistCacheAkka.CacheNode.Storage;
using DistCacheAkka.Messages;

namespace DistCacheAkka.CacheNode.Entries;

/// <summary>
/// The sharded entity of one shard: owns the primary copy of the shard's entries (a <see cref="ShardStore"/>),
/// validates requests, answers Get / Set / Remove / GetMany / SetMany, sweeps expired entries on a timer and
/// publishes KeyInvalidated events when someone listens. Idle passivation is off for its region: stopping it
/// would drop the shard's entries.
/// </summary>
internal sealed class EntryActor : ReceiveActor, IWithTimers
{
    private readonly NodeContext _node;
    private readonly ShardStore _store;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public EntryActor(int shardId, NodeContext node)
    {
        _node = node;
        _store = new ShardStore(shardId, epoch: 1, node.Settings.TombstoneGrace, node.Time);

        Receive<Get>(Handle);
        Receive<Set>(Handle);
        Receive<Remove>(Handle);
        Receive<GetMany>(Handle);
        Receive<SetMany>(Handle);
        Receive<SweepTick>(_ => Sweep());
        Receive<StopEntry>(_ => Context.Stop(Self));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string entityId, NodeContext node) =>
        node.Resolver.TryParse(entityId, out var shard)
            ? Akka.Actor.Props.Create(() => new EntryActor(shard, node))
            : throw new ArgumentException($"Entity id '{entityId}' is not a shard id of this cluster (0..{node.Resolver.Shards - 1}).", nameof(entityId));

    protected override void PreStart()
    {
        _node.Metrics.Register(_store.ShardId, _store.Counters);
        var interval = _node.Settings.ExpirySweepInterval;
        Timers.StartPeriodicTimer(SweepTick.Instance, SweepTick.Instance, interval, interval);
    }

    protected override void PostStop()
    {
        _node.Metrics.Unregister(_store.ShardId, _store.Counters);
        _log.Debug("Shard {0} stopped with {1} entries", _store.ShardId, _store.Counters.Entries);
    }

    private void Handle(Get get)
    {
        if (CheckKey(get.Key) is { } error)
        {
            Sender.Tell(new GetFailure(get.Key ?? "", error));
            return;
        }

        Sender.Tell(_store.TryGet(get.Key, out var value, out var version)
            ? new GetSuccess(get.Key, value, version)
            : new NotFound(get.Key));
        PublishExpired();
    }

    private void Handle(Set set)
    {
        if ((CheckKey(set.Key) ?? CheckWrite(set.Key, set.Value, set.Expiry, set.Consistency)) is { } error)
        {
            Sender.Tell(new SetFailure(set.Key ?? "", error));
            return;
        }

        var version = _store.Set(set.Key, set.Value, set.Expiry, out var overwritten);
        Sender.Tell(new SetSuccess(set.Key, version));
        if (overwritten)
            Invalidated(set.Key, InvalidationReason.Overwritten, version);
        PublishExpired();
    }

    private void Handle(Remove remove)
    {
        if ((CheckKey(remove.Key) ?? Invalid(RequestValidation.CheckConsistency(remove.Consistency))) is { } error)
        {
            Sender.Tell(new RemoveFailure(remove.Key ?? "", error));
            return;
        }

        var existed = _store.Remove(remove.Key, out var version);
        Sender.Tell(new RemoveSuccess(remove.Key, existed, version));
        if (existed)
            Invalidated(remove.Key, InvalidationReason.Removed, version);
        PublishExpired();
    }

    private void Handle(GetMany get)
    {
        foreach (var key in get.Keys)
        {
            if (CheckKey(key) is { } error)
            {
                Sender.Tell(new GetManyFailure(get.ShardId, get.Keys, error));
                return;
            }
        }

        var found = new List<CacheItem>(get.Keys.Count);
        var missing = new List<string>();
        foreach (var key in get.Keys)
        {
            if (_store.TryGet(key, out var value, out var version))
                found.Add(new CacheItem(key, value, version));
            else
                missing.Add(key);
        }

        Sender.Tell(new GetManySuccess(get.ShardId, found, missing));
        PublishExpired();
    }

    private void Handle(SetMany set)
    {
        // Validate the whole subset first: a batch is applied entirely or not at all on this shard.
        foreach (var item in set.Items)
        {
            if ((CheckKey(item.Key) ?? CheckWrite(item.Key, item.Value, set.Expiry, set.Consistency)) is { } error)
            {
                Sender.Tell(new SetManyFailure(set.ShardId, set.Items.Select(i => i.Key).ToArray(), error));
                return;
            }
        }

        var last = EntryVersion.Zero;
        foreach (var item in set.Items)
        {
            last = _store.Set(item.Key, item.Value, set.Expiry, out var overwritten);
            if (overwritten)
                Invalidated(item.Key, InvalidationReason.Overwritten, last);
        }

        Sender.Tell(new SetManySuccess(set.ShardId, set.Items.Count, last));
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
        return shard == _store.ShardId
            ? null
            : new CacheError(CacheErrorCode.WrongShard,
                $"Key '{RequestValidation.Shorten(key)}' belongs to shard {shard}, but shard {_store.ShardId} received it: " +
                $"client and cluster disagree on distcache.shards ({_node.Resolver.Shards} here) or distcache.hash-algorithm ({_node.Resolver.Algorithm} here).");
    }

    private CacheError? CheckWrite(string key, byte[]? value, CacheExpiry expiry, ConsistencyLevel level) =>
        Invalid(RequestValidation.CheckValue(key, value, _node.Settings)
                ?? RequestValidation.CheckExpiry(expiry)
                ?? RequestValidation.CheckConsistency(level));

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
