using System.Buffers;
using System.Buffers.Binary;

namespace DistCacheAkka.Messages.DataPlane;

/// <summary>
/// The data plane's framing (a client's <see cref="CoalescedRequests"/> and the node's <see cref="CoalescedReplies"/>
/// over one TCP connection, beside Akka remoting). Pure: no sockets here, so every case is unit-tested.
/// </summary>
/// <remarks>
/// WIRE INVARIANT (append-only, like <see cref="Serialization.CacheProtocolSerializer"/>):
/// <code>
/// connection = preamble frame*         (client to node: frames of CoalescedRequests, manifest "CQ")
///                       frame*         (node to client: frames of CoalescedReplies, manifest "CR")
/// preamble   = "DCP1" (4 ASCII bytes, client to node only; a new layout gets a new preamble)
/// frame      = length (u32, little-endian, 1 .. limit) + payload (length bytes: the message's encoding by
///              CacheProtocolSerializer, the manifest implied by the direction)
/// </code>
/// A frame whose length is 0 or over the receiver's limit is refused: the receiver closes the connection.
/// </remarks>
internal static class DataPlaneFrames
{
    public const int HeaderBytes = 4;

    /// <summary>What a client sends first, so a node knows it speaks this framing (and not HTTP, or a port scan).</summary>
    public static ReadOnlySpan<byte> Preamble => "DCP1"u8;

    /// <summary>The largest frame either side accepts: two values of the largest size plus room for keys and envelope
    /// fields, the same bound as Akka remoting's maximum-frame-size of node.conf (2 MiB for the default 1 MiB values).</summary>
    public static int LimitFor(int maxValueBytes) => (int)Math.Min(int.MaxValue - HeaderBytes, 2L * maxValueBytes + 64 * 1024);

    /// <summary>Takes one complete frame off the front of <paramref name="buffer"/>: <see cref="FrameStatus.Frame"/>
    /// with its payload (and <paramref name="buffer"/> advanced past it), <see cref="FrameStatus.Incomplete"/> when
    /// more bytes are needed (nothing consumed), or <see cref="FrameStatus.Invalid"/> with the reason.</summary>
    public static FrameStatus TryRead(ref ReadOnlySequence<byte> buffer, int limit, out ReadOnlySequence<byte> payload, out string? problem)
    {
        payload = default;
        problem = null;
        if (buffer.Length < HeaderBytes)
            return FrameStatus.Incomplete;
        Span<byte> header = stackalloc byte[HeaderBytes];
        buffer.Slice(0, HeaderBytes).CopyTo(header);
        var length = BinaryPrimitives.ReadUInt32LittleEndian(header);
        if (length == 0 || length > (uint)limit)
        {
            problem = $"a frame of {length} bytes (allowed: 1 .. {limit})";
            return FrameStatus.Invalid;
        }

        if (buffer.Length < HeaderBytes + length)
            return FrameStatus.Incomplete;
        payload = buffer.Slice(HeaderBytes, length);
        buffer = buffer.Slice(HeaderBytes + length);
        return FrameStatus.Frame;
    }

    /// <summary>Checks the preamble at the front of <paramref name="buffer"/> (advanced past it when it matches).</summary>
    public static FrameStatus TryReadPreamble(ref ReadOnlySequence<byte> buffer, out string? problem)
    {
        problem = null;
        if (buffer.Length < Preamble.Length)
            return FrameStatus.Incomplete;
        Span<byte> received = stackalloc byte[Preamble.Length];
        buffer.Slice(0, Preamble.Length).CopyTo(received);
        if (!received.SequenceEqual(Preamble))
        {
            problem = $"the preamble 0x{Convert.ToHexString(received)} (expected \"DCP1\": not a DistCache data-plane client)";
            return FrameStatus.Invalid;
        }

        buffer = buffer.Slice(Preamble.Length);
        return FrameStatus.Frame;
    }

    /// <summary>Writes one frame holding <paramref name="payload"/>.</summary>
    public static void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> payload)
    {
        var span = output.GetSpan(HeaderBytes + payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)payload.Length);
        payload.CopyTo(span[HeaderBytes..]);
        output.Advance(HeaderBytes + payload.Length);
    }
}

/// <summary>The outcome of <see cref="DataPlaneFrames.TryRead"/>.</summary>
internal enum FrameStatus
{
    Frame,
    Incomplete,
    Invalid,
}
