using Akka.Configuration;
using DistCacheAkka.Messages.Hashing;

namespace DistCacheAkka.Messages.Settings;

/// <summary>Thrown once at startup when a distcache.* setting is invalid; the message names the key, value and rule.</summary>
public sealed class DistCacheConfigurationException(string message) : Exception(message);

/// <summary>
/// The typed distcache.* settings. Created once with <see cref="Create(Config)"/>, which validates every value and
/// fails fast. Defaults live only in hocon/reference.conf.
/// </summary>
public sealed record DistCacheSettings(
    int Shards,
    KeyHashAlgorithm HashAlgorithm,
    int VirtualNodes,
    int ReplicationFactor,
    ConsistencyLevel DefaultConsistency,
    TimeSpan OperationTimeout,
    int MaxKeyBytes,
    int MaxValueBytes,
    int MaxBatchBytes,
    TimeSpan ExpirySweepInterval,
    int ExpirySweepSampleSize,
    TimeSpan TombstoneGrace,
    string RegionName,
    string DataRole,
    int ReplicationBatchSize,
    TimeSpan ReplicationFlushInterval,
    TimeSpan AntiEntropyInterval,
    int DigestBuckets,
    int RebalanceMaxShardsPerRound,
    int RecoveryMaxStashed,
    TimeSpan RecoveryTimeout)
{
    /// <summary>Settings from the reference configuration alone.</summary>
    public static DistCacheSettings Default { get; } = Create(DistCacheConfig.Reference);

    /// <summary>Reads and validates the <c>distcache</c> section of <paramref name="config"/>, falling back to
    /// reference.conf for missing keys.</summary>
    /// <exception cref="DistCacheConfigurationException">A value is out of range or malformed.</exception>
    public static DistCacheSettings Create(Config config)
    {
        var c = DistCacheConfig.WithReferenceFallback(config).GetConfig("distcache");
        return new DistCacheSettings(
            Shards: IntIn(c, "shards", 1, 65536),
            HashAlgorithm: ParseHash(c.GetString("hash-algorithm")),
            VirtualNodes: IntIn(c, "virtual-nodes", 1, 4096),
            ReplicationFactor: IntIn(c, "replication-factor", 1, 16),
            DefaultConsistency: ParseConsistency("distcache.default-consistency", c.GetString("default-consistency")),
            OperationTimeout: Positive(c, "operation-timeout"),
            MaxKeyBytes: IntIn(c, "limits.max-key-bytes", 1, 65536),
            MaxValueBytes: IntIn(c, "limits.max-value-bytes", 1, 64 * 1024 * 1024),
            MaxBatchBytes: IntIn(c, "limits.max-batch-bytes", 1024, 64 * 1024 * 1024),
            ExpirySweepInterval: Positive(c, "expiry.sweep-interval"),
            ExpirySweepSampleSize: IntIn(c, "expiry.sweep-sample-size", 1, 100_000),
            TombstoneGrace: Positive(c, "expiry.tombstone-grace"),
            RegionName: NonEmpty(c, "region-name"),
            DataRole: NonEmpty(c, "data-role"),
            ReplicationBatchSize: IntIn(c, "replication.batch-size", 1, 100_000),
            ReplicationFlushInterval: Positive(c, "replication.flush-interval"),
            AntiEntropyInterval: Positive(c, "replication.anti-entropy-interval"),
            DigestBuckets: IntIn(c, "replication.digest-buckets", 1, 4096),
            RebalanceMaxShardsPerRound: IntIn(c, "rebalance.max-shards-per-round", 1, 65536),
            RecoveryMaxStashed: IntIn(c, "recovery.max-stashed", 1, 10_000_000),
            RecoveryTimeout: Positive(c, "recovery.timeout"));
    }

    /// <summary>Parses a consistency name (case-insensitive): eventual, quorum or strong.</summary>
    public static ConsistencyLevel ParseConsistency(string what, string? value) =>
        value?.Trim().ToLowerInvariant() switch
        {
            "eventual" => ConsistencyLevel.Eventual,
            "quorum" => ConsistencyLevel.Quorum,
            "strong" => ConsistencyLevel.Strong,
            _ => throw new DistCacheConfigurationException(
                $"`{what}` is \"{value}\"; it must be one of eventual, quorum, strong."),
        };

    private static KeyHashAlgorithm ParseHash(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        "xxhash64" => KeyHashAlgorithm.XxHash64,
        "sha256" => KeyHashAlgorithm.Sha256,
        _ => throw new DistCacheConfigurationException(
            $"`distcache.hash-algorithm` is \"{value}\"; it must be \"xxhash64\" or \"sha256\"."),
    };

    private static int IntIn(Config c, string key, int min, int max)
    {
        var raw = c.GetString(key);
        if (!long.TryParse(raw, out var value) || value < min || value > max)
            throw new DistCacheConfigurationException(
                $"`distcache.{key}` is {Show(raw)}; it must be an integer between {min} and {max}.");
        return (int)value;
    }

    private static TimeSpan Positive(Config c, string key)
    {
        TimeSpan value;
        try
        {
            value = c.GetTimeSpan(key, TimeSpan.Zero, allowInfinite: false);
        }
        catch (Exception e) when (e is FormatException or ConfigurationException or OverflowException)
        {
            throw new DistCacheConfigurationException(
                $"`distcache.{key}` is {Show(c.GetString(key))}; it must be a positive duration such as 500ms or 3s.");
        }

        if (value <= TimeSpan.Zero)
            throw new DistCacheConfigurationException(
                $"`distcache.{key}` is {Show(c.GetString(key))}; it must be a positive duration such as 500ms or 3s.");
        return value;
    }

    private static string NonEmpty(Config c, string key)
    {
        var value = c.GetString(key);
        if (string.IsNullOrWhiteSpace(value))
            throw new DistCacheConfigurationException($"`distcache.{key}` is {Show(value)}; it must be a non-empty name.");
        return value;
    }

    private static string Show(string? raw) => raw is null ? "missing" : $"\"{raw}\"";
}
