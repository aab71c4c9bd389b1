using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.Serialization;
using System.Text;
using System.Text.Unicode;

namespace DistCacheAkka.Messages.Serialization;

/// <summary>
/// Appends the primitives of the DistCache wire format to a growable scratch buffer, then copies the result into
/// one exact-sized array. The scratch buffer is cached per thread, so encoding a message allocates only its
/// output array. The encodings here are part of the wire INVARIANT described on <see cref="CacheProtocolSerializer"/>:
/// changing any of them breaks mixed-version clusters.
/// </summary>
internal ref struct WireWriter
{
    private const int InitialSize = 1024;

    // Larger scratch buffers are dropped after use: one huge batch must not pin megabytes per thread forever.
    private const int MaxRetainedSize = 256 * 1024;

    // Strict encoder: a string with a lone surrogate cannot be represented in UTF-8; replacing it with U+FFFD
    // (the default) would silently change a key and route it to a different shard.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    [ThreadStatic]
    private static byte[]? t_scratch;

    private byte[] _buffer;
    private int _position;

    private WireWriter(byte[] buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    /// <summary>Takes the calling thread's scratch buffer (or a new one). Always pair with <see cref="Release"/>
    /// (in a finally block).</summary>
    public static WireWriter Rent()
    {
        // Taking the buffer out of the slot (rather than sharing it) keeps a re-entrant use on the same thread
        // from overwriting bytes still being written; it would simply allocate its own.
        var buffer = t_scratch ?? new byte[InitialSize];
        t_scratch = null;
        return new WireWriter(buffer);
    }

    public readonly int Length => _position;

    /// <summary>The single allocation of a serialization: the exact-sized output.</summary>
    public readonly byte[] ToArray() => _position == 0 ? [] : _buffer.AsSpan(0, _position).ToArray();

    /// <summary>Returns the scratch buffer to the thread slot (also on failure paths, so a throw does not lose it).
    /// The writer is unusable afterwards.</summary>
    public void Release()
    {
        if (_buffer.Length is > 0 and <= MaxRetainedSize)
            t_scratch = _buffer;
        _buffer = [];
        _position = 0;
    }

    public void WriteByte(byte value)
    {
        EnsureCapacity(1);
        _buffer[_position++] = value;
    }

    public void WriteBool(bool value) => WriteByte(value ? (byte)1 : (byte)0);

    /// <summary>Unsigned LEB128: 7 bits per byte, least significant group first, high bit = more bytes follow.
    /// At most 10 bytes for 64 bits.</summary>
    public void WriteVarUInt64(ulong value)
    {
        EnsureCapacity(10);
        var buffer = _buffer;
        var position = _position;
        while (value >= 0x80)
        {
            buffer[position++] = (byte)(value | 0x80);
            value >>= 7;
        }
        buffer[position++] = (byte)value;
        _position = position;
    }

    /// <summary>Zig-zag maps small magnitudes of either sign to small unsigned values (0,-1,1,-2 → 0,1,2,3),
    /// so negative numbers do not always cost 10 bytes.</summary>
    public void WriteVarInt64(long value) => WriteVarUInt64((ulong)((value << 1) ^ (value >> 63)));

    public void WriteVarInt32(int value) => WriteVarInt64(value);

    /// <summary>
    /// An id, count or tick value that the protocol defines as never negative. Still zig-zag (the same primitive as
    /// every other int / long, at the cost of one bit), but a negative value is refused here, by field name, rather
    /// than by the receiver, far from the bug.
    /// </summary>
    public void WriteNonNegativeVarInt64(long value, string field)
    {
        if (value < 0)
            ThrowNegative(field, value);
        WriteVarInt64(value);
    }

    /// <inheritdoc cref="WriteNonNegativeVarInt64"/>
    public void WriteNonNegativeVarInt32(int value, string field)
    {
        if (value < 0)
            ThrowNegative(field, value);
        WriteVarInt64(value);
    }

    /// <summary>Fixed 8 bytes, little-endian. Used for hash digests: their bits are uniformly distributed, so a
    /// varint would almost always take 9 or 10 bytes.</summary>
    public void WriteFixedUInt64(ulong value)
    {
        EnsureCapacity(8);
        BinaryPrimitives.WriteUInt64LittleEndian(_buffer.AsSpan(_position, 8), value);
        _position += 8;
    }

    /// <summary>A length or element count: never negative, so no zig-zag.</summary>
    public void WriteCount(int count) => WriteVarUInt64((uint)count);

    public void WriteTimeSpan(TimeSpan value) => WriteVarInt64(value.Ticks);

    /// <summary>UTC ticks (unsigned varint) then the offset in whole minutes (zig-zag): keeps both the instant
    /// and the sender's offset, which <see cref="DateTimeOffset"/> equality alone would ignore.</summary>
    public void WriteDateTimeOffset(DateTimeOffset value)
    {
        WriteVarUInt64((ulong)value.UtcTicks);
        WriteVarInt32(value.TotalOffsetMinutes);
    }

    public void WriteVersion(EntryVersion version)
    {
        WriteVarInt64(version.Epoch);
        WriteVarInt64(version.Sequence);
    }

    /// <summary>Varint byte length then the bytes. A null array is a bug of the sender: refuse it by field name
    /// rather than invent an empty value.</summary>
    public void WriteBytes(byte[]? value, string field)
    {
        if (value is null)
            ThrowNullField(field);
        WriteCount(value.Length);
        EnsureCapacity(value.Length);
        value.CopyTo(_buffer.AsSpan(_position));
        _position += value.Length;
    }

    /// <summary>Varint UTF-8 byte length then the UTF-8 bytes.</summary>
    public void WriteString(string? value, string field)
    {
        if (value is null)
            ThrowNullField(field);

        // Fast path for the usual short key: at most 3 UTF-8 bytes per UTF-16 char, so below 128 bytes the length
        // prefix is known to take one byte; encode straight into place and patch the prefix afterwards.
        if (value.Length <= 127 / 3)
        {
            EnsureCapacity(1 + value.Length * 3);
            var lengthAt = _position;
            var written = EncodeUtf8(value, _buffer.AsSpan(lengthAt + 1), field);
            _buffer[lengthAt] = (byte)written;
            _position = lengthAt + 1 + written;
            return;
        }

        int byteCount;
        try
        {
            byteCount = StrictUtf8.GetByteCount(value);
        }
        catch (EncoderFallbackException e)
        {
            throw new SerializationException($"Field {field} is not valid UTF-16 (lone surrogate); it cannot be sent.", e);
        }
        WriteCount(byteCount);
        EnsureCapacity(byteCount);
        _position += EncodeUtf8(value, _buffer.AsSpan(_position), field);
    }

    /// <summary>Count then elements; a null list or element is refused by field name.</summary>
    public void WriteStringList(IReadOnlyList<string>? values, string field)
    {
        if (values is null)
            ThrowNullField(field);
        var count = values.Count;
        WriteCount(count);
        // An indexer loop, not foreach: foreach over the interface would box the list's enumerator.
        for (var i = 0; i < count; i++)
        {
            var item = values[i];
            if (item is null)
                ThrowNullElement(field, i);
            WriteString(item, field);
        }
    }

    /// <summary>Count then fixed 8-byte little-endian values; a null list is refused by field name.</summary>
    public void WriteFixedUInt64List(IReadOnlyList<ulong>? values, string field)
    {
        if (values is null)
            ThrowNullField(field);
        var count = values.Count;
        WriteCount(count);
        for (var i = 0; i < count; i++)
            WriteFixedUInt64(values[i]);
    }

    /// <summary>Count then zig-zag varints, each refused if negative (bucket indices); a null list is refused by
    /// field name.</summary>
    public void WriteNonNegativeInt32List(IReadOnlyList<int>? values, string field)
    {
        if (values is null)
            ThrowNullField(field);
        var count = values.Count;
        WriteCount(count);
        for (var i = 0; i < count; i++)
        {
            var value = values[i];
            if (value < 0)
                ThrowNegativeElement(field, i, value);
            WriteVarInt64(value);
        }
    }

    private static int EncodeUtf8(string value, Span<byte> destination, string field)
    {
        var status = Utf8.FromUtf16(value, destination, out _, out var written, replaceInvalidSequences: false);
        if (status != OperationStatus.Done)
            throw new SerializationException($"Field {field} is not valid UTF-16 (lone surrogate); it cannot be sent.");
        return written;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void EnsureCapacity(int extra)
    {
        if ((uint)(_position + extra) > (uint)_buffer.Length)
            Grow(extra);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int extra)
    {
        var required = (long)_position + extra;
        if (required > Array.MaxLength)
            throw new SerializationException($"Message is larger than the largest array ({required} bytes).");
        var size = Math.Max(_buffer.Length * 2L, InitialSize);
        while (size < required)
            size *= 2;
        var grown = new byte[Math.Min(size, Array.MaxLength)];
        _buffer.AsSpan(0, _position).CopyTo(grown);
        _buffer = grown;
    }

    [DoesNotReturn]
    internal static void ThrowNullField(string field) =>
        throw new SerializationException($"Field {field} is null; protocol messages carry no nulls.");

    [DoesNotReturn]
    private static void ThrowNegative(string field, long value) =>
        throw new SerializationException($"Field {field} is negative ({value}); the protocol defines it as non-negative.");

    [DoesNotReturn]
    private static void ThrowNegativeElement(string field, int index, long value) =>
        throw new SerializationException($"Field {field}[{index}] is negative ({value}); the protocol defines it as non-negative.");

    [DoesNotReturn]
    private static void ThrowNullElement(string field, int index) =>
        throw new SerializationException($"Field {field}[{index}] is null; protocol messages carry no nulls.");
}
