using System.Buffers;
using DistCacheAkka.Messages.DataPlane;
using DistCacheAkka.Tests.Unit.Support;

namespace DistCacheAkka.Tests.Unit.DataPlane;

// The data plane's framing, without sockets: frames round-trip; a frame arriving in pieces (any split, across
// buffer segments) is taken only once complete and consumes nothing before; a length of 0 or over the limit and a
// wrong preamble are refused with a problem that names them.
public class DataPlaneFramesSpecs
{
    private const int Limit = 1000;

    [Fact]
    public void Should_round_trip_frames_back_to_back()
    {
        var writer = new ArrayBufferWriter<byte>();
        DataPlaneFrames.Write(writer, [1, 2, 3]);
        DataPlaneFrames.Write(writer, Enumerable.Repeat((byte)9, Limit).ToArray());
        var buffer = new ReadOnlySequence<byte>(writer.WrittenMemory);

        Assert.Equal(FrameStatus.Frame, DataPlaneFrames.TryRead(ref buffer, Limit, out var first, out _));
        Assert.Equal([1, 2, 3], first.ToArray());
        Assert.Equal(FrameStatus.Frame, DataPlaneFrames.TryRead(ref buffer, Limit, out var second, out _));
        Assert.Equal(Limit, second.Length);
        Assert.True(buffer.IsEmpty);
        Assert.Equal(FrameStatus.Incomplete, DataPlaneFrames.TryRead(ref buffer, Limit, out _, out _));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    public void Should_take_a_frame_split_across_segments_only_once_complete(int segmentBytes)
    {
        var writer = new ArrayBufferWriter<byte>();
        var payload = Enumerable.Range(0, 50).Select(i => (byte)i).ToArray();
        DataPlaneFrames.Write(writer, payload);
        var bytes = writer.WrittenSpan.ToArray();

        for (var available = 0; available < bytes.Length; available++)
        {
            var partial = Sequences.Chunked(bytes[..available], segmentBytes);
            Assert.Equal(FrameStatus.Incomplete, DataPlaneFrames.TryRead(ref partial, Limit, out _, out _));
            Assert.Equal(available, partial.Length); // nothing consumed
        }

        var whole = Sequences.Chunked(bytes, segmentBytes);
        Assert.Equal(FrameStatus.Frame, DataPlaneFrames.TryRead(ref whole, Limit, out var read, out _));
        Assert.Equal(payload, read.ToArray());
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(Limit + 1u)]
    [InlineData(uint.MaxValue)]
    public void Should_refuse_a_length_of_zero_or_over_the_limit_naming_it(uint length)
    {
        var bytes = BitConverter.GetBytes(length); // little-endian on every platform .NET 10 runs on
        var buffer = new ReadOnlySequence<byte>(bytes);

        Assert.Equal(FrameStatus.Invalid, DataPlaneFrames.TryRead(ref buffer, Limit, out _, out var problem));
        Assert.Contains($"{length} bytes", problem);
    }

    [Fact]
    public void Should_check_the_preamble()
    {
        var good = new ReadOnlySequence<byte>("DCP1xyz"u8.ToArray());
        Assert.Equal(FrameStatus.Frame, DataPlaneFrames.TryReadPreamble(ref good, out _));
        Assert.Equal(3, good.Length);

        var partial = new ReadOnlySequence<byte>("DCP"u8.ToArray());
        Assert.Equal(FrameStatus.Incomplete, DataPlaneFrames.TryReadPreamble(ref partial, out _));

        var http = new ReadOnlySequence<byte>("GET / HTTP/1.1"u8.ToArray());
        Assert.Equal(FrameStatus.Invalid, DataPlaneFrames.TryReadPreamble(ref http, out var problem));
        Assert.Contains("preamble", problem);
    }

    [Fact]
    public void Should_limit_frames_to_two_values_plus_room_for_the_envelope()
    {
        Assert.Equal(2 * 1048576 + 65536, DataPlaneFrames.LimitFor(1048576));
        Assert.Equal(int.MaxValue - DataPlaneFrames.HeaderBytes, DataPlaneFrames.LimitFor(int.MaxValue));
    }
}
