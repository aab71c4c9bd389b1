using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace DistCacheAkka.ClientProxy.Hybrid;

/// <summary>
/// How the HybridCache stores an entry in the cluster: a header, then the serializer's payload.
/// <para>
/// Invariant (wire format of stored values; append-only: a new layout takes a new <see cref="Version"/>):
/// byte 0 is <see cref="Magic"/> (0xFE, never a byte of UTF-8, so text stored by other means is not mistaken for an
/// entry), byte 1 the format version (1), bytes 2–9 the creation time (UTC ticks, int64 little-endian), bytes 10–11
/// the tag count (uint16 LE), then per tag its UTF-8 length (uint16 LE) and bytes; the payload fills the rest.
/// A value that does not decode is treated as missing, never as an error.
/// </para>
/// </summary>
internal static class HybridEntry
{
    public const byte Magic = 0xFE;
    public const byte Version = 1;
    private const int FixedBytes = 12;

    /// <summary>Writes the header of an entry created at <paramref name="createdTicks"/> carrying <paramref name="tags"/>.</summary>
    /// <exception cref="ArgumentException">More than 65,535 tags, or a tag longer than 65,535 UTF-8 bytes.</exception>
    public static void WriteHeader(IBufferWriter<byte> writer, long createdTicks, IReadOnlyList<string> tags)
    {
        if (tags.Count > ushort.MaxValue)
            throw new ArgumentException($"An entry carries {tags.Count} tags; at most {ushort.MaxValue} fit.", nameof(tags));
        var head = writer.GetSpan(FixedBytes);
        head[0] = Magic;
        head[1] = Version;
        BinaryPrimitives.WriteInt64LittleEndian(head[2..], createdTicks);
        BinaryPrimitives.WriteUInt16LittleEndian(head[10..], (ushort)tags.Count);
        writer.Advance(FixedBytes);
        foreach (var tag in tags)
        {
            var length = Encoding.UTF8.GetByteCount(tag);
            if (length > ushort.MaxValue)
                throw new ArgumentException($"A tag of {length} UTF-8 bytes is too long; at most {ushort.MaxValue}.", nameof(tags));
            var span = writer.GetSpan(2 + length);
            BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)length);
            Encoding.UTF8.GetBytes(tag, span[2..]);
            writer.Advance(2 + length);
        }
    }

    /// <summary>The header of <paramref name="stored"/> and where its payload starts, or null when it is not an entry
    /// of a known version (truncated, foreign, or from a newer format).</summary>
    public static Header? TryRead(ReadOnlySpan<byte> stored)
    {
        if (stored.Length < FixedBytes || stored[0] != Magic || stored[1] != Version)
            return null;
        var created = BinaryPrimitives.ReadInt64LittleEndian(stored[2..]);
        int count = BinaryPrimitives.ReadUInt16LittleEndian(stored[10..]);
        var at = FixedBytes;
        var tags = count == 0 ? [] : new string[count];
        for (var i = 0; i < count; i++)
        {
            if (stored.Length - at < 2)
                return null;
            int length = BinaryPrimitives.ReadUInt16LittleEndian(stored[at..]);
            at += 2;
            if (stored.Length - at < length)
                return null;
            tags[i] = Encoding.UTF8.GetString(stored.Slice(at, length));
            at += length;
        }

        return new Header(created, tags, at);
    }

    /// <summary>A decoded header.</summary>
    /// <param name="CreatedTicks">When the entry's value was produced (UTC ticks; for GetOrCreateAsync, when its factory started).</param>
    /// <param name="Tags">The entry's tags, in the order given.</param>
    /// <param name="PayloadOffset">Where the serializer's bytes start.</param>
    public sealed record Header(long CreatedTicks, string[] Tags, int PayloadOffset);
}
