using DistCacheAkka.Messages;

namespace DistCacheAkka.CacheNode.Storage;

/// <summary>
/// One key's state in a shard: a live value or a tombstone. Times are UTC ticks; 0 means "never".
/// Mutable and owned by exactly one <see cref="ShardStore"/> (single-threaded by its actor).
/// </summary>
internal sealed class StoredEntry
{
    public required string Key { get; init; }
    public byte[] Value { get; set; } = [];
    public EntryVersion Version { get; set; }
    public ExpiryKind ExpiryKind { get; set; }

    /// <summary>For sliding expiry: the window, in ticks.</summary>
    public long SlidingTicks { get; set; }

    /// <summary>When a live value expires, or when a tombstone may be purged. 0 = never.</summary>
    public long DeadlineTicks { get; set; }

    public bool IsTombstone { get; set; }

    /// <summary>Position in the shard's list of entries with a deadline (for sampled sweeps); -1 if none.</summary>
    public int DeadlineSlot { get; set; } = -1;

    public long SizeBytes => IsTombstone ? 0 : Value.Length + (Key.Length * 2L);
}
