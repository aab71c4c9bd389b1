namespace DistCacheAkka.CacheNode.Storage;

/// <summary>
/// Counters of one shard. Written only by the owning actor; read by the stats actor from another thread.
/// Reads are not synchronised: stats are a snapshot that may be a few operations old, never torn (64-bit).
/// </summary>
internal sealed class ShardCounters
{
    public long Hits;
    public long Misses;
    public long Sets;
    public long Removes;
    public long Expirations;
    public long Evictions;
    public long Entries;
    public long Bytes;

    /// <summary>Accounted heap bytes of the shard's slots (entries, tombstones, per-slot overhead); see EntrySize.</summary>
    public long MemoryBytes;

    public long Gets => Hits + Misses;
}
