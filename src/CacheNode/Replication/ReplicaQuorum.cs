using Akka.DistributedData;
using DistCacheAkka.Messages;

namespace DistCacheAkka.CacheNode.Replication;

/// <summary>
/// Consistency levels expressed as Akka.DistributedData write consistencies (Eventual = WriteLocal, Quorum =
/// WriteMajority, Strong = WriteAll, each with the operation timeout) and evaluated over a shard's replica set
/// (R nodes) instead of the whole cluster, with DData's own majority rule: min(N, max(N/2 + 1, minCapacity)).
/// </summary>
internal static class ReplicaQuorum
{
    public static IWriteConsistency ToWriteConsistency(ConsistencyLevel level, TimeSpan timeout) => level switch
    {
        ConsistencyLevel.Eventual => WriteLocal.Instance,
        ConsistencyLevel.Quorum => new WriteMajority(timeout),
        ConsistencyLevel.Strong => new WriteAll(timeout),
        _ => throw new ArgumentOutOfRangeException(nameof(level), level, "Undefined consistency level."),
    };

    /// <summary>Acknowledgements (the primary's included) that <paramref name="consistency"/> needs out of <paramref name="replicas"/>.</summary>
    public static int Required(IWriteConsistency consistency, int replicas) => consistency switch
    {
        WriteLocal => 1,
        WriteMajority m => Math.Min(replicas, Math.Max((replicas / 2) + 1, m.MinCapacity)),
        WriteAll => replicas,
        WriteTo t => Math.Min(replicas, t.Count),
        _ => replicas,
    };

    /// <summary>Replica answers (the primary's included) a read at <paramref name="level"/> needs: Eventual reads the
    /// primary, Quorum a majority of the replica set, Strong every replica (like WriteAll: an unreachable replica
    /// still counts, so a Strong read is never weaker than a Quorum read).</summary>
    public static int RequiredReads(ConsistencyLevel level, int replicas) => level switch
    {
        ConsistencyLevel.Eventual => 1,
        ConsistencyLevel.Quorum => (replicas / 2) + 1,
        _ => replicas,
    };
}
