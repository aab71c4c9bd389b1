using System.Buffers;
using DistCacheAkka.ClientProxy.Extensions;
using DistCacheAkka.Tests.Unit.Support;

namespace DistCacheAkka.Tests.Unit.Extensions;

// The stored form of IDistributedCache values: raw bytes unless a cap must travel with them (a 16-byte trailer), so
// that decode(encode(x)) == x for every payload and cap — including payloads that end with the trailer's magic, which
// are escaped — and a plain value is stored byte for byte.
public class ValueFrameSpecs
{
    private static readonly DateTimeOffset Cap = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    public static TheoryData<byte[]> Payloads => new()
    {
        Array.Empty<byte>(),
        new byte[] { 42 },
        "hello"u8.ToArray(),
        ValueFrame.Magic.ToArray(),                                      // exactly the magic
        Concat(new byte[3], ValueFrame.Magic.ToArray()),                      // shorter than a trailer, ends with the magic
        Concat(new byte[8], ValueFrame.Magic.ToArray()),                      // looks like a framed value with deadline 0
        Concat("x"u8.ToArray(), new byte[8], ValueFrame.Magic.ToArray(), "y"u8.ToArray()), // the magic inside, not at the end
        Random(65_536),
    };

    [Theory]
    [MemberData(nameof(Payloads))]
    public void Should_round_trip_every_payload_with_and_without_a_cap(byte[] payload)
    {
        foreach (var cap in new DateTimeOffset?[] { null, Cap })
        {
            var (decoded, decodedCap) = ValueFrame.Decode(ValueFrame.Encode(new ReadOnlySequence<byte>(payload), cap));

            Assert.Equal(payload, decoded.ToArray());
            Assert.Equal(cap, decodedCap);
        }
    }

    [Fact]
    public void Should_store_a_value_without_cap_byte_for_byte()
    {
        var payload = Random(1000);

        Assert.Equal(payload, ValueFrame.Encode(new ReadOnlySequence<byte>(payload), null));
        Assert.Equal(payload.Length + 16, ValueFrame.Encode(new ReadOnlySequence<byte>(payload), Cap).Length);
    }

    [Fact]
    public void Should_escape_a_payload_that_ends_with_the_magic()
    {
        byte[] payload = [.. "data"u8, .. ValueFrame.Magic];

        Assert.True(ValueFrame.NeedsTrailer(new ReadOnlySequence<byte>(payload), null));
        Assert.Equal(payload.Length + ValueFrame.TrailerBytes, ValueFrame.Encode(new ReadOnlySequence<byte>(payload), null).Length);
    }

    [Fact]
    public void Should_gather_a_multi_segment_sequence()
    {
        byte[] payload = [.. "abc"u8, .. ValueFrame.Magic.Slice(0, 5)];
        var magicSplitAcrossSegments = Sequences.Of(payload[..4], payload[4..6], payload[6..]);
        byte[] ending = [.. "z"u8, .. ValueFrame.Magic];
        var endsWithMagicAcrossSegments = Sequences.Of(ending[..3], ending[3..]);

        Assert.Equal(payload, ValueFrame.Encode(magicSplitAcrossSegments, null));
        Assert.Equal(ending, ValueFrame.Decode(ValueFrame.Encode(endsWithMagicAcrossSegments, null)).Payload.ToArray());
        Assert.True(ValueFrame.NeedsTrailer(endsWithMagicAcrossSegments, null));
    }

    [Fact]
    public void Should_start_the_magic_with_a_byte_valid_utf8_never_contains()
    {
        Assert.Equal(0xFF, ValueFrame.Magic[0]);
    }

    internal static byte[] Random(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        return bytes;
    }

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
}
