namespace DistCacheAkka.Messages;

/// <summary>Ask one node's stats actor for its counters. Replies with <see cref="CacheStats"/>.</summary>
public sealed record GetCacheStats : ICacheMessage
{
    public static readonly GetCacheStats Instance = new();
}

/// <summary>
/// One data node's counters. Entries and bytes are current values; hits, misses, gets, sets, removes,
/// expirations and evictions count since the node started. MemoryUsedBytes is what the node's memory budget accounts
/// (primary and backup entries, tombstones, per-entry overhead) against MemoryLimitBytes (distcache.memory.limit).
/// </summary>
public sealed record CacheStats(
    string Node,
    long PrimaryEntries,
    long BackupEntries,
    long Bytes,
    long Hits,
    long Misses,
    long Gets,
    long Sets,
    long Removes,
    long Expirations,
    long Evictions,
    int ShardsOwned,
    long ReplicationQueue,
    long MemoryUsedBytes = 0,
    long MemoryLimitBytes = 0) : ICacheMessage;
