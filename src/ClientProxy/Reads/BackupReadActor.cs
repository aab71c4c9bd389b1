using Akka.Actor;
using Akka.Cluster.Sharding;
using DistCacheAkka.Messages;

namespace DistCacheAkka.ClientProxy.Reads;

/// <summary>
/// One Eventual or Quorum read (Get, or a GetMany part) while some data node is unreachable. Phases:
/// <b>Locating</b> asks the region proxy where the shard lives (remembered per view version in
/// <see cref="ShardLocations"/>). The proxy answers once the shard's region answered or the query's own timeout passed
/// — for a shard on the unreachable node, after that timeout, hence a short one. If the shard's node is reachable, or
/// its location is unknown, the read goes to the region as usual, with the caller as sender. Otherwise <b>ReadingBackups</b>: the read goes straight to the shard's reachable backups'
/// replicators (<see cref="ReadReplicaKeys"/>), and once enough answered (<see cref="BackupReadRules"/>) the newest
/// version of each key is the answer. Messages sent to the unreachable primary would only wait for failover.
/// Not guaranteed: an Eventual read from a backup may miss the primary's last Eventual writes (not replicated yet),
/// and backups keep a sliding entry's last written deadline. Stops itself after replying.
/// </summary>
internal sealed class BackupReadActor : ReceiveActor, IWithTimers
{
    private readonly object _command;
    private readonly int _shard;
    private readonly IReadOnlyList<string> _keys;
    private readonly ConsistencyLevel _level;
    private readonly IActorRef _region;
    private readonly IActorRef _replyTo;
    private readonly DataNodeView _view;
    private readonly ShardLocations _locations;
    private readonly long _viewVersion;
    private readonly BackupReads.Send _send;
    private readonly TimeSpan _timeout;
    private readonly Dictionary<string, IReadOnlyList<ReplicaEntry>> _answers = new(StringComparer.Ordinal);
    private string _primary = "";
    private int _required;

    public BackupReadActor(
        BackupRead read, IActorRef region, IActorRef replyTo, DataNodeView view, ShardLocations locations, BackupReads.Send send, TimeSpan timeout)
    {
        _command = read.Command;
        _shard = read.ShardId;
        _keys = read.Keys;
        _level = read.Level;
        _region = region;
        _replyTo = replyTo;
        _view = view;
        _viewVersion = view.Version;
        _locations = locations;
        _send = send;
        _timeout = timeout;
        Receive<EntityLocation>(location =>
        {
            Timers.Cancel(LocateTimeout.Instance);
            var node = location.ShardRegion is { } address && address != Address.AllSystems && address.HasGlobalScope ? address.ToString() : "";
            if (node.Length > 0)
                _locations.Set(_shard, _viewVersion, node);
            Located(node);
        });
        Receive<LocateTimeout>(_ => ForwardToRegion());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(
        BackupRead read, IActorRef region, IActorRef replyTo, DataNodeView view, ShardLocations locations, BackupReads.Send send, TimeSpan timeout) =>
        Akka.Actor.Props.Create(() => new BackupReadActor(read, region, replyTo, view, locations, send, timeout));

    protected override void PreStart()
    {
        if (_locations.TryGet(_shard, _viewVersion, out var known))
        {
            Located(known);
            return;
        }

        // Our own deadline leaves room for the proxy's answer after its query timeout; past it, the ordinary path.
        var locate = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(100).Ticks, _timeout.Ticks / 10));
        _region.Tell(new GetEntityLocation(_shard.ToString(System.Globalization.CultureInfo.InvariantCulture), locate));
        Timers.StartSingleTimer(LocateTimeout.Instance, LocateTimeout.Instance, locate * 3);
    }

    private void Located(string primary)
    {
        if (primary.Length == 0 || !_view.IsUnreachable(primary))
        {
            ForwardToRegion();
            return;
        }

        _primary = primary;
        var backups = _view.BackupsFor(_shard, primary);
        var reachable = backups.Where(b => !_view.IsUnreachable(b)).ToList();
        _required = BackupReadRules.RequiredAnswers(_level, 1 + backups.Count) ?? int.MaxValue;
        if (reachable.Count < _required)
        {
            Fail(reachable.Count);
            return;
        }

        var request = new ReadReplicaKeys(_shard, 1, _keys);
        foreach (var backup in reachable)
            _send(backup, request, Self);
        Become(ReadingBackups);
        Timers.StartSingleTimer(ReadTimeout.Instance, ReadTimeout.Instance, _timeout);
    }

    private void ReadingBackups()
    {
        Receive<ReplicaKeysRead>(read =>
        {
            if (read.ShardId != _shard || !_answers.TryAdd(read.Replica, read.Entries) || _answers.Count < _required)
                return;
            _replyTo.Tell(BackupReadRules.Answer(_command, BackupReadRules.Newest(_answers.Values), DateTimeOffset.UtcNow));
            Context.Stop(Self);
        });
        Receive<ReadTimeout>(_ => Fail(_answers.Count));
    }

    private void ForwardToRegion()
    {
        _region.Tell(_command, _replyTo);
        Context.Stop(Self);
    }

    private void Fail(int answers)
    {
        _replyTo.Tell(BackupReadRules.Failure(_command, new CacheError(CacheErrorCode.ConsistencyNotMet,
            $"{_level} read of shard {_shard}: its primary {_primary} is unreachable, and {answers} of the {_required} " +
            $"backup answers required came within {_timeout.TotalMilliseconds:0} ms. Retry; the node will be downed or recover.",
            answers, _required, _timeout)));
        Context.Stop(Self);
    }

    private sealed class LocateTimeout
    {
        public static readonly LocateTimeout Instance = new();
    }

    private sealed class ReadTimeout
    {
        public static readonly ReadTimeout Instance = new();
    }
}

/// <summary>A read that may be served by backups: the command (Get or GetMany), its shard, keys and level.</summary>
internal sealed record BackupRead(object Command, int ShardId, IReadOnlyList<string> Keys, ConsistencyLevel Level);
