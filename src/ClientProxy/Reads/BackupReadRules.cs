using DistCacheAkka.Messages;

namespace DistCacheAkka.ClientProxy.Reads;

/// <summary>
/// The rules of a read served by backups while the shard's primary is unreachable (no Akka here).
/// An Eventual read needs one backup's answer. A Quorum read needs R - W + 1 backups, W = floor(R/2) + 1 being the
/// replicas a Quorum write reached: then the backups read and the replicas written always share one, so every write
/// acknowledged at Quorum is seen (R = 2: the one backup; R = 3: both backups). Strong reads are never served this
/// way: they need every replica, the primary included.
/// </summary>
internal static class BackupReadRules
{
    /// <summary>Backup answers a read at <paramref name="level"/> needs with <paramref name="replicas"/> replicas per
    /// shard, or null if the level may not be served by backups.</summary>
    public static int? RequiredAnswers(ConsistencyLevel level, int replicas) => level switch
    {
        ConsistencyLevel.Eventual => 1,
        ConsistencyLevel.Quorum => Math.Max(1, replicas - (replicas / 2 + 1) + 1),
        _ => null,
    };

    /// <summary>The newest entry of each key over every answer (values and tombstones alike).</summary>
    public static Dictionary<string, ReplicaEntry> Newest(IEnumerable<IReadOnlyList<ReplicaEntry>> answers)
    {
        var newest = new Dictionary<string, ReplicaEntry>(StringComparer.Ordinal);
        foreach (var entries in answers)
            foreach (var entry in entries)
                if (!newest.TryGetValue(entry.Key, out var seen) || seen.Version < entry.Version)
                    newest[entry.Key] = entry;
        return newest;
    }

    /// <summary>A live value: not a tombstone and not past its absolute deadline (UTC ticks, 0 = never).</summary>
    public static bool IsLive(ReplicaEntry entry, DateTimeOffset now) =>
        !entry.IsTombstone && (entry.DeadlineTicks == 0 || entry.DeadlineTicks > now.UtcTicks);

    /// <summary>The reply to <paramref name="command"/> (Get or GetMany) from the newest entries read.</summary>
    public static object Answer(object command, IReadOnlyDictionary<string, ReplicaEntry> newest, DateTimeOffset now)
    {
        switch (command)
        {
            case Get get:
                return newest.TryGetValue(get.Key, out var entry) && IsLive(entry, now)
                    ? new GetSuccess(get.Key, entry.Value, entry.Version)
                    : new NotFound(get.Key);
            case GetMany many:
                var found = new List<CacheItem>(many.Keys.Count);
                var missing = new List<string>();
                foreach (var key in many.Keys)
                {
                    if (newest.TryGetValue(key, out var e) && IsLive(e, now))
                        found.Add(new CacheItem(key, e.Value, e.Version));
                    else
                        missing.Add(key);
                }

                return new GetManySuccess(many.ShardId, found, missing);
            default:
                throw new ArgumentException($"{command.GetType().Name} is not a read.", nameof(command));
        }
    }

    public static object Failure(object command, CacheError error) => command switch
    {
        Get get => new GetFailure(get.Key, error),
        GetMany many => new GetManyFailure(many.ShardId, many.Keys, error),
        _ => throw new ArgumentException($"{command.GetType().Name} is not a read.", nameof(command)),
    };
}
