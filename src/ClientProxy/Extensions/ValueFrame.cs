using System.Buffers;
using System.Buffers.Binary;

namespace DistCacheAkka.ClientProxy.Extensions;

/// <summary>
/// How <see cref="DistCacheDistributedCache"/> stores a value: the caller's bytes as they are, except for a sliding
/// entry capped by an absolute deadline, which carries a 16-byte trailer: the deadline (UTC ticks, int64
/// little-endian) and then <see cref="Magic"/>. So every other entry reads the same through
/// <see cref="IDistCacheClient.GetBytesAsync"/>, and a value of the full distcache.limits.max-value-bytes fits.
/// <para>
/// Invariant (wire format of stored values, never change): a stored value that ends with <see cref="Magic"/> and is
/// at least 16 bytes long is framed; any other is raw. A raw value that itself ends with <see cref="Magic"/> is
/// therefore stored framed with deadline 0 ("no cap"), so decoding is never ambiguous. <see cref="Magic"/> starts
/// with 0xFF, a byte valid UTF-8 never contains, so no text or JSON value ever needs that escape.
/// </para>
/// </summary>
internal static class ValueFrame
{
    /// <summary>The trailer: 8 bytes of deadline, then the 8 magic bytes.</summary>
    public const int TrailerBytes = 16;

    /// <summary>The last 8 bytes of a framed value.</summary>
    public static ReadOnlySpan<byte> Magic => [0xFF, 0xD1, 0x5C, 0xAC, 0x4E, 0xDC, 0xA7, 0x01];

    /// <summary>Whether <paramref name="payload"/> is stored with a trailer (a cap, or a payload that ends with <see cref="Magic"/>).</summary>
    public static bool NeedsTrailer(ReadOnlySequence<byte> payload, DateTimeOffset? cap) => cap is not null || EndsWithMagic(payload);

    /// <summary>The bytes to store for <paramref name="payload"/> (one copy; a multi-segment sequence is gathered).</summary>
    public static byte[] Encode(ReadOnlySequence<byte> payload, DateTimeOffset? cap)
    {
        var trailer = NeedsTrailer(payload, cap);
        var stored = new byte[payload.Length + (trailer ? TrailerBytes : 0)];
        payload.CopyTo(stored);
        if (trailer)
        {
            var at = (int)payload.Length;
            BinaryPrimitives.WriteInt64LittleEndian(stored.AsSpan(at, 8), cap?.UtcTicks ?? 0);
            Magic.CopyTo(stored.AsSpan(at + 8));
        }

        return stored;
    }

    /// <summary>The caller's bytes of a stored value, and its cap (null when it has none).</summary>
    public static (ReadOnlyMemory<byte> Payload, DateTimeOffset? Cap) Decode(byte[] stored)
    {
        if (stored.Length < TrailerBytes || !stored.AsSpan(stored.Length - Magic.Length).SequenceEqual(Magic))
            return (stored, null);
        var at = stored.Length - TrailerBytes;
        var ticks = BinaryPrimitives.ReadInt64LittleEndian(stored.AsSpan(at, 8));
        DateTimeOffset? cap = ticks <= 0 || ticks > DateTimeOffset.MaxValue.UtcTicks ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        return (stored.AsMemory(0, at), cap);
    }

    private static bool EndsWithMagic(ReadOnlySequence<byte> payload)
    {
        if (payload.Length < Magic.Length)
            return false;
        Span<byte> tail = stackalloc byte[8];
        payload.Slice(payload.Length - Magic.Length).CopyTo(tail);
        return tail.SequenceEqual(Magic);
    }
}
