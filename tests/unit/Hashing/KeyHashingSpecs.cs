using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;
using DistCacheAkka.Messages.Hashing;

namespace DistCacheAkka.Tests.Unit.Hashing;

// Verifies key → 64-bit hash → shard routing: frozen golden vectors (produced by a separate process, so they also
// prove the hash is stable across processes), independence from string.GetHashCode, Jump Consistent Hash properties
// and the balance of keys over shards. Every node and client must route a key to the same shard forever.
public class KeyHashingSpecs
{
    private static readonly string VectorsPath = Path.Combine(AppContext.BaseDirectory, "Hashing", "golden-vectors.txt");

    private sealed record GoldenVector(int Line, string Key, ulong XxHash, ulong Sha256, int Shard1024, int Shard7, int Sha256Shard1024);

    private static IReadOnlyList<GoldenVector> LoadVectors()
    {
        var vectors = new List<GoldenVector>();
        var lines = File.ReadAllLines(VectorsPath, Encoding.UTF8);
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Length == 0 || lines[i].StartsWith('#'))
                continue;
            var cells = lines[i].Split('\t');
            Assert.True(cells.Length == 6, $"golden-vectors.txt line {i + 1} has {cells.Length} columns, expected 6");
            vectors.Add(new GoldenVector(
                i + 1,
                Unescape(cells[0]),
                ulong.Parse(cells[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                ulong.Parse(cells[2], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                int.Parse(cells[3], CultureInfo.InvariantCulture),
                int.Parse(cells[4], CultureInfo.InvariantCulture),
                int.Parse(cells[5], CultureInfo.InvariantCulture)));
        }

        return vectors;
    }

    private static string Unescape(string cell)
    {
        var sb = new StringBuilder(cell.Length);
        for (var i = 0; i < cell.Length; i++)
        {
            if (cell[i] != '\\')
            {
                sb.Append(cell[i]);
                continue;
            }

            var escape = cell[++i];
            switch (escape)
            {
                case '\\': sb.Append('\\'); break;
                case 't': sb.Append('\t'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 'u':
                    sb.Append((char)int.Parse(cell.AsSpan(i + 1, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    i += 4;
                    break;
                default: throw new FormatException($"Unknown escape \\{escape} in golden vector key \"{cell}\".");
            }
        }

        return sb.ToString();
    }

    [Fact]
    public void Should_have_a_golden_vector_file_covering_ascii_unicode_and_long_keys()
    {
        var keys = LoadVectors().Select(v => v.Key).ToList();

        Assert.InRange(keys.Count, 40, 100);
        Assert.Equal(keys.Count, keys.Distinct(StringComparer.Ordinal).Count());
        Assert.Contains("", keys);
        Assert.Contains("a", keys);
        Assert.Contains("ключ", keys);
        Assert.Contains("日本語", keys);
        Assert.Contains("😀", keys);
        Assert.Contains(keys, k => Encoding.UTF8.GetByteCount(k) == 1024 && k.All(char.IsAscii));
        Assert.Contains(keys, k => Encoding.UTF8.GetByteCount(k) == 1024 && !k.All(char.IsAscii));
    }

    [Fact]
    public void Should_reproduce_every_golden_vector()
    {
        var r1024 = new ShardResolver(1024);
        var r7 = new ShardResolver(7);
        var sha1024 = new ShardResolver(1024, KeyHashAlgorithm.Sha256);
        var mismatches = new List<string>();

        foreach (var v in LoadVectors())
        {
            var actual = (
                XxHash: KeyHasher.Hash(v.Key),
                Sha256: KeyHasher.Hash(v.Key, KeyHashAlgorithm.Sha256),
                Shard1024: r1024.ShardOf(v.Key),
                Shard7: r7.ShardOf(v.Key),
                Sha256Shard1024: sha1024.ShardOf(v.Key));
            var expected = (v.XxHash, v.Sha256, v.Shard1024, v.Shard7, v.Sha256Shard1024);
            if (actual != expected)
                mismatches.Add($"line {v.Line} (key of {v.Key.Length} chars): expected {expected}, got {actual}");
        }

        Assert.True(mismatches.Count == 0, "Routing changed:\n" + string.Join('\n', mismatches));
    }

    [Fact]
    public void Should_match_the_published_digests_of_the_empty_key()
    {
        // XXH64("", seed 0) = ef46db3751d8e999 (xxHash spec); SHA-256("") starts e3 b0 c4 42 98 fc 1c 14 (FIPS 180-4).
        Assert.Equal(0xef46db3751d8e999UL, KeyHasher.Hash(""));
        Assert.Equal(0x141cfc9842c4b0e3UL, KeyHasher.Hash("", KeyHashAlgorithm.Sha256));
    }

    [Fact]
    public void Should_hash_the_utf8_bytes_with_XxHash64_and_never_string_GetHashCode()
    {
        // string.GetHashCode is randomised per process; the key hash must be a pure function of the UTF-8 bytes.
        foreach (var v in LoadVectors())
        {
            var utf8 = Encoding.UTF8.GetBytes(v.Key);
            Assert.Equal(XxHash64.HashToUInt64(utf8), KeyHasher.Hash(v.Key));
            Assert.Equal(BinaryPrimitives.ReadUInt64LittleEndian(SHA256.HashData(utf8)), KeyHasher.Hash(v.Key, KeyHashAlgorithm.Sha256));
            Assert.Equal(KeyHasher.Hash(v.Key), KeyHasher.Hash(utf8));
            Assert.Equal(KeyHasher.Hash(v.Key, KeyHashAlgorithm.Sha256), KeyHasher.Hash(utf8, KeyHashAlgorithm.Sha256));
        }
    }

    [Fact]
    public void Should_hash_keys_longer_than_the_stack_buffer_like_short_ones()
    {
        // KeyHasher switches from a stack buffer to a pooled array around 170 chars; both paths must agree.
        for (var length = 160; length <= 700; length += 7)
        {
            var key = string.Concat(Enumerable.Repeat("ж", length));
            Assert.Equal(XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(key)), KeyHasher.Hash(key));
        }
    }

    [Fact]
    public void Should_reject_a_null_key()
    {
        Assert.Throws<ArgumentNullException>(() => KeyHasher.Hash((string)null!));
    }

    [Fact]
    public void Should_put_every_key_in_bucket_zero_when_there_is_one_bucket_and_key_zero_always_in_bucket_zero()
    {
        // Derived from the algorithm: key 0 steps to 1, whose next jump target is 2^31, beyond any int bucket count.
        var random = new Random(7);
        for (var i = 0; i < 1000; i++)
            Assert.Equal(0, JumpConsistentHash.Bucket((ulong)random.NextInt64(), 1));
        foreach (var buckets in new[] { 1, 2, 7, 1024, 65536, int.MaxValue })
            Assert.Equal(0, JumpConsistentHash.Bucket(0, buckets));
    }

    [Fact]
    public void Should_keep_jump_hash_results_in_range()
    {
        var random = new Random(11);
        foreach (var buckets in new[] { 1, 2, 3, 7, 10, 1000, 1024, 65536, int.MaxValue })
        {
            for (var i = 0; i < 2000; i++)
            {
                var bucket = JumpConsistentHash.Bucket((ulong)random.NextInt64() ^ ((ulong)random.Next() << 63), buckets);
                Assert.InRange(bucket, 0, buckets - 1);
            }
        }

        Assert.InRange(JumpConsistentHash.Bucket(ulong.MaxValue, 1024), 0, 1023);
    }

    [Fact]
    public void Should_only_move_keys_into_the_new_bucket_when_a_bucket_is_added()
    {
        var random = new Random(1234);
        var keys = Enumerable.Range(0, 10_000).Select(_ => (ulong)random.NextInt64() ^ ((ulong)random.Next() << 63)).ToArray();
        var current = keys.Select(k => JumpConsistentHash.Bucket(k, 1)).ToArray();

        for (var n = 1; n < 50; n++)
        {
            var moved = 0;
            for (var i = 0; i < keys.Length; i++)
            {
                var next = JumpConsistentHash.Bucket(keys[i], n + 1);
                if (next != current[i])
                {
                    Assert.True(next == n, $"key {keys[i]:x16} moved from {current[i]} to {next} when growing {n} → {n + 1} buckets");
                    moved++;
                }

                current[i] = next;
            }

            // About 1/(n+1) of the keys move; allow generous sampling noise but catch "nothing moves" or "all move".
            var expected = keys.Length / (double)(n + 1);
            Assert.InRange(moved, expected * 0.75, expected * 1.25 + 30);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void Should_throw_for_a_non_positive_bucket_count(int buckets)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => JumpConsistentHash.Bucket(42, buckets));
        Assert.Equal("buckets", e.ParamName);
    }

    [Fact]
    public void Should_spread_a_million_keys_within_15_percent_of_the_mean_over_1024_shards()
    {
        const int shards = 1024;
        const int keyCount = 1_000_000;
        var resolver = new ShardResolver(shards);
        var counts = new int[shards];
        var random = new Random(20261123);
        Span<byte> bytes = stackalloc byte[12];
        for (var i = 0; i < keyCount; i++)
        {
            random.NextBytes(bytes);
            counts[resolver.ShardOf(Convert.ToHexString(bytes))]++;
        }

        var mean = keyCount / (double)shards;
        var worst = counts.Select((c, shard) => (Shard: shard, Count: c)).MaxBy(x => Math.Abs(x.Count - mean));
        Assert.True(
            Math.Abs(worst.Count - mean) <= mean * 0.15,
            $"shard {worst.Shard} holds {worst.Count} keys; the mean is {mean:F1} (±15% = {mean * 0.85:F0}..{mean * 1.15:F0})");
        Assert.Equal(keyCount, counts.Sum());
    }

    [Fact]
    public void Should_route_the_same_key_to_the_same_shard_with_independent_resolvers()
    {
        var a = new ShardResolver(1024);
        var b = new ShardResolver(1024);
        foreach (var v in LoadVectors())
            Assert.Equal(a.ShardOf(v.Key), b.ShardOf(v.Key));
    }

    [Fact]
    public void Should_round_trip_shard_ids_and_reject_foreign_ids()
    {
        var resolver = new ShardResolver(7);
        for (var shard = 0; shard < 7; shard++)
        {
            Assert.True(resolver.TryParse(resolver.IdOf(shard), out var parsed));
            Assert.Equal(shard, parsed);
        }

        foreach (var foreign in new[] { "7", "-1", "+1", "01", " 1", "1 ", "", "x", "99999999999" })
            Assert.False(resolver.TryParse(foreign, out _), $"\"{foreign}\" must not parse as a shard id");
    }
}
