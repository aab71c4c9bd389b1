using System.Runtime.Serialization;
using DistCacheAkka.Messages;
using DistCacheAkka.Messages.Serialization;

namespace DistCacheAkka.Tests.Unit.Serialization;

// Deterministic fuzzing of FromBinary for every manifest: 10,000 corrupted variants of valid encodings (bit flips,
// truncations at every length, appended garbage, pure noise, huge length prefixes, spliced bytes). The decoder
// faces untrusted bytes from any peer, so each variant must either decode to a well-formed, re-serialisable message
// or throw SerializationException — never another exception type, never a hang, never an allocation that a
// corrupted length could blow up. Fixed seeds: a failure reproduces, and names the manifest and input hex.
public class CacheProtocolSerializerFuzzSpecs(SerializerFixture fixture) : IClassFixture<SerializerFixture>
{
    private const int InputsPerManifest = 10_000;

    // Base encodings stay small so 240,000 decodes fit in a few seconds; large messages are covered by the
    // round-trip specs, and corruption of a length prefix does not depend on the size of what follows.
    private const int MaxBaseLength = 512;

    // Varints that a corrupted length or count might become: 2^32-1, 2^31-1, 2^63, 2^64-1, an 11-byte overlong
    // varint, and a 10-byte one whose last byte overflows.
    private static readonly byte[][] HugeVarints =
    [
        [0xFF, 0xFF, 0xFF, 0xFF, 0x0F],
        [0xFF, 0xFF, 0xFF, 0xFF, 0x07],
        [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01],
        [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01],
        [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00],
        [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F],
        [0x80, 0x80, 0x04],
    ];

    private readonly CacheProtocolSerializer _serializer = fixture.Serializer;
    private int _decoded;
    private int _rejected;

    public static IEnumerable<object[]> Manifests =>
        ProtocolSamples.FrozenManifests.Values.Concat(ProtocolSamples.ReadOnlyManifests.Keys).Order(StringComparer.Ordinal).Select(m => new object[] { m });

    [Theory]
    [MemberData(nameof(Manifests))]
    public void Should_decode_or_reject_every_corrupted_input(string manifest)
    {
        var bases = (ProtocolSamples.ReadOnlyManifests.ContainsKey(manifest)
                ? ProtocolSamples.ReadOnlyEncodings(manifest, _serializer)
                : ProtocolSamples.All.Values.Where(m => _serializer.Manifest(m) == manifest).Select(m => _serializer.ToBinary(m)))
            .Where(b => b.Length <= MaxBaseLength)
            .ToList();
        Assert.NotEmpty(bases);

        // A stable seed per manifest (string.GetHashCode is randomised per process).
        var seed = manifest.Aggregate(517, (h, c) => h * 31 + c);
        var random = new Random(seed);
        var tested = 0;

        // Truncation at every length of every base: a valid encoding is self-delimiting, so no strict prefix of it
        // can be a complete message.
        foreach (var encoding in bases)
        {
            for (var length = 0; length < encoding.Length; length++, tested++)
                Check(manifest, encoding.AsSpan(0, length).ToArray(), mustReject: true);
        }

        for (; tested < InputsPerManifest; tested++)
        {
            var encoding = bases[random.Next(bases.Count)];
            switch (random.Next(6))
            {
                case 0:
                    Check(manifest, FlipBytes(encoding, random), mustReject: false);
                    break;
                case 1:
                    Check(manifest, encoding.AsSpan(0, random.Next(encoding.Length + 1)).ToArray(), mustReject: false);
                    break;
                case 2:
                    // Any byte after a complete message is trailing garbage.
                    Check(manifest, [.. encoding, .. RandomBytes(random, 1 + random.Next(16))], mustReject: true);
                    break;
                case 3:
                    Check(manifest, RandomBytes(random, random.Next(64)), mustReject: false);
                    break;
                case 4:
                    Check(manifest, OverwriteWithHugeVarint(encoding, random), mustReject: false);
                    break;
                default:
                    Check(manifest, Splice(encoding, random), mustReject: false);
                    break;
            }
        }

        // Guards the fuzzer itself: inputs that all fail (or all pass) would exercise only one side of the decoder.
        Assert.Equal(InputsPerManifest, _decoded + _rejected);
        Assert.True(_decoded > 0, $"No corrupted {manifest} input decoded.");
        Assert.True(_rejected > 0, $"No corrupted {manifest} input was rejected.");
    }

    private void Check(string manifest, byte[] input, bool mustReject)
    {
        var (decoded, failure, allocated) = Decode(manifest, input);

        if (failure is not null and not SerializationException)
            Assert.Fail($"Manifest {manifest}, input {Convert.ToHexString(input)}: threw {failure}");
        // The serializer wraps unexpected exceptions as a last line of defence; the reader's own checks should make
        // that unnecessary, so a wrapped exception is a validation gap.
        if (failure?.InnerException is not null)
            Assert.Fail($"Manifest {manifest}, input {Convert.ToHexString(input)}: needed the catch-all: {failure.InnerException}");

        // Bounded by the input: what a decode may allocate is proportional to the bytes it was given (plus the
        // exception when it fails), whatever lengths the bytes claim.
        var limit = 64L * input.Length + 4096;
        if (allocated > limit)
            allocated = MeasureAgainWithoutGc(manifest, input);
        if (allocated > limit)
            Assert.Fail($"Manifest {manifest}, input {Convert.ToHexString(input)}: allocated {allocated} bytes (limit {limit}).");

        if (decoded is null)
        {
            _rejected++;
            return;
        }
        _decoded++;
        if (mustReject)
            Assert.Fail($"Manifest {manifest}, input {Convert.ToHexString(input)}: decoded although it must be rejected.");

        var nulls = ProtocolSamples.FindNulls(decoded);
        if (nulls.Count > 0)
            Assert.Fail($"Manifest {manifest}, input {Convert.ToHexString(input)}: decoded with null {string.Join(", ", nulls)}.");
        var current = ProtocolSamples.CurrentManifest(manifest); // a superseded layout decodes to the current one
        Assert.Equal(current, _serializer.Manifest(decoded));

        // Well formed means the message can be sent on: it re-encodes, and that encoding is a fixpoint.
        var reencoded = _serializer.ToBinary(decoded);
        var again = _serializer.ToBinary(_serializer.FromBinary(reencoded, current));
        if (!reencoded.AsSpan().SequenceEqual(again))
            Assert.Fail($"Manifest {manifest}, input {Convert.ToHexString(input)}: re-encoding is not stable.");
    }

    private (object? Decoded, Exception? Failure, long Allocated) Decode(string manifest, byte[] input)
    {
        object? decoded = null;
        Exception? failure = null;
        var before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            decoded = _serializer.FromBinary(input, manifest);
        }
        catch (Exception e)
        {
            failure = e;
        }
        return (decoded, failure, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>
    /// A garbage collection during the measured decode (other tests run in parallel) retires the thread's
    /// allocation context, and its unused remainder (up to ~8 KiB) is then counted as allocated. Decoding is
    /// deterministic, so repeat the measurement until one runs without a collection in between.
    /// </summary>
    private long MeasureAgainWithoutGc(string manifest, byte[] input)
    {
        var allocated = long.MaxValue;
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var collections = GC.CollectionCount(0);
            var measured = Decode(manifest, input).Allocated;
            if (GC.CollectionCount(0) == collections)
                return measured;
            allocated = Math.Min(allocated, measured);
        }
        return allocated;
    }

    private static byte[] FlipBytes(byte[] encoding, Random random)
    {
        var copy = (byte[])encoding.Clone();
        if (copy.Length == 0)
            return RandomBytes(random, 1 + random.Next(4));
        var flips = 1 + random.Next(4);
        for (var i = 0; i < flips; i++)
            copy[random.Next(copy.Length)] ^= (byte)(1 + random.Next(255));
        return copy;
    }

    private static byte[] OverwriteWithHugeVarint(byte[] encoding, Random random)
    {
        // Every length and count prefix sits at some offset; over thousands of draws each offset of each base
        // is hit many times, so every prefix gets replaced by every huge value.
        var huge = HugeVarints[random.Next(HugeVarints.Length)];
        var at = random.Next(encoding.Length + 1);
        var keepTail = random.Next(2) == 0;
        var tail = keepTail ? encoding.AsSpan(Math.Min(encoding.Length, at + 1)) : [];
        return [.. encoding.AsSpan(0, at), .. huge, .. tail];
    }

    private static byte[] Splice(byte[] encoding, Random random)
    {
        var at = random.Next(encoding.Length + 1);
        var removed = random.Next(Math.Min(4, encoding.Length - at) + 1);
        return [.. encoding.AsSpan(0, at), .. RandomBytes(random, random.Next(1, 8)), .. encoding.AsSpan(at + removed)];
    }

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }
}
