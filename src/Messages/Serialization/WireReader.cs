using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.Serialization;
using System.Text;
using System.Text.Unicode;

namespace DistCacheAkka.Messages.Serialization;

/// <summary>
/// Reads the primitives written by <see cref="WireWriter"/> from untrusted bytes. Every failure is a
/// <see cref="SerializationException"/> naming the manifest and offset. Lengths and counts are checked against the
/// bytes that remain BEFORE anything is allocated, so a corrupted prefix cannot make the reader allocate more than
/// a small multiple of the input; varints stop at 10 bytes, so nothing loops on garbage.
/// </summary>
internal ref struct WireReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly string _manifest;
    private int _position;

    public WireReader(ReadOnlySpan<byte> data, string manifest)
    {
        _data = data;
        _manifest = manifest;
        _position = 0;
    }

    public readonly int Remaining => _data.Length - _position;

    public byte ReadByte()
    {
        if ((uint)_position >= (uint)_data.Length)
            ThrowTruncated(1);
        return _data[_position++];
    }

    /// <summary>Only 0 and 1: accepting any non-zero byte would let two encodings mean the same message and
    /// hide corruption.</summary>
    public bool ReadBool()
    {
        var value = ReadByte();
        if (value > 1)
            Fail($"boolean byte is {value}, expected 0 or 1");
        return value == 1;
    }

    /// <summary>An enum stored as one byte, accepted only up to <paramref name="maxDefined"/>. The protocol's wire
    /// enums are contiguous from 0 (append-only), so a range check is the whole "is defined" test.</summary>
    public byte ReadEnum(byte maxDefined, string enumName)
    {
        var value = ReadByte();
        if (value > maxDefined)
            Fail($"{value} is not a defined {enumName}");
        return value;
    }

    /// <summary>Unsigned LEB128, at most 10 bytes; the 10th byte may carry only the 64th bit.</summary>
    public ulong ReadVarUInt64()
    {
        var data = _data;
        var position = _position;
        ulong result = 0;
        for (var shift = 0; shift < 63; shift += 7)
        {
            if ((uint)position >= (uint)data.Length)
                ThrowTruncated(1);
            var b = data[position++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                _position = position;
                return result;
            }
        }

        // Ten bytes read so far would be nine groups (63 bits); the tenth byte holds bit 63 only and must end it.
        if ((uint)position >= (uint)data.Length)
            ThrowTruncated(1);
        var last = data[position++];
        if (last > 1)
            Fail("varint is longer than 10 bytes or overflows 64 bits");
        _position = position;
        return result | ((ulong)last << 63);
    }

    public long ReadVarInt64()
    {
        var raw = ReadVarUInt64();
        return (long)(raw >> 1) ^ -(long)(raw & 1);
    }

    public int ReadVarInt32()
    {
        var value = ReadVarInt64();
        if (value is < int.MinValue or > int.MaxValue)
            Fail($"{value} does not fit a 32-bit integer");
        return (int)value;
    }

    /// <summary>An id, count or tick value the protocol defines as non-negative: a negative one can only come
    /// from corruption or a broken sender, and letting it through would surface far away (an index out of range, a
    /// deadline in year 0), so it is refused here naming <paramref name="field"/>.</summary>
    public long ReadNonNegativeVarInt64(string field)
    {
        var value = ReadVarInt64();
        if (value < 0)
            Fail($"{field} is negative ({value}); ids, counts and ticks are never negative on the wire");
        return value;
    }

    /// <inheritdoc cref="ReadNonNegativeVarInt64"/>
    public int ReadNonNegativeVarInt32(string field)
    {
        var value = ReadVarInt32();
        if (value < 0)
            Fail($"{field} is negative ({value}); ids, counts and ticks are never negative on the wire");
        return value;
    }

    /// <summary>Fixed 8 bytes, little-endian (hash digests).</summary>
    public ulong ReadFixedUInt64()
    {
        if (Remaining < 8)
            ThrowTruncated(8);
        var value = BinaryPrimitives.ReadUInt64LittleEndian(_data.Slice(_position, 8));
        _position += 8;
        return value;
    }

    /// <summary>
    /// A length or element count, checked against the remaining input: <paramref name="minElementBytes"/> is the
    /// smallest encoding of one element, so a count that could not possibly be satisfied is refused before the
    /// caller allocates an array for it.
    /// </summary>
    public int ReadCount(int minElementBytes)
    {
        var count = ReadVarUInt64();
        if (count > (ulong)(Remaining / minElementBytes))
            Fail($"count {count} exceeds what the {Remaining} remaining bytes can hold");
        return (int)count;
    }

    public TimeSpan ReadTimeSpan() => new(ReadVarInt64());

    public DateTimeOffset ReadDateTimeOffset()
    {
        var utcTicks = ReadVarUInt64();
        if (utcTicks > (ulong)DateTime.MaxValue.Ticks)
            Fail($"UTC ticks {utcTicks} are beyond DateTime.MaxValue");
        var offsetMinutes = ReadVarInt32();
        // DateTimeOffset allows offsets of at most 14 hours.
        if (offsetMinutes is < -14 * 60 or > 14 * 60)
            Fail($"offset {offsetMinutes} minutes is beyond ±14 hours");
        var localTicks = (long)utcTicks + offsetMinutes * TimeSpan.TicksPerMinute;
        if (localTicks < 0 || localTicks > DateTime.MaxValue.Ticks)
            Fail("local time of the timestamp is out of the DateTime range");
        return new DateTimeOffset(localTicks, new TimeSpan(offsetMinutes * TimeSpan.TicksPerMinute));
    }

    public EntryVersion ReadVersion()
    {
        var epoch = ReadVarInt64();
        return new EntryVersion(epoch, ReadVarInt64());
    }

    public byte[] ReadBytes()
    {
        var length = ReadCount(1);
        if (length == 0)
            return [];
        var result = _data.Slice(_position, length).ToArray();
        _position += length;
        return result;
    }

    /// <summary>UTF-8 with a varint byte length. Invalid UTF-8 is refused rather than replaced with U+FFFD:
    /// a replaced key would be a different key.</summary>
    public string ReadString()
    {
        var length = ReadCount(1);
        if (length == 0)
            return string.Empty;
        var bytes = _data.Slice(_position, length);
        if (!Utf8.IsValid(bytes))
            Fail("string is not valid UTF-8");
        _position += length;
        return Encoding.UTF8.GetString(bytes);
    }

    public string[] ReadStringList()
    {
        var count = ReadCount(1);
        if (count == 0)
            return [];
        var result = new string[count];
        for (var i = 0; i < result.Length; i++)
            result[i] = ReadString();
        return result;
    }

    public ulong[] ReadFixedUInt64List()
    {
        var count = ReadCount(8);
        if (count == 0)
            return [];
        var result = new ulong[count];
        for (var i = 0; i < result.Length; i++)
            result[i] = ReadFixedUInt64();
        return result;
    }

    /// <summary>Zig-zag ints (at least 1 byte each), every one non-negative (bucket indices).</summary>
    public int[] ReadNonNegativeInt32List(string field)
    {
        var count = ReadCount(1);
        if (count == 0)
            return [];
        var result = new int[count];
        for (var i = 0; i < result.Length; i++)
            result[i] = ReadNonNegativeVarInt32(field);
        return result;
    }

    /// <summary>A message must consume its input exactly: trailing bytes mean corruption or a format this
    /// version does not know, and silently ignoring them would hide both.</summary>
    public readonly void EnsureEnd()
    {
        if (_position != _data.Length)
            Fail($"{_data.Length - _position} trailing bytes after the message");
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private readonly void ThrowTruncated(int needed) =>
        Fail($"input ends early (needed {needed} more byte(s), {Remaining} left)");

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public readonly void Fail(string problem) =>
        throw new SerializationException(
            $"Cannot decode DistCache message '{_manifest}' ({_data.Length} bytes) at offset {_position}: {problem}.");
}
