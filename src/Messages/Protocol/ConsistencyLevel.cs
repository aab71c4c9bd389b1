namespace DistCacheAkka.Messages;

/// <summary>
/// How many replicas of a key's shard must apply a write before it is acknowledged, and how many are read.
/// Wire values are append-only: never renumber.
/// </summary>
public enum ConsistencyLevel : byte
{
    /// <summary>The primary applied it; backups are updated asynchronously (DData analogue: WriteLocal).</summary>
    Eventual = 0,

    /// <summary>A majority of the R replicas applied it, the primary included (DData analogue: WriteMajority).</summary>
    Quorum = 1,

    /// <summary>All R replicas applied it (DData analogue: WriteAll).</summary>
    Strong = 2,
}
