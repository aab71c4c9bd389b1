using System.Buffers;

namespace DistCacheAkka.Tests.Unit.Support;

/// <summary>ReadOnlySequences of any shape, for the buffer overloads of IBufferDistributedCache.</summary>
public static class Sequences
{
    /// <summary>One segment per part (empty parts allowed), in order.</summary>
    public static ReadOnlySequence<byte> Of(params byte[][] parts)
    {
        var first = new Segment(parts[0], 0);
        var last = first;
        foreach (var part in parts.Skip(1))
            last = last.Append(part);
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary><paramref name="bytes"/> cut into segments of <paramref name="size"/> bytes (the last one shorter).</summary>
    public static ReadOnlySequence<byte> Chunked(byte[] bytes, int size) =>
        bytes.Length <= size ? Of(bytes) : Of(bytes.Chunk(size).ToArray());

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
