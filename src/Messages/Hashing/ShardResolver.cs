namespace DistCacheAkka.Messages.Hashing;

/// <summary>
/// key --hash--> 64-bit --jump hash--> shard id in [0, Shards). Shard ids are cached as strings because the
/// sharding extractor deals in string ids on every message.
/// </summary>
public sealed class ShardResolver
{
    private readonly string[] _ids;

    public ShardResolver(int shards, KeyHashAlgorithm algorithm = KeyHashAlgorithm.XxHash64)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(shards);
        Shards = shards;
        Algorithm = algorithm;
        _ids = Enumerable.Range(0, shards).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    }

    public int Shards { get; }

    public KeyHashAlgorithm Algorithm { get; }

    public int ShardOf(string key) => JumpConsistentHash.Bucket(KeyHasher.Hash(key, Algorithm), Shards);

    /// <summary>The cached string form of a shard id.</summary>
    public string IdOf(int shard) => _ids[shard];

    /// <summary>Parses a shard id produced by <see cref="IdOf"/>; false for anything else.</summary>
    public bool TryParse(string id, out int shard) =>
        int.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out shard)
        && shard < Shards && _ids[shard] == id;
}
