using System.Buffers.Binary;

namespace DistCacheAkka.ClientProxy.Hybrid;

/// <summary>
/// Tag invalidation: <c>RemoveByTagAsync(tag)</c> stores the time of the removal under a reserved key (a
/// <i>marker</i>), <c>RemoveByTagAsync("*")</c> under <see cref="AllKey"/>; an entry is stale, and read as missing,
/// when a marker of one of its tags, or the "*" marker, is at or after the entry's creation. Markers are ordinary
/// cluster keys, so a removal reaches every application's near cache through the invalidation feeds.
/// <para>Invariant (wire format): a marker's value is 8 bytes, the removal time in UTC ticks, int64 little-endian.
/// Markers never expire: an entry may live as long as its own expiration, so its tags' markers must outlive it.</para>
/// </summary>
internal static class TagMarkers
{
    /// <summary>Every key the HybridCache reserves starts with this; application keys may not.</summary>
    public const string ReservedPrefix = "__hc:";

    /// <summary>The marker of <c>RemoveByTagAsync("*")</c>.</summary>
    public const string AllKey = ReservedPrefix + "all";

    /// <summary>The wildcard tag: it removes every entry and may not be carried by one.</summary>
    public const string Wildcard = "*";

    /// <summary>The marker key of <paramref name="tag"/> ("*" included).</summary>
    public static string KeyOf(string tag) => tag == Wildcard ? AllKey : ReservedPrefix + "tag:" + tag;

    public static byte[] Encode(long ticks)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, ticks);
        return bytes;
    }

    /// <summary>The removal time a marker holds; 0 (never) for a missing or malformed marker.</summary>
    public static long Decode(byte[]? marker) => marker is { Length: 8 } ? BinaryPrimitives.ReadInt64LittleEndian(marker) : 0;

    /// <summary>Whether an entry created at <paramref name="createdTicks"/> is stale given its markers' removal times
    /// (the "*" marker among them): one removal at or after its creation suffices.</summary>
    public static bool IsStale(long createdTicks, IEnumerable<long> removals) => removals.Any(removed => removed != 0 && removed >= createdTicks);

    /// <summary>The problem with <paramref name="tag"/> as an entry's tag, or null when it is fine.</summary>
    public static string? TagProblem(string? tag) =>
        string.IsNullOrEmpty(tag) ? "A tag is null or empty."
        : tag == Wildcard ? "The tag \"*\" is reserved for RemoveByTagAsync (it removes every entry); an entry may not carry it."
        : null;
}
