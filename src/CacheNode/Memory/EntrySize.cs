namespace DistCacheAkka.CacheNode.Memory;

/// <summary>
/// What one slot of a <see cref="Storage.ShardStore"/> costs on the managed heap (64-bit runtime): its key string, its
/// value array and a fixed overhead per slot. The overhead was measured, not guessed: <c>EntrySizeSpecs</c> inserts
/// 200,000 entries and compares the accounted bytes with the GC heap's growth (within 10% for 100-byte and 1 KiB
/// values), and bench/RESULTS.md records the figures next to Redis's used_memory per key.
/// </summary>
internal static class EntrySize
{
    /// <summary>
    /// Per slot beyond the key and value objects: the <see cref="Storage.StoredEntry"/> object (~96 bytes), its
    /// Dictionary entry and bucket (~28 bytes, plus the table's growth slack: capacities double), and its slots in the
    /// sampling lists (8 bytes each, with the same slack). Measured: 149.2 bytes per slot at 200,000 entries.
    /// </summary>
    public const int SlotOverheadBytes = 150;

    /// <summary>A string of <paramref name="chars"/> UTF-16 characters: header, method table, length, chars and terminator.</summary>
    public static long StringBytes(int chars) => Align8(22L + (2L * chars));

    /// <summary>A byte array of <paramref name="length"/> bytes; the empty array is a shared singleton.</summary>
    public static long ArrayBytes(int length) => length == 0 ? 0 : Align8(24L + length);

    /// <summary>The cost of a slot holding <paramref name="key"/> and a value of <paramref name="valueLength"/> bytes.</summary>
    public static long Of(string key, int valueLength) => SlotOverheadBytes + StringBytes(key.Length) + ArrayBytes(valueLength);

    private static long Align8(long bytes) => (bytes + 7) & ~7L;
}
