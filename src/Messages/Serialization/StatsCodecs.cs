namespace DistCacheAkka.Messages.Serialization;

/// <summary>
/// Wire codecs of the stats query and its reply. WIRE INVARIANT: append-only (see <see cref="CacheProtocolSerializer"/>).
/// </summary>
/// <remarks>
/// <code>
/// ST  GetCacheStats       (empty)
/// STS CacheStats          Node string, PrimaryEntries, BackupEntries, Bytes, Hits, Misses, Gets, Sets, Removes,
///                         Expirations, Evictions (longs), ShardsOwned int, ReplicationQueue long,
///                         MemoryUsedBytes long, MemoryLimitBytes long
/// </code>
/// </remarks>
internal static class StatsCodecs
{
    public static readonly MessageCodec[] All =
    [
        // Stateless: share the instance instead of allocating.
        MessageCodec.Of<GetCacheStats>("ST",
            static (ref WireWriter _, GetCacheStats _) => { },
            static (ref WireReader _) => GetCacheStats.Instance),

        MessageCodec.Of<CacheStats>("STS",
            static (ref WireWriter w, CacheStats m) =>
            {
                w.WriteString(m.Node, "CacheStats.Node");
                w.WriteVarInt64(m.PrimaryEntries);
                w.WriteVarInt64(m.BackupEntries);
                w.WriteVarInt64(m.Bytes);
                w.WriteVarInt64(m.Hits);
                w.WriteVarInt64(m.Misses);
                w.WriteVarInt64(m.Gets);
                w.WriteVarInt64(m.Sets);
                w.WriteVarInt64(m.Removes);
                w.WriteVarInt64(m.Expirations);
                w.WriteVarInt64(m.Evictions);
                w.WriteVarInt32(m.ShardsOwned);
                w.WriteVarInt64(m.ReplicationQueue);
                w.WriteVarInt64(m.MemoryUsedBytes);
                w.WriteVarInt64(m.MemoryLimitBytes);
            },
            static (ref WireReader r) => new CacheStats(
                r.ReadString(),
                r.ReadVarInt64(),
                r.ReadVarInt64(),
                r.ReadVarInt64(),
                r.ReadVarInt64(),
                r.ReadVarInt64(),
                r.ReadVarInt64(),
                r.ReadVarInt64(),
                r.ReadVarInt64(),
                r.ReadVarInt64(),
                r.ReadVarInt64(),
                r.ReadVarInt32(),
                r.ReadVarInt64(),
                r.ReadVarInt64(),
                r.ReadVarInt64())),
    ];
}
