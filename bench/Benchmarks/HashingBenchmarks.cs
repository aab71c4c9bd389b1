using BenchmarkDotNet.Attributes;
using DistCacheAkka.Messages.Hashing;

namespace DistCacheAkka.Benchmarks;

/// <summary>
/// Key → shard, the work done for every keyed command on the client and on the node. The single-key rows let the
/// branch predictor learn Jump Hash's loop; the "1024 keys" rows cycle through distinct 20-char keys, as real
/// traffic does (reported per key).
/// </summary>
[MemoryDiagnoser, MedianColumn, OperationsPerSecond]
public class ShardResolverBenchmarks
{
    private const int KeyCount = 1024;
    private readonly ShardResolver _resolver = new(1024);
    private readonly string _key = "user:4242:session:7f"; // 20 ASCII chars
    private readonly string[] _keys = Enumerable.Range(0, KeyCount).Select(i => $"user:{i:D4}:session:7f").ToArray();
    private readonly ulong[] _hashes = Enumerable.Range(0, KeyCount).Select(i => KeyHasher.Hash($"user:{i:D4}:session:7f")).ToArray();

    [Benchmark]
    public int KeyToShard() => _resolver.ShardOf(_key);

    [Benchmark(OperationsPerInvoke = KeyCount)]
    public int KeyToShard_1024Keys()
    {
        var sum = 0;
        foreach (var key in _keys)
            sum += _resolver.ShardOf(key);
        return sum;
    }

    [Benchmark]
    public int JumpHashOnly() => JumpConsistentHash.Bucket(_hashes[0], 1024);

    [Benchmark(OperationsPerInvoke = KeyCount)]
    public int JumpHashOnly_1024Keys()
    {
        var sum = 0;
        foreach (var hash in _hashes)
            sum += JumpConsistentHash.Bucket(hash, 1024);
        return sum;
    }
}

/// <summary>Consistent-hash ring lookup: 10 nodes × 150 virtual nodes.</summary>
[MemoryDiagnoser, MedianColumn, OperationsPerSecond]
public class HashRingBenchmarks
{
    private readonly HashRing<string> _ring = new(Enumerable.Range(1, 10).Select(i => $"node-{i}"), virtualNodes: 150);
    private readonly string _key = "user:4242:session:7f";
    private readonly ulong _hash = KeyHasher.Hash("user:4242:session:7f");

    private readonly string[] _keys = Enumerable.Range(0, 1024).Select(i => $"user:{i:D4}:session:7f").ToArray();

    [Benchmark]
    public string GetNodeByKey() => _ring.GetNode(_key);

    [Benchmark(OperationsPerInvoke = 1024)]
    public int GetNodeByKey_1024Keys()
    {
        var sum = 0;
        foreach (var key in _keys)
            sum += _ring.GetNode(key).Length;
        return sum;
    }

    [Benchmark]
    public string GetNodeByHash() => _ring.GetNode(_hash);

    [Benchmark]
    public IReadOnlyList<string> GetReplicaNodes2() => _ring.GetReplicaNodes(_key, 2);
}

/// <summary>The two key hash algorithms on the same 20-char key (ratio: SHA-256 vs XxHash64).</summary>
[MemoryDiagnoser, MedianColumn, OperationsPerSecond]
public class KeyHasherBenchmarks
{
    private readonly string _key = "user:4242:session:7f";

    [Benchmark(Baseline = true)]
    public ulong XxHash64() => KeyHasher.Hash(_key, KeyHashAlgorithm.XxHash64);

    [Benchmark]
    public ulong Sha256() => KeyHasher.Hash(_key, KeyHashAlgorithm.Sha256);
}
