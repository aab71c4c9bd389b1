namespace DistCacheAkka.CacheNode.Memory;

/// <summary>What a backup's node, over its memory budget, asks of the primary of a shard it backs up
/// (<see cref="MemoryBudget.PressureOf"/>). Backups never evict on their own.</summary>
internal enum BackupPressure
{
    /// <summary>The backup's node has room.</summary>
    None,

    /// <summary>The backup's node is at or just over its limit: evict as much as each write adds.</summary>
    Hold,

    /// <summary>The backup's node is more than 2% over: evict twice what each write adds.</summary>
    Shrink,
}
