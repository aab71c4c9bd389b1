using Akka.Actor;
using DistCacheAkka.CacheNode.Replication;
using DistCacheAkka.Messages;

namespace DistCacheAkka.CacheNode.Entries;

// Reads. Eventual reads answer from the primary. Quorum reads ask the backups and answer once a majority of the
// replica set (primary included) answered; Strong reads need every replica, reachable or not (as Strong writes do):
// with one unreachable they fail at once with ConsistencyNotMet naming it (issue 13, fix 5). The newest version wins:
// a newer copy found on a backup is applied here first, and replicas that answered with an older copy are repaired.
internal sealed partial class EntryActor
{
    private readonly PendingReads _pendingReads = new();

    private void ReadThen(IReadOnlyList<string> keys, ConsistencyLevel level, ReplyTo replyTo, Func<object> answer, Func<CacheError, object> failure)
    {
        var backups = Backups();
        var reachable = backups.Where(_node.View.IsReachable).ToArray();
        var replicas = 1 + backups.Length;
        var required = ReplicaQuorum.RequiredReads(level, replicas);
        if (required <= 1)
        {
            replyTo.Tell(answer());
            PublishExpired();
            return;
        }

        if (1 + reachable.Length < required)
        {
            replyTo.Tell(failure(ReadUnreachable(level, 1 + reachable.Length, required, replicas, backups.Except(reachable))));
            return;
        }

        var id = ++_nextRequestId;
        _pendingReads.Add(id, new PendingRead(keys, replyTo, answer, failure, level, required, replicas));
        var request = new ReadReplicaKeys(_shard, id, keys);
        foreach (var backup in reachable)
            _node.Transport.Send(backup, request, Self);
        Timers.StartSingleTimer(id, new ReadTimeout(id), _node.Settings.OperationTimeout);
    }

    private void Handle(ReplicaKeysRead read)
    {
        if (_pendingReads.Answer(read.RequestId, read.Replica, read.Entries) is not { } pending)
            return;

        Timers.Cancel(read.RequestId);
        foreach (var entries in pending.Answers.Values)
            foreach (var entry in entries)
                _store.Apply(entry); // newer copies win; older ones are ignored
        Repair(pending);
        pending.ReplyTo.Tell(pending.Answer());
        PublishExpired();
    }

    /// <summary>Sends the primary's (now newest) state of each read key to every replica that answered with less.</summary>
    private void Repair(PendingRead pending)
    {
        foreach (var (replica, entries) in pending.Answers)
        {
            var theirs = entries.ToDictionary(e => e.Key, e => e.Version, StringComparer.Ordinal);
            var stale = new List<ReplicaEntry>();
            foreach (var key in pending.Keys)
                if (_store.Export(key) is { } mine && (!theirs.TryGetValue(key, out var version) || version < mine.Version))
                    stale.Add(mine);
            if (stale.Count > 0)
                _node.Transport.Send(replica, new ReplicateEntries(_shard, 0, _self, stale), Self);
        }
    }

    private void Handle(ReadTimeout timeout)
    {
        if (_pendingReads.Expire(timeout.Id) is not { } pending)
            return;
        pending.ReplyTo.Tell(pending.Failure(ReadNotMet(pending.Level, pending.Copies, pending.Required, pending.Replicas)));
    }

    private CacheError ReadNotMet(ConsistencyLevel level, int answers, int required, int replicas) => new(
        CacheErrorCode.ConsistencyNotMet,
        $"{level} read of shard {_shard} got {answers} of {replicas} replicas' answers within " +
        $"{_node.Settings.OperationTimeout.TotalMilliseconds:0} ms; {required} were required.",
        answers, required, _node.Settings.OperationTimeout);

    private CacheError ReadUnreachable(ConsistencyLevel level, int reachable, int required, int replicas, IEnumerable<string> unreachable) => new(
        CacheErrorCode.ConsistencyNotMet,
        $"{level} read of shard {_shard} needs {required} of {replicas} replicas but only {reachable} are reachable; " +
        $"unreachable: {string.Join(", ", unreachable)}. Nothing was read.",
        reachable, required, TimeSpan.Zero);

    private sealed record ReadTimeout(long Id);
}
