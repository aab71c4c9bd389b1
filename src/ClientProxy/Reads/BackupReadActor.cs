using Akka.Actor;
using DistCacheAkka.Messages;

namespace DistCacheAkka.ClientProxy.Reads;

/// <summary>
/// One Eventual or Quorum read (Get, or a GetMany part) of a shard whose primary the client's topology marks
/// unreachable (failure detected, not yet downed): the read goes straight to the shard's reachable backups'
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
    private readonly IActorRef _replyTo;
    private readonly DataNodeView _view;
    private readonly BackupReads.Send _send;
    private readonly TimeSpan _timeout;
    private readonly Dictionary<string, IReadOnlyList<ReplicaEntry>> _answers = new(StringComparer.Ordinal);
    private readonly string _primary;
    private int _required;

    public BackupReadActor(BackupRead read, string primary, IActorRef replyTo, DataNodeView view, BackupReads.Send send, TimeSpan timeout)
    {
        _command = read.Command;
        _shard = read.ShardId;
        _keys = read.Keys;
        _level = read.Level;
        _primary = primary;
        _replyTo = replyTo;
        _view = view;
        _send = send;
        _timeout = timeout;
        ReadingBackups();
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(BackupRead read, string primary, IActorRef replyTo, DataNodeView view, BackupReads.Send send, TimeSpan timeout) =>
        Akka.Actor.Props.Create(() => new BackupReadActor(read, primary, replyTo, view, send, timeout));

    protected override void PreStart()
    {
        var backups = _view.BackupsFor(_shard, _primary);
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

    private void Fail(int answers)
    {
        _replyTo.Tell(BackupReadRules.Failure(_command, new CacheError(CacheErrorCode.ConsistencyNotMet,
            $"{_level} read of shard {_shard}: its primary {_primary} is unreachable, and {answers} of the {_required} " +
            $"backup answers required came within {_timeout.TotalMilliseconds:0} ms. Retry; the node will be downed or recover.",
            answers, _required, _timeout)));
        Context.Stop(Self);
    }

    private sealed class ReadTimeout
    {
        public static readonly ReadTimeout Instance = new();
    }
}

/// <summary>A read that may be served by backups: the command (Get or GetMany), its shard, keys and level.</summary>
internal sealed record BackupRead(object Command, int ShardId, IReadOnlyList<string> Keys, ConsistencyLevel Level);
